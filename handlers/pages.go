package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

func (h *Handlers) home(c *fiber.Ctx) error {
	p := h.newPage(c, "home.title")
	return h.render(c, fiber.StatusOK, "home", &p)
}

// staffHomePage is the staff dashboard: where requests stand.
type staffHomePage struct {
	Page
	Statuses []statusCount
	Recent   []models.Visit
	Upcoming []models.Visit
}

type statusCount struct {
	Status models.VisitStatus
	Count  int
}

func (h *Handlers) staffHome(c *fiber.Ctx) error {
	ctx := c.UserContext()
	counts, err := h.deps.Store.VisitCountsByStatus(ctx)
	if err != nil {
		return err
	}
	recent, err := h.deps.Store.RecentVisits(ctx, 8)
	if err != nil {
		return err
	}
	p := &staffHomePage{Page: h.newPage(c, "staff.title"), Recent: recent}
	// Everybody sees the visits coming up; an escort only their own.
	var mine bson.ObjectID
	if p.User.Role == models.RoleEscort {
		mine = p.User.ID
	}
	if p.Upcoming, err = h.deps.Store.UpcomingVisits(ctx, h.deps.Now(), mine, 8); err != nil {
		return err
	}
	for _, s := range models.VisitStatuses() {
		p.Statuses = append(p.Statuses, statusCount{s, counts[s]})
	}
	return h.render(c, fiber.StatusOK, "staff_home", p)
}

// healthz says the process is alive; it touches nothing else.
func (h *Handlers) healthz(c *fiber.Ctx) error {
	return c.SendString("ok")
}

// readyz says whether the app can serve: the store answers a ping.
func (h *Handlers) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := h.deps.Store.Ping(ctx); err != nil {
		h.deps.Logger.Warn("readyz: store unreachable", "err", err)
		if models.StoreUnreachable(err) {
			h.storeUnreachable(err) // pages answer 503 at once from now
		}
		c.Set(fiber.HeaderRetryAfter, retryAfter)
		return c.Status(fiber.StatusServiceUnavailable).SendString("store unreachable")
	}
	h.storeReachable()
	return c.SendString("ready")
}
