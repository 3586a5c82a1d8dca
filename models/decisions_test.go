package models_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// scheduling is a host with a few rooms and escorts, on Monday 2 March 2026.
type scheduling struct {
	t        *testing.T
	st       *models.Store
	loc      *time.Location
	settings models.HostSettings
	escorts  map[bson.ObjectID]string
	ids      []bson.ObjectID
	now      time.Time
}

func newScheduling(t *testing.T, st *models.Store, rooms int) *scheduling {
	loc := witaZone(t)
	s := &scheduling{t: t, st: st, loc: loc, settings: models.DefaultHostSettings(), escorts: map[bson.ObjectID]string{},
		now: time.Date(2026, 3, 2, 8, 0, 0, 0, loc)}
	s.settings.MaxDelegations = 2
	s.settings.Rooms = nil
	for i := 1; i <= rooms; i++ {
		s.settings.Rooms = append(s.settings.Rooms, models.Room{ID: fmt.Sprintf("r%d", i), Name: fmt.Sprintf("Ruang %d", i), Capacity: 60})
	}
	for i := 1; i <= 2*rooms; i++ {
		id := bson.NewObjectID()
		s.escorts[id] = fmt.Sprintf("Pendamping %d", i)
		s.ids = append(s.ids, id)
	}
	return s
}

func (s *scheduling) decision() models.Decision {
	cal := models.NewHolidayCalendar(append(models.NationalHolidays2025to2026(),
		models.BalineseHolidays(time.Date(2026, 1, 1, 0, 0, 0, 0, s.loc), time.Date(2026, 12, 31, 0, 0, 0, 0, s.loc))...))
	return models.Decision{Actor: "Ni Kadek Ayu", Settings: s.settings, Calendar: cal, Escorts: s.escorts, Now: s.now, Location: s.loc}
}

// pending stores a submitted request of n participants.
func (s *scheduling) pending(name string, n int) *models.Visit {
	s.t.Helper()
	v := &models.Visit{Code: "ST-2026-" + name, Status: models.StatusSubmitted, InstitutionName: "Pemerintah Kabupaten " + name,
		Participants: n, TrackingHash: "h-" + name, SubmissionKey: "k-" + name, CreatedAt: s.now.UTC(),
		Requested: []models.RequestedSlot{{Date: "2026-03-05", SessionID: "pagi"}}, SessionID: "pagi",
		Start: time.Date(2026, 3, 5, 9, 0, 0, 0, s.loc).UTC(), End: time.Date(2026, 3, 5, 12, 0, 0, 0, s.loc).UTC()}
	if err := s.st.InsertVisit(ctx(s.t), v); err != nil {
		s.t.Fatal(err)
	}
	return v
}

func assignment(date, session, room string, escorts ...bson.ObjectID) models.Assignment {
	return models.Assignment{Date: date, SessionID: session, RoomID: room, EscortIDs: escorts,
		Receiver: "Kepala DPMPTSP Kabupaten Badung", Agenda: []string{"Penyambutan", "Paparan"}}
}

// approve applies and stores an approval the way the handler does.
func (s *scheduling) approve(st *models.Store, v *models.Visit, a models.Assignment) error {
	before := *v
	if err := v.Approve(a, s.decision()); err != nil {
		return err
	}
	return st.UpdateVisit(ctx(s.t), &before, v, s.settings, s.loc, s.now)
}

// change applies a staff change to a fresh copy of the stored visit.
func (s *scheduling) update(v *models.Visit, decide func(*models.Visit) error) error {
	before := *v
	if err := decide(v); err != nil {
		return err
	}
	return s.st.UpdateVisit(ctx(s.t), &before, v, s.settings, s.loc, s.now)
}

// held lists the ledger's bookings and the room/escort reservations.
func (s *scheduling) held(st *models.Store) (map[bson.ObjectID]int, map[string]bson.ObjectID) {
	s.t.Helper()
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, s.loc)
	bookings, err := st.Bookings(ctx(s.t), from, from.AddDate(0, 2, 0), s.now)
	if err != nil {
		s.t.Fatal(err)
	}
	perVisit := map[bson.ObjectID]int{}
	for _, b := range bookings {
		perVisit[b.VisitID]++
	}
	keys, err := st.ReservationKeys(ctx(s.t))
	if err != nil {
		s.t.Fatal(err)
	}
	return perVisit, keys
}

// TestConcurrentApprovalsNeverOverbook: 50 coordinators approve 50
// different requests into one session at once. Capacity is two delegations;
// with one shared room and escort only one can have them. The stored
// reservations must then describe exactly the approved visits.
func TestConcurrentApprovalsNeverOverbook(t *testing.T) {
	cases := []struct {
		name       string
		sharedRoom bool
		twoClients bool
		want       int
	}{
		{"own rooms and escorts, capacity decides", false, false, 2},
		{"one room and escort set", true, false, 1},
		{"own rooms, two app instances", false, true, 2},
		{"one room, two app instances", true, true, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := server.Open(t)
			stores := []*models.Store{st}
			if tc.twoClients {
				other, err := models.Open(ctx(t), server.URI, st.DatabaseName())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = other.Close(t.Context()) })
				stores = append(stores, other)
			}
			s := newScheduling(t, st, 50)
			visits := make([]*models.Visit, 50)
			for i := range visits {
				visits[i] = s.pending(fmt.Sprintf("%04d", i), 20)
			}
			var wg sync.WaitGroup
			errs := make([]error, len(visits))
			for i, v := range visits {
				wg.Add(1)
				go func() {
					defer wg.Done()
					room, escorts := s.settings.Rooms[i].ID, []bson.ObjectID{s.ids[2*i], s.ids[2*i+1]}
					if tc.sharedRoom {
						room, escorts = "r1", []bson.ObjectID{s.ids[0], s.ids[1]}
					}
					errs[i] = s.approve(stores[i%len(stores)], v, assignment("2026-03-05", "pagi", room, escorts...))
				}()
			}
			wg.Wait()
			approved := map[bson.ObjectID]bool{}
			for i, err := range errs {
				switch {
				case err == nil:
					approved[visits[i].ID] = true
				case errors.Is(err, models.ErrSlotFull), errors.Is(err, models.ErrRoomTaken),
					errors.Is(err, models.ErrEscortBusy), errors.Is(err, models.ErrConflict):
				default:
					t.Errorf("visit %d: unexpected error %v", i, err)
				}
			}
			if len(approved) != tc.want {
				t.Fatalf("%d approvals succeeded, want exactly %d", len(approved), tc.want)
			}
			// What is stored agrees: approved visits in the store, their
			// session entries, and their room and escort reservations.
			stored := map[bson.ObjectID]bool{}
			for _, v := range visits {
				got, err := st.VisitByID(ctx(t), v.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status == models.StatusApproved {
					stored[v.ID] = true
				}
			}
			perVisit, keys := s.held(st)
			if fmt.Sprint(sortedIDs(stored)) != fmt.Sprint(sortedIDs(approved)) {
				t.Errorf("stored approvals %v, reported %v", sortedIDs(stored), sortedIDs(approved))
			}
			for id := range approved {
				if perVisit[id] != 1 {
					t.Errorf("approved visit %s has %d session entries", id.Hex(), perVisit[id])
				}
			}
			if len(perVisit) != len(approved) {
				t.Errorf("session ledger holds %d visits, %d approved", len(perVisit), len(approved))
			}
			if len(keys) != 3*len(approved) {
				t.Errorf("%d room/escort reservations for %d approved visits: %v", len(keys), len(approved), keys)
			}
			for k, id := range keys {
				if !approved[id] {
					t.Errorf("reservation %s belongs to a visit that was not approved", k)
				}
			}
		})
	}
}

func sortedIDs(m map[bson.ObjectID]bool) []string {
	var out []string
	for id := range m {
		out = append(out, id.Hex())
	}
	sort.Strings(out)
	return out
}

// TestCancellingAndMovingFreeTheReservations: what a visit gave up can be
// booked again at once.
func TestCancellingAndMovingFreeTheReservations(t *testing.T) {
	st := server.Open(t)
	s := newScheduling(t, st, 2)
	s.settings.MaxDelegations = 1
	a, b, c := s.pending("A", 30), s.pending("B", 30), s.pending("C", 30)
	if err := s.approve(st, a, assignment("2026-03-05", "pagi", "r1", s.ids[0], s.ids[1])); err != nil {
		t.Fatal(err)
	}
	// The session is full, the room and escorts taken.
	if err := s.approve(st, b, assignment("2026-03-05", "pagi", "r2", s.ids[2])); !errors.Is(err, models.ErrSlotFull) {
		t.Fatalf("second delegation in a full session: %v", err)
	}
	b, _ = st.VisitByID(ctx(t), b.ID)
	if err := s.approve(st, b, assignment("2026-03-05", "siang", "r1", s.ids[3])); err != nil {
		t.Fatalf("another session, same room: %v", err) // rooms are per session
	}
	if err := s.approve(st, c, assignment("2026-03-06", "pagi", "r2", s.ids[0])); err != nil {
		t.Fatalf("escort on another day: %v", err)
	}

	// Move A to Friday 6 March, keeping room r1: its Thursday session,
	// room and escorts are free again…
	a, _ = st.VisitByID(ctx(t), a.ID)
	err := s.update(a, func(v *models.Visit) error {
		return v.ChangeSchedule(assignment("2026-03-09", "pagi", "r1", s.ids[1]), s.decision())
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.History[len(a.History)-1].Action != models.ActionRescheduled {
		t.Errorf("history: %+v", a.History[len(a.History)-1])
	}
	d := s.pending("D", 30)
	if err := s.approve(st, d, assignment("2026-03-05", "pagi", "r1", s.ids[0])); err != nil {
		t.Fatalf("re-booking A's old session, room and escort: %v", err)
	}
	// …and cancelling A frees Monday 9 March as well.
	a, _ = st.VisitByID(ctx(t), a.ID)
	if err := s.update(a, func(v *models.Visit) error { return v.CancelByHost("Ruang dipakai acara Bupati.", s.decision()) }); err != nil {
		t.Fatal(err)
	}
	e := s.pending("E", 30)
	if err := s.approve(st, e, assignment("2026-03-09", "pagi", "r1", s.ids[1])); err != nil {
		t.Fatalf("re-booking a cancelled visit's session: %v", err)
	}
	_, keys := s.held(st)
	for k, id := range keys {
		if id == a.ID {
			t.Errorf("cancelled visit still holds %s", k)
		}
	}
}

// TestOffersHoldSessionsUntilChosenOrExpired: held sessions count against
// capacity; choosing one keeps it and frees the others.
func TestOffersHoldSessionsUntilChosenOrExpired(t *testing.T) {
	st := server.Open(t)
	s := newScheduling(t, st, 2)
	s.settings.MaxDelegations = 1
	a, b := s.pending("A", 25), s.pending("B", 25)
	offers := []models.RequestedSlot{{Date: "2026-03-10", SessionID: "pagi"}, {Date: "2026-03-11", SessionID: "siang"}}
	if err := s.update(a, func(v *models.Visit) error { return v.OfferSlots(offers, "", s.decision()) }); err != nil {
		t.Fatal(err)
	}
	if a.Status != models.StatusOffered || len(a.Offers) != 2 || !a.Offers[0].ExpiresAt.Equal(s.now.AddDate(0, 0, 5).UTC()) {
		t.Fatalf("offer: %s %+v", a.Status, a.Offers)
	}
	if err := s.approve(st, b, assignment("2026-03-11", "siang", "r1", s.ids[0])); !errors.Is(err, models.ErrSlotFull) {
		t.Fatalf("approving into a held session: %v", err)
	}
	// The delegation chooses the second offer.
	a, _ = st.VisitByID(ctx(t), a.ID)
	before := *a
	if err := a.ChooseOffer(1, s.settings, a.Actions(s.settings, s.decision().Calendar, s.now, s.loc), s.now, s.loc); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateVisit(ctx(t), &before, a, s.settings, s.loc, s.now); err != nil {
		t.Fatal(err)
	}
	b, _ = st.VisitByID(ctx(t), b.ID)
	if err := s.approve(st, b, assignment("2026-03-10", "pagi", "r1", s.ids[0])); err != nil {
		t.Fatalf("the offer not chosen still holds its session: %v", err)
	}
	c := s.pending("C", 25)
	if err := s.approve(st, c, assignment("2026-03-11", "siang", "r2", s.ids[1])); !errors.Is(err, models.ErrSlotFull) {
		t.Fatalf("the chosen session is not booked: %v", err)
	}
	// An offer that expires frees its session without anybody acting.
	d, e := s.pending("D", 25), s.pending("E", 25)
	if err := s.update(d, func(v *models.Visit) error {
		return v.OfferSlots([]models.RequestedSlot{{Date: "2026-03-12", SessionID: "pagi"}}, "", s.decision())
	}); err != nil {
		t.Fatal(err)
	}
	s.now = s.now.AddDate(0, 0, 6)
	if err := s.approve(st, e, assignment("2026-03-12", "pagi", "r1", s.ids[2])); err != nil {
		t.Fatalf("an expired hold still blocks: %v", err)
	}
}

// TestDecisionsFollowTheLifeCycle: each decision is allowed only in some
// states; elsewhere it is refused with ErrNotAllowed and changes nothing.
func TestDecisionsFollowTheLifeCycle(t *testing.T) {
	s := newScheduling(t, nil, 2)
	d := s.decision()
	visitStart := time.Date(2026, 3, 5, 9, 0, 0, 0, s.loc)
	decisions := map[string]func(*models.Visit) error{
		"approve": func(v *models.Visit) error { return v.Approve(assignment("2026-03-05", "pagi", "r1", s.ids[0]), d) },
		"offer": func(v *models.Visit) error {
			return v.OfferSlots([]models.RequestedSlot{{Date: "2026-03-05", SessionID: "pagi"}}, "", d)
		},
		"revision": func(v *models.Visit) error { return v.AskRevision("Surat belum ditandatangani.", d) },
		"decline":  func(v *models.Visit) error { return v.Decline("Jadwal pimpinan penuh.", d) },
		"change": func(v *models.Visit) error {
			return v.ChangeSchedule(assignment("2026-03-05", "siang", "r1", s.ids[0]), d)
		},
		"cancel":   func(v *models.Visit) error { return v.CancelByHost("Ada kegiatan mendadak.", d) },
		"complete": func(v *models.Visit) error { return v.Complete("", d) },
	}
	allowed := map[models.VisitStatus]string{
		models.StatusSubmitted: "approve offer revision decline",
		models.StatusOffered:   "approve offer decline",
		models.StatusRevision:  "decline",
		models.StatusApproved:  "change cancel", // before the visit; "complete" after it began
		models.StatusDeclined:  "",
		models.StatusCancelled: "",
		models.StatusCompleted: "",
	}
	for status, ok := range allowed {
		for name, decide := range decisions {
			v := &models.Visit{Status: status, Participants: 20, Start: visitStart.UTC(), End: visitStart.Add(3 * time.Hour).UTC(), SessionID: "pagi"}
			err := decide(v)
			want := strings.Contains(" "+ok+" ", " "+name+" ")
			if want && err != nil {
				t.Errorf("%s on %s: %v", name, status, err)
			}
			if !want && !errors.Is(err, models.ErrNotAllowed) {
				t.Errorf("%s on %s: got %v, want ErrNotAllowed", name, status, err)
			}
			if !want && (v.Status != status || len(v.History) != 0) {
				t.Errorf("refused %s on %s still changed the visit", name, status)
			}
		}
	}
	// After the visit began it can be completed, no longer changed.
	d.Now = visitStart.Add(time.Hour)
	v := &models.Visit{Status: models.StatusApproved, Participants: 20, Start: visitStart.UTC()}
	if err := v.ChangeSchedule(assignment("2026-03-06", "pagi", "r1", s.ids[0]), d); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("change after start: %v", err)
	}
	if err := v.Complete("Hadir 28 orang.", d); err != nil || v.Status != models.StatusCompleted {
		t.Errorf("complete after start: %v %s", err, v.Status)
	}
}

// TestApprovalInputIsChecked: each wrong field gets its own message.
func TestApprovalInputIsChecked(t *testing.T) {
	s := newScheduling(t, nil, 2)
	s.settings.Rooms[1].Capacity = 10
	d := s.decision()
	stranger := bson.NewObjectID()
	cases := []struct {
		name  string
		a     models.Assignment
		field string
		msg   string
	}{
		{"no date", assignment("", "pagi", "r1", s.ids[0]), "slot", "err.slot_required"},
		{"Saturday", assignment("2026-03-07", "pagi", "r1", s.ids[0]), "slot", models.ReasonWeekend},
		{"Nyepi", assignment("2026-03-19", "pagi", "r1", s.ids[0]), "slot", models.ReasonHoliday},
		{"past", assignment("2026-02-27", "pagi", "r1", s.ids[0]), "slot", models.ReasonPast},
		{"Friday afternoon", assignment("2026-03-06", "siang", "r1", s.ids[0]), "slot", models.ReasonNoSession},
		{"no room", assignment("2026-03-05", "pagi", "", s.ids[0]), "room", "decision.room_required"},
		{"small room", assignment("2026-03-05", "pagi", "r2", s.ids[0]), "room", "decision.room_small"},
		{"no escort", assignment("2026-03-05", "pagi", "r1"), "escorts", "decision.escort_required"},
		{"escort on leave or unknown", assignment("2026-03-05", "pagi", "r1", stranger), "escorts", "decision.escort_unavailable"},
		{"end before start", func() models.Assignment {
			a := assignment("2026-03-05", "pagi", "r1", s.ids[0])
			a.StartClock, a.EndClock = "11.00", "10.00"
			return a
		}(), "end", "decision.end_before_start"},
		{"no receiver", func() models.Assignment {
			a := assignment("2026-03-05", "pagi", "r1", s.ids[0])
			a.Receiver = " "
			return a
		}(), "receiver", "err.required"},
		{"empty agenda", func() models.Assignment {
			a := assignment("2026-03-05", "pagi", "r1", s.ids[0])
			a.Agenda = []string{" ", ""}
			return a
		}(), "agenda", "err.required"},
	}
	for _, tc := range cases {
		v := &models.Visit{Status: models.StatusSubmitted, Participants: 20}
		err := v.Approve(tc.a, d)
		ve, ok := models.AsValidation(err)
		if !ok || ve.Fields[tc.field] != tc.msg {
			t.Errorf("%s: got %v, want %s=%s", tc.name, err, tc.field, tc.msg)
		}
		if v.Status != models.StatusSubmitted {
			t.Errorf("%s: an invalid approval changed the status", tc.name)
		}
	}
	// Custom times within the session's day are kept.
	a := assignment("2026-03-05", "pagi", "r1", s.ids[0], s.ids[0], s.ids[1])
	a.StartClock, a.EndClock = "09.30", "11:45"
	v := &models.Visit{Status: models.StatusSubmitted, Participants: 20}
	if err := v.Approve(a, d); err != nil {
		t.Fatal(err)
	}
	if got := v.Start.In(s.loc).Format("2006-01-02 15.04") + "–" + v.End.In(s.loc).Format("15.04"); got != "2026-03-05 09.30–11.45" {
		t.Errorf("times: %s", got)
	}
	if len(v.EscortIDs) != 2 || v.Room != "Ruang 1" {
		t.Errorf("escorts not de-duplicated or room name missing: %v %q", v.Escorts, v.Room)
	}
}

// TestSecondEditorGetsTheConflict: two coordinators change the same visit
// from the same version; the second is told, and its new room is not kept.
func TestSecondEditorGetsTheConflict(t *testing.T) {
	st := server.Open(t)
	s := newScheduling(t, st, 3)
	v := s.pending("A", 20)
	if err := s.approve(st, v, assignment("2026-03-05", "pagi", "r1", s.ids[0])); err != nil {
		t.Fatal(err)
	}
	first, _ := st.VisitByID(ctx(t), v.ID)
	second, _ := st.VisitByID(ctx(t), v.ID)
	if err := s.update(first, func(v *models.Visit) error {
		return v.ChangeSchedule(assignment("2026-03-05", "pagi", "r2", s.ids[0]), s.decision())
	}); err != nil {
		t.Fatal(err)
	}
	err := s.update(second, func(v *models.Visit) error {
		return v.ChangeSchedule(assignment("2026-03-05", "pagi", "r3", s.ids[1]), s.decision())
	})
	if !errors.Is(err, models.ErrConflict) {
		t.Fatalf("second save: %v, want ErrConflict", err)
	}
	stored, _ := st.VisitByID(ctx(t), v.ID)
	if stored.RoomID != "r2" {
		t.Errorf("stored room %q, want the first editor's r2", stored.RoomID)
	}
	_, keys := s.held(st)
	want := []string{"escort:" + s.ids[0].Hex() + ":2026-03-05/pagi", "room:r2:2026-03-05/pagi"}
	var got []string
	for k := range keys {
		got = append(got, k)
	}
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reservations %v, want %v", got, want)
	}
}

// TestReconcileRemovesWhatNoVisitNeeds: reservations left by a writer that
// stopped between saving the visit and freeing the old ones are removed.
func TestReconcileRemovesWhatNoVisitNeeds(t *testing.T) {
	st := server.Open(t)
	s := newScheduling(t, st, 2)
	s.settings.MaxDelegations = 1
	v := s.pending("A", 20)
	if err := s.approve(st, v, assignment("2026-03-05", "pagi", "r1", s.ids[0])); err != nil {
		t.Fatal(err)
	}
	// The visit is cancelled but the writer never freed anything.
	v.Status = models.StatusCancelled
	if err := st.SaveVisit(ctx(t), v, s.now); err != nil {
		t.Fatal(err)
	}
	// Young reservations are left alone: a writer may be in flight.
	if n, err := st.ReconcileReservations(ctx(t), s.loc, s.now.Add(time.Minute)); err != nil || n != 0 {
		t.Fatalf("reconcile of fresh reservations removed %d (%v)", n, err)
	}
	n, err := st.ReconcileReservations(ctx(t), s.loc, s.now.Add(3*time.Minute))
	if err != nil || n != 3 {
		t.Fatalf("reconcile removed %d (%v), want the session, room and escort", n, err)
	}
	w := s.pending("B", 20)
	if err := s.approve(st, w, assignment("2026-03-05", "pagi", "r1", s.ids[0])); err != nil {
		t.Fatalf("booking after reconcile: %v", err)
	}
}

// TestInvitationSequenceRisesOnEveryChange: approve → change → cancel is
// one invitation series with SEQUENCE 0, 1, 2.
func TestInvitationSequenceRisesOnEveryChange(t *testing.T) {
	s := newScheduling(t, nil, 2)
	d := s.decision()
	v := &models.Visit{Status: models.StatusSubmitted, Participants: 20}
	var seqs []int
	steps := []func() error{
		func() error { return v.Approve(assignment("2026-03-05", "pagi", "r1", s.ids[0]), d) },
		func() error { return v.ChangeSchedule(assignment("2026-03-06", "pagi", "r1", s.ids[0]), d) },
		func() error { return v.CancelByHost("Kantor ditutup untuk rapat paripurna.", d) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
		if !v.Invited {
			t.Fatal("not marked as invited")
		}
		seqs = append(seqs, v.InviteSeq)
	}
	if fmt.Sprint(seqs) != "[0 1 2]" {
		t.Errorf("sequences %v, want [0 1 2]", seqs)
	}
	// A request declined before any invitation keeps no series.
	w := &models.Visit{Status: models.StatusSubmitted, Participants: 20}
	if err := w.Decline("Jadwal pimpinan penuh.", d); err != nil || w.Invited {
		t.Errorf("declined request: %v invited=%v", err, w.Invited)
	}
}
