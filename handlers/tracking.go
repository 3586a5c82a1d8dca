package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// trackingPage is what the delegation sees behind its private link.
type trackingPage struct {
	Page
	Visit    *models.Visit
	Token    string
	URL      string
	New      bool // just submitted: show the confirmation
	Steps    []trackStep
	Province string
}

// trackStep is one stage of the timeline.
type trackStep struct {
	Status models.VisitStatus
	Done   bool
	At     string
}

// visitByToken loads the visit of the link, or answers 404 without saying
// whether the token was malformed or unknown.
func (h *Handlers) visitByToken(c *fiber.Ctx) (*models.Visit, string, error) {
	token := c.Params("token")
	v, err := h.deps.Store.VisitByTrackingToken(c.UserContext(), token)
	if err != nil {
		return nil, "", err // ErrNotFound → the plain 404 page
	}
	return v, token, nil
}

func (h *Handlers) tracking(c *fiber.Ctx) error {
	v, token, err := h.visitByToken(c)
	if err != nil {
		return err
	}
	p := &trackingPage{Page: h.newPage(c, "track.title"), Visit: v, Token: token, URL: h.trackingURL(token), New: c.Query("baru") == "1"}
	if prov, ok := h.regions.Province(v.ProvinceCode); ok {
		p.Province = prov.Name
	}
	reached := map[string]string{}
	for _, e := range v.History {
		reached[e.Action] = p.DateTime(e.At)
	}
	for _, s := range []models.VisitStatus{models.StatusSubmitted, models.StatusApproved, models.StatusCompleted} {
		at, done := reached[string(s)]
		p.Steps = append(p.Steps, trackStep{Status: s, Done: done, At: at})
	}
	// The link is a secret: keep it out of referrers and shared caches.
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	return h.render(c, fiber.StatusOK, "tracking", p)
}

// trackingLetter streams the request's own letter, only through its link.
func (h *Handlers) trackingLetter(c *fiber.Ctx) error {
	v, _, err := h.visitByToken(c)
	if err != nil {
		return err
	}
	st, err := h.deps.Store.OpenLetter(c.UserContext(), v.Letter.FileID)
	if err != nil {
		return err
	}
	defer st.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, io.LimitReader(st, models.MaxLetterBytes+1)); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="%s.pdf"`, v.Code))
	c.Set("Referrer-Policy", "no-referrer")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(buf.Bytes())
}

// acknowledgement is the "we received your request" email, in the
// delegation's language, queued in the outbox with the request.
func (h *Handlers) acknowledgement(c *fiber.Ctx, v *models.Visit, token string) *models.OutboxMessage {
	p := h.newPage(c, "mail.ack_subject")
	p.Lang = models.SupportedLanguage(v.Language)
	p.localize = h.views.localizers[p.Lang]
	link := h.trackingURL(token)
	subject := p.T("mail.ack_subject", "Code", v.Code)
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n%s\n\n%s\n%s\n\n%s\n", p.T("mail.greeting", "Name", v.Contact.Name),
		p.T("mail.ack_body", "Code", v.Code, "Institution", v.InstitutionName, "Date", p.Date(v.Start)),
		p.T("mail.ack_link"), link, p.T("mail.signature", "Host", h.host.Name))
	esc := template.HTMLEscapeString
	html := fmt.Sprintf(`<p>%s</p><p>%s</p><p>%s<br><a href="%s">%s</a></p><p>%s</p>`,
		esc(p.T("mail.greeting", "Name", v.Contact.Name)),
		esc(p.T("mail.ack_body", "Code", v.Code, "Institution", v.InstitutionName, "Date", p.Date(v.Start))),
		esc(p.T("mail.ack_link")), esc(link), esc(link), esc(p.T("mail.signature", "Host", h.host.Name)))
	return &models.OutboxMessage{
		Kind: "request_received", To: []string{v.Contact.Email}, Subject: subject,
		Text: text.String(), HTML: html, Language: p.Lang,
	}
}
