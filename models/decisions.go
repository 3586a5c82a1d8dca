package models

import (
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// History actions of the host's staff that are not a status name.
const (
	ActionRescheduled = "dijadwalkan_ulang" // an approved visit moved to another session or time
	ActionChanged     = "diubah"            // room, escorts, agenda … of an approved visit changed
)

// Limits of a decision's inputs.
const (
	MaxEscortsPerVisit = 4
	MaxOffers          = 3
	maxAgendaItems     = 15
)

// StaffActions says which decisions the host's staff may take now.
type StaffActions struct {
	Approve  bool // schedule into a session, with room and escorts
	Offer    bool // counter-offer one to three other sessions
	Revision bool // ask the delegation to correct the request
	Decline  bool
	Change   bool // reschedule or change an approved visit
	Cancel   bool // cancel an approved visit
	Complete bool // mark an approved visit as held
}

// Any reports whether some decision is possible.
func (a StaffActions) Any() bool {
	return a.Approve || a.Offer || a.Revision || a.Decline || a.Change || a.Cancel || a.Complete
}

// StaffActions computes the allowed decisions from the status and time.
func (v *Visit) StaffActions(now time.Time) StaffActions {
	switch v.Status {
	case StatusSubmitted:
		return StaffActions{Approve: true, Offer: true, Revision: true, Decline: true}
	case StatusOffered:
		// The host may still settle it directly (e.g. agreed by phone).
		return StaffActions{Approve: true, Offer: true, Decline: true}
	case StatusRevision:
		return StaffActions{Decline: true}
	case StatusApproved:
		started := !now.Before(v.Start)
		return StaffActions{Change: !started, Cancel: !started, Complete: started}
	}
	return StaffActions{}
}

// Decision is what every staff decision needs besides its own input.
type Decision struct {
	Actor    string // the staff member's name, for the history
	Settings HostSettings
	Calendar *HolidayCalendar
	// Escorts that may be assigned (active, with the escort role, not on
	// leave that day): id → name. The handler builds it.
	Escorts  map[bson.ObjectID]string
	Now      time.Time
	Location *time.Location
}

// Assignment is the schedule a coordinator gives a visit.
type Assignment struct {
	Date        string // DateKey
	SessionID   string
	StartClock  string // "09.00"; empty: the session's own times
	EndClock    string
	RoomID      string
	EscortIDs   []bson.ObjectID
	Receiver    string // the receiving official
	Agenda      []string
	ReplyNumber string // number of the reply letter
	Message     string // optional note to the delegation
}

// AssignmentOf is the current schedule of a visit, to prefill the form.
func (v *Visit) AssignmentOf(loc *time.Location) Assignment {
	a := Assignment{SessionID: v.SessionID, RoomID: v.RoomID, EscortIDs: v.EscortIDs, Receiver: v.Receiver,
		Agenda: v.Agenda, ReplyNumber: v.ReplyNumber}
	if !v.Start.IsZero() {
		a.Date = DateKey(v.Start.In(loc))
		a.StartClock, a.EndClock = v.Start.In(loc).Format("15.04"), v.End.In(loc).Format("15.04")
	}
	return a
}

// staffDay checks that the office receives visits on a session: not in the
// past, not on a closed day. Unlike delegations, staff may book inside the
// minimum notice and beyond the horizon, and capacity is the ledger's job.
func (d Decision) staffDay(ve *ValidationError, field, date, sessionID string, participants int) (time.Time, VisitSession, bool) {
	day, err := ParseDateKey(date, d.Location)
	switch {
	case date == "":
		ve.Add(field, "err.slot_required")
		return time.Time{}, VisitSession{}, false
	case err != nil:
		ve.Add(field, "err.date")
		return time.Time{}, VisitSession{}, false
	case sessionID == "":
		ve.Add(field, "err.session_required")
		return time.Time{}, VisitSession{}, false
	}
	rules := d.Settings
	rules.MinNoticeDays, rules.HorizonDays = 0, 1<<20
	av := Availability{Settings: rules, Calendar: d.Calendar, Now: d.Now, Location: d.Location}
	if r, _ := av.Check(day, sessionID, participants); r != "" {
		ve.Add(field, r)
		return time.Time{}, VisitSession{}, false
	}
	sess, _ := d.Settings.SessionByID(day, sessionID)
	return day, sess, true
}

// parseClock reads "09.00" or "09:00" on day.
func parseClock(day time.Time, clock string, loc *time.Location) (time.Time, bool) {
	clock = strings.ReplaceAll(strings.TrimSpace(clock), ":", ".")
	t, err := time.Parse("15.04", clock)
	if err != nil {
		return time.Time{}, false
	}
	y, m, dd := day.Date()
	return time.Date(y, m, dd, t.Hour(), t.Minute(), 0, 0, loc), true
}

// requiredTextProblem checks a required free text of at most max runes.
func requiredTextProblem(s string, max int) string {
	switch n := utf8.RuneCountInString(strings.TrimSpace(s)); {
	case n == 0:
		return "err.required"
	case n > max:
		return "err.too_long"
	}
	return ""
}

// schedule validates an assignment and applies it to v.
func (v *Visit) schedule(a Assignment, d Decision) error {
	ve := &ValidationError{}
	day, sess, ok := d.staffDay(ve, "slot", a.Date, a.SessionID, v.Participants)
	var start, end time.Time
	if ok {
		start, end = sess.On(day, d.Location)
		if a.StartClock != "" || a.EndClock != "" {
			s, okS := parseClock(day, a.StartClock, d.Location)
			e, okE := parseClock(day, a.EndClock, d.Location)
			switch {
			case !okS:
				ve.Add("start", "err.clock")
			case !okE:
				ve.Add("end", "err.clock")
			case !e.After(s):
				ve.Add("end", "decision.end_before_start")
			case s.Hour() < 6 || e.After(time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, d.Location)):
				ve.Add("start", "decision.outside_hours")
			default:
				start, end = s, e
			}
		}
	}
	room, found := d.Settings.RoomByID(a.RoomID)
	switch {
	case a.RoomID == "":
		ve.Add("room", "decision.room_required")
	case !found:
		ve.Add("room", "err.choice")
	case room.Capacity < v.Participants:
		ve.Add("room", "decision.room_small")
	}
	seen := map[bson.ObjectID]bool{}
	var ids []bson.ObjectID
	var names []string
	switch {
	case len(a.EscortIDs) == 0:
		ve.Add("escorts", "decision.escort_required")
	case len(a.EscortIDs) > MaxEscortsPerVisit:
		ve.Add("escorts", "decision.escort_too_many")
	}
	for _, id := range a.EscortIDs {
		name, ok := d.Escorts[id]
		if !ok {
			ve.Add("escorts", "decision.escort_unavailable")
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids, names = append(ids, id), append(names, name)
		}
	}
	if msg := requiredTextProblem(a.Receiver, 200); msg != "" {
		ve.Add("receiver", msg)
	}
	var agenda []string
	for _, item := range a.Agenda {
		if item = strings.TrimSpace(item); item != "" {
			agenda = append(agenda, item)
			if utf8.RuneCountInString(item) > 200 {
				ve.Add("agenda", "err.too_long")
			}
		}
	}
	switch {
	case len(agenda) == 0:
		ve.Add("agenda", "err.required")
	case len(agenda) > maxAgendaItems:
		ve.Add("agenda", "decision.agenda_too_long")
	}
	if utf8.RuneCountInString(a.ReplyNumber) > 100 {
		ve.Add("reply_number", "err.too_long")
	}
	if utf8.RuneCountInString(a.Message) > 2000 {
		ve.Add("message", "err.too_long")
	}
	if err := ve.Err(); err != nil {
		return err
	}
	v.SessionID, v.Start, v.End = sess.ID, start.UTC(), end.UTC()
	v.RoomID, v.Room = room.ID, room.Name
	v.EscortIDs, v.Escorts = ids, names
	v.Receiver = strings.TrimSpace(a.Receiver)
	v.Agenda = agenda
	v.ReplyNumber = strings.TrimSpace(a.ReplyNumber)
	v.Offers = nil
	return nil
}

// Approve schedules a request into a session with a room and escorts.
func (v *Visit) Approve(a Assignment, d Decision) error {
	if !v.StaffActions(d.Now).Approve {
		return ErrNotAllowed
	}
	if err := v.schedule(a, d); err != nil {
		return err
	}
	v.Status = StatusApproved
	v.nextInvitation()
	v.StaffNote = strings.TrimSpace(a.Message)
	v.record(d.Actor, string(StatusApproved), d.describe(v), d.Now)
	return nil
}

// ChangeSchedule reschedules an approved visit or changes its room,
// escorts, receiver or agenda.
func (v *Visit) ChangeSchedule(a Assignment, d Decision) error {
	if !v.StaffActions(d.Now).Change {
		return ErrNotAllowed
	}
	oldStart, oldEnd := v.Start, v.End
	if err := v.schedule(a, d); err != nil {
		return err
	}
	v.nextInvitation()
	action := ActionChanged
	if !v.Start.Equal(oldStart) || !v.End.Equal(oldEnd) {
		action = ActionRescheduled
	}
	v.StaffNote = strings.TrimSpace(a.Message)
	v.record(d.Actor, action, d.describe(v), d.Now)
	return nil
}

// describe is the history note of a schedule: when, where, who.
func (d Decision) describe(v *Visit) string {
	start, end := v.Start.In(d.Location), v.End.In(d.Location)
	return FormatDate(start, LangID) + ", " + start.Format("15.04") + "–" + end.Format("15.04") + " " + IndonesianZone(start) +
		"; " + v.Room + "; " + strings.Join(v.Escorts, ", ")
}

// Decline turns a request down with a reason the delegation reads.
func (v *Visit) Decline(reason string, d Decision) error {
	return v.closeWith(StatusDeclined, v.StaffActions(d.Now).Decline, reason, d)
}

// AskRevision sends the request back to the delegation with what to fix.
func (v *Visit) AskRevision(reason string, d Decision) error {
	return v.closeWith(StatusRevision, v.StaffActions(d.Now).Revision, reason, d)
}

// CancelByHost cancels an approved visit with a reason.
func (v *Visit) CancelByHost(reason string, d Decision) error {
	return v.closeWith(StatusCancelled, v.StaffActions(d.Now).Cancel, reason, d)
}

func (v *Visit) closeWith(status VisitStatus, allowed bool, reason string, d Decision) error {
	if !allowed {
		return ErrNotAllowed
	}
	if msg := reasonProblem(reason); msg != "" {
		return fieldError("reason", msg)
	}
	if status == StatusCancelled && v.Invited {
		v.nextInvitation() // the CANCEL outranks the last REQUEST
	}
	v.Status = status
	v.Offers = nil
	v.StaffNote = strings.TrimSpace(reason)
	v.record(d.Actor, string(status), v.StaffNote, d.Now)
	return nil
}

// Complete marks an approved visit as held, once it has begun.
func (v *Visit) Complete(note string, d Decision) error {
	if !v.StaffActions(d.Now).Complete {
		return ErrNotAllowed
	}
	if utf8.RuneCountInString(note) > 2000 {
		return fieldError("note", "err.too_long")
	}
	v.Status = StatusCompleted
	v.record(d.Actor, string(StatusCompleted), strings.TrimSpace(note), d.Now)
	return nil
}

// OfferSlots proposes one to three other sessions, each held for the
// delegation for OfferHoldDays (and never past the session itself).
func (v *Visit) OfferSlots(slots []RequestedSlot, message string, d Decision) error {
	if !v.StaffActions(d.Now).Offer {
		return ErrNotAllowed
	}
	ve := &ValidationError{}
	var offers []OfferedSlot
	seen := map[string]bool{}
	for i, s := range slots {
		if s.Date == "" && s.SessionID == "" {
			continue
		}
		field := "offer" + string(rune('1'+i))
		day, sess, ok := d.staffDay(ve, field, s.Date, s.SessionID, v.Participants)
		if !ok {
			continue
		}
		if seen[s.Date+s.SessionID] {
			ve.Add(field, "decision.offer_twice")
			continue
		}
		seen[s.Date+s.SessionID] = true
		start, _ := sess.On(day, d.Location)
		if !start.After(d.Now) {
			ve.Add(field, ReasonPast)
			continue
		}
		expires := d.Now.AddDate(0, 0, max(1, d.Settings.OfferHoldDays))
		if expires.After(start) {
			expires = start
		}
		offers = append(offers, OfferedSlot{Date: s.Date, SessionID: s.SessionID, ExpiresAt: expires.UTC()})
	}
	if len(offers) == 0 && len(ve.Fields) == 0 {
		ve.Add("offer1", "decision.offer_required")
	}
	if len(offers) > MaxOffers {
		ve.Add("offer1", "decision.offer_too_many")
	}
	if utf8.RuneCountInString(message) > 2000 {
		ve.Add("message", "err.too_long")
	}
	if err := ve.Err(); err != nil {
		return err
	}
	v.Status = StatusOffered
	v.Offers = offers
	v.StaffNote = strings.TrimSpace(message)
	notes := make([]string, len(offers))
	for i, o := range offers {
		notes[i] = o.Date + " " + o.SessionID
	}
	v.record(d.Actor, string(StatusOffered), strings.Join(notes, "; "), d.Now)
	return nil
}

// nextInvitation moves the invitation series on: the first invitation has
// SEQUENCE 0, every later change or cancellation one more.
func (v *Visit) nextInvitation() {
	if v.Invited {
		v.InviteSeq++
		return
	}
	v.Invited, v.InviteSeq = true, 0
}
