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
	return fiber.StatusInternalServerError
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
	key := "error.generic"
	switch status {
	case fiber.StatusNotFound:
		key = "error.404"
	case fiber.StatusUnauthorized:
		key = "error.401"
	case fiber.StatusForbidden:
		key = "error.403"
		if errors.Is(err, errCSRF) {
			key = "error.csrf"
		}
	case fiber.StatusConflict:
		key = "error.409"
	case fiber.StatusUnprocessableEntity:
		key = "error.422"
	case fiber.StatusRequestEntityTooLarge:
		key = "error.413"
	case fiber.StatusMethodNotAllowed:
		key = "error.405"
	case fiber.StatusTooManyRequests:
		key = "error.429"
	case fiber.StatusServiceUnavailable:
		key = "error.503"
	}
	if status >= 500 {
		h.deps.Logger.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
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
