package models_test

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"studitiru/models"
)

// secondStore opens another Store (another app instance) on st's database.
func secondStore(t *testing.T, st *models.Store) *models.Store {
	t.Helper()
	other, err := models.Open(ctx(t), server.URI, st.DatabaseName())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close(ctx(t)) })
	return other
}

// allHistory lists every visit as code → version, through a store's view.
func allHistory(t *testing.T, st *models.Store) map[string]int64 {
	t.Helper()
	visits, err := st.HistoryAll(ctx(t), models.HistoryFilter{}, histZone, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, v := range visits {
		out[v.Code] = v.Version
	}
	return out
}

// TestViewFollowsOtherInstances: what one instance writes, another lists
// at its next read — new visits, changed visits, survey answers, bulk
// inserts — and an instance started later loads the same.
func TestViewFollowsOtherInstances(t *testing.T) {
	a := server.Open(t)
	b := secondStore(t, a)
	// b reads first, so its view is loaded before a writes.
	if got := allHistory(t, b); len(got) != 0 {
		t.Fatalf("fresh store lists %v", got)
	}
	x := historyVisit("ST-2026-0001", "Pemerintah Kabupaten Konawe", models.StatusApproved, 2, 20, "74", "74.02")
	y := historyVisit("ST-2026-0002", "Pemerintah Kota Kendari", models.StatusSubmitted, 10, 35, "74", "74.71")
	seedHistory(t, a, x, y)

	if got := allHistory(t, b); !maps.Equal(got, map[string]int64{"ST-2026-0001": 1, "ST-2026-0002": 1}) {
		t.Fatalf("b after a's inserts: %v", got)
	}
	found, err := b.VisitBySubmissionKey(ctx(t), "k-ST-2026-0002")
	if err != nil || found.Code != "ST-2026-0002" || len(found.Roster) != 1 {
		t.Fatalf("b finds a's new request by its key: %v %v", found, err)
	}

	// b changes y; a's inbox shows it under its new status at once.
	found.Status = models.StatusDeclined
	if err := b.SaveVisit(ctx(t), found, time.Now()); err != nil {
		t.Fatal(err)
	}
	inbox, total, err := a.Inbox(ctx(t), models.InboxFilter{Status: models.StatusDeclined}, histZone)
	if err != nil || total != 1 || inbox[0].Code != "ST-2026-0002" || inbox[0].Version != 2 {
		t.Fatalf("a's inbox of declined: %v %d %v", histCodes(inbox), total, err)
	}

	// Survey answers written by a are counted by b.
	r := models.SurveyResponse{VisitID: x.ID, VisitStart: x.Start, Scores: models.SKMScores{4, 4, 4, 4, 4, 4, 4, 4, 4}, At: time.Now()}
	if err := a.InsertSurveyResponse(ctx(t), &r); err != nil {
		t.Fatal(err)
	}
	answers, err := b.SurveyResponsesFor(ctx(t), x.ID)
	if err != nil || len(answers) != 1 || answers[0].ID != r.ID {
		t.Fatalf("b's answers for x: %v %v", answers, err)
	}

	// A bulk insert on b (demo history) reaches a as a whole.
	past := historyVisit("", "Pemerintah Kabupaten Blora", models.StatusCompleted, 20, 12, "33", "33.16")
	past.Start = past.Start.AddDate(-1, 0, 0)
	past.CreatedAt = past.CreatedAt.AddDate(-1, 0, 0)
	if err := b.InsertVisitsBulk(ctx(t), []models.Visit{past}, time.Now(), histZone); err != nil {
		t.Fatal(err)
	}
	if got := allHistory(t, a); len(got) != 3 {
		t.Fatalf("a after b's bulk insert: %v", got)
	}

	// An instance that starts now loads the same.
	c := secondStore(t, a)
	if got, want := allHistory(t, c), allHistory(t, a); !maps.Equal(got, want) {
		t.Fatalf("late instance %v, a %v", got, want)
	}
}

// TestViewsAgreeAfterConcurrentWrites: two instances write the same visits
// at once (conflicts included); afterwards both views and a newly started
// instance hold exactly the versions the store holds.
func TestViewsAgreeAfterConcurrentWrites(t *testing.T) {
	a := server.Open(t)
	b := secondStore(t, a)
	var visits []models.Visit
	for i := range 4 {
		visits = append(visits, historyVisit(fmt.Sprintf("ST-2026-%04d", i+1), "Instansi", models.StatusSubmitted, 2+i, 20, "74", "74.02"))
	}
	seedHistory(t, a, visits...)
	allHistory(t, a)
	allHistory(t, b)

	var wg sync.WaitGroup
	for w, st := range []*models.Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 3 {
				for _, v := range visits {
					cur, err := st.VisitByID(ctx(t), v.ID)
					if err != nil {
						t.Error(err)
						return
					}
					cur.Notes = fmt.Sprintf("writer %d round %d", w, round)
					_ = st.SaveVisit(ctx(t), cur, time.Now()) // a conflict is fine
				}
			}
		}()
	}
	wg.Wait()

	want := map[string]int64{}
	for _, v := range visits {
		stored, err := a.VisitByID(ctx(t), v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Version < 2 {
			t.Fatalf("%s was never written", stored.Code)
		}
		want[stored.Code] = stored.Version
	}
	c := secondStore(t, a)
	for name, st := range map[string]*models.Store{"a": a, "b": b, "late": c} {
		if got := allHistory(t, st); !maps.Equal(got, want) {
			t.Errorf("view of %s: %v, store: %v", name, got, want)
		}
	}
}

// TestViewStartsFromTheSnapshot: an instance that starts later reads the
// snapshot and then the changes logged after it, and ends up with the
// same view as one that read the collections.
func TestViewStartsFromTheSnapshot(t *testing.T) {
	a := server.Open(t)
	var visits []models.Visit
	for i := range 3 {
		visits = append(visits, historyVisit(fmt.Sprintf("ST-2026-%04d", i+1), "Instansi", models.StatusSubmitted, 2+i, 20, "74", "74.02"))
	}
	seedHistory(t, a, visits...)
	if err := a.SaveViewSnapshot(ctx(t)); err != nil {
		t.Fatal(err)
	}
	// After the snapshot: a change and a new visit, only in the log.
	changed, err := a.VisitByID(ctx(t), visits[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	changed.Status = models.StatusDeclined
	if err := a.SaveVisit(ctx(t), changed, time.Now()); err != nil {
		t.Fatal(err)
	}
	seedHistory(t, a, historyVisit("ST-2026-0009", "Instansi Baru", models.StatusSubmitted, 9, 20, "74", "74.02"))

	b := secondStore(t, a)
	got := allHistory(t, b)
	if !b.ViewFromSnapshot() {
		t.Error("b read the collections although a snapshot exists")
	}
	if want := allHistory(t, a); !maps.Equal(got, want) || got["ST-2026-0001"] != 2 || len(got) != 4 {
		t.Fatalf("b from the snapshot: %v, a: %v", got, want)
	}
	declined, total, err := b.Inbox(ctx(t), models.InboxFilter{Status: models.StatusDeclined}, histZone)
	if err != nil || total != 1 || declined[0].Code != "ST-2026-0001" {
		t.Fatalf("b's declined: %v %v", histCodes(declined), err)
	}
}

// TestViewCatchesUpAfterTheLogIsPruned: snapshots prune the change log
// behind them; an instance that fell further behind finds its next entry
// gone and starts again from the snapshot instead of stopping there.
func TestViewCatchesUpAfterTheLogIsPruned(t *testing.T) {
	a := server.Open(t)
	b := secondStore(t, a)
	allHistory(t, b) // b's view is loaded, at the start of the log
	a.KeepChanges(1)
	var visits []models.Visit
	for i := range 4 {
		visits = append(visits, historyVisit(fmt.Sprintf("ST-2026-%04d", i+1), "Instansi", models.StatusSubmitted, 2+i, 20, "74", "74.02"))
	}
	seedHistory(t, a, visits...)
	if err := a.SaveViewSnapshot(ctx(t)); err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(server.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	if n, err := client.Database(a.DatabaseName()).Collection("changes").CountDocuments(ctx(t), bson.D{}); err != nil || n > 2 {
		t.Fatalf("the log behind the snapshot was not pruned: %d entries (%v)", n, err)
	}
	if got, want := allHistory(t, b), allHistory(t, a); len(got) != 4 || !maps.Equal(got, want) {
		t.Fatalf("b after the log was pruned: %v, a: %v", got, want)
	}
}

// TestOwnWriteSurvivesAReloadFromTheSnapshot: an instance that fell behind
// a pruned log reloads from the snapshot; its own write made after that
// snapshot is not in it, so it must be applied from the log like anyone's
// (it was skipped as already applied, and the view kept the old version).
func TestOwnWriteSurvivesAReloadFromTheSnapshot(t *testing.T) {
	a := server.Open(t)
	b := secondStore(t, a)
	x := historyVisit("ST-2026-0001", "Pemerintah Kabupaten Konawe", models.StatusSubmitted, 2, 20, "74", "74.02")
	seedHistory(t, a, x)
	allHistory(t, b) // b's view is loaded …
	a.KeepChanges(1)
	for i := range 3 { // … and falls behind while a writes and prunes
		v := historyVisit(fmt.Sprintf("ST-2026-%04d", i+2), "Instansi", models.StatusSubmitted, 3+i, 20, "74", "74.02")
		seedHistory(t, a, v)
	}
	if err := a.SaveViewSnapshot(ctx(t)); err != nil {
		t.Fatal(err)
	}
	// b's own write, after the snapshot, before b notices the pruning.
	onB, err := a.VisitByID(ctx(t), x.ID)
	if err != nil {
		t.Fatal(err)
	}
	onB.Status = models.StatusDeclined
	if err := b.SaveVisit(ctx(t), onB, time.Now()); err != nil {
		t.Fatal(err)
	}
	got := allHistory(t, b) // notices, reloads from a's snapshot, replays the log
	if got[x.Code] != onB.Version {
		t.Fatalf("b's view holds %s at version %d after the reload, want its own write's %d", x.Code, got[x.Code], onB.Version)
	}
	inbox, total, err := b.Inbox(ctx(t), models.InboxFilter{Status: models.StatusDeclined}, histZone)
	if err != nil || total != 1 || inbox[0].ID != x.ID {
		t.Fatalf("b's declined list: %d %v", total, err)
	}
	// And a, which was never behind, reads b's entry too.
	if got := allHistory(t, a); got[x.Code] != onB.Version {
		t.Errorf("a's view holds %s at version %d, want b's write's %d", x.Code, got[x.Code], onB.Version)
	}
}
