package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// availability builds the rules for the months around date: host settings,
// holidays and the sessions already taken.
func (h *Handlers) availability(c *fiber.Ctx, from, to time.Time) (models.Availability, error) {
	ctx := c.UserContext()
	settings, err := h.deps.Store.HostSettings(ctx)
	if err != nil {
		return models.Availability{}, err
	}
	bookings, err := h.deps.Store.Bookings(ctx, from, to, h.deps.Now())
	if err != nil {
		return models.Availability{}, err
	}
	// The stored holidays, so that an admin's edits show at once.
	calendar, err := h.deps.Store.HolidayCalendar(ctx, from, to)
	if err != nil {
		return models.Availability{}, err
	}
	return models.Availability{
		Settings: settings,
		Calendar: calendar,
		Bookings: bookings,
		Now:      h.deps.Now(),
		Location: h.deps.Location,
	}, nil
}

// monthCache keeps the public availability of a month for up to a second
// (by the app's clock) and until the store next writes: the public
// calendar is what hundreds of regions open on the same morning, and the
// month needs the settings, holidays and session ledgers. A month a second
// old is harmless: submitting and approving check the ledgers again.
type monthCache struct {
	mu      sync.Mutex
	entries map[int64]*monthEntry // by the month's first day (Unix)
}

// monthEntry is one cached month, with its prepared answers (pagecache.go)
// made on first use.
type monthEntry struct {
	a   models.Availability
	gen uint64
	at  time.Time

	mu    sync.Mutex
	pages map[string]*splicedPage // the page for visitors not signed in, by language
	json  *preparedBody
}

// publicMonth is month m, from the cache when fresh.
func (h *Handlers) publicMonth(c *fiber.Ctx, m time.Time) (*monthEntry, error) {
	now, gen := h.deps.Now(), h.deps.Store.Generation()
	h.months.mu.Lock()
	e, ok := h.months.entries[m.Unix()]
	h.months.mu.Unlock()
	if ok && e.gen == gen && !now.Before(e.at) && now.Sub(e.at) < time.Second {
		return e, nil
	}
	a, err := h.availability(c, m, m.AddDate(0, 1, 0))
	if err != nil {
		return nil, err
	}
	e = &monthEntry{a: a, gen: gen, at: now}
	h.months.mu.Lock()
	if h.months.entries == nil || len(h.months.entries) > 64 {
		h.months.entries = map[int64]*monthEntry{}
	}
	h.months.entries[m.Unix()] = e
	h.months.mu.Unlock()
	return e, nil
}

// month reads ?bulan=2026-07, defaulting to the current month in the host
// zone; months before the current one are not shown.
func (h *Handlers) month(c *fiber.Ctx) time.Time {
	now := h.deps.Now().In(h.deps.Location)
	current := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, h.deps.Location)
	m, err := time.ParseInLocation("2006-01", c.Query("bulan"), h.deps.Location)
	if err != nil || m.Before(current) || m.After(current.AddDate(2, 0, 0)) {
		return current
	}
	return m
}

// schedulePage is the public month view.
type schedulePage struct {
	Page
	Month      time.Time
	Prev, Next string // ?bulan= values, "" when not offered
	Days       []models.Day
	Lead       int // empty cells before the 1st in a Monday-first grid
}

func (h *Handlers) schedule(c *fiber.Ctx) error {
	m := h.month(c)
	e, err := h.publicMonth(c, m)
	if err != nil {
		return err
	}
	// Visitors who are not signed in all see the same page but for their
	// language and CSRF token: it is rendered once per cached month, by
	// the first of them while the others wait for it.
	if currentUser(c) != nil {
		return h.render(c, fiber.StatusOK, "schedule", h.schedulePageOf(c, m, e.a))
	}
	lang := languageOf(c)
	e.mu.Lock()
	page := e.pages[lang]
	if page == nil {
		p := h.schedulePageOf(c, m, e.a)
		p.CSRF = h.csrfPlaceholder
		html, err := h.renderBytes("schedule", p)
		if err == nil {
			page, err = prepareSpliced(html, h.csrfPlaceholder)
		}
		if err != nil {
			e.mu.Unlock()
			return err
		}
		if e.pages == nil {
			e.pages = map[string]*splicedPage{}
		}
		e.pages[lang] = page
	}
	e.mu.Unlock()
	c.Set(fiber.HeaderCacheControl, "no-store")
	return page.send(c, csrfToken(c))
}

func (h *Handlers) schedulePageOf(c *fiber.Ctx, m time.Time, a models.Availability) *schedulePage {
	p := &schedulePage{Page: h.newPage(c, "schedule.title"), Month: m, Days: a.Month(m.Year(), m.Month())}
	p.Lead = (int(m.Weekday()) + 6) % 7
	now := h.deps.Now().In(h.deps.Location)
	if m.Year() > now.Year() || m.Month() > now.Month() {
		p.Prev = m.AddDate(0, -1, 0).Format("2006-01")
	}
	if m.Before(now.AddDate(0, 0, 7*a.Settings.HorizonDays/5)) {
		p.Next = m.AddDate(0, 1, 0).Format("2006-01")
	}
	return p
}

// scheduleJSON serves the same month for scripts and integrations,
// encoded once per cached month.
func (h *Handlers) scheduleJSON(c *fiber.Ctx) error {
	m := h.month(c)
	e, err := h.publicMonth(c, m)
	if err != nil {
		return err
	}
	e.mu.Lock()
	if e.json == nil {
		raw, err := json.Marshal(fiber.Map{
			"month":    m.Format("2006-01"),
			"timezone": h.deps.Location.String(),
			"days":     e.a.Month(m.Year(), m.Month()),
		})
		if err == nil {
			e.json, err = prepareBody(raw, fiber.MIMEApplicationJSON)
		}
		if err != nil {
			e.mu.Unlock()
			return err
		}
	}
	body := e.json
	e.mu.Unlock()
	c.Set(fiber.HeaderCacheControl, "public, max-age=30")
	return body.send(c)
}

// requestPage is the request form.
type requestPage struct {
	Page
	Types       []models.InstitutionType
	Provinces   []models.Province
	Regencies   []models.Regency // of the chosen province
	Topics      []string
	Chosen      map[string]bool // topics ticked
	Protocols   []string
	Sessions    []sessionChoice
	MaxPeople   int
	RosterRows  []models.RosterRowError
	SlotDetail  map[string]string // "slot1" → "Hari Raya Nyepi …": why it is closed
	Action      string            // where the form posts
	Revision    bool              // correcting a request staff sent back
	StaffNote   string
	FormKey     string
	MinDate     string
	MaxLetterMB int
}

// TypeOptions, ProvinceOptions, RegencyOptions and ProtocolOptions feed the
// selects of the form.
func (p *requestPage) TypeOptions() []Option {
	var out []Option
	for _, t := range p.Types {
		out = append(out, Option{string(t), p.T("inst." + string(t))})
	}
	return out
}

func (p *requestPage) ProvinceOptions() []Option {
	var out []Option
	for _, pr := range p.Provinces {
		out = append(out, Option{pr.Code, pr.Name})
	}
	return out
}

func (p *requestPage) RegencyOptions() []Option {
	var out []Option
	for _, r := range p.Regencies {
		out = append(out, Option{r.Code, r.Name})
	}
	return out
}

func (p *requestPage) ProtocolOptions() []Option {
	var out []Option
	for _, pr := range p.Protocols {
		out = append(out, Option{pr, p.T("protocol." + pr)})
	}
	return out
}

// regencies serves the regencies of a province for the form's script.
func (h *Handlers) regencies(c *fiber.Ctx) error {
	type item struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	list := []item{}
	for _, r := range h.regions.Regencies(c.Params("province")) {
		list = append(list, item{r.Code, r.Name})
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.JSON(list)
}

// sessionChoice is one option of the session selects.
type sessionChoice struct{ ID, Label string }

func (h *Handlers) newRequestPage(c *fiber.Ctx, settings models.HostSettings) *requestPage {
	p := &requestPage{
		Page:        h.newPage(c, "request.title"),
		Types:       models.InstitutionTypes(),
		Provinces:   h.regions.Provinces(),
		Topics:      settings.Topics,
		Chosen:      map[string]bool{},
		SlotDetail:  map[string]string{},
		Protocols:   models.ProtocolLevels(),
		MaxPeople:   settings.MaxParticipants,
		FormKey:     models.NewToken(),
		MinDate:     models.DateKey(h.deps.Now().In(h.deps.Location)),
		MaxLetterMB: models.MaxLetterBytes >> 20,
		Action:      "/ajukan",
	}
	seen := map[string]bool{}
	for _, day := range settings.Weekly {
		for _, s := range day {
			if !seen[s.ID] {
				seen[s.ID] = true
				p.Sessions = append(p.Sessions, sessionChoice{s.ID, s.ID})
			}
		}
	}
	return p
}

func (h *Handlers) requestForm(c *fiber.Ctx) error {
	settings, err := h.deps.Store.HostSettings(c.UserContext())
	if err != nil {
		return err
	}
	p := h.newRequestPage(c, settings)
	p.Form.Values["slot1_date"] = c.Query("tanggal")
	p.Form.Values["slot1_session"] = c.Query("sesi")
	p.Form.Values["protocol"] = "standar"
	p.Regencies = nil
	return h.render(c, fiber.StatusOK, "request", p)
}

// readUpload reads an optional uploaded file, at most limit+1 bytes so that
// "too large" can be told apart from "exactly the limit".
func readUpload(c *fiber.Ctx, field string, limit int64) ([]byte, string, error) {
	fh, err := c.FormFile(field)
	if err != nil || fh == nil {
		return nil, "", nil // no file chosen (or not a multipart form)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	return b, fh.Filename, err
}

func (h *Handlers) requestSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := h.deps.Now()
	// The honeypot: a field people never see. Bots fill every field.
	if c.FormValue("website") != "" {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "spam")
	}
	if until, err := h.deps.Store.RecordFailure(ctx, "submit:"+c.IP(), models.SubmissionThrottle(), now); err != nil {
		return err
	} else if !until.IsZero() {
		return fiber.NewError(fiber.StatusTooManyRequests, "submissions")
	}
	settings, err := h.deps.Store.HostSettings(ctx)
	if err != nil {
		return err
	}
	p := h.newRequestPage(c, settings)
	in, rules, ok, err := h.readRequestForm(c, p, false)
	if err != nil || !ok {
		return err
	}
	token := models.TrackingToken(h.trackKey, p.FormKey)
	visit := models.NewRequest(&in, rules, p.FormKey, token, now)
	ack := func(v *models.Visit) *models.OutboxMessage { return h.acknowledgement(c, v, token) }
	err = h.deps.Store.SubmitRequest(ctx, visit, in.Letter, ack, h.deps.Location, now)
	if errors.Is(err, models.ErrDuplicateSubmission) {
		// Sent before — unless that attempt died half-way (a crash):
		// see recovery.go.
		if err = h.recoverSubmission(c, visit, in.Letter, ack, token, now); err != nil {
			return err
		}
		err = models.ErrDuplicateSubmission // the request exists: its link
	}
	if errors.Is(err, models.ErrDuplicateSubmission) {
		// A double click or a refresh: the first submission's link is the
		// same one (the token is derived from the form key).
		return c.Redirect("/lacak/"+token+"?baru=1", fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	h.deps.Logger.Info("request submitted", "code", visit.Code)
	return c.Redirect("/lacak/"+token+"?baru=1", fiber.StatusSeeOther)
}

// readRequestForm reads and validates the request form (new or revised).
// When the input is invalid it renders the form again with every typed
// value and a message per field, and returns ok=false.
func (h *Handlers) readRequestForm(c *fiber.Ctx, p *requestPage, revision bool) (models.RequestInput, models.RequestRules, bool, error) {
	fields := []string{"institution_name", "institution_type", "province", "regency", "leader_name", "leader_position",
		"participants", "topics_other", "protocol", "contact_name", "contact_position", "contact_email", "contact_phone",
		"letter_number", "letter_date", "roster_text", "notes", "form_key"}
	for i := 1; i <= models.MaxRequestedSlot; i++ {
		fields = append(fields, fmt.Sprintf("slot%d_date", i), fmt.Sprintf("slot%d_session", i))
	}
	for _, f := range fields {
		p.Form.Values[f] = c.FormValue(f)
	}
	// A form key is made on the server; anything else is a forged form.
	if key := p.Form.Values["form_key"]; len(key) >= 32 && len(key) <= 64 {
		p.FormKey = key
	}
	var topics []string
	if mf, err := c.MultipartForm(); err == nil {
		topics = mf.Value["topics"]
	} else {
		for _, v := range c.Request().PostArgs().PeekMulti("topics") {
			topics = append(topics, string(v))
		}
	}
	for _, t := range topics {
		p.Chosen[t] = true
	}
	p.Regencies = h.regions.Regencies(p.Form.Values["province"])

	letter, letterName, err := readUpload(c, "letter", models.MaxLetterBytes)
	if err != nil {
		return models.RequestInput{}, models.RequestRules{}, false, err
	}
	in := models.RequestInput{
		InstitutionName: p.Form.Values["institution_name"], InstitutionType: p.Form.Values["institution_type"],
		ProvinceCode: p.Form.Values["province"], RegencyCode: p.Form.Values["regency"],
		LeaderName: p.Form.Values["leader_name"], LeaderPosition: p.Form.Values["leader_position"],
		Participants: p.Form.Values["participants"], Topics: topics, TopicsOther: p.Form.Values["topics_other"],
		Protocol:    p.Form.Values["protocol"],
		ContactName: p.Form.Values["contact_name"], ContactPosition: p.Form.Values["contact_position"],
		ContactEmail: p.Form.Values["contact_email"], ContactPhone: p.Form.Values["contact_phone"],
		LetterNumber: p.Form.Values["letter_number"], LetterDate: p.Form.Values["letter_date"],
		Letter: letter, LetterName: safeFileName(letterName), KeepLetter: revision,
		Notes: p.Form.Values["notes"], Language: languageOf(c),
	}
	for i := range in.Slots {
		in.Slots[i] = models.RequestedSlot{
			Date:      p.Form.Values[fmt.Sprintf("slot%d_date", i+1)],
			SessionID: p.Form.Values[fmt.Sprintf("slot%d_session", i+1)],
		}
	}

	// The roster: an uploaded CSV/XLSX, or lines typed into the text box.
	rosterOK, err := h.readRoster(c, p, &in.Roster)
	if err != nil {
		return in, models.RequestRules{}, false, err
	}

	first, _ := models.ParseDateKey(in.Slots[0].Date, h.deps.Location)
	a, err := h.availability(c, first.AddDate(0, -1, 0), first.AddDate(0, 3, 0))
	if err != nil {
		return in, models.RequestRules{}, false, err
	}
	rules := models.RequestRules{Regions: h.regions, Availability: a}
	verr := in.Validate(rules)
	v, invalid := models.AsValidation(verr)
	if verr != nil && !invalid {
		return in, rules, false, verr
	}
	if invalid || !rosterOK {
		if invalid {
			for f, msg := range v.Fields {
				p.Form.Errors[f] = msg
			}
		}
		for i, slot := range in.Slots {
			if day, err := models.ParseDateKey(slot.Date, h.deps.Location); err == nil {
				if _, detail := a.Check(day, slot.SessionID, 1); detail != "" {
					p.SlotDetail[fmt.Sprintf("slot%d", i+1)] = detail
				}
			}
		}
		p.Form.Error = "form.has_errors"
		if in.Letter != nil && p.Form.Errors["letter"] == "" {
			p.Form.Errors["letter"] = "err.letter_again"
		}
		return in, rules, false, h.render(c, fiber.StatusUnprocessableEntity, "request", p)
	}
	return in, rules, true, nil
}

// readRoster reads the roster of a form: an uploaded CSV/XLSX file, or the
// lines typed into the text box. Problems go to the page; ok=false then.
func (h *Handlers) readRoster(c *fiber.Ctx, p *requestPage, into *[]models.RosterEntry) (bool, error) {
	file, _, err := readUpload(c, "roster_file", models.MaxRosterFileSize)
	if err != nil {
		return false, err
	}
	typed := strings.TrimSpace(c.FormValue("roster_text"))
	if len(file) == 0 && typed == "" {
		return true, nil
	}
	var src io.Reader = bytes.NewReader(file)
	if len(file) == 0 {
		src = strings.NewReader("nama;jabatan;jenis kelamin;kebutuhan\n" + typed)
	}
	entries, rowErrs, err := models.ParseRoster(src)
	switch {
	case errors.Is(err, models.ErrRosterTooLarge):
		p.Form.Errors["roster"] = "roster.too_large"
	case err != nil:
		p.Form.Errors["roster"] = "roster.unreadable"
	case len(rowErrs) > 0:
		p.Form.Errors["roster"] = "roster.bad_rows"
		p.RosterRows = rowErrs
	default:
		*into = entries
		return true, nil
	}
	return false, nil
}

// safeFileName keeps a letter's name displayable and harmless: no path
// separators, quotes or markup, no control, format (bidi override) or
// line-separator characters, valid UTF-8 (invalid bytes become U+FFFD) and
// at most 120 bytes, cut between characters.
func safeFileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' ') ||
			strings.ContainsRune(`/\"<>:|?*`, r) {
			return '_'
		}
		return r
	}, name)
	if len(name) > 120 {
		cut := 120
		for !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut]
	}
	if name == "" {
		name = "surat-permohonan.pdf"
	}
	return name
}

// trackingURL is the delegation's private link.
func (h *Handlers) trackingURL(token string) string {
	u := *h.deps.BaseURL
	u.Path = strings.TrimSuffix(u.Path, "/") + "/lacak/" + url.PathEscape(token)
	return u.String()
}

// rosterTemplate offers the CSV layout the roster import understands.
func (h *Handlers) rosterTemplate(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="daftar-peserta.csv"`)
	return c.Send(models.RosterTemplateCSV())
}
