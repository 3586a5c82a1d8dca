package handlers

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// Personal data of delegations (UU 27/2022), for administrators at
// /staf/data-pribadi: the retention period, and a person's data found by
// email or phone, exported as JSON or erased (after a confirmation page).
// Every step is recorded in the audit log.

// privacyPage is the personal data page.
type privacyPage struct {
	Page
	Settings models.PrivacySettings
	Query    string // as typed
	Person   models.PersonQuery
	Found    bool // a valid query was searched
	Summary  models.PersonSummary
	// After an erasure: what it changed.
	Erased                                     bool
	ErasedVisits, ErasedRoster, ErasedMessages int
}

// privacyErasePage confirms an erasure.
type privacyErasePage struct {
	Page
	Query       string
	Summary     models.PersonSummary
	Open        int // visits still ahead or undecided
	RosterCount int // roster entries of the visits
}

// personQuery reads ?q= (or the form's q); ok is false with the message
// set on p when it is not an email or phone.
func personQuery(p *Page, raw string) (models.PersonQuery, bool) {
	q, err := models.ParsePersonQuery(raw)
	if v, invalid := models.AsValidation(err); invalid {
		p.Form.Errors["q"] = v.Fields["q"]
		return q, false
	}
	return q, err == nil
}

func (h *Handlers) privacyPageOf(c *fiber.Ctx) (*privacyPage, error) {
	p := &privacyPage{Page: h.newPage(c, "privacy.title")}
	settings, err := h.deps.Store.PrivacySettings(c.UserContext())
	if err != nil {
		return nil, err
	}
	p.Settings = settings
	p.Form.Values["retention_months"] = strconv.Itoa(settings.RetentionMonths)
	p.Form.Values["version"] = strconv.FormatInt(settings.Version, 10)
	return p, nil
}

func (h *Handlers) privacy(c *fiber.Ctx) error {
	p, err := h.privacyPageOf(c)
	if err != nil {
		return err
	}
	switch c.Query("ok") {
	case "retensi":
		p.Notice = "privacy.retention_saved"
	case "hapus":
		p.Erased = true
		p.ErasedVisits, _ = strconv.Atoi(c.Query("k"))
		p.ErasedRoster, _ = strconv.Atoi(c.Query("p"))
		p.ErasedMessages, _ = strconv.Atoi(c.Query("s"))
	}
	p.Query = strings.TrimSpace(c.Query("q"))
	p.Form.Values["q"] = p.Query
	status := fiber.StatusOK
	if p.Query != "" {
		q, ok := personQuery(&p.Page, p.Query)
		if !ok {
			p.Form.Error = "form.has_errors"
			status = fiber.StatusUnprocessableEntity
		} else {
			p.Person, p.Found = q, true
			if p.Summary, err = h.deps.Store.SummarizePerson(c.UserContext(), q); err != nil {
				return err
			}
		}
	}
	return h.render(c, status, "privacy", p)
}

// privacySaveRetention stores the retention period.
func (h *Handlers) privacySaveRetention(c *fiber.Ctx) error {
	p, err := h.privacyPageOf(c)
	if err != nil {
		return err
	}
	before := p.Settings
	typed := strings.TrimSpace(c.FormValue("retention_months"))
	p.Form.Values["retention_months"] = typed
	next := models.PrivacySettings{}
	// The version the form was opened at: a colleague's save in between
	// is a conflict, not overwritten.
	next.Version, _ = strconv.ParseInt(c.FormValue("version"), 10, 64)
	n, convErr := strconv.Atoi(typed)
	if convErr != nil {
		n = 0 // refused by Validate
	}
	next.RetentionMonths = n
	err = h.deps.Store.SavePrivacySettings(c.UserContext(), &next, h.deps.Now())
	if v, ok := models.AsValidation(err); ok {
		p.Form.Errors, p.Form.Error = v.Fields, "form.has_errors"
		if typed == "" {
			p.Form.Errors["retention_months"] = "err.required"
		}
		return h.render(c, fiber.StatusUnprocessableEntity, "privacy", p)
	}
	if errors.Is(err, models.ErrConflict) {
		p.Form.Error = "privacy.conflict"
		return h.render(c, fiber.StatusConflict, "privacy", p)
	}
	if err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditPrivacyRetentionSettings,
		Target: models.AuditTarget{Collection: "settings", ID: "privacy"}, Before: before, After: next})
	return c.Redirect("/staf/data-pribadi?ok=retensi", fiber.StatusSeeOther)
}

// privacyExport downloads everything stored about the person as JSON.
func (h *Handlers) privacyExport(c *fiber.Ctx) error {
	p, err := h.privacyPageOf(c)
	if err != nil {
		return err
	}
	p.Query = strings.TrimSpace(c.Query("q"))
	p.Form.Values["q"] = p.Query
	q, ok := personQuery(&p.Page, p.Query)
	if !ok {
		p.Form.Error = "form.has_errors"
		return h.render(c, fiber.StatusUnprocessableEntity, "privacy", p)
	}
	data, err := h.deps.Store.PersonData(c.UserContext(), q, h.deps.Now())
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditPrivacyExport, Target: models.AuditTarget{Collection: "person", Label: q.Masked()},
		Note: "kunjungan: " + strconv.Itoa(len(data.Visits)) + "; surel: " + strconv.Itoa(len(data.Messages))})
	name := "data-pribadi-" + models.DateKey(h.deps.Now().In(h.deps.Location)) + ".json"
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}

// privacyEraseForm is the confirmation step: what will be erased.
func (h *Handlers) privacyEraseForm(c *fiber.Ctx) error {
	return h.privacyEraseConfirm(c, strings.TrimSpace(c.Query("q")), "")
}

// privacyEraseConfirm shows the confirmation page; formError, when set,
// says why the erasure was not done (422).
func (h *Handlers) privacyEraseConfirm(c *fiber.Ctx, raw, formError string) error {
	p := &privacyErasePage{Page: h.newPage(c, "privacy.erase_title"), Query: raw}
	q, ok := personQuery(&p.Page, raw)
	if !ok {
		// Nothing to confirm: back to the search, with the message.
		return c.Redirect("/staf/data-pribadi?q="+url.QueryEscape(raw), fiber.StatusSeeOther)
	}
	summary, err := h.deps.Store.SummarizePerson(c.UserContext(), q)
	if err != nil {
		return err
	}
	p.Summary = summary
	for _, v := range summary.Visits {
		p.RosterCount += len(v.Roster)
		if v.Status == models.StatusSubmitted || v.Status == models.StatusRevision ||
			v.Status == models.StatusOffered || v.Status == models.StatusApproved {
			p.Open++
		}
	}
	p.Form.Values["q"] = raw
	if formError == "" {
		return h.render(c, fiber.StatusOK, "privacy_erase", p)
	}
	p.Form.Values["roster"] = c.FormValue("roster")
	p.Form.Values["reason"] = c.FormValue("reason")
	p.Form.Errors["confirm"], p.Form.Error = formError, "form.has_errors"
	return h.render(c, fiber.StatusUnprocessableEntity, "privacy_erase", p)
}

// privacyErase erases the person's data once the admin ticked the
// confirmation; without it the confirmation page comes back (422).
func (h *Handlers) privacyErase(c *fiber.Ctx) error {
	raw := strings.TrimSpace(c.FormValue("q"))
	q, err := models.ParsePersonQuery(raw)
	if err != nil {
		return c.Redirect("/staf/data-pribadi?q="+url.QueryEscape(raw), fiber.StatusSeeOther)
	}
	if c.FormValue("confirm") != "1" {
		return h.privacyEraseConfirm(c, raw, "privacy.err_confirm")
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	res, err := h.deps.Store.ErasePerson(c.UserContext(), q,
		models.ErasureOptions{Roster: c.FormValue("roster") == "1", Reason: reason},
		models.ActorOf(currentUser(c)), c.IP(), c.Get(fiber.HeaderUserAgent), h.deps.Now())
	if err != nil {
		return err
	}
	v := url.Values{"ok": {"hapus"}, "k": {strconv.Itoa(len(res.Visits))}, "p": {strconv.Itoa(res.Roster)}, "s": {strconv.Itoa(res.Messages)}}
	return c.Redirect("/staf/data-pribadi?"+v.Encode(), fiber.StatusSeeOther)
}
