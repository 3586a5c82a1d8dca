package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// The settings page (/staf/pengaturan) is one page with a tab per section,
// chosen by ?bagian=. Each section is its own form posting to its own
// route; an invalid form comes back (422) with what was typed and a message
// per field, a stale one (409) with the current values.

// settingsTabs lists the sections in tab order with their catalogue keys.
var settingsTabs = []struct{ ID, Label string }{
	{"profil", "settings.tab_profile"},
	{"sesi", "settings.tab_sessions"},
	{"kapasitas", "settings.tab_capacity"},
	{"ruangan", "settings.tab_rooms"},
	{"topik", "settings.tab_topics"},
	{"penutupan", "settings.tab_blackouts"},
	{"libur", "settings.tab_holidays"},
}

// settingsDays are the days whose sessions the page edits: Monday to
// Friday, then the sessions of open Saturdays (weekday -1). Sunday is
// never open.
var settingsDays = []struct {
	Weekday int
	Label   string
}{
	{1, "settings.day_mon"}, {2, "settings.day_tue"}, {3, "settings.day_wed"},
	{4, "settings.day_thu"}, {5, "settings.day_fri"}, {-1, "settings.day_sat"},
}

// holidayKindLabels names the kinds an admin can choose.
var holidayKindLabels = map[models.HolidayKind]string{
	models.HolidayNational:    "holiday.kind_national",
	models.HolidayCutiBersama: "holiday.kind_cuti",
	models.HolidayBali:        "holiday.kind_bali",
}

const (
	blankRows        = 2 // empty rows offered for adding rooms and closures
	blankSessionRows = 1 // and sessions: six days of two empty rows is a wall of boxes
	// maxImportDays bounds an ICS import (events and the days they cover).
	maxImportDays = 1000
)

// settingsPage is the data of the settings page.
type settingsPage struct {
	Page
	Section string
	Version int64 // of the settings, or of the profile on the profile tab
	Days    []settingsDay
	Rooms   []settingsRow
	Closing []settingsRow
	// Holidays tab.
	Year         int
	Years        []int
	Holidays     []models.Holiday
	EditDate     string // the holiday whose edit failed
	Preview      []models.PreviewItem
	PreviewNew   int
	ImportError  string // translated: ICS messages have placeholders
	NoticeCount  int
	ImportedYear int
}

// settingsDay is one day of the sessions tab.
type settingsDay struct {
	Weekday int
	Label   string
	Count   string // name of the hidden field that says how many rows came
	Rows    []settingsRow
}

// settingsRow is one row of a repeated group: the prefix of its fields
// ("weekly_1_0", "room_2"), and whether it is an empty row for adding.
type settingsRow struct {
	Prefix string
	Blank  bool
}

// Tabs, KindOptions and KindLabel feed the template.
func (p *settingsPage) Tabs() []struct{ ID, Label string } { return settingsTabs }

func (p *settingsPage) KindOptions() []Option {
	var out []Option
	for _, k := range models.HolidayKinds() {
		out = append(out, Option{string(k), p.T(holidayKindLabels[k])})
	}
	return out
}

func (p *settingsPage) KindLabel(k models.HolidayKind) string {
	if key, ok := holidayKindLabels[k]; ok {
		return p.T(key)
	}
	return string(k)
}

// NoticeText translates the success notice with its count.
func (p *settingsPage) NoticeText() string { return p.T(p.Notice, "N", p.NoticeCount) }

// hostProfile is the host's profile as stored (the defaults until an admin
// saves it). Pages and letters that show the host should read it here.
func (h *Handlers) hostProfile(ctx context.Context) (models.HostProfile, error) {
	return h.hostCache.get(ctx, h.deps.Store)
}

// hostCache keeps the stored host profile for a few seconds: every page
// shows it and it rarely changes. Another instance sees a save at most
// hostCacheAge later; this one at once (reset).
type hostCache struct {
	mu      sync.Mutex
	profile models.HostProfile
	at      time.Time
}

const hostCacheAge = 5 * time.Second

func (c *hostCache) get(ctx context.Context, st *models.Store) (models.HostProfile, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < hostCacheAge {
		return c.profile, nil
	}
	p, err := st.HostProfile(ctx)
	if err != nil {
		return models.HostProfile{}, err
	}
	c.profile, c.at = p, time.Now()
	return p, nil
}

func (c *hostCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = time.Time{}
}

// newSettingsPage loads what every tab needs and fills the forms with the
// stored values.
func (h *Handlers) newSettingsPage(c *fiber.Ctx, section string) (*settingsPage, error) {
	known := false
	for _, t := range settingsTabs {
		known = known || t.ID == section
	}
	if !known {
		section = settingsTabs[0].ID
	}
	p := &settingsPage{Page: h.newPage(c, "settings.title"), Section: section}
	profile, err := h.hostProfile(c.UserContext())
	if err != nil {
		return nil, err
	}
	p.Host = profile
	if section == "profil" {
		fillProfile(p, profile)
		return p, nil
	}
	if section == "libur" {
		return p, nil
	}
	settings, err := h.deps.Store.HostSettings(c.UserContext())
	if err != nil {
		return nil, err
	}
	fillSettings(p, settings)
	return p, nil
}

func (h *Handlers) settingsForm(c *fiber.Ctx) error {
	p, err := h.newSettingsPage(c, c.Query("bagian"))
	if err != nil {
		return err
	}
	switch c.Query("ok") {
	case "1":
		p.Notice = "settings.saved"
	case "libur":
		p.Notice = "holiday.saved"
	case "hapus":
		p.Notice = "holiday.deleted"
	case "impor":
		p.Notice = "holiday.imported"
		p.NoticeCount, _ = strconv.Atoi(c.Query("n"))
	}
	if p.Section == "libur" {
		year, _ := strconv.Atoi(c.Query("tahun"))
		if err := h.loadHolidays(c, p, year); err != nil {
			return err
		}
	}
	return h.render(c, fiber.StatusOK, "settings", p)
}

// --- Filling the forms -------------------------------------------------

func fillProfile(p *settingsPage, pr models.HostProfile) {
	p.Version = pr.Version
	v := p.Form.Values
	v["name"], v["agency"], v["address"], v["map_url"] = pr.Name, pr.Agency, pr.Address, pr.MapURL
	v["email"], v["phone"], v["regency"] = pr.Email, models.FormatPhone(pr.Phone), pr.Regency
	v["office_hours"], v["receivers"] = strings.Join(pr.OfficeHours, "\n"), strings.Join(pr.Receivers, "\n")
	v["letter_city"], v["signatory_name"], v["signatory_title"], v["signatory_nip"] = pr.LetterCity, pr.SignatoryName, pr.SignatoryTitle, pr.SignatoryNIP
	if pr.Phone == "" {
		v["phone"] = ""
	}
}

func fillSettings(p *settingsPage, s models.HostSettings) {
	p.Version = s.Version
	v := p.Form.Values
	p.Days = nil
	for _, d := range settingsDays {
		sessions := s.SaturdaySessions
		if d.Weekday >= 0 {
			sessions = s.Weekly[d.Weekday]
		}
		p.Days = append(p.Days, sessionRows(v, d.Weekday, d.Label, sessions))
	}
	v["open_saturdays"] = strings.Join(s.OpenSaturdays, "\n")
	for name, n := range map[string]int{
		"max_delegations": s.MaxDelegations, "max_participants": s.MaxParticipants, "nearly_full_at": s.NearlyFullAt,
		"min_notice_days": s.MinNoticeDays, "horizon_days": s.HorizonDays, "roster_deadline_days": s.RosterDeadlineDays,
		"offer_hold_days": s.OfferHoldDays,
	} {
		v[name] = strconv.Itoa(n)
	}
	p.Rooms = roomRows(v, s.Rooms)
	p.Closing = blackoutRows(v, s.Blackouts)
	v["topics"] = strings.Join(s.Topics, "\n")
	v["agenda"] = strings.Join(s.AgendaTemplate, "\n")
}

// sessionRows writes one day's sessions into the form and adds empty rows.
func sessionRows(v map[string]string, weekday int, label string, sessions []models.VisitSession) settingsDay {
	d := settingsDay{Weekday: weekday, Label: label, Count: rowsField(weekday)}
	for i := 0; i < len(sessions)+blankSessionRows; i++ {
		var s models.VisitSession
		if i < len(sessions) {
			s = sessions[i]
		}
		v[models.SessionField(weekday, i, "id")] = s.ID
		v[models.SessionField(weekday, i, "start")] = s.Start
		v[models.SessionField(weekday, i, "end")] = s.End
		d.Rows = append(d.Rows, settingsRow{strings.TrimSuffix(models.SessionField(weekday, i, "id"), "_id"), i >= len(sessions)})
	}
	v[d.Count] = strconv.Itoa(len(d.Rows))
	return d
}

func rowsField(weekday int) string {
	if weekday < 0 {
		return "saturday_rows"
	}
	return fmt.Sprintf("weekly_%d_rows", weekday)
}

func roomRows(v map[string]string, rooms []models.Room) []settingsRow {
	var rows []settingsRow
	for i := 0; i < len(rooms)+blankRows; i++ {
		r := models.Room{}
		cap := ""
		if i < len(rooms) {
			r, cap = rooms[i], strconv.Itoa(rooms[i].Capacity)
		}
		v[models.RoomField(i, "id")], v[models.RoomField(i, "name")], v[models.RoomField(i, "capacity")] = r.ID, r.Name, cap
		rows = append(rows, settingsRow{fmt.Sprintf("room_%d", i), i >= len(rooms)})
	}
	v["room_rows"] = strconv.Itoa(len(rows))
	return rows
}

func blackoutRows(v map[string]string, blackouts []models.Blackout) []settingsRow {
	var rows []settingsRow
	for i := 0; i < len(blackouts)+blankRows; i++ {
		var b models.Blackout
		if i < len(blackouts) {
			b = blackouts[i]
		}
		v[models.BlackoutField(i, "from")], v[models.BlackoutField(i, "to")], v[models.BlackoutField(i, "reason")] = b.From, b.To, b.Reason
		rows = append(rows, settingsRow{fmt.Sprintf("blackout_%d", i), i >= len(blackouts)})
	}
	v["blackout_rows"] = strconv.Itoa(len(rows))
	return rows
}

// --- Reading the forms -------------------------------------------------

// formRows reads how many rows of a repeated group the form had, bounded
// so that a forged count cannot make the server loop for long.
func formRows(c *fiber.Ctx, field string, limit int) int {
	n, err := strconv.Atoi(c.FormValue(field))
	if err != nil || n < 0 {
		return 0
	}
	return min(n, limit+blankRows)
}

// formInt reads a whole number; problems go to v under the field's name.
func formInt(c *fiber.Ctx, v *models.ValidationError, field string) int {
	s := strings.TrimSpace(c.FormValue(field))
	if s == "" {
		v.Add(field, "err.required")
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(field, "settings.err_number")
		return 0
	}
	return n
}

// rowValues reads the parts of row i of a group; blank and ticked-for-
// removal rows are skipped (ok=false).
func rowValues(c *fiber.Ctx, prefix string, parts ...string) ([]string, bool) {
	if c.FormValue(prefix+"_hapus") == "1" {
		return nil, false
	}
	vals := make([]string, len(parts))
	blank := true
	for i, part := range parts {
		vals[i] = strings.TrimSpace(c.FormValue(prefix + "_" + part))
		blank = blank && vals[i] == ""
	}
	return vals, !blank
}

// readSessions reads the sessions tab into s and the page's form.
func readSessions(c *fiber.Ctx, p *settingsPage, s *models.HostSettings, _ *models.ValidationError) {
	p.Days = nil
	for _, d := range settingsDays {
		var sessions []models.VisitSession
		for i := 0; i < formRows(c, rowsField(d.Weekday), models.MaxSessionsPerDay); i++ {
			prefix := strings.TrimSuffix(models.SessionField(d.Weekday, i, "id"), "_id")
			if vals, ok := rowValues(c, prefix, "id", "start", "end"); ok {
				sessions = append(sessions, models.VisitSession{ID: vals[0], Start: vals[1], End: vals[2]})
			}
		}
		if d.Weekday < 0 {
			s.SaturdaySessions = sessions
		} else {
			s.Weekly[d.Weekday] = sessions
		}
		p.Days = append(p.Days, sessionRows(p.Form.Values, d.Weekday, d.Label, sessions))
	}
	p.Form.Values["open_saturdays"] = c.FormValue("open_saturdays")
	s.OpenSaturdays = models.SplitLines(c.FormValue("open_saturdays"))
}

func readCapacity(c *fiber.Ctx, p *settingsPage, s *models.HostSettings, v *models.ValidationError) {
	for field, into := range map[string]*int{
		"max_delegations": &s.MaxDelegations, "max_participants": &s.MaxParticipants, "nearly_full_at": &s.NearlyFullAt,
		"min_notice_days": &s.MinNoticeDays, "horizon_days": &s.HorizonDays, "roster_deadline_days": &s.RosterDeadlineDays,
		"offer_hold_days": &s.OfferHoldDays,
	} {
		p.Form.Values[field] = c.FormValue(field)
		*into = formInt(c, v, field)
	}
}

func readRooms(c *fiber.Ctx, p *settingsPage, s *models.HostSettings, v *models.ValidationError) {
	s.Rooms = nil
	capacities := []string{}
	for i := 0; i < formRows(c, "room_rows", models.MaxRooms); i++ {
		if vals, ok := rowValues(c, fmt.Sprintf("room_%d", i), "id", "name", "capacity"); ok {
			n, err := strconv.Atoi(vals[2])
			if err != nil && vals[2] != "" {
				v.Add(models.RoomField(len(s.Rooms), "capacity"), "settings.err_number")
			}
			s.Rooms = append(s.Rooms, models.Room{ID: vals[0], Name: vals[1], Capacity: n})
			capacities = append(capacities, vals[2])
		}
	}
	p.Rooms = roomRows(p.Form.Values, s.Rooms)
	for i, typed := range capacities {
		p.Form.Values[models.RoomField(i, "capacity")] = typed // "abc" stays as typed
	}
}

func readTopics(c *fiber.Ctx, p *settingsPage, s *models.HostSettings, _ *models.ValidationError) {
	p.Form.Values["topics"], p.Form.Values["agenda"] = c.FormValue("topics"), c.FormValue("agenda")
	s.Topics = models.SplitLines(c.FormValue("topics"))
	s.AgendaTemplate = models.SplitLines(c.FormValue("agenda"))
}

func readBlackouts(c *fiber.Ctx, p *settingsPage, s *models.HostSettings, _ *models.ValidationError) {
	s.Blackouts = nil
	for i := 0; i < formRows(c, "blackout_rows", models.MaxBlackouts); i++ {
		if vals, ok := rowValues(c, fmt.Sprintf("blackout_%d", i), "from", "to", "reason"); ok {
			b := models.Blackout{From: vals[0], To: vals[1], Reason: vals[2]}
			if b.To == "" {
				b.To = b.From // a closure of one day
			}
			s.Blackouts = append(s.Blackouts, b)
		}
	}
	p.Closing = blackoutRows(p.Form.Values, s.Blackouts)
}

// settingsSave handles the POST of one section of the host settings: read
// the form into the stored settings, save them at the version the form was
// opened with, and answer 303, 422 or 409.
func (h *Handlers) settingsSave(section string, read func(*fiber.Ctx, *settingsPage, *models.HostSettings, *models.ValidationError)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		p, err := h.newSettingsPage(c, section)
		if err != nil {
			return err
		}
		settings, err := h.deps.Store.HostSettings(ctx)
		if err != nil {
			return err
		}
		old := settings
		settings.Version, _ = strconv.ParseInt(c.FormValue("version"), 10, 64)
		p.Version = settings.Version
		// The lists of this section are replaced, never changed in place:
		// settings shares nothing with the page then.
		parsed := &models.ValidationError{}
		read(c, p, &settings, parsed)
		err = parsed.Err()
		if err == nil {
			// Rooms and sessions that coming visits hold cannot disappear.
			err = h.deps.Store.CheckSettingsKeepBookings(ctx, settings, h.deps.Now(), h.deps.Location)
		}
		if err == nil {
			err = h.deps.Store.SaveHostSettings(ctx, &settings, h.deps.Now())
		} else if _, invalid := models.AsValidation(err); invalid {
			// Report the section's other problems at once, as a save would;
			// the reading problem of a field ("abc" for a number) comes first.
			settings.Normalize()
			if more, ok := models.AsValidation(settings.Validate()); ok {
				for f, msg := range more.Fields {
					parsed.Add(f, msg)
				}
			}
		}
		if err == nil {
			h.audit(c, auditEvent{Action: models.AuditSettingsSave, Target: settingsTarget("host", section), Before: old, After: settings})
		}
		return h.settingsResult(c, p, err, func() error {
			current, err := h.deps.Store.HostSettings(ctx)
			if err == nil {
				fillSettings(p, current)
			}
			return err
		})
	}
}

// settingsResult answers a save: a redirect on success, the form again on
// invalid input, the current values on a conflict.
func (h *Handlers) settingsResult(c *fiber.Ctx, p *settingsPage, err error, reload func() error) error {
	if v, ok := models.AsValidation(err); ok {
		for f, msg := range v.Fields {
			p.Form.Errors[f] = msg
		}
		p.Form.Error = "form.has_errors"
		return h.render(c, fiber.StatusUnprocessableEntity, "settings", p)
	}
	var booked *models.StillBookedError
	if errors.As(err, &booked) {
		p.Form.Error = "settings.still_booked"
		p.Form.Args = map[string]any{"What": strings.Join(append(slices.Clone(booked.Rooms), booked.Sessions...), ", ")}
		return h.render(c, fiber.StatusConflict, "settings", p)
	}
	if errors.Is(err, models.ErrConflict) {
		h.countConflict(c)
		p.Form = Form{Values: map[string]string{}, Errors: map[string]string{}, Error: "settings.conflict"}
		if err := reload(); err != nil {
			return err
		}
		return h.render(c, fiber.StatusConflict, "settings", p)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/staf/pengaturan?bagian="+p.Section+"&ok=1", fiber.StatusSeeOther)
}

func (h *Handlers) settingsSaveProfile(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := h.newSettingsPage(c, "profil")
	if err != nil {
		return err
	}
	fields := []string{"name", "agency", "address", "map_url", "email", "phone", "regency", "office_hours",
		"letter_city", "signatory_name", "signatory_title", "signatory_nip", "receivers"}
	for _, f := range fields {
		p.Form.Values[f] = c.FormValue(f)
	}
	f := p.Form.Values
	profile := models.HostProfile{
		Name: f["name"], Agency: f["agency"], Address: f["address"], MapURL: f["map_url"],
		Email: f["email"], Phone: f["phone"], Regency: f["regency"],
		OfficeHours: models.SplitLines(f["office_hours"]), Receivers: models.SplitLines(f["receivers"]),
		LetterCity: f["letter_city"], SignatoryName: f["signatory_name"], SignatoryTitle: f["signatory_title"],
		SignatoryNIP: f["signatory_nip"],
	}
	profile.Version, _ = strconv.ParseInt(c.FormValue("version"), 10, 64)
	p.Version = profile.Version
	old, err := h.deps.Store.HostProfile(ctx) // not the cache: the log needs what was stored
	if err != nil {
		return err
	}
	err = h.deps.Store.SaveHostProfile(ctx, &profile, h.deps.Now())
	h.hostCache.reset()
	if err == nil {
		h.audit(c, auditEvent{Action: models.AuditSettingsProfile, Target: settingsTarget("profile", "profil"), Before: old, After: profile})
	}
	return h.settingsResult(c, p, err, func() error {
		current, err := h.hostProfile(ctx)
		if err == nil {
			fillProfile(p, current)
			p.Host = current
		}
		return err
	})
}

// --- Holidays ------------------------------------------------------------

// loadHolidays fills the holidays tab for year (0: this year).
func (h *Handlers) loadHolidays(c *fiber.Ctx, p *settingsPage, year int) error {
	ctx := c.UserContext()
	this := h.deps.Now().In(h.deps.Location).Year()
	if year < models.MinHolidayYear || year > models.MaxHolidayYear {
		year = this
	}
	years, err := h.deps.Store.HolidayYears(ctx)
	if err != nil {
		return err
	}
	// This year and the next are always offered: next year's SKB is added
	// before any of its dates exist.
	for _, y := range []int{this, this + 1, year} {
		if !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	p.Year, p.Years = year, years
	p.Holidays, err = h.deps.Store.HolidaysInYear(ctx, year)
	if p.Form.Values["kind"] == "" {
		p.Form.Values["kind"] = string(models.HolidayNational)
	}
	return err
}

// Targets of the settings and holidays in the audit log.
func settingsTarget(id, section string) models.AuditTarget {
	return models.AuditTarget{Collection: "settings", ID: id, Label: section}
}

func holidayTarget(hol models.Holiday) models.AuditTarget {
	return models.AuditTarget{Collection: "holidays", ID: hol.Date, Label: hol.Name}
}

func yearOf(date string) int {
	y, _ := strconv.Atoi(strings.SplitN(date, "-", 2)[0])
	return y
}

func holidayRedirect(c *fiber.Ctx, year int, ok string) error {
	return c.Redirect(fmt.Sprintf("/staf/pengaturan?bagian=libur&tahun=%d&ok=%s", year, ok), fiber.StatusSeeOther)
}

func (h *Handlers) holidayAdd(c *fiber.Ctx) error {
	p, err := h.newSettingsPage(c, "libur")
	if err != nil {
		return err
	}
	hol := models.Holiday{Date: c.FormValue("date"), Name: c.FormValue("name"), Kind: models.HolidayKind(c.FormValue("kind"))}
	p.Form.Values["date"], p.Form.Values["name"], p.Form.Values["kind"] = hol.Date, hol.Name, string(hol.Kind)
	err = h.deps.Store.AddHoliday(c.UserContext(), &hol, h.deps.Now())
	if v, ok := models.AsValidation(err); ok {
		p.Form.Errors, p.Form.Error = v.Fields, "form.has_errors"
		if err := h.loadHolidays(c, p, yearOf(hol.Date)); err != nil {
			return err
		}
		return h.render(c, fiber.StatusUnprocessableEntity, "settings", p)
	}
	if err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditHolidayAdd, Target: holidayTarget(hol), After: hol})
	return holidayRedirect(c, yearOf(hol.Date), "libur")
}

func (h *Handlers) holidayUpdate(c *fiber.Ctx) error {
	date := c.Params("date")
	old, err := h.deps.Store.HolidayByDate(c.UserContext(), date)
	if err != nil {
		return err
	}
	hol := models.Holiday{Date: date, Name: c.FormValue("name"), Kind: models.HolidayKind(c.FormValue("kind"))}
	err = h.deps.Store.UpdateHoliday(c.UserContext(), &hol, h.deps.Now())
	if v, ok := models.AsValidation(err); ok {
		p, err := h.newSettingsPage(c, "libur")
		if err != nil {
			return err
		}
		// The row being edited shows what was typed; the add form is empty.
		p.EditDate = date
		p.Form.Values["edit_name"], p.Form.Values["edit_kind"] = c.FormValue("name"), c.FormValue("kind")
		for f, msg := range v.Fields {
			p.Form.Errors["edit_"+f] = msg
		}
		p.Form.Error = "form.has_errors"
		if err := h.loadHolidays(c, p, yearOf(date)); err != nil {
			return err
		}
		return h.render(c, fiber.StatusUnprocessableEntity, "settings", p)
	}
	if err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditHolidayUpdate, Target: holidayTarget(hol), Before: old, After: hol})
	return holidayRedirect(c, yearOf(date), "libur")
}

func (h *Handlers) holidayDelete(c *fiber.Ctx) error {
	date := c.Params("date")
	old, err := h.deps.Store.HolidayByDate(c.UserContext(), date)
	if err != nil {
		return err
	}
	if err := h.deps.Store.DeleteHoliday(c.UserContext(), date); err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditHolidayDelete, Target: holidayTarget(old), Before: old})
	return holidayRedirect(c, yearOf(date), "hapus")
}

// holidayImportPreview reads an uploaded ICS file and shows what importing
// it would do. Nothing is stored until the admin confirms; the confirm form
// carries the new holidays, which are validated again when they come back.
func (h *Handlers) holidayImportPreview(c *fiber.Ctx) error {
	p, err := h.newSettingsPage(c, "libur")
	if err != nil {
		return err
	}
	data, _, err := readUpload(c, "berkas", models.MaxHolidayICSBytes)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	var parsed []models.Holiday
	var ie *models.ICSError
	switch {
	case len(data) == 0:
		p.ImportError = p.T("holiday.ics_required")
	default:
		parsed, err = models.ParseHolidayICS(bytes.NewReader(data), maxImportDays, h.deps.Location)
		if errors.As(err, &ie) {
			p.ImportError = p.T(ie.Key, "Event", ie.Event, "Max", ie.Max)
		} else if err != nil {
			return err
		}
	}
	year := 0
	if p.ImportError != "" {
		status = fiber.StatusUnprocessableEntity
		p.Form.Error = "form.has_errors"
	} else {
		stored, err := h.deps.Store.NationalHolidays(c.UserContext())
		if err != nil {
			return err
		}
		p.Preview = models.PreviewImport(parsed, stored)
		for _, it := range p.Preview {
			if it.State == models.PreviewNew {
				p.PreviewNew++
				if year == 0 {
					year = yearOf(it.Date)
				}
			}
		}
	}
	if err := h.loadHolidays(c, p, year); err != nil {
		return err
	}
	return h.render(c, status, "settings", p)
}

// holidayImportConfirm stores the holidays ticked in the preview.
func (h *Handlers) holidayImportConfirm(c *fiber.Ctx) error {
	var picked []models.Holiday
	for _, d := range c.Request().PostArgs().PeekMulti("pilih") {
		date := string(d)
		if len(picked) >= maxImportDays {
			break
		}
		picked = append(picked, models.Holiday{
			Date: date, Name: c.FormValue("nama_" + date), Kind: models.HolidayKind(c.FormValue("jenis_" + date)),
		})
	}
	if len(picked) == 0 {
		return c.Redirect("/staf/pengaturan?bagian=libur", fiber.StatusSeeOther)
	}
	n, err := h.deps.Store.ImportHolidays(c.UserContext(), picked, h.deps.Now())
	if err != nil {
		return err // a forged or damaged form: the preview never offers invalid rows
	}
	h.audit(c, auditEvent{Action: models.AuditHolidayImport, Target: models.AuditTarget{Collection: "holidays"},
		After: struct {
			Holidays []models.Holiday `bson:"holidays"`
		}{picked}, Note: strconv.Itoa(n) + " hari libur"})
	q := url.Values{"bagian": {"libur"}, "tahun": {strconv.Itoa(yearOf(picked[0].Date))}, "ok": {"impor"}, "n": {strconv.Itoa(n)}}
	return c.Redirect("/staf/pengaturan?"+q.Encode(), fiber.StatusSeeOther)
}
