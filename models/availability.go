package models

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// SlotState is how a session looks to a delegation choosing a date.
type SlotState string

// Slot states; the values appear in the JSON endpoint.
const (
	SlotOpen       SlotState = "open"
	SlotNearlyFull SlotState = "nearly_full"
	SlotFull       SlotState = "full"
	SlotClosed     SlotState = "closed"
)

// Reasons a day or session cannot be chosen (catalogue keys).
const (
	ReasonPast      = "avail.past"
	ReasonWeekend   = "avail.weekend"
	ReasonHoliday   = "avail.holiday"
	ReasonCuti      = "avail.cuti"
	ReasonBali      = "avail.bali"
	ReasonBlackout  = "avail.blackout"
	ReasonNotice    = "avail.notice"
	ReasonHorizon   = "avail.horizon"
	ReasonNoSession = "avail.no_session"
	ReasonFull      = "avail.full"
	ReasonTooMany   = "avail.too_many"
)

// Booking is what occupies a session: an approved visit or a slot held for
// a delegation (a counter-offer). Pending requests do not occupy anything.
type Booking struct {
	Date         string // DateKey in the host zone
	SessionID    string
	Participants int
	VisitID      bson.ObjectID
	Held         bool // a counter-offer's hold, not yet an approved visit
}

// Slot is one session on one day.
type Slot struct {
	Session      VisitSession `json:"-"`
	ID           string       `json:"id"`
	Start        time.Time    `json:"start"`
	End          time.Time    `json:"end"`
	State        SlotState    `json:"state"`
	Reason       string       `json:"reason,omitempty"`
	Delegations  int          `json:"-"`
	Participants int          `json:"-"`
	PlacesLeft   int          `json:"places_left"`
}

// Day is one date of the availability calendar.
type Day struct {
	Date     time.Time `json:"-"`
	Key      string    `json:"date"`
	State    SlotState `json:"state"`            // the best state of its slots, or closed
	Reason   string    `json:"reason,omitempty"` // why closed
	Detail   string    `json:"detail,omitempty"` // holiday name or blackout reason
	Holidays []Holiday `json:"holidays,omitempty"`
	Slots    []Slot    `json:"slots"`
}

// Availability computes which sessions a delegation may choose. It is a
// pure value: everything it needs is passed in, including now.
type Availability struct {
	Settings HostSettings
	Calendar *HolidayCalendar
	Bookings []Booking
	Now      time.Time
	Location *time.Location
}

// booked sums the bookings of one session.
func (a Availability) booked(key, sessionID string) (delegations, participants int) {
	for _, b := range a.Bookings {
		if b.Date == key && b.SessionID == sessionID {
			delegations++
			participants += b.Participants
		}
	}
	return delegations, participants
}

// Day computes one date (its Y/M/D in the host zone).
func (a Availability) Day(date time.Time) Day {
	y, m, d := date.In(a.Location).Date()
	date = time.Date(y, m, d, 0, 0, 0, 0, a.Location)
	today := a.Now.In(a.Location)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, a.Location)
	day := Day{Date: date, Key: DateKey(date), State: SlotClosed, Holidays: a.Calendar.On(date)}

	close := func(reason, detail string) Day {
		day.Reason, day.Detail = reason, detail
		return day
	}
	if date.Before(today) {
		return close(ReasonPast, "")
	}
	sessions := a.Settings.SessionsOn(date)
	if date.Weekday() == time.Sunday || (date.Weekday() == time.Saturday && len(sessions) == 0) {
		return close(ReasonWeekend, "")
	}
	for _, h := range day.Holidays {
		if h.Closed {
			switch h.Kind {
			case HolidayBali:
				return close(ReasonBali, h.Name)
			case HolidayCutiBersama:
				return close(ReasonCuti, h.Name)
			}
			return close(ReasonHoliday, h.Name)
		}
	}
	if b, ok := a.Settings.BlackoutOn(date); ok {
		return close(ReasonBlackout, b.Reason)
	}
	if len(sessions) == 0 {
		return close(ReasonNoSession, "")
	}
	ahead := a.Calendar.WorkingDaysBetween(today, date)
	if ahead < a.Settings.MinNoticeDays {
		return close(ReasonNotice, "")
	}
	if ahead > a.Settings.HorizonDays {
		return close(ReasonHorizon, "")
	}

	best := SlotClosed
	for _, s := range sessions {
		start, end := s.On(date, a.Location)
		dels, parts := a.booked(day.Key, s.ID)
		slot := Slot{Session: s, ID: s.ID, Start: start, End: end, Delegations: dels, Participants: parts,
			PlacesLeft: max(0, a.Settings.MaxParticipants-parts)}
		switch {
		case dels >= a.Settings.MaxDelegations || slot.PlacesLeft == 0:
			slot.State, slot.Reason, slot.PlacesLeft = SlotFull, ReasonFull, 0
		case slot.PlacesLeft <= a.Settings.NearlyFullAt:
			slot.State = SlotNearlyFull
		default:
			slot.State = SlotOpen
		}
		best = better(best, slot.State)
		day.Slots = append(day.Slots, slot)
	}
	day.State = best
	if best == SlotFull {
		day.Reason = ReasonFull
	}
	return day
}

// better orders states from the delegation's point of view.
func better(a, b SlotState) SlotState {
	rank := map[SlotState]int{SlotClosed: 0, SlotFull: 1, SlotNearlyFull: 2, SlotOpen: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// Month computes every day of a month.
func (a Availability) Month(year int, month time.Month) []Day {
	first := time.Date(year, month, 1, 0, 0, 0, 0, a.Location)
	var days []Day
	for d := first; d.Month() == month; d = d.AddDate(0, 0, 1) {
		days = append(days, a.Day(d))
	}
	return days
}

// Check says whether a delegation of n participants may request the session
// on date: "" when it may, otherwise the reason (a catalogue key) and, for
// holidays and blackouts, the detail to show.
func (a Availability) Check(date time.Time, sessionID string, n int) (reason, detail string) {
	day := a.Day(date)
	if day.State == SlotClosed {
		return day.Reason, day.Detail
	}
	for _, s := range day.Slots {
		if s.ID != sessionID {
			continue
		}
		if s.State == SlotFull {
			return ReasonFull, ""
		}
		if n > s.PlacesLeft {
			return ReasonTooMany, ""
		}
		return "", ""
	}
	return ReasonNoSession, ""
}
