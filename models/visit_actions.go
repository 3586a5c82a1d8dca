package models

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// OfferedSlot is a session the host proposes instead of the requested ones
// (a counter-offer). The staff issue creates offers and holds their slots.
type OfferedSlot struct {
	Date      string    `bson:"date"`
	SessionID string    `bson:"session_id"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// History actions that are not statuses.
const (
	ActionRosterUpdated      = "peserta_diperbarui"
	ActionRescheduleAsked    = "minta_jadwal_ulang"
	ActionRevised            = "diperbaiki"
	ActionOfferChosen        = "jadwal_dipilih"
	ActionCancelledByVisitor = "dibatalkan_pemohon"
)

// DelegationActions says what the delegation may do through its link now.
type DelegationActions struct {
	Cancel     bool // cancel with a reason
	Reschedule bool // ask the host for another date
	Roster     bool // replace the roster (until the roster deadline)
	Revise     bool // correct the request when staff asked for it
	Choose     bool // pick one of the host's offered sessions
	RosterDue  time.Time
}

// open reports whether the request or visit is still alive.
func (v *Visit) open() bool {
	switch v.Status {
	case StatusSubmitted, StatusRevision, StatusOffered, StatusApproved:
		return true
	}
	return false
}

// RosterDeadline is the last moment the roster may change: RosterDeadlineDays
// working days before the visit day, at the end of that day.
func (v *Visit) RosterDeadline(s HostSettings, cal *HolidayCalendar, loc *time.Location) time.Time {
	day := v.Start.In(loc)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	// Walk back day by day until enough working days lie between.
	d := day
	for cal.WorkingDaysBetween(d, day) < s.RosterDeadlineDays {
		d = d.AddDate(0, 0, -1)
	}
	return d.Add(24*time.Hour - time.Second)
}

// Actions computes the allowed actions at now.
func (v *Visit) Actions(s HostSettings, cal *HolidayCalendar, now time.Time, loc *time.Location) DelegationActions {
	a := DelegationActions{RosterDue: v.RosterDeadline(s, cal, loc)}
	if !v.open() || !now.Before(v.Start) {
		return a
	}
	a.Cancel = true
	a.Reschedule = v.Status == StatusApproved || v.Status == StatusSubmitted
	a.Roster = now.Before(a.RosterDue)
	a.Revise = v.Status == StatusRevision
	a.Choose = v.Status == StatusOffered && len(v.liveOffers(now)) > 0
	return a
}

// liveOffers are the offers that have not expired.
func (v *Visit) liveOffers(now time.Time) []OfferedSlot {
	var out []OfferedSlot
	for _, o := range v.Offers {
		if now.Before(o.ExpiresAt) {
			out = append(out, o)
		}
	}
	return out
}

// reasonProblem checks a free-text reason the delegation gives.
func reasonProblem(reason string) string {
	switch n := utf8.RuneCountInString(strings.TrimSpace(reason)); {
	case n == 0:
		return "err.required"
	case n < 5:
		return "err.too_short"
	case n > 1000:
		return "err.too_long"
	}
	return ""
}

// record appends a history event and touches the visit.
func (v *Visit) record(actor, action, note string, now time.Time) {
	v.History = append(v.History, Event{At: now.UTC(), Actor: actor, Action: action, Note: note})
	v.UpdatedAt = now.UTC()
}

// CancelByDelegation cancels with the delegation's reason.
func (v *Visit) CancelByDelegation(reason string, a DelegationActions, now time.Time) error {
	if !a.Cancel {
		return ErrForbidden
	}
	if msg := reasonProblem(reason); msg != "" {
		return fieldError("cancel_reason", msg)
	}
	if v.Invited {
		v.nextInvitation() // the CANCEL outranks the last REQUEST
	}
	v.Status = StatusCancelled
	v.record(v.Contact.Name, string(StatusCancelled), strings.TrimSpace(reason), now)
	return nil
}

// AskReschedule records the delegation's wish for another session; the
// host decides (the staff issue), so the status does not change.
func (v *Visit) AskReschedule(slot RequestedSlot, reason string, av Availability, a DelegationActions, now time.Time) error {
	if !a.Reschedule {
		return ErrForbidden
	}
	ve := &ValidationError{}
	if msg := reasonProblem(reason); msg != "" {
		ve.Add("reason", msg)
	}
	day, err := ParseDateKey(slot.Date, av.Location)
	switch {
	case slot.Date == "":
		ve.Add("slot", "err.slot_required")
	case err != nil:
		ve.Add("slot", "err.date")
	case slot.SessionID == "":
		ve.Add("slot", "err.session_required")
	default:
		if r, _ := av.Check(day, slot.SessionID, v.Participants); r != "" {
			ve.Add("slot", r)
		}
	}
	if err := ve.Err(); err != nil {
		return err
	}
	v.record(v.Contact.Name, ActionRescheduleAsked, slot.Date+" "+slot.SessionID+": "+strings.TrimSpace(reason), now)
	return nil
}

// ReplaceRoster sets a new roster before the deadline.
func (v *Visit) ReplaceRoster(entries []RosterEntry, a DelegationActions, now time.Time) error {
	if !a.Roster {
		return ErrForbidden
	}
	if len(entries) > v.Participants {
		return fieldError("roster", "roster.more_than_participants")
	}
	v.Roster = entries
	v.record(v.Contact.Name, ActionRosterUpdated, "", now)
	return nil
}

// ChooseOffer accepts one of the host's offered sessions: the visit is then
// scheduled there (the host held it for the delegation).
func (v *Visit) ChooseOffer(i int, s HostSettings, a DelegationActions, now time.Time, loc *time.Location) error {
	if !a.Choose || i < 0 || i >= len(v.Offers) || !now.Before(v.Offers[i].ExpiresAt) {
		return ErrForbidden
	}
	o := v.Offers[i]
	day, err := ParseDateKey(o.Date, loc)
	if err != nil {
		return err
	}
	sess, ok := s.SessionByID(day, o.SessionID)
	if !ok {
		return ErrConflict
	}
	start, end := sess.On(day, loc)
	v.SessionID, v.Start, v.End = sess.ID, start.UTC(), end.UTC()
	v.Status = StatusApproved
	v.nextInvitation()
	v.Offers = nil
	v.record(v.Contact.Name, ActionOfferChosen, o.Date+" "+o.SessionID, now)
	return nil
}

// Revise replaces the request's details with a corrected, validated input
// (when staff asked for a revision) and sends it back to review.
func (v *Visit) Revise(in *RequestInput, r RequestRules, a DelegationActions, now time.Time) error {
	if !a.Revise {
		return ErrForbidden
	}
	fresh := NewRequest(in, r, v.SubmissionKey, "", now)
	v.InstitutionName, v.InstitutionType = fresh.InstitutionName, fresh.InstitutionType
	v.ProvinceCode, v.RegencyCode, v.Region = fresh.ProvinceCode, fresh.RegencyCode, fresh.Region
	v.Leader, v.Contact, v.Participants = fresh.Leader, fresh.Contact, fresh.Participants
	v.Topics, v.TopicsOther, v.Protocol = fresh.Topics, fresh.TopicsOther, fresh.Protocol
	v.Requested, v.SessionID, v.Start, v.End = fresh.Requested, fresh.SessionID, fresh.Start, fresh.End
	v.Letter.Number, v.Letter.Date = fresh.Letter.Number, fresh.Letter.Date
	v.Notes = fresh.Notes
	if in.Roster != nil {
		v.Roster = in.Roster
	}
	v.Status = StatusSubmitted
	v.record(v.Contact.Name, ActionRevised, "", now)
	return nil
}

func fieldError(field, msg string) error {
	v := &ValidationError{}
	v.Add(field, msg)
	return v
}

// SaveVisit writes a changed visit, provided nobody changed it since it was
// read (v.Version). On success v.Version is the new version.
func (s *Store) SaveVisit(ctx context.Context, v *Visit, now time.Time) error {
	raw, err := bson.Marshal(v)
	if err != nil {
		return err
	}
	var doc bson.D
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return err
	}
	set := make(bson.D, 0, len(doc))
	for _, e := range doc {
		if e.Key != "_id" && e.Key != "version" {
			set = append(set, e)
		}
	}
	if err := s.updateVersioned(ctx, colVisits, v.ID, v.Version, set, now); err != nil {
		if !errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) {
			// The save may have landed although its answer was lost: log
			// the visit as changed, so that every view (this one too)
			// reads it back from the store.
			_ = s.noteChange(context.WithoutCancel(ctx), colVisits, v.ID, notApplied, now)
		}
		return err
	}
	v.Version++
	s.visitSaved(ctx, v, now)
	return nil
}
