package models_test

import (
	"testing"
	"time"

	"studitiru/models"
)

// TestVisitReadByIDIsCurrentOnEveryInstance: a visit read by _id again is
// served from the kept document only while it is the current version — a
// change made through another instance shows on the very next read — and
// what a caller does to its copy never reaches the next reader.
func TestVisitReadByIDIsCurrentOnEveryInstance(t *testing.T) {
	a := server.Open(t)
	b := secondStore(t, a)
	x := historyVisit("ST-2026-0001", "Pemerintah Kabupaten Konawe", models.StatusSubmitted, 2, 20, "74", "74.02")
	seedHistory(t, a, x)
	allHistory(t, a) // a's view is loaded: reads by _id may be kept

	for range 2 { // the second read is the kept one
		got, err := a.VisitByID(ctx(t), x.ID)
		if err != nil || got.Status != models.StatusSubmitted || len(got.Roster) != 1 {
			t.Fatalf("a reads x: %+v %v", got, err)
		}
		got.Roster = append(got.Roster, models.RosterEntry{Name: "Tambahan"}) // the caller's copy
		got.Status = models.StatusCancelled
	}

	onB, err := b.VisitByID(ctx(t), x.ID)
	if err != nil {
		t.Fatal(err)
	}
	onB.Status = models.StatusDeclined
	if err := b.SaveVisit(ctx(t), onB, time.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := a.VisitByID(ctx(t), x.ID)
	if err != nil || got.Status != models.StatusDeclined || got.Version != onB.Version || len(got.Roster) != 1 {
		t.Fatalf("a after b's change: status %s version %d roster %d (%v); want %s, %d, 1",
			got.Status, got.Version, len(got.Roster), err, models.StatusDeclined, onB.Version)
	}
}
