package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// trackingPage is what the delegation sees behind its private link.
type trackingPage struct {
	Page
	Visit      *models.Visit
	Token      string
	URL        string
	New        bool // just submitted: show the confirmation
	Steps      []trackStep
	Actions    models.DelegationActions
	Sessions   []sessionChoice
	Open       string // the action form to show open (after an error)
	RosterRows []models.RosterRowError
	MinDate    string
	SurveyURL  string // after the visit: the satisfaction survey
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

// trackingContext is what every tracking action needs.
type trackingContext struct {
	visit    *models.Visit
	token    string
	settings models.HostSettings
	avail    models.Availability
	actions  models.DelegationActions
}

func (h *Handlers) loadTracking(c *fiber.Ctx) (*trackingContext, error) {
	v, token, err := h.visitByToken(c)
	if err != nil {
		return nil, err
	}
	now := h.deps.Now()
	from := now.In(h.deps.Location).AddDate(0, -1, 0)
	a, err := h.availability(c, from, from.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	return &trackingContext{visit: v, token: token, settings: a.Settings, avail: a,
		actions: v.Actions(a.Settings, a.Calendar, now, h.deps.Location)}, nil
}

func (h *Handlers) trackingPageOf(c *fiber.Ctx, tc *trackingContext) *trackingPage {
	v := tc.visit
	p := &trackingPage{Page: h.newPage(c, "track.title"), Visit: v, Token: tc.token, URL: h.trackingURL(tc.token),
		New: c.Query("baru") == "1", Actions: tc.actions, MinDate: models.DateKey(h.deps.Now().In(h.deps.Location))}
	if v.Status == models.StatusCompleted {
		p.SurveyURL = h.surveyURL(v)
	}
	for _, day := range tc.settings.Weekly {
		for _, s := range day {
			if !slices.ContainsFunc(p.Sessions, func(x sessionChoice) bool { return x.ID == s.ID }) {
				p.Sessions = append(p.Sessions, sessionChoice{s.ID, s.ID})
			}
		}
	}
	if ok := c.Query("ok"); ok != "" {
		p.Notice = "track.done." + ok
	}
	p.Steps = timeline(p, v)
	return p
}

// timeline lists the stages the request went through, with their dates,
// and the stage it is heading for.
func timeline(p *trackingPage, v *models.Visit) []trackStep {
	var steps []trackStep
	for _, e := range v.History {
		st := models.VisitStatus(e.Action)
		if !slices.Contains(models.VisitStatuses(), st) {
			if e.Action == models.ActionOfferChosen {
				st = models.StatusApproved
			} else {
				continue
			}
		}
		steps = append(steps, trackStep{Status: st, Done: true, At: p.DateTime(e.At)})
	}
	switch v.Status {
	case models.StatusSubmitted, models.StatusRevision, models.StatusOffered:
		steps = append(steps, trackStep{Status: models.StatusApproved})
	case models.StatusApproved:
		steps = append(steps, trackStep{Status: models.StatusCompleted})
	}
	return steps
}

func (h *Handlers) tracking(c *fiber.Ctx) error {
	tc, err := h.loadTracking(c)
	if err != nil {
		return err
	}
	return h.renderTracking(c, fiber.StatusOK, h.trackingPageOf(c, tc))
}

func (h *Handlers) renderTracking(c *fiber.Ctx, status int, p *trackingPage) error {
	// The link is a secret: keep it out of referrers and search engines.
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	return h.render(c, status, "tracking", p)
}

// trackingAction runs one delegation action: change the visit, save it
// (versioned), tell the host, and come back to the tracking page.
func (h *Handlers) trackingAction(c *fiber.Ctx, name string, change func(*trackingContext, *trackingPage) error) error {
	tc, err := h.loadTracking(c)
	if err != nil {
		return err
	}
	p := h.trackingPageOf(c, tc)
	for _, f := range []string{"reason", "cancel_reason", "date", "session", "roster_text"} {
		p.Form.Values[f] = c.FormValue(f)
	}
	before := *tc.visit
	err = change(tc, p)
	if v, ok := models.AsValidation(err); ok || len(p.Form.Errors) > 0 {
		if ok {
			for f, msg := range v.Fields {
				p.Form.Errors[f] = msg
			}
		}
		p.Open, p.Form.Error = name, "form.has_errors"
		return h.renderTracking(c, fiber.StatusUnprocessableEntity, p)
	}
	if err != nil {
		return err
	}
	// A cancellation frees the visit's session, room and escorts; a chosen
	// offer turns its hold into a booking (ErrSlotFull if it was lost).
	if err := h.deps.Store.UpdateVisit(c.UserContext(), &before, tc.visit, tc.settings, h.deps.Location, h.deps.Now()); err != nil {
		return err // ErrConflict: the 409 page asks to reload
	}
	h.notifyHost(c, tc.visit, name)
	// The delegation's own choices that change the calendar: a chosen offer
	// is its invitation, a cancellation of an invited visit its CANCEL.
	switch {
	case name == "pilih":
		h.queueDecisionMail(c, tc.visit, &before, "pilih")
	case name == "batal" && before.Invited:
		h.queueDecisionMail(c, tc.visit, &before, "batal_pemohon")
	}
	return c.Redirect("/lacak/"+tc.token+"?ok="+name, fiber.StatusSeeOther)
}

func (h *Handlers) trackingCancel(c *fiber.Ctx) error {
	return h.trackingAction(c, "batal", func(tc *trackingContext, p *trackingPage) error {
		return tc.visit.CancelByDelegation(c.FormValue("cancel_reason"), tc.actions, h.deps.Now())
	})
}

func (h *Handlers) trackingReschedule(c *fiber.Ctx) error {
	return h.trackingAction(c, "jadwal", func(tc *trackingContext, p *trackingPage) error {
		slot := models.RequestedSlot{Date: strings.TrimSpace(c.FormValue("date")), SessionID: c.FormValue("session")}
		return tc.visit.AskReschedule(slot, c.FormValue("reason"), tc.avail, tc.actions, h.deps.Now())
	})
}

func (h *Handlers) trackingRoster(c *fiber.Ctx) error {
	return h.trackingAction(c, "peserta", func(tc *trackingContext, p *trackingPage) error {
		if !tc.actions.Roster {
			return models.ErrForbidden
		}
		rp := &requestPage{Page: p.Page}
		var entries []models.RosterEntry
		ok, err := h.readRoster(c, rp, &entries)
		if err != nil {
			return err
		}
		if !ok {
			p.Form.Errors["roster"], p.RosterRows = rp.Form.Errors["roster"], rp.RosterRows
			return nil
		}
		if len(entries) == 0 {
			p.Form.Errors["roster"] = "roster.empty"
			return nil
		}
		return tc.visit.ReplaceRoster(entries, tc.actions, h.deps.Now())
	})
}

func (h *Handlers) trackingChoose(c *fiber.Ctx) error {
	return h.trackingAction(c, "pilih", func(tc *trackingContext, p *trackingPage) error {
		i, err := strconv.Atoi(c.FormValue("offer"))
		if err != nil {
			return fiber.ErrBadRequest
		}
		return tc.visit.ChooseOffer(i, tc.settings, tc.actions, h.deps.Now(), h.deps.Location)
	})
}

// reviseForm shows the request form filled with the request, when staff
// asked for a revision.
func (h *Handlers) reviseForm(c *fiber.Ctx) error {
	tc, p, err := h.loadRevision(c)
	if err != nil {
		return err
	}
	v := tc.visit
	vals := map[string]string{
		"institution_name": v.InstitutionName, "institution_type": string(v.InstitutionType),
		"province": v.ProvinceCode, "regency": v.RegencyCode,
		"leader_name": v.Leader.Name, "leader_position": v.Leader.Position,
		"participants": strconv.Itoa(v.Participants), "topics_other": v.TopicsOther, "protocol": v.Protocol,
		"contact_name": v.Contact.Name, "contact_position": v.Contact.Position,
		"contact_email": v.Contact.Email, "contact_phone": v.Contact.Phone,
		"letter_number": v.Letter.Number, "letter_date": v.Letter.Date, "notes": v.Notes,
	}
	for i, s := range v.Requested {
		vals[fmt.Sprintf("slot%d_date", i+1)], vals[fmt.Sprintf("slot%d_session", i+1)] = s.Date, s.SessionID
	}
	p.Form.Values = vals
	for _, t := range v.Topics {
		p.Chosen[t] = true
	}
	p.Regencies = h.regions.Regencies(v.ProvinceCode)
	return h.render(c, fiber.StatusOK, "request", p)
}

// loadRevision loads the visit of the link, checks that a revision is
// asked for, and prepares the request form for it.
func (h *Handlers) loadRevision(c *fiber.Ctx) (*trackingContext, *requestPage, error) {
	tc, err := h.loadTracking(c)
	if err != nil {
		return nil, nil, err
	}
	if !tc.actions.Revise {
		return nil, nil, models.ErrForbidden
	}
	p := h.newRequestPage(c, tc.settings)
	p.Title, p.Action, p.Revision, p.StaffNote = "revise.title", "/lacak/"+tc.token+"/perbaiki", true, tc.visit.StaffNote
	return tc, p, nil
}

func (h *Handlers) reviseSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	tc, p, err := h.loadRevision(c)
	if err != nil {
		return err
	}
	in, rules, ok, err := h.readRequestForm(c, p, true)
	if err != nil || !ok {
		return err
	}
	v := tc.visit
	oldLetter := v.Letter.FileID
	if len(in.Letter) > 0 {
		id, err := h.deps.Store.UploadLetter(ctx, v.ID, in.LetterName, in.Letter)
		if err != nil {
			return err
		}
		v.Letter.FileID, v.Letter.FileName, v.Letter.Size = id, in.LetterName, int64(len(in.Letter))
	}
	if err := v.Revise(&in, rules, tc.actions, h.deps.Now()); err != nil {
		return err
	}
	if err := h.deps.Store.SaveVisit(ctx, v, h.deps.Now()); err != nil {
		if v.Letter.FileID != oldLetter {
			_ = h.deps.Store.DeleteLetter(ctx, v.Letter.FileID)
		}
		return err
	}
	if v.Letter.FileID != oldLetter {
		_ = h.deps.Store.DeleteLetter(ctx, oldLetter)
	}
	h.notifyHost(c, v, "perbaiki")
	return c.Redirect("/lacak/"+tc.token+"?ok=perbaiki", fiber.StatusSeeOther)
}

// notifyHost queues a short note to the host's mailbox about what the
// delegation did. A failure to queue is logged, not shown: the change
// itself is saved and visible to staff.
func (h *Handlers) notifyHost(c *fiber.Ctx, v *models.Visit, action string) {
	p := h.newPage(c, "mail.host_subject")
	if p.Host.Email == "" {
		return
	}
	p.Lang, p.localize = models.LangID, h.views.localizers[models.LangID]
	subject := p.T("mail.host_subject", "Code", v.Code, "Action", p.T("track.done."+action))
	last := v.History[len(v.History)-1]
	text := p.T("mail.host_body", "Code", v.Code, "Institution", v.InstitutionName, "Action", p.T("track.done."+action), "Note", last.Note)
	m := &models.OutboxMessage{Kind: "visitor_" + action, VisitID: v.ID, To: []string{p.Host.Email}, Subject: subject,
		Text: text, HTML: "<p>" + template.HTMLEscapeString(text) + "</p>", Language: models.LangID}
	if err := h.deps.Store.Enqueue(c.UserContext(), m, h.deps.Now()); err != nil {
		h.deps.Logger.Error("queue host notice", "code", v.Code, "err", err)
	}
}

// trackingLetter streams the request's own letter, only through its link.
func (h *Handlers) trackingLetter(c *fiber.Ctx) error {
	v, _, err := h.visitByToken(c)
	if err != nil {
		return err
	}
	c.Set("Referrer-Policy", "no-referrer")
	return h.sendLetter(c, v)
}

// sendLetter streams a visit's request letter (a PDF checked on upload)
// inline, never cached by shared caches.
func (h *Handlers) sendLetter(c *fiber.Ctx, v *models.Visit) error {
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
		p.T("mail.ack_link"), link, p.T("mail.signature", "Host", p.Host.Name))
	esc := template.HTMLEscapeString
	html := fmt.Sprintf(`<p>%s</p><p>%s</p><p>%s<br><a href="%s">%s</a></p><p>%s</p>`,
		esc(p.T("mail.greeting", "Name", v.Contact.Name)),
		esc(p.T("mail.ack_body", "Code", v.Code, "Institution", v.InstitutionName, "Date", p.Date(v.Start))),
		esc(p.T("mail.ack_link")), esc(link), esc(link), esc(p.T("mail.signature", "Host", p.Host.Name)))
	return &models.OutboxMessage{
		Kind: "request_received", To: []string{v.Contact.Email}, Subject: subject,
		Text: text.String(), HTML: html, Language: p.Lang,
	}
}
