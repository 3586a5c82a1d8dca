package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// statusOf is the one table that maps errors to HTTP status codes.
func statusOf(err error) int {
	var fe *fiber.Error
	switch {
	case err == nil:
		return fiber.StatusOK
	case errors.As(err, &fe):
		return fe.Code
	case errors.Is(err, models.ErrNotFound):
		return fiber.StatusNotFound
	case errors.Is(err, models.ErrForbidden):
		return fiber.StatusForbidden
	case errors.Is(err, models.ErrConflict), errors.Is(err, models.ErrSlotFull):
		return fiber.StatusConflict
	}
	if _, ok := models.AsValidation(err); ok {
		return fiber.StatusUnprocessableEntity
	}
	// The store is down, cut off or too slow: temporary, try again later.
	if models.StoreUnavailable(err) {
		return fiber.StatusServiceUnavailable
	}
	return fiber.StatusInternalServerError
}

// errorPages names the catalogue entry (".title" and ".body") of each
// status that has its own explanation; others get the generic one.
var errorPages = map[int]string{
	fiber.StatusUnauthorized:          "error.401",
	fiber.StatusForbidden:             "error.403",
	fiber.StatusNotFound:              "error.404",
	fiber.StatusMethodNotAllowed:      "error.405",
	fiber.StatusConflict:              "error.409",
	fiber.StatusRequestEntityTooLarge: "error.413",
	fiber.StatusUnprocessableEntity:   "error.422",
	fiber.StatusTooManyRequests:       "error.429",
	fiber.StatusServiceUnavailable:    "error.503",
}

// errorPage is the data of the error page.
type errorPage struct {
	Page
	Status  int
	Heading string // catalogue keys
	Message string
}

// handleError renders every error as a page in the app's look. A 500 is
// logged with its detail; the visitor sees only that something went wrong.
func (h *Handlers) handleError(c *fiber.Ctx, err error) error {
	status := statusOf(err)
	key, ok := errorPages[status]
	if !ok {
		key = "error.generic"
	}
	if errors.Is(err, errCSRF) {
		key = "error.csrf"
	}
	if errors.Is(err, models.ErrConflict) {
		h.countConflict(c)
	}
	// Before rendering: the page itself must not wait for the store.
	if models.StoreUnreachable(err) {
		h.storeUnreachable(err)
	}
	if status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, retryAfter)
	}
	if status >= 500 && err != errStoreDown { // the gate logs the outage once
		h.deps.Logger.Error("request failed", "method", c.Method(), "path", redactPath(c.Path()), "err", err)
	}
	if h.views == nil {
		return c.Status(status).SendString("Terjadi kesalahan.")
	}
	p := &errorPage{Page: h.newPage(c, key+".title"), Status: status, Heading: key + ".title", Message: key + ".body"}
	if renderErr := h.render(c, status, "error", p); renderErr != nil {
		h.deps.Logger.Error("render error page", "err", renderErr)
		return c.Status(status).SendString("Terjadi kesalahan.")
	}
	return nil
}
