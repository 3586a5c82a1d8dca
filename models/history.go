package models

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
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

// matcher builds on the inbox's (shared filters) and adds the history's own.
func (f HistoryFilter) matcher(loc *time.Location) func(*Visit) bool {
	inbox := f.InboxFilter.matcher(loc)
	return func(v *Visit) bool {
		return inbox(v) &&
			(f.Regency == "" || v.RegencyCode == f.Regency) &&
			(f.Escort.IsZero() || slices.Contains(v.EscortIDs, f.Escort))
	}
}

// compare is the order: the chosen column (names without regard to case),
// then the ID, so that pages never repeat or skip a visit between equal
// values.
func (f HistoryFilter) compare(a, b *Visit) int {
	var c int
	switch f.Sort {
	case HistoryByInstitution:
		c = cmp.Or(strings.Compare(strings.ToLower(a.InstitutionName), strings.ToLower(b.InstitutionName)),
			strings.Compare(a.InstitutionName, b.InstitutionName))
	case HistoryByParticipants:
		c = cmp.Compare(a.Participants, b.Participants)
	case HistoryByStatus:
		c = strings.Compare(string(a.Status), string(b.Status))
	default:
		c = a.Start.Compare(b.Start)
	}
	c = cmp.Or(c, compareIDs(a.ID, b.ID))
	if !f.Asc {
		c = -c
	}
	return c
}

// History lists the visits matching f, one page (f.Page, 0-based), with the
// total count.
func (s *Store) History(ctx context.Context, f HistoryFilter, loc *time.Location) ([]Visit, int64, error) {
	out, total, err := s.visitsSorted(ctx, f.matcher(loc), f.compare, max(0, f.Page)*HistoryPageSize, HistoryPageSize)
	return out, int64(total), err
}

// HistoryAll lists every visit matching f (ignoring f.Page) in its order,
// at most limit (HistoryExportLimit when limit ≤ 0), for exports.
func (s *Store) HistoryAll(ctx context.Context, f HistoryFilter, loc *time.Location, limit int) ([]Visit, error) {
	if limit <= 0 || limit > HistoryExportLimit {
		limit = HistoryExportLimit
	}
	out, _, err := s.visitsSorted(ctx, f.matcher(loc), f.compare, 0, limit)
	return out, err
}
