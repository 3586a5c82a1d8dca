package handlers

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// maxCalendarRange caps what one feed request may ask for: a month view
// with its leading and trailing weeks is 42 days, a list view at most 31.
const maxCalendarRange = 100 * 24 * time.Hour

// calendarHolidays is the one place the staff calendar gets its holidays
// from: the holiday table admins keep, and the Balinese days.
func (h *Handlers) calendarHolidays(ctx context.Context, from, to time.Time) (*models.HolidayCalendar, error) {
	return h.deps.Store.HolidayCalendar(ctx, from, to)
}

// calendarEntries loads and builds the staff calendar for [from, to).
func (h *Handlers) calendarEntries(ctx context.Context, from, to time.Time, f models.CalendarFilter) ([]models.CalendarEntry, error) {
	settings, err := h.deps.Store.HostSettings(ctx)
	if err != nil {
		return nil, err
	}
	visits, err := h.deps.Store.CalendarVisits(ctx, from, to)
	if err != nil {
		return nil, err
	}
	cal, err := h.calendarHolidays(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return models.CalendarEntries(visits, settings, cal, from, to, h.deps.Now(), h.deps.Location, f), nil
}

// calendarFilter reads ?ruang= and ?pendamping=. An escort sees only the
// visits they are assigned to, whatever the query says, and no held slots:
// those are requests still being negotiated. ok is false when pendamping
// is not an ID.
func calendarFilter(c *fiber.Ctx) (f models.CalendarFilter, ok bool) {
	if u := currentUser(c); u != nil && u.Role == models.RoleEscort {
		return models.CalendarFilter{EscortID: u.ID, HideHeld: true}, true
	}
	f.RoomID = strings.TrimSpace(c.Query("ruang"))
	if hex := strings.TrimSpace(c.Query("pendamping")); hex != "" {
		id, err := bson.ObjectIDFromHex(hex)
		if err != nil {
			return f, false
		}
		f.EscortID = id
	}
	return f, true
}

// calendarMonth reads ?bulan=2026-07, defaulting to the current month in
// the host zone. Staff may look back at past visits, so unlike the public
// schedule any month from 2020 to three years ahead is shown.
func (h *Handlers) calendarMonth(c *fiber.Ctx) time.Time {
	now := h.deps.Now().In(h.deps.Location)
	current := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, h.deps.Location)
	m, err := time.ParseInLocation("2006-01", c.Query("bulan"), h.deps.Location)
	if err != nil || m.Year() < 2020 || m.After(current.AddDate(3, 0, 0)) {
		return current
	}
	return m
}

// calendarPage is the staff calendar: the widget and, under it, the same
// month as a table that works without JavaScript and with screen readers.
type calendarPage struct {
	Page
	Month      time.Time
	Prev, Next string // links to the neighbouring months, filters kept
	Filter     models.CalendarFilter
	Own        bool   // an escort's own calendar: no filters to choose
	FeedURL    string // the JSON feed with the filters, for the widget
	TZOffset   string // "+08:00": the widget shows host time
	Rooms      []Option
	Escorts    []Option
	Rows       []calendarRow
	Feed       *feedLinks // the "Langganan kalender" card (ical.go)
}

// calendarRow is one line of the month table.
type calendarRow struct {
	models.CalendarEntry
	When, Time, What string
}

// RoomValue and EscortValue are the filter selects' current values.
func (p *calendarPage) RoomValue() string { return p.Filter.RoomID }
func (p *calendarPage) EscortValue() string {
	if p.Filter.EscortID.IsZero() {
		return ""
	}
	return p.Filter.EscortID.Hex()
}

func (h *Handlers) calendarPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	m := h.calendarMonth(c)
	f, ok := calendarFilter(c)
	if !ok {
		f.EscortID = bson.ObjectID{} // a mangled link shows every escort
	}
	p := &calendarPage{Page: h.newPage(c, "cal.title"), Month: m, Filter: f, TZOffset: m.Format("-07:00")}
	p.Own = p.User != nil && p.User.Role == models.RoleEscort

	q := url.Values{}
	if !p.Own {
		if f.RoomID != "" {
			q.Set("ruang", f.RoomID)
		}
		if !f.EscortID.IsZero() {
			q.Set("pendamping", f.EscortID.Hex())
		}
	}
	p.FeedURL = "/staf/api/kalender"
	if len(q) > 0 {
		p.FeedURL += "?" + q.Encode()
	}
	monthLink := func(t time.Time) string {
		lq := url.Values{"bulan": {t.Format("2006-01")}}
		for k, v := range q {
			lq[k] = v
		}
		return "/staf/kalender?" + lq.Encode()
	}
	p.Prev, p.Next = monthLink(m.AddDate(0, -1, 0)), monthLink(m.AddDate(0, 1, 0))

	if !p.Own {
		settings, err := h.deps.Store.HostSettings(ctx)
		if err != nil {
			return err
		}
		for _, r := range settings.Rooms {
			p.Rooms = append(p.Rooms, Option{r.ID, r.Name})
		}
		users, err := h.deps.Store.ListUsers(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.Role == models.RoleEscort && u.Active {
				p.Escorts = append(p.Escorts, Option{u.ID.Hex(), u.Name})
			}
		}
	}

	entries, err := h.calendarEntries(ctx, m, m.AddDate(0, 1, 0), f)
	if err != nil {
		return err
	}
	if p.Feed, err = h.feedLinks(c, p.User); err != nil {
		return err
	}
	for _, e := range entries {
		p.Rows = append(p.Rows, calendarRow{CalendarEntry: e, When: p.entryDate(e), Time: p.entryTime(e), What: p.entryTitle(e)})
	}
	return h.render(c, fiber.StatusOK, "calendar", p)
}

// entryDate is "Kamis, 9 Juli 2026" or a range for multi-day entries.
func (p *Page) entryDate(e models.CalendarEntry) string {
	if e.Days() > 1 {
		return p.ShortDate(e.Start) + " – " + p.ShortDate(e.LastDay())
	}
	return p.Date(e.Start)
}

// entryTime is "09.00–12.00 WITA", or "all day".
func (p *Page) entryTime(e models.CalendarEntry) string {
	if e.AllDay {
		return p.T("cal.all_day")
	}
	return p.Clock(e.Start) + "–" + p.Clock(e.End) + " " + p.Zone(e.Start)
}

// entryTitle is what the widget and the table call an entry.
func (p *Page) entryTitle(e models.CalendarEntry) string {
	switch e.Kind {
	case models.CalendarHeld:
		return p.T("cal.held_title", "Name", e.Title)
	case models.CalendarBlackout:
		return p.T("cal.blackout_title", "Reason", e.Title)
	case models.CalendarHoliday:
		if !e.Closed {
			return p.T("cal.open_holiday_title", "Name", e.Title)
		}
	}
	return e.Title
}

// KindLabel names an entry's kind; completed visits say so, and a holiday
// the office stays open on is a feast day, not a day off.
func (p *Page) KindLabel(e models.CalendarEntry) string {
	switch {
	case e.Kind == models.CalendarVisit && e.Status == models.StatusCompleted:
		return p.T("cal.kind_completed")
	case e.Kind == models.CalendarHoliday && !e.Closed:
		return p.T("cal.kind_observance")
	}
	return p.T(calendarKindKeys[e.Kind])
}

// calendarKindKeys are the catalogue keys of the kinds.
var calendarKindKeys = map[models.CalendarKind]string{
	models.CalendarVisit:    "cal.kind_visit",
	models.CalendarHeld:     "cal.kind_held",
	models.CalendarBlackout: "cal.kind_blackout",
	models.CalendarHoliday:  "cal.kind_holiday",
}

// calendarEvent is one event in the widget's JSON format (EventCalendar,
// which reads the same fields as FullCalendar).
type calendarEvent struct {
	ID            string        `json:"id"`
	Title         string        `json:"title"`
	Start         string        `json:"start"`
	End           string        `json:"end"`
	AllDay        bool          `json:"allDay"`
	ClassNames    []string      `json:"classNames"`
	ExtendedProps calendarProps `json:"extendedProps"`
}

type calendarProps struct {
	Kind         models.CalendarKind `json:"kind"`
	KindLabel    string              `json:"kindLabel"`
	Status       models.VisitStatus  `json:"status,omitempty"`
	Code         string              `json:"code,omitempty"`
	URL          string              `json:"url,omitempty"`
	Room         string              `json:"room,omitempty"`
	Escorts      []string            `json:"escorts,omitempty"`
	Participants int                 `json:"participants,omitempty"`
	When         string              `json:"when"` // date and time in words, for the tooltip
}

// calendarFeed serves the entries of [start, end) as JSON for the widget.
func (h *Handlers) calendarFeed(c *fiber.Ctx) error {
	p := h.newPage(c, "cal.title")
	loc := h.deps.Location
	var from, to time.Time
	if c.Query("start") == "" && c.Query("end") == "" {
		from = h.calendarMonth(c)
		to = from.AddDate(0, 1, 0)
	} else {
		var err1, err2 error
		from, err1 = parseCalendarTime(c.Query("start"), loc)
		to, err2 = parseCalendarTime(c.Query("end"), loc)
		if err1 != nil || err2 != nil {
			return calendarError(c, fiber.StatusBadRequest, p.T("cal.err_date"))
		}
		if !to.After(from) || to.Sub(from) > maxCalendarRange {
			return calendarError(c, fiber.StatusBadRequest, p.T("cal.err_range"))
		}
	}
	f, ok := calendarFilter(c)
	if !ok {
		return calendarError(c, fiber.StatusBadRequest, p.T("cal.err_escort"))
	}
	entries, err := h.calendarEntries(c.UserContext(), from, to, f)
	if err != nil {
		return err
	}
	events := make([]calendarEvent, 0, len(entries))
	for _, e := range entries {
		ev := calendarEvent{
			Title:  p.entryTitle(e),
			AllDay: e.AllDay,
			ExtendedProps: calendarProps{
				Kind: e.Kind, KindLabel: p.KindLabel(e), Status: e.Status, Code: e.Code, URL: e.URL,
				Room: e.Room, Escorts: e.Escorts, Participants: e.Participants,
				When: p.entryDate(e) + ", " + p.entryTime(e),
			},
			ClassNames: []string{"cal-ev", "cal-ev-" + string(e.Kind)},
		}
		switch e.Kind {
		case models.CalendarVisit:
			ev.ID = e.VisitID.Hex()
			if e.Status == models.StatusCompleted {
				ev.ClassNames = append(ev.ClassNames, "cal-ev-completed")
			}
		case models.CalendarHeld:
			ev.ID = fmt.Sprintf("%s-%d", e.VisitID.Hex(), e.Offer)
		default:
			ev.ID = fmt.Sprintf("%s-%s-%s", e.Kind, models.DateKey(e.Start.In(loc)), e.Title)
			if e.Kind == models.CalendarHoliday && !e.Closed {
				ev.ClassNames = append(ev.ClassNames, "cal-ev-open")
			}
		}
		if e.AllDay {
			ev.Start, ev.End = models.DateKey(e.Start.In(loc)), models.DateKey(e.End.In(loc))
		} else {
			// With the host's offset, so the widget (set to the same offset)
			// shows host time whatever zone the browser is in.
			ev.Start, ev.End = e.Start.In(loc).Format(time.RFC3339), e.End.In(loc).Format(time.RFC3339)
		}
		events = append(events, ev)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(events)
}

// parseCalendarTime reads the range the widget asks for: a date, a local
// date-time (taken as host time) or a date-time with an offset.
func parseCalendarTime(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05", "2006-01-02T15:04", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("calendar: bad time %q", s)
}

// calendarError answers a script with a status and a message it can show.
func calendarError(c *fiber.Ctx, status int, msg string) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(fiber.Map{"error": msg})
}
