package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// The outbox pages (/staf/surel): every email the application sends is
// queued in the outbox first; coordinators and admins see where each one
// stands, read it as the recipient will, download it (.eml, .ics) and
// queue it again.

// outboxPageSize is how many messages one page of the list shows.
const outboxPageSize = 50

// outboxListPage is the list with its status filter.
type outboxListPage struct {
	Page
	MailConfigured bool
	Status         models.OutboxStatus // the filter; "" = all
	Statuses       []models.OutboxStatus
	Counts         map[models.OutboxStatus]int
	AllCount       int
	Messages       []models.OutboxMessage
	Total          int64
	PageNo, Pages  int // PageNo from 1
	PrevURL        string
	NextURL        string
}

// outboxViewPage previews one message.
type outboxViewPage struct {
	Page
	MailConfigured bool
	Message        *models.OutboxMessage
	Headers        []mailHeader
	// HTML is the HTML part, shown in a sandboxed frame (srcdoc): no
	// script runs and nothing reaches the page around it.
	HTML      string
	CanResend bool
}

// mailHeader is one header line of the preview.
type mailHeader struct{ Name, Value string }

// mailFrom is the sender shown and written into downloads: MAIL_FROM, else
// the host profile's mailbox.
func (h *Handlers) mailFrom(p *Page) string {
	if h.deps.MailFrom != "" {
		return h.deps.MailFrom
	}
	if p.Host.Email != "" {
		return p.Host.Email
	}
	return models.DefaultHostProfile().Email
}

func (h *Handlers) outboxList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	status := models.OutboxStatus(c.Query("status"))
	known := false
	for _, s := range models.OutboxStatuses() {
		known = known || s == status
	}
	if !known {
		status = ""
	}
	pageNo, _ := strconv.Atoi(c.Query("hal"))
	pageNo = max(pageNo, 1)
	counts, err := h.deps.Store.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	msgs, total, err := h.deps.Store.ListOutbox(ctx, models.OutboxFilter{Status: status, Page: pageNo - 1, PerPage: outboxPageSize})
	if err != nil {
		return err
	}
	p := &outboxListPage{
		Page: h.newPage(c, "outbox.title"), MailConfigured: h.deps.MailConfigured,
		Status: status, Statuses: models.OutboxStatuses(), Counts: counts,
		Messages: msgs, Total: total, PageNo: pageNo,
		Pages: max(int((total+outboxPageSize-1)/outboxPageSize), 1),
	}
	for _, n := range counts {
		p.AllCount += n
	}
	link := func(n int) string {
		v := url.Values{}
		if status != "" {
			v.Set("status", string(status))
		}
		v.Set("hal", strconv.Itoa(n))
		return "/staf/surel?" + v.Encode()
	}
	if pageNo > 1 {
		p.PrevURL = link(pageNo - 1)
	}
	if pageNo < p.Pages {
		p.NextURL = link(pageNo + 1)
	}
	return h.render(c, fiber.StatusOK, "outbox", p)
}

// outboxMessage loads the message named in the URL.
func (h *Handlers) outboxMessage(c *fiber.Ctx) (*models.OutboxMessage, error) {
	id, err := bson.ObjectIDFromHex(c.Params("id"))
	if err != nil {
		return nil, models.ErrNotFound
	}
	return h.deps.Store.OutboxByID(c.UserContext(), id)
}

func (h *Handlers) outboxViewPage(c *fiber.Ctx, m *models.OutboxMessage) *outboxViewPage {
	p := &outboxViewPage{Page: h.newPage(c, "outbox.view_title"), MailConfigured: h.deps.MailConfigured, Message: m,
		CanResend: m.Status == models.OutboxFailed || m.Status == models.OutboxSent}
	p.HTML = m.HTML
	p.Headers = []mailHeader{
		{p.T("outbox.h_from"), h.mailFrom(&p.Page)},
		{p.T("outbox.h_to"), strings.Join(m.To, ", ")},
		{p.T("outbox.h_subject"), m.Subject},
		{p.T("outbox.h_date"), p.DateTime(m.CreatedAt)},
		{"Message-ID", m.MessageID},
	}
	if m.InReplyTo != "" {
		p.Headers = append(p.Headers, mailHeader{"In-Reply-To", m.InReplyTo})
	}
	return p
}

func (h *Handlers) outboxView(c *fiber.Ctx) error {
	m, err := h.outboxMessage(c)
	if err != nil {
		return err
	}
	p := h.outboxViewPage(c, m)
	switch c.Query("ok") {
	case "antre":
		p.Notice = "outbox.requeued"
	case "salinan":
		p.Notice = "outbox.copied"
	}
	return h.render(c, fiber.StatusOK, "outbox_view", p)
}

// outboxEML downloads the message as the recipient's mail program gets it.
func (h *Handlers) outboxEML(c *fiber.Ctx) error {
	m, err := h.outboxMessage(c)
	if err != nil {
		return err
	}
	p := h.newPage(c, "outbox.view_title")
	eml, err := models.RenderEML(m, h.mailFrom(&p))
	if err != nil {
		return fmt.Errorf("render eml %s: %w", m.ID.Hex(), err)
	}
	c.Set(fiber.HeaderContentType, "message/rfc822")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="surel-%s.eml"`, m.ID.Hex()))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(eml)
}

// outboxICS downloads the calendar object the message carries.
func (h *Handlers) outboxICS(c *fiber.Ctx) error {
	m, err := h.outboxMessage(c)
	if err != nil {
		return err
	}
	if !m.HasICS() {
		return models.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8; method="+m.Method)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="invite.ics"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(m.ICS)
}

// outboxResend queues a failed message again, or a copy of a sent one
// (models.ResendOutbox says why the two differ).
func (h *Handlers) outboxResend(c *fiber.Ctx) error {
	m, err := h.outboxMessage(c)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	out, err := h.deps.Store.ResendOutbox(c.UserContext(), m.ID, version, h.deps.Now())
	if errors.Is(err, models.ErrConflict) {
		h.countConflict(c)
		// A double click, or the message changed meanwhile: show it as it
		// is now, with a word on why nothing happened.
		if m, err = h.outboxMessage(c); err != nil {
			return err
		}
		p := h.outboxViewPage(c, m)
		p.Form.Error = "outbox.conflict"
		return h.render(c, fiber.StatusConflict, "outbox_view", p)
	}
	if err != nil {
		return err
	}
	ok, note := "antre", ""
	if out.ID != m.ID {
		ok, note = "salinan", "salinan "+out.ID.Hex()
	}
	h.audit(c, auditEvent{Action: models.AuditOutboxResend,
		Target: models.AuditTarget{Collection: "outbox", ID: m.ID.Hex(), Label: m.Subject}, Note: note})
	return c.Redirect("/staf/surel/"+out.ID.Hex()+"?ok="+ok, fiber.StatusSeeOther)
}
