package handlers

import (
	"errors"
	"fmt"
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// Calendar files: the subscription feeds of staff and the visit's
// invitation as a file to download.

// feedLinks is the "Langganan kalender" card of the staff calendar.
type feedLinks struct {
	Kind    models.FeedKind
	Webcal  template.URL // webcal://…: html/template would blank an unknown scheme
	HTTPS   string       // the same feed over http(s), to paste into a calendar
	Rotated bool         // the link was just replaced
}

// feedLinks returns the signed-in user's subscription links, creating the
// feed on first use; nil for a user without a feed.
func (h *Handlers) feedLinks(c *fiber.Ctx, u *models.User) (*feedLinks, error) {
	if u == nil {
		return nil, nil
	}
	kind := models.FeedKindFor(u.Role)
	if kind == "" {
		return nil, nil
	}
	token, err := h.deps.Store.FeedToken(c.UserContext(), u.ID, kind, h.deps.Now())
	if err != nil {
		return nil, err
	}
	link := h.absoluteURL("/kalender/" + token + ".ics")
	webcal := "webcal" + strings.TrimPrefix(strings.TrimPrefix(link, "https"), "http")
	return &feedLinks{Kind: kind, Webcal: template.URL(webcal), HTTPS: link, Rotated: c.Query("langganan") == "baru"}, nil
}

// absoluteURL is path on the public address (BASE_URL).
func (h *Handlers) absoluteURL(path string) string {
	u := *h.deps.BaseURL
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = ""
	return u.String()
}

// rotateFeed gives the signed-in user a new subscription link; the old one
// stops working at once (a link that leaked, a lost phone).
func (h *Handlers) rotateFeed(c *fiber.Ctx) error {
	u := currentUser(c)
	kind := models.FeedKindFor(u.Role)
	if kind == "" {
		return models.ErrForbidden
	}
	if _, err := h.deps.Store.RotateFeedToken(c.UserContext(), u.ID, kind, h.deps.Now()); err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditFeedRotate,
		Target: models.AuditTarget{Collection: "feeds", ID: u.ID.Hex(), Label: u.Email}, Note: string(kind)})
	return c.Redirect("/staf/kalender?langganan=baru#langganan", fiber.StatusSeeOther)
}

// calendarSubscription serves a feed to calendar programs, which poll it
// without a session: the token in the URL is the only credential. A feed
// of an account that was deactivated, or whose role no longer gives that
// feed, is gone (404) like an unknown token.
func (h *Handlers) calendarSubscription(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f, err := h.deps.Store.FeedByToken(ctx, c.Params("token"))
	if err != nil {
		return err
	}
	u, err := h.deps.Store.UserByID(ctx, f.UserID)
	if errors.Is(err, models.ErrNotFound) || (err == nil && (!u.Active || models.FeedKindFor(u.Role) != f.Kind)) {
		return models.ErrNotFound
	}
	if err != nil {
		return err
	}
	now := h.deps.Now()
	visits, err := h.deps.Store.FeedVisits(ctx, f, now)
	if err != nil {
		return err
	}
	p := h.newPage(c, "ical.feed_name_host") // calendar programs send no language cookie: Indonesian
	host := p.Host
	name := p.T("ical.feed_name_host", "Host", host.Name)
	urlOf := func(v *models.Visit) string { return h.absoluteURL(models.VisitStaffURL(v.ID)) }
	if f.Kind == models.FeedEscort {
		name = p.T("ical.feed_name_escort", "Name", u.Name)
		// Escorts cannot open the request page; their calendar month can.
		urlOf = func(v *models.Visit) string {
			return h.absoluteURL("/staf/kalender") + "?bulan=" + v.Start.In(h.deps.Location).Format("2006-01")
		}
	}
	b, err := models.BuildFeed(name, visits, host, urlOf, now, h.deps.Location)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	return c.Send(b)
}

// trackingInvitation lets the delegation add the visit to its calendar
// through its private link.
func (h *Handlers) trackingInvitation(c *fiber.Ctx) error {
	v, token, err := h.visitByToken(c)
	if err != nil {
		return err
	}
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	return h.sendVisitFile(c, v, h.trackingURL(token))
}

// staffInvitation is the same file for staff, with the delegation's
// tracking link as in the emailed invitation.
func (h *Handlers) staffInvitation(c *fiber.Ctx) error {
	id, err := bson.ObjectIDFromHex(c.Params("id"))
	if err != nil {
		return models.ErrNotFound
	}
	v, err := h.deps.Store.VisitByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	link := ""
	// Visits made without the form (the demo season) have no derivable link.
	if token := models.TrackingToken(h.trackKey, v.SubmissionKey); v.TrackedBy(token) {
		link = h.trackingURL(token)
	}
	return h.sendVisitFile(c, v, link)
}

// sendVisitFile answers with the visit's current invitation as a
// METHOD:PUBLISH file; only an approved visit has one.
func (h *Handlers) sendVisitFile(c *fiber.Ctx, v *models.Visit, trackingLink string) error {
	if v.Status != models.StatusApproved {
		return models.ErrNotFound
	}
	b, err := models.BuildVisitFile(v, h.hostOrDefault(c), trackingLink, h.deps.Now(), h.deps.Location)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, codeFileName("", v.Code, ".ics", "kunjungan")))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}
