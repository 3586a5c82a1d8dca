package models

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// OverdueAfterDays: a request waiting this many working days for the
// host's answer is flagged in the inbox (the service standard of most MPPs
// answers letters within five working days).
const OverdueAfterDays = 5

// WaitingSince is when the request last came to the host for an answer:
// its submission, or the delegation's latest revision.
func (v *Visit) WaitingSince() time.Time {
	since := v.CreatedAt
	for _, e := range v.History {
		if e.Action == ActionRevised && e.At.After(since) {
			since = e.At
		}
	}
	return since
}

// Overdue reports whether a submitted request has waited too long.
func (v *Visit) Overdue(cal *HolidayCalendar, now time.Time, loc *time.Location) bool {
	if v.Status != StatusSubmitted {
		return false
	}
	return cal.WorkingDaysBetween(v.WaitingSince().In(loc), now.In(loc)) >= OverdueAfterDays
}

// InboxFilter narrows the staff inbox. Empty fields do not filter.
type InboxFilter struct {
	Status   VisitStatus
	From, To string // DateKeys of the visit date (inclusive)
	Province string
	Type     InstitutionType
	Topic    string
	Query    string // institution, code, contact name, e-mail or phone
	Page     int    // 0-based
}

// InboxPageSize is how many requests one inbox page lists.
const InboxPageSize = 50

// matcher turns a filter into a test on a visit. Dates are civil dates in
// loc; the search text is matched literally and case-insensitively in the
// institution, code, contact name and e-mail and region, and as a phone
// number against the contact's.
func (f InboxFilter) matcher(loc *time.Location) func(*Visit) bool {
	var from, to time.Time
	if d, err := ParseDateKey(f.From, loc); err == nil {
		from = d
	}
	if d, err := ParseDateKey(f.To, loc); err == nil {
		to = d.AddDate(0, 0, 1)
	}
	text := strings.ToLower(strings.TrimSpace(f.Query))
	phone, isPhone := NormalizePhone(text)
	return func(v *Visit) bool {
		switch {
		case f.Status != "" && v.Status != f.Status,
			!from.IsZero() && v.Start.Before(from),
			!to.IsZero() && !v.Start.Before(to),
			f.Province != "" && v.ProvinceCode != f.Province,
			f.Type != "" && v.InstitutionType != f.Type,
			f.Topic != "" && !slices.Contains(v.Topics, f.Topic):
			return false
		case text == "":
			return true
		}
		for _, field := range []string{v.InstitutionName, v.Code, v.Contact.Name, v.Contact.Email, v.Region} {
			if strings.Contains(strings.ToLower(field), text) {
				return true
			}
		}
		return isPhone && v.Contact.Phone == phone
	}
}

// Inbox lists requests matching f, one page, with the total count. New
// requests waiting for an answer come oldest first (first come, first
// served); other lists newest first.
func (s *Store) Inbox(ctx context.Context, f InboxFilter, loc *time.Location) ([]Visit, int64, error) {
	oldestFirst := f.Status == StatusSubmitted
	out, total, err := s.visitsSorted(ctx, f.matcher(loc), func(a, b *Visit) int {
		c := cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
		if !oldestFirst {
			c = -c
		}
		return c
	}, max(0, f.Page)*InboxPageSize, InboxPageSize)
	return out, int64(total), err
}

// page returns page n (0-based) of size items.
func page[T any](items []T, n, size int) []T {
	start := min(len(items), max(0, n)*size)
	return items[start:min(len(items), start+size)]
}

// UpcomingVisits lists approved visits from now on, soonest first; with an
// escort given, only theirs.
func (s *Store) UpcomingVisits(ctx context.Context, now time.Time, escort bson.ObjectID, limit int64) ([]Visit, error) {
	out, _, err := s.visitsSorted(ctx, func(v *Visit) bool {
		return v.Status == StatusApproved && !v.Start.Before(now) &&
			(escort.IsZero() || slices.Contains(v.EscortIDs, escort))
	}, byStart, 0, int(max(0, limit)))
	return out, err
}

// ApprovedStartingBetween lists approved visits starting in [from, to),
// for the reminder job: whole documents (the roster deadline reminder
// counts the roster).
func (s *Store) ApprovedStartingBetween(ctx context.Context, from, to time.Time) ([]Visit, error) {
	listed, _, err := s.visitsSorted(ctx, func(v *Visit) bool {
		return v.Status == StatusApproved && !v.Start.Before(from) && v.Start.Before(to)
	}, byStart, 0, -1)
	if err != nil {
		return nil, err
	}
	out := make([]Visit, 0, len(listed))
	for _, l := range listed {
		v, err := s.visitDocFrom(ctx, s.view, l.ID) // the view was brought up to date just above
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// byStart orders visits by their session's start, then by ID.
func byStart(a, b *Visit) int { return cmp.Or(a.Start.Compare(b.Start), compareIDs(a.ID, b.ID)) }

// compareIDs orders ObjectIDs as MongoDB does (byte-wise: by time first).
func compareIDs(a, b bson.ObjectID) int { return bytes.Compare(a[:], b[:]) }
