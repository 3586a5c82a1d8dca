package models

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestRankVisitsIsAPageOfTheSortedList compares every page the lists ask
// for with the plain way: filter, sort everything, cut the page.
func TestRankVisitsIsAPageOfTheSortedList(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	visits := map[bson.ObjectID]*Visit{}
	for range 3000 {
		v := &Visit{ID: bson.NewObjectID(), Status: []VisitStatus{StatusSubmitted, StatusApproved, StatusCompleted}[rng.IntN(3)],
			// Few distinct times, so that the ID decides many ties.
			CreatedAt: base.Add(time.Duration(rng.IntN(200)) * time.Hour)}
		visits[v.ID] = v
	}
	keep := func(v *Visit) bool { return v.Status != StatusCompleted }
	newestFirst := func(a, b *Visit) int { return -cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID)) }
	var all []*Visit
	for _, v := range visits {
		if keep(v) {
			all = append(all, v)
		}
	}
	slices.SortFunc(all, newestFirst)
	for _, c := range []struct{ offset, limit int }{
		{0, 50}, {50, 50}, {0, 1}, {0, 0}, {1950, 50}, {0, 5000}, {900, 200}, {5000, 50}, {10, -1}, {-5, 3},
	} {
		got, total := rankVisits(visits, keep, newestFirst, c.offset, c.limit)
		if total != len(all) {
			t.Errorf("offset %d limit %d: total %d, want %d", c.offset, c.limit, total, len(all))
		}
		from := min(max(0, c.offset), len(all))
		to := len(all)
		if c.limit >= 0 {
			to = min(from+c.limit, len(all))
		}
		if !slices.Equal(got, all[from:to]) {
			t.Errorf("offset %d limit %d: %d visits, not the sorted list's [%d:%d]", c.offset, c.limit, len(got), from, to)
		}
	}
}

// TestViewKeepsItsStatusCounts: the counts per status the inbox tabs show
// follow every change of the view, including stale versions it ignores.
func TestViewKeepsItsStatusCounts(t *testing.T) {
	vw := newMemView()
	vw.loaded = true
	var visits []*Visit
	for i := range 30 {
		visits = append(visits, &Visit{ID: bson.NewObjectID(), Version: 1, Status: []VisitStatus{StatusSubmitted, StatusApproved}[i%2]})
	}
	vw.replaceVisitsLocked(visits)
	recount := func() map[VisitStatus]int {
		m := map[VisitStatus]int{}
		for _, v := range vw.visits {
			m[v.Status]++
		}
		return m
	}
	changed := *visits[0]
	changed.Version, changed.Status = 2, StatusDeclined
	vw.putVisit(&changed)
	stale := *visits[0]
	stale.Status = StatusCompleted // version 1: older than the view's
	vw.putVisit(&stale)
	vw.putVisit(&Visit{ID: bson.NewObjectID(), Version: 1, Status: StatusCompleted})
	for st, n := range recount() {
		if vw.byStatus[st] != n {
			t.Errorf("%s: kept %d, counted %d", st, vw.byStatus[st], n)
		}
	}
	if vw.byStatus[StatusDeclined] != 1 || vw.byStatus[StatusSubmitted] != 14 || vw.byStatus[StatusCompleted] != 1 {
		t.Errorf("counts %v", vw.byStatus)
	}
}
