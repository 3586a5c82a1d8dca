package models

import (
	"context"
	"regexp"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
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

// inboxQuery turns a filter into a FerretDB-safe query.
func (f InboxFilter) query(loc *time.Location) bson.D {
	q := bson.D{}
	if f.Status != "" {
		q = append(q, bson.E{Key: "status", Value: string(f.Status)})
	}
	start := bson.D{}
	if d, err := ParseDateKey(f.From, loc); err == nil {
		start = append(start, bson.E{Key: "$gte", Value: d.UTC()})
	}
	if d, err := ParseDateKey(f.To, loc); err == nil {
		start = append(start, bson.E{Key: "$lt", Value: d.AddDate(0, 0, 1).UTC()})
	}
	if len(start) > 0 {
		q = append(q, bson.E{Key: "start", Value: start})
	}
	if f.Province != "" {
		q = append(q, bson.E{Key: "province_code", Value: f.Province})
	}
	if f.Type != "" {
		q = append(q, bson.E{Key: "institution_type", Value: string(f.Type)})
	}
	if f.Topic != "" {
		q = append(q, bson.E{Key: "topics", Value: f.Topic})
	}
	if text := strings.TrimSpace(f.Query); text != "" {
		// The search text is matched literally, case-insensitively.
		re := bson.D{{Key: "$regex", Value: regexp.QuoteMeta(text)}, {Key: "$options", Value: "i"}}
		or := bson.A{}
		for _, field := range []string{"institution_name", "code", "contact.name", "contact.email", "region"} {
			or = append(or, bson.D{{Key: field, Value: re}})
		}
		if phone, ok := NormalizePhone(text); ok {
			or = append(or, bson.D{{Key: "contact.phone", Value: phone}})
		}
		q = append(q, bson.E{Key: "$or", Value: or})
	}
	return q
}

// Inbox lists requests matching f, one page, with the total count. New
// requests waiting for an answer come oldest first (first come, first
// served); other lists newest first.
func (s *Store) Inbox(ctx context.Context, f InboxFilter, loc *time.Location) ([]Visit, int64, error) {
	q := f.query(loc)
	col := s.db.Collection(colVisits)
	total, err := col.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	order := -1
	if f.Status == StatusSubmitted {
		order = 1
	}
	cur, err := col.Find(ctx, q, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: order}}).
		SetSkip(int64(max(0, f.Page))*InboxPageSize).SetLimit(InboxPageSize).
		SetProjection(bson.D{{Key: "roster", Value: 0}}))
	if err != nil {
		return nil, 0, err
	}
	var out []Visit
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// UpcomingVisits lists approved visits from now on, soonest first; with an
// escort given, only theirs.
func (s *Store) UpcomingVisits(ctx context.Context, now time.Time, escort bson.ObjectID, limit int64) ([]Visit, error) {
	q := bson.D{{Key: "status", Value: string(StatusApproved)}, {Key: "start", Value: bson.D{{Key: "$gte", Value: now.UTC()}}}}
	if !escort.IsZero() {
		q = append(q, bson.E{Key: "escort_ids", Value: escort})
	}
	cur, err := s.db.Collection(colVisits).Find(ctx, q, options.Find().
		SetSort(bson.D{{Key: "start", Value: 1}}).SetLimit(limit).
		SetProjection(bson.D{{Key: "history", Value: 0}, {Key: "roster", Value: 0}}))
	if err != nil {
		return nil, err
	}
	var out []Visit
	err = cur.All(ctx, &out)
	return out, err
}

// ApprovedStartingBetween lists approved visits starting in [from, to),
// for the reminder job.
func (s *Store) ApprovedStartingBetween(ctx context.Context, from, to time.Time) ([]Visit, error) {
	cur, err := s.db.Collection(colVisits).Find(ctx, bson.D{
		{Key: "status", Value: string(StatusApproved)},
		{Key: "start", Value: bson.D{{Key: "$gte", Value: from.UTC()}, {Key: "$lt", Value: to.UTC()}}},
	}, options.Find().SetProjection(bson.D{{Key: "history", Value: 0}}))
	if err != nil {
		return nil, err
	}
	var out []Visit
	err = cur.All(ctx, &out)
	return out, err
}
