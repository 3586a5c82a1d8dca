package models_test

import (
	"testing"
	"time"

	"studitiru/models"
)

func TestDelegationActionsByStatusAndTime(t *testing.T) {
	loc := witaZone(t)
	a := availabilityAt(t, time.Date(2026, 6, 1, 9, 0, 0, 0, loc))
	// A visit on Thursday 9 July 2026, 09.00 WITA.
	start := time.Date(2026, 7, 9, 9, 0, 0, 0, loc)
	offer := []models.OfferedSlot{{Date: "2026-07-14", SessionID: "pagi", ExpiresAt: time.Date(2026, 6, 5, 0, 0, 0, 0, loc)}}
	early := time.Date(2026, 6, 2, 9, 0, 0, 0, loc)
	tests := []struct {
		name   string
		status models.VisitStatus
		now    time.Time
		want   models.DelegationActions
	}{
		{"submitted", models.StatusSubmitted, early, models.DelegationActions{Cancel: true, Reschedule: true, Roster: true}},
		{"revision asked", models.StatusRevision, early, models.DelegationActions{Cancel: true, Roster: true, Revise: true}},
		{"offered", models.StatusOffered, early, models.DelegationActions{Cancel: true, Roster: true, Choose: true}},
		{"offer expired", models.StatusOffered, time.Date(2026, 6, 6, 9, 0, 0, 0, loc), models.DelegationActions{Cancel: true, Roster: true}},
		{"approved", models.StatusApproved, early, models.DelegationActions{Cancel: true, Reschedule: true, Roster: true}},
		// Roster deadline: 2 working days before Thu 9 July is the end of Tue 7 July.
		{"approved, roster still open on 7 July", models.StatusApproved, time.Date(2026, 7, 7, 23, 0, 0, 0, loc), models.DelegationActions{Cancel: true, Reschedule: true, Roster: true}},
		{"approved, roster closed on 8 July", models.StatusApproved, time.Date(2026, 7, 8, 0, 0, 1, 0, loc), models.DelegationActions{Cancel: true, Reschedule: true}},
		{"after the visit began", models.StatusApproved, start, models.DelegationActions{}},
		{"declined", models.StatusDeclined, early, models.DelegationActions{}},
		{"cancelled", models.StatusCancelled, early, models.DelegationActions{}},
		{"completed", models.StatusCompleted, early, models.DelegationActions{}},
	}
	for _, tc := range tests {
		v := models.Visit{Status: tc.status, Start: start.UTC(), Offers: offer}
		got := v.Actions(a.Settings, a.Calendar, tc.now, loc)
		got.RosterDue = time.Time{}
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestCancelNeedsAReasonAndAnOpenVisit(t *testing.T) {
	now := time.Date(2026, 6, 2, 1, 0, 0, 0, time.UTC)
	v := models.Visit{Status: models.StatusSubmitted, Contact: models.Person{Name: "Dwi"}}
	allowed := models.DelegationActions{Cancel: true}
	if err := v.CancelByDelegation("  ", allowed, now); err == nil {
		t.Error("empty reason accepted")
	}
	if err := v.CancelByDelegation("Anggaran perjalanan belum cair.", models.DelegationActions{}, now); err != models.ErrForbidden {
		t.Errorf("cancel when not allowed: %v", err)
	}
	if err := v.CancelByDelegation("Anggaran perjalanan belum cair.", allowed, now); err != nil || v.Status != models.StatusCancelled {
		t.Fatalf("cancel: %v %s", err, v.Status)
	}
	if last := v.History[len(v.History)-1]; last.Note != "Anggaran perjalanan belum cair." || last.Actor != "Dwi" {
		t.Errorf("history: %+v", last)
	}
}
