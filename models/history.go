package models

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The visit history (riwayat): every request and visit, for leadership and
// coordinators to look back on, export and report. Read-only.

// HistorySort is a column the history may be sorted by.
type HistorySort string

// The sortable columns; the values appear in URLs.
const (
	HistoryByDate         HistorySort = "tanggal"
	HistoryByInstitution  HistorySort = "instansi"
	HistoryByParticipants HistorySort = "peserta"
	HistoryByStatus       HistorySort = "status"
)

// HistorySorts lists the sortable columns.
func HistorySorts() []HistorySort {
	return []HistorySort{HistoryByDate, HistoryByInstitution, HistoryByParticipants, HistoryByStatus}
}

// historySortField maps a sort column to its stored field.
var historySortField = map[HistorySort]string{
	HistoryByDate:         "start",
	HistoryByInstitution:  "institution_name",
	HistoryByParticipants: "participants",
	HistoryByStatus:       "status",
}

// HistoryFilter narrows the history. It has the inbox's filters (status,
// period, province, type, topic, search, page) and adds the regency and the
// escort, and a sort order. Empty fields do not filter.
type HistoryFilter struct {
	InboxFilter
	Regency string        // Kemendagri regency code, e.g. "74.02"
	Escort  bson.ObjectID // an escort's user ID
	Sort    HistorySort   // default: visit date
	Asc     bool          // default: descending (newest first)
}

// HistoryPageSize is how many visits one history page lists.
const HistoryPageSize = 50

// HistoryExportLimit bounds an export: far more than a host receives in
// years, small enough to build in memory.
const HistoryExportLimit = 50000

// query builds on the inbox's query (shared filters) and adds the
// history's own.
func (f HistoryFilter) query(loc *time.Location) bson.D {
	q := f.InboxFilter.query(loc)
	if f.Regency != "" {
		q = append(q, bson.E{Key: "regency_code", Value: f.Regency})
	}
	if !f.Escort.IsZero() {
		q = append(q, bson.E{Key: "escort_ids", Value: f.Escort})
	}
	return q
}

// sort is the order: the chosen column, then the ID so that pages never
// repeat or skip a visit between equal values.
func (f HistoryFilter) sort() bson.D {
	field, ok := historySortField[f.Sort]
	if !ok {
		field = "start"
	}
	order := -1
	if f.Asc {
		order = 1
	}
	return bson.D{{Key: field, Value: order}, {Key: "_id", Value: order}}
}

// historyProjection leaves out what lists never show: the roster and the
// history of events can be long.
var historyProjection = bson.D{{Key: "roster", Value: 0}, {Key: "history", Value: 0}}

// History lists the visits matching f, one page (f.Page, 0-based), with the
// total count.
func (s *Store) History(ctx context.Context, f HistoryFilter, loc *time.Location) ([]Visit, int64, error) {
	q := f.query(loc)
	col := s.db.Collection(colVisits)
	total, err := col.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	out, err := s.findHistory(ctx, q, options.Find().SetSort(f.sort()).
		SetSkip(int64(max(0, f.Page))*HistoryPageSize).SetLimit(HistoryPageSize).
		SetProjection(historyProjection))
	return out, total, err
}

// HistoryAll lists every visit matching f (ignoring f.Page) in its order,
// at most limit (HistoryExportLimit when limit ≤ 0), for exports.
func (s *Store) HistoryAll(ctx context.Context, f HistoryFilter, loc *time.Location, limit int) ([]Visit, error) {
	if limit <= 0 || limit > HistoryExportLimit {
		limit = HistoryExportLimit
	}
	return s.findHistory(ctx, f.query(loc), options.Find().SetSort(f.sort()).
		SetLimit(int64(limit)).SetProjection(historyProjection))
}

func (s *Store) findHistory(ctx context.Context, q bson.D, opts *options.FindOptionsBuilder) ([]Visit, error) {
	cur, err := s.db.Collection(colVisits).Find(ctx, q, opts)
	if err != nil {
		return nil, err
	}
	var out []Visit
	err = cur.All(ctx, &out)
	return out, err
}
