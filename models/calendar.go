package models

import (
	"cmp"
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// CalendarKind is what a staff-calendar entry shows. The values go into
// the JSON feed and CSS class names.
type CalendarKind string

// The kinds of the staff calendar.
const (
	CalendarVisit    CalendarKind = "visit"    // an approved or completed visit
	CalendarHeld     CalendarKind = "held"     // a session held by a live counter-offer
	CalendarBlackout CalendarKind = "blackout" // dates the host closed
	CalendarHoliday  CalendarKind = "holiday"  // national or Balinese holiday
)

// CalendarFilter narrows the staff calendar. Blackouts and holidays concern
// everybody and are never filtered out.
type CalendarFilter struct {
	RoomID   string        // only visits in this room
	EscortID bson.ObjectID // only visits this escort is assigned to
	// HideHeld leaves out sessions held by counter-offers; escorts do not
	// see requests that are still being negotiated.
	HideHeld bool
}

// CalendarEntry is one line of the staff calendar. Start and End are
// instants; for all-day entries Start is midnight of the first day in the
// host zone and End midnight after the last day (exclusive), as calendar
// widgets expect.
type CalendarEntry struct {
	Kind    CalendarKind
	Title   string // institution, blackout reason or holiday name: no UI words
	Start   time.Time
	End     time.Time
	AllDay  bool
	URL     string // the visit's staff page; "" for blackouts and holidays
	VisitID bson.ObjectID
	Code    string
	Status  VisitStatus // visits and held slots
	// Participants of the delegation (visits and held slots).
	Participants int
	RoomID       string
	Room         string
	Escorts      []string
	// Closed is false for holidays the office stays open on (Pagerwesi…).
	Closed bool
	// Offer is the index of the offered slot, for held entries.
	Offer int
}

// Days is the number of calendar days an all-day entry covers.
func (e CalendarEntry) Days() int {
	if !e.AllDay {
		return 1
	}
	return int(civilDayOf(e.End) - civilDayOf(e.Start))
}

// LastDay is midnight of the last day an all-day entry covers.
func (e CalendarEntry) LastDay() time.Time {
	if !e.AllDay || !e.End.After(e.Start) {
		return e.Start
	}
	return e.End.AddDate(0, 0, -1)
}

// VisitStaffURL is where staff open a request or visit.
func VisitStaffURL(id bson.ObjectID) string { return "/staf/permohonan/" + id.Hex() }

// CalendarVisits returns what the staff calendar draws for [from, to):
// approved and completed visits starting in the range, and every visit
// with a counter-offer (its offers' dates are strings, so which of them
// fall in the range is decided by CalendarEntries), by start.
func (s *Store) CalendarVisits(ctx context.Context, from, to time.Time) ([]Visit, error) {
	visits, _, err := s.visitsSorted(ctx, func(v *Visit) bool {
		if v.Status == StatusOffered {
			return true
		}
		return (v.Status == StatusApproved || v.Status == StatusCompleted) && !v.Start.Before(from) && v.Start.Before(to)
	}, byStart, 0, -1)
	return visits, err
}

// CalendarEntries builds the staff calendar for [from, to): visits, the
// sessions held by counter-offers that have not expired at now, blackouts
// and holidays, sorted by start (all-day entries first on their day). An
// entry is included when it overlaps the range. cal supplies the holidays;
// loc is the host zone in which dates are civil dates.
func CalendarEntries(visits []Visit, s HostSettings, cal *HolidayCalendar, from, to, now time.Time, loc *time.Location, f CalendarFilter) []CalendarEntry {
	var out []CalendarEntry
	overlaps := func(start, end time.Time) bool {
		if !end.After(start) {
			end = start.Add(time.Nanosecond) // a point in time still counts
		}
		return start.Before(to) && end.After(from)
	}
	roomName := func(v *Visit) string {
		if v.Room != "" {
			return v.Room
		}
		if r, ok := s.RoomByID(v.RoomID); ok {
			return r.Name
		}
		return v.RoomID
	}
	// passes applies the room and escort filters to a visit or held slot.
	passes := func(v *Visit) bool {
		if f.RoomID != "" && v.RoomID != f.RoomID {
			return false
		}
		if !f.EscortID.IsZero() && !slices.Contains(v.EscortIDs, f.EscortID) {
			return false
		}
		return true
	}
	entry := func(v *Visit, kind CalendarKind) CalendarEntry {
		return CalendarEntry{
			Kind: kind, Title: v.InstitutionName, URL: VisitStaffURL(v.ID), VisitID: v.ID,
			Code: v.Code, Status: v.Status, Participants: v.Participants,
			RoomID: v.RoomID, Room: roomName(v), Escorts: slices.Clone(v.Escorts),
		}
	}

	for i := range visits {
		v := &visits[i]
		if !passes(v) {
			continue
		}
		switch v.Status {
		case StatusApproved, StatusCompleted:
			if !overlaps(v.Start, v.End) {
				continue
			}
			e := entry(v, CalendarVisit)
			e.Start, e.End = v.Start, v.End
			out = append(out, e)
		case StatusOffered:
			if f.HideHeld {
				continue
			}
			for j, o := range v.Offers {
				if !o.ExpiresAt.After(now) {
					continue // an expired offer holds nothing (as in Bookings)
				}
				day, err := ParseDateKey(o.Date, loc)
				if err != nil {
					continue
				}
				e := entry(v, CalendarHeld)
				e.Offer = j
				if sess, ok := s.SessionByID(day, o.SessionID); ok {
					e.Start, e.End = sess.On(day, loc)
				} else {
					// The session was removed from the settings after the
					// offer was made: the day is still held, so show it.
					e.Start, e.End, e.AllDay = day, day.AddDate(0, 0, 1), true
				}
				if overlaps(e.Start, e.End) {
					out = append(out, e)
				}
			}
		}
	}

	for _, b := range s.Blackouts {
		first, err1 := ParseDateKey(b.From, loc)
		last, err2 := ParseDateKey(b.To, loc)
		if err1 != nil || err2 != nil || last.Before(first) {
			continue
		}
		e := CalendarEntry{Kind: CalendarBlackout, Title: b.Reason, Start: first, End: last.AddDate(0, 0, 1), AllDay: true, Closed: true}
		if overlaps(e.Start, e.End) {
			out = append(out, e)
		}
	}

	if cal != nil {
		for day := midnightIn(from, loc); day.Before(to); day = day.AddDate(0, 0, 1) {
			var seen []string
			for _, h := range cal.On(day) {
				if slices.Contains(seen, h.Name) {
					continue
				}
				seen = append(seen, h.Name)
				out = append(out, CalendarEntry{Kind: CalendarHoliday, Title: h.Name, Start: day, End: day.AddDate(0, 0, 1), AllDay: true, Closed: h.Closed})
			}
		}
	}

	slices.SortStableFunc(out, func(a, b CalendarEntry) int {
		// Compare days first so that a day's all-day entries lead it.
		if c := cmp.Compare(DateKey(a.Start.In(loc)), DateKey(b.Start.In(loc))); c != 0 {
			return c
		}
		if a.AllDay != b.AllDay {
			if a.AllDay {
				return -1
			}
			return 1
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.Title, b.Title)
	})
	return out
}

// midnightIn is the start of the civil date of t in loc.
func midnightIn(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}
