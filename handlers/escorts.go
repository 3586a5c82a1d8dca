package handlers

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// Escorts (pendamping): coordinators and admins keep each escort's unit,
// topics, languages and leave; an escort sees their own profile and keeps
// their own leave.

// emptyLeaveRows is how many blank leave rows the form always offers: enough
// to add a period or two without any script.
const emptyLeaveRows = 2

// maxLeaveRowsPosted bounds how many rows a submitted form is read for.
const maxLeaveRowsPosted = models.MaxEscortLeave + 20

// escortListPage lists the escorts.
type escortListPage struct {
	Page
	Rows []escortRow
}

// escortRow is one escort on the list.
type escortRow struct {
	models.Escort
	Leave    []models.Leave // current and upcoming
	OnLeave  bool           // today
	Upcoming int            // approved visits from now on
}

// escortFormPage edits one profile (coordinators, admins) or shows the
// escort their own (Self), where only the leave can be changed.
type escortFormPage struct {
	Page
	Subject    models.Escort
	Self       bool
	Profile    *models.EscortProfile // as stored: the read-only part of Self
	HostTopics []string
	Languages  []string // the offered languages
	Topics     map[string]bool
	Langs      map[string]bool
	LeaveRows  []int // indices of the leave rows in Form.Values
	Upcoming   int
	Today      string
}

func (h *Handlers) escortList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	escorts, err := h.deps.Store.Escorts(ctx)
	if err != nil {
		return err
	}
	now := h.deps.Now()
	upcoming, err := h.deps.Store.UpcomingAssignments(ctx, now)
	if err != nil {
		return err
	}
	today := models.DateKey(now.In(h.deps.Location))
	p := &escortListPage{Page: h.newPage(c, "escort.title")}
	for _, e := range escorts {
		_, on := e.Profile.OnLeave(today)
		p.Rows = append(p.Rows, escortRow{Escort: e, Leave: e.Profile.LeaveFrom(today), OnLeave: on, Upcoming: upcoming[e.ID]})
	}
	if c.Query("ok") == "disimpan" {
		p.Notice = "escort.saved"
	}
	return h.render(c, fiber.StatusOK, "escort_list", p)
}

// escortSubject loads the escort account named in the URL; any other
// account is not an escort and so not found here.
func (h *Handlers) escortSubject(c *fiber.Ctx) (*models.User, error) {
	id, err := bson.ObjectIDFromHex(c.Params("id"))
	if err != nil {
		return nil, models.ErrNotFound
	}
	u, err := h.deps.Store.UserByID(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	if u.Role != models.RoleEscort {
		return nil, models.ErrNotFound
	}
	return u, nil
}

// escortPage builds the form page of u with the stored profile filled in.
func (h *Handlers) escortPage(c *fiber.Ctx, u *models.User, self bool) (*escortFormPage, error) {
	ctx := c.UserContext()
	prof, err := h.deps.Store.EscortProfile(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	host, err := h.deps.Store.HostSettings(ctx)
	if err != nil {
		return nil, err
	}
	now := h.deps.Now()
	title := "escort.edit_title"
	if self {
		title = "escort.self_title"
	}
	p := &escortFormPage{
		Page:       h.newPage(c, title),
		Subject:    models.Escort{ID: u.ID, Name: u.Name, Email: u.Email, Profile: *prof},
		Self:       self,
		Profile:    prof,
		HostTopics: host.Topics,
		Languages:  models.EscortLanguages(),
		Topics:     map[string]bool{},
		Langs:      map[string]bool{},
		Today:      models.DateKey(now.In(h.deps.Location)),
	}
	if self {
		upcoming, err := h.deps.Store.UpcomingAssignments(ctx, now)
		if err != nil {
			return nil, err
		}
		p.Upcoming = upcoming[u.ID]
	}
	p.fill(prof)
	return p, nil
}

// fill puts a profile into the form state.
func (p *escortFormPage) fill(prof *models.EscortProfile) {
	p.Form.Values["version"] = strconv.FormatInt(prof.Version, 10)
	p.Form.Values["unit"] = prof.Unit
	for _, t := range prof.Topics {
		p.Topics[t] = true
	}
	var other []string
	for _, l := range prof.Languages {
		if slices.Contains(p.Languages, l) {
			p.Langs[l] = true
		} else {
			other = append(other, l)
		}
	}
	p.Form.Values["languages_other"] = strings.Join(other, ", ")
	p.setLeave(prof.Leave)
}

// setLeave shows rows of leave followed by the empty rows.
func (p *escortFormPage) setLeave(rows []models.Leave) {
	p.LeaveRows = p.LeaveRows[:0]
	for i := 0; i < len(rows)+emptyLeaveRows; i++ {
		var l models.Leave
		if i < len(rows) {
			l = rows[i]
		}
		p.Form.Values[models.LeaveField(i, "from")] = l.From
		p.Form.Values[models.LeaveField(i, "to")] = l.To
		p.Form.Values[models.LeaveField(i, "reason")] = l.Reason
		p.LeaveRows = append(p.LeaveRows, i)
	}
	p.Form.Values["leave_rows"] = strconv.Itoa(len(p.LeaveRows))
}

// escortPostedLeave reads the leave rows of a submitted form. Rows left entirely
// blank are dropped (that is how a period is removed), so the rows that
// remain are numbered as validation and the re-rendered form number them.
func escortPostedLeave(c *fiber.Ctx) []models.Leave {
	n, _ := strconv.Atoi(c.FormValue("leave_rows"))
	n = min(max(n, 0), maxLeaveRowsPosted)
	var rows []models.Leave
	for i := 0; i < n; i++ {
		l := models.Leave{
			From:   strings.TrimSpace(c.FormValue(models.LeaveField(i, "from"))),
			To:     strings.TrimSpace(c.FormValue(models.LeaveField(i, "to"))),
			Reason: strings.TrimSpace(c.FormValue(models.LeaveField(i, "reason"))),
		}
		if l != (models.Leave{}) {
			rows = append(rows, l)
		}
	}
	return rows
}

// escortChecked returns every value of a repeated form field (checkboxes).
func escortChecked(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

func (h *Handlers) escortEditForm(c *fiber.Ctx) error {
	u, err := h.escortSubject(c)
	if err != nil {
		return err
	}
	p, err := h.escortPage(c, u, false)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "escort_form", p)
}

func (h *Handlers) escortUpdate(c *fiber.Ctx) error {
	u, err := h.escortSubject(c)
	if err != nil {
		return err
	}
	p, err := h.escortPage(c, u, false)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	prof := &models.EscortProfile{
		UserID:  u.ID,
		Version: version, // the version the form was opened at
		Unit:    c.FormValue("unit"),
		Topics:  escortChecked(c, "topics"),
		Leave:   escortPostedLeave(c),
	}
	other := c.FormValue("languages_other")
	// Other languages are typed as a list: "Sasak, Belanda".
	prof.Languages = append(escortChecked(c, "languages"),
		strings.FieldsFunc(other, func(r rune) bool { return r == ',' || r == ';' })...)

	// The form is shown again exactly as typed if the save fails.
	p.Topics, p.Langs = map[string]bool{}, map[string]bool{}
	for _, t := range prof.Topics {
		p.Topics[t] = true
	}
	for _, l := range escortChecked(c, "languages") {
		p.Langs[l] = true
	}
	p.Form.Values["version"] = c.FormValue("version")
	p.Form.Values["unit"] = prof.Unit
	p.Form.Values["languages_other"] = other
	p.setLeave(prof.Leave)

	err = h.deps.Store.SaveEscortProfile(c.UserContext(), prof, h.deps.Now())
	if done, err := h.escortSaveFailed(c, p, err); done {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditEscortUpdate, Target: escortTarget(u), Before: p.Profile, After: prof})
	return c.Redirect("/staf/pendamping?ok=disimpan", fiber.StatusSeeOther)
}

func escortTarget(u *models.User) models.AuditTarget {
	return models.AuditTarget{Collection: "escorts", ID: u.ID.Hex(), Label: u.Email}
}

// escortSaveFailed re-renders the form for a validation error (422) or a
// stale version (409); done is false when the save succeeded.
func (h *Handlers) escortSaveFailed(c *fiber.Ctx, p *escortFormPage, err error) (done bool, _ error) {
	if v, ok := models.AsValidation(err); ok {
		p.Form.Errors = v.Fields
		p.Form.Error = "form.has_errors"
		return true, h.render(c, fiber.StatusUnprocessableEntity, "escort_form", p)
	}
	if errors.Is(err, models.ErrConflict) {
		h.countConflict(c)
		p.Form.Error = "escort.conflict"
		return true, h.render(c, fiber.StatusConflict, "escort_form", p)
	}
	return err != nil, err
}

// escortSelf shows an escort their own profile and leave. Coordinators and
// admins, who have no escort profile, are sent to the list.
func (h *Handlers) escortSelf(c *fiber.Ctx) error {
	u := currentUser(c)
	if u.Role != models.RoleEscort {
		return c.Redirect("/staf/pendamping", fiber.StatusSeeOther)
	}
	p, err := h.escortPage(c, u, true)
	if err != nil {
		return err
	}
	if c.Query("ok") == "disimpan" {
		p.Notice = "escort.leave_saved"
	}
	return h.render(c, fiber.StatusOK, "escort_form", p)
}

// escortSelfLeave saves the signed-in escort's own leave, and nothing else.
func (h *Handlers) escortSelfLeave(c *fiber.Ctx) error {
	u := currentUser(c)
	p, err := h.escortPage(c, u, true)
	if err != nil {
		return err
	}
	prof := *p.Profile
	prof.Version, _ = strconv.ParseInt(c.FormValue("version"), 10, 64)
	prof.Leave = escortPostedLeave(c)
	p.Form.Values["version"] = c.FormValue("version")
	p.setLeave(prof.Leave)

	err = h.deps.Store.SaveEscortLeave(c.UserContext(), &prof, h.deps.Now())
	if done, err := h.escortSaveFailed(c, p, err); done {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditEscortLeave, Target: escortTarget(u), Before: p.Profile, After: &prof})
	return c.Redirect("/staf/pendamping/saya?ok=disimpan", fiber.StatusSeeOther)
}

// LeavePeriod writes a leave period compactly in the page's language:
// "9 Maret 2026", "9–11 Maret 2026", "30 Maret – 2 April 2026".
func (p *Page) LeavePeriod(l models.Leave) string {
	from, err1 := models.ParseDateKey(l.From, p.loc)
	to, err2 := models.ParseDateKey(l.To, p.loc)
	if err1 != nil || err2 != nil {
		return l.From + " – " + l.To
	}
	full := models.FormatShortDate(to, p.Lang)
	switch {
	case l.From == l.To:
		return full
	case from.Year() == to.Year() && from.Month() == to.Month():
		return strconv.Itoa(from.Day()) + "–" + full
	case from.Year() == to.Year():
		dayMonth, _, _ := strings.Cut(models.FormatShortDate(from, p.Lang), " "+strconv.Itoa(from.Year()))
		return dayMonth + " – " + full
	}
	return models.FormatShortDate(from, p.Lang) + " – " + full
}

// LanguageName shows one of the offered languages in the page's language
// ("Inggris" is "English" in English); typed languages are shown as typed.
func (p *Page) LanguageName(l string) string {
	if !slices.Contains(models.EscortLanguages(), l) {
		return l
	}
	return p.T("escort.lang." + strings.ToLower(l))
}
