package models_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

var hostTopics = models.DefaultHostSettings().Topics

func TestEscortProfileValidate(t *testing.T) {
	leave := func(from, to, reason string) []models.Leave {
		return []models.Leave{{From: from, To: to, Reason: reason}}
	}
	tests := []struct {
		name string
		p    models.EscortProfile
		errs map[string]string // field → key; nil: valid
	}{
		{"empty profile is valid", models.EscortProfile{}, nil},
		{"full profile", models.EscortProfile{
			Unit: "Bidang Pelayanan Perizinan", Topics: []string{"MPP digital"},
			Languages: []string{"Inggris", "Bali"}, Leave: leave("2026-03-09", "2026-03-11", "Cuti tahunan"),
		}, nil},
		{"unit too long", models.EscortProfile{Unit: strings.Repeat("a", 121)}, map[string]string{"unit": "err.too_long"}},
		{"unit of 120 letters with accents", models.EscortProfile{Unit: strings.Repeat("é", 120)}, nil},
		{"topic the host does not offer", models.EscortProfile{Topics: []string{"MPP digital", "Pariwisata"}}, map[string]string{"topics": "escort.err_topic"}},
		{"free-text language", models.EscortProfile{Languages: []string{"  Sasak "}}, nil},
		{"language too long", models.EscortProfile{Languages: []string{strings.Repeat("x", 41)}}, map[string]string{"languages": "escort.err_language_long"}},
		{"too many languages", models.EscortProfile{Languages: []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12", "a13"}}, map[string]string{"languages": "escort.err_languages_many"}},
		{"leave one day", models.EscortProfile{Leave: leave("2026-03-09", "2026-03-09", "Diklat")}, nil},
		{"leave backwards", models.EscortProfile{Leave: leave("2026-03-11", "2026-03-09", "Cuti")}, map[string]string{"leave_0_to": "escort.err_leave_range"}},
		{"leave bad dates", models.EscortProfile{Leave: leave("2026-02-30", "9/3/2026", "Cuti")}, map[string]string{"leave_0_from": "err.date", "leave_0_to": "err.date"}},
		{"leave without reason", models.EscortProfile{Leave: leave("2026-03-09", "2026-03-10", "  ")}, map[string]string{"leave_0_reason": "err.required"}},
		{"leave without dates", models.EscortProfile{Leave: leave("", "", "Cuti")}, map[string]string{"leave_0_from": "err.required", "leave_0_to": "err.required"}},
		{"second row is named", models.EscortProfile{Leave: []models.Leave{
			{From: "2026-03-09", To: "2026-03-10", Reason: "Cuti"}, {From: "2026-04-02", To: "2026-04-01", Reason: "Dinas luar"},
		}}, map[string]string{"leave_1_to": "escort.err_leave_range"}},
	}
	many := models.EscortProfile{}
	for i := 0; i < models.MaxEscortLeave+1; i++ {
		many.Leave = append(many.Leave, models.Leave{From: "2026-05-01", To: "2026-05-01", Reason: "Cuti"})
	}
	tests = append(tests, struct {
		name string
		p    models.EscortProfile
		errs map[string]string
	}{"too many leave rows", many, map[string]string{"leave": "escort.err_leave_many"}})

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate(hostTopics)
			if tc.errs == nil {
				if err != nil {
					t.Fatalf("valid profile refused: %v", err)
				}
				return
			}
			v, ok := models.AsValidation(err)
			if !ok {
				t.Fatalf("got %v, want field errors %v", err, tc.errs)
			}
			if fmt.Sprint(v.Fields) != fmt.Sprint(tc.errs) {
				t.Errorf("errors %v, want %v", v.Fields, tc.errs)
			}
		})
	}
}

func TestEscortProfileValidateNormalises(t *testing.T) {
	p := models.EscortProfile{
		Unit:      "  Bidang Perizinan ",
		Topics:    []string{"mpp digital", "MPP digital", " Integrasi OSS "},
		Languages: []string{"bahasa inggris", "Inggris", "BALI", "", " Bahasa  Sasak "},
		Leave: []models.Leave{
			{From: "2026-06-01", To: "2026-06-02", Reason: " Dinas   luar "},
			{From: "2026-03-09", To: "2026-03-10", Reason: "Cuti"},
		},
	}
	if err := p.Validate(hostTopics); err != nil {
		t.Fatal(err)
	}
	if p.Unit != "Bidang Perizinan" {
		t.Errorf("unit %q", p.Unit)
	}
	if want := []string{"MPP digital", "Integrasi OSS"}; !slices.Equal(p.Topics, want) {
		t.Errorf("topics %q, want the host's spelling once each %q", p.Topics, want)
	}
	if want := []string{"Inggris", "Bali", "Sasak"}; !slices.Equal(p.Languages, want) {
		t.Errorf("languages %q, want %q", p.Languages, want)
	}
	if p.Leave[0].From != "2026-03-09" || p.Leave[1].Reason != "Dinas luar" {
		t.Errorf("leave not sorted and trimmed: %+v", p.Leave)
	}
}

func TestRankEscorts(t *testing.T) {
	id := func(n byte) bson.ObjectID { return bson.ObjectID{11: n} }
	esc := func(n byte, name string, topics []string, leave ...models.Leave) models.Escort {
		return models.Escort{ID: id(n), Name: name, Profile: models.EscortProfile{UserID: id(n), Topics: topics, Leave: leave}}
	}
	digital := []string{"MPP digital"}
	both := []string{"MPP digital", "Integrasi OSS"}
	cuti := models.Leave{From: "2026-03-09", To: "2026-03-11", Reason: "Cuti tahunan"}

	type want struct {
		name      string
		available bool
		reason    string
		matches   int
	}
	tests := []struct {
		name    string
		escorts []models.Escort
		busy    map[bson.ObjectID]bool
		recent  map[bson.ObjectID]int
		topics  []string
		date    string
		want    []want
	}{
		{
			name:    "ties are broken by name, case-insensitively",
			escorts: []models.Escort{esc(1, "Wayan", nil), esc(2, "i Made", nil), esc(3, "Ketut", nil)},
			date:    "2026-03-10",
			want:    []want{{"i Made", true, "", 0}, {"Ketut", true, "", 0}, {"Wayan", true, "", 0}},
		},
		{
			name:    "on leave within the period, first and last day included",
			escorts: []models.Escort{esc(1, "Ayu", both, cuti), esc(2, "Bagus", nil)},
			topics:  both, date: "2026-03-11",
			want: []want{{"Bagus", true, "", 0}, {"Ayu", false, models.ReasonOnLeave, 2}},
		},
		{
			name:    "the day after the leave is free again",
			escorts: []models.Escort{esc(1, "Ayu", both, cuti), esc(2, "Bagus", nil)},
			topics:  both, date: "2026-03-12",
			want: []want{{"Ayu", true, "", 2}, {"Bagus", true, "", 0}},
		},
		{
			name:    "busy in the session goes to the end",
			escorts: []models.Escort{esc(1, "Ayu", both), esc(2, "Bagus", nil)},
			busy:    map[bson.ObjectID]bool{id(1): true},
			topics:  both, date: "2026-03-10",
			want: []want{{"Bagus", true, "", 0}, {"Ayu", false, models.ReasonBusy, 2}},
		},
		{
			name:    "leave is the reason when also busy",
			escorts: []models.Escort{esc(1, "Ayu", nil, cuti)},
			busy:    map[bson.ObjectID]bool{id(1): true},
			date:    "2026-03-10",
			want:    []want{{"Ayu", false, models.ReasonOnLeave, 0}},
		},
		{
			name:    "more topic matches first, even with more recent work",
			escorts: []models.Escort{esc(1, "Ayu", digital), esc(2, "Bagus", both), esc(3, "Citra", nil)},
			recent:  map[bson.ObjectID]int{id(2): 5},
			topics:  []string{"Integrasi OSS", "mpp digital"}, date: "2026-03-10",
			want: []want{{"Bagus", true, "", 2}, {"Ayu", true, "", 1}, {"Citra", true, "", 0}},
		},
		{
			name:    "equal matches: fewer recent assignments first",
			escorts: []models.Escort{esc(1, "Ayu", digital), esc(2, "Bagus", digital), esc(3, "Citra", digital)},
			recent:  map[bson.ObjectID]int{id(1): 3, id(2): 1},
			topics:  digital, date: "2026-03-10",
			want: []want{{"Citra", true, "", 1}, {"Bagus", true, "", 1}, {"Ayu", true, "", 1}},
		},
		{
			name:    "unavailable escorts are ranked among themselves too",
			escorts: []models.Escort{esc(1, "Ayu", nil, cuti), esc(2, "Bagus", digital, cuti), esc(3, "Citra", nil)},
			topics:  digital, date: "2026-03-10",
			want: []want{{"Citra", true, "", 0}, {"Bagus", false, models.ReasonOnLeave, 1}, {"Ayu", false, models.ReasonOnLeave, 0}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := models.RankEscorts(tc.escorts, tc.busy, tc.recent, tc.topics, tc.date)
			if len(got) != len(tc.want) {
				t.Fatalf("%d options, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Name != w.name || g.Available != w.available || g.Reason != w.reason || g.TopicMatches != w.matches {
					t.Errorf("#%d = {%s %v %q %d}, want %+v", i, g.Name, g.Available, g.Reason, g.TopicMatches, w)
				}
				if g.Recent != tc.recent[g.ID] {
					t.Errorf("#%d recent %d, want %d", i, g.Recent, tc.recent[g.ID])
				}
			}
		})
	}
}

func TestEscortProfileSaveIsVersioned(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	u, err := st.CreateUser(ctx(t), models.UserInput{Email: "made@badungkab.go.id", Name: "I Made Sudarma", Role: "escort", Password: "rahasia-sekali"}, false, now)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.EscortProfile(ctx(t), u.ID)
	if err != nil || p.UserID != u.ID || p.Version != 0 || len(p.Topics) != 0 {
		t.Fatalf("profile before any save: %+v, %v", p, err)
	}

	// Two first saves race: one profile, one conflict.
	for round := 0; round < 3; round++ {
		id := bson.NewObjectID()
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := &models.EscortProfile{UserID: id, Unit: fmt.Sprintf("Unit %d", i)}
				switch err := st.SaveEscortProfile(ctx(t), p, now); {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, models.ErrConflict):
					conflicts.Add(1)
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != 5 {
			t.Fatalf("round %d: %d first saves won, %d conflicts; want one winner", round, wins.Load(), conflicts.Load())
		}
	}

	p.Unit = "Bidang Pelayanan"
	p.Topics = []string{"MPP digital"}
	if err := st.SaveEscortProfile(ctx(t), p, now); err != nil || p.Version != 1 {
		t.Fatalf("first save: %v, version %d", err, p.Version)
	}
	stale, _ := st.EscortProfile(ctx(t), u.ID)
	p.Languages = []string{"Inggris"}
	if err := st.SaveEscortProfile(ctx(t), p, now); err != nil || p.Version != 2 {
		t.Fatalf("second save: %v, version %d", err, p.Version)
	}
	stale.Leave = []models.Leave{{From: "2026-03-09", To: "2026-03-09", Reason: "Cuti"}}
	if err := st.SaveEscortLeave(ctx(t), stale, now); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("stale leave save: %v, want ErrConflict", err)
	}
	fresh, _ := st.EscortProfile(ctx(t), u.ID)
	fresh.Unit = "diabaikan" // a leave save writes only the leave
	fresh.Leave = stale.Leave
	if err := st.SaveEscortLeave(ctx(t), fresh, now); err != nil {
		t.Fatal(err)
	}
	got, _ := st.EscortProfile(ctx(t), u.ID)
	if got.Unit != "Bidang Pelayanan" || !slices.Equal(got.Languages, []string{"Inggris"}) || len(got.Leave) != 1 || got.Version != 3 {
		t.Errorf("stored %+v", got)
	}

	bad := &models.EscortProfile{UserID: u.ID, Version: got.Version, Topics: []string{"Pariwisata"}}
	if _, ok := models.AsValidation(st.SaveEscortProfile(ctx(t), bad, now)); !ok {
		t.Error("a topic the host does not offer was saved")
	}
}

func TestEscortOptionsFromStoredVisits(t *testing.T) {
	st := server.Open(t)
	wita, _ := time.LoadLocation("Asia/Makassar")
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC) // Thursday 09.00 WITA
	mk := func(name, role string) *models.User {
		u, err := st.CreateUser(ctx(t), models.UserInput{Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@badungkab.go.id", Name: name, Role: role, Password: "rahasia-sekali"}, false, now)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ayu, bagus, citra, dewi, eka := mk("Ayu", "escort"), mk("Bagus", "escort"), mk("Citra", "escort"), mk("Dewi", "escort"), mk("Eka", "escort")
	mk("Koordinator", "coordinator")
	gone := mk("Nonaktif", "escort")
	if err := st.UpdateUser(ctx(t), gone, models.UserInput{Email: gone.Email, Name: gone.Name, Role: "escort"}, false, now); err != nil {
		t.Fatal(err)
	}
	save := func(u *models.User, p models.EscortProfile) {
		p.UserID = u.ID
		if err := st.SaveEscortProfile(ctx(t), &p, now); err != nil {
			t.Fatal(err)
		}
	}
	save(ayu, models.EscortProfile{Topics: []string{"MPP digital", "Integrasi OSS"}})
	save(bagus, models.EscortProfile{Topics: []string{"MPP digital"}})
	save(dewi, models.EscortProfile{Topics: []string{"MPP digital", "Integrasi OSS"}, Leave: []models.Leave{{From: "2026-03-16", To: "2026-03-20", Reason: "Cuti tahunan"}}})
	// citra and eka have no profile at all.

	// The visit being decided: Tuesday 17 March 2026, morning session.
	at := func(date, clock string) time.Time {
		t0, _ := time.ParseInLocation("2006-01-02 15.04", date+" "+clock, wita)
		return t0.UTC()
	}
	visit := func(status models.VisitStatus, start time.Time, session string, escorts ...*models.User) bson.ObjectID {
		v := &models.Visit{Code: "ST-" + bson.NewObjectID().Hex(), Status: status, Start: start, End: start.Add(3 * time.Hour),
			SessionID: session, TrackingHash: bson.NewObjectID().Hex(), SubmissionKey: bson.NewObjectID().Hex()}
		for _, e := range escorts {
			v.EscortIDs = append(v.EscortIDs, e.ID)
			v.Escorts = append(v.Escorts, e.Name)
		}
		if err := st.InsertVisit(ctx(t), v); err != nil {
			t.Fatal(err)
		}
		return v.ID
	}
	self := visit(models.StatusApproved, at("2026-03-17", "09.00"), "pagi", citra) // being re-decided
	visit(models.StatusApproved, at("2026-03-17", "09.00"), "pagi", ayu)           // ayu busy
	visit(models.StatusApproved, at("2026-03-17", "13.00"), "siang", bagus)        // other session
	visit(models.StatusCancelled, at("2026-03-17", "09.00"), "pagi", eka)          // cancelled: free
	visit(models.StatusApproved, at("2026-03-18", "09.00"), "pagi", eka)           // other day
	visit(models.StatusCompleted, at("2026-02-10", "09.00"), "pagi", bagus)        // recent
	visit(models.StatusCompleted, at("2025-11-20", "09.00"), "pagi", citra, eka)   // older than 90 days
	visit(models.StatusDeclined, at("2026-02-12", "09.00"), "pagi", citra)         // never happened

	opts, err := st.EscortOptions(ctx(t), "2026-03-17", "pagi", []string{"MPP digital", "Integrasi OSS"}, self, now, wita)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name      string
		Available bool
		Reason    string
		Matches   int
		Recent    int
	}
	var got []row
	for _, o := range opts {
		got = append(got, row{o.Name, o.Available, o.Reason, o.TopicMatches, o.Recent})
	}
	want := []row{
		// bagus: one match, and the completed visit of February plus the
		// approved one of the 17th afternoon count as recent work.
		{"Bagus", true, "", 1, 2},
		// citra's own assignment to this visit neither blocks nor counts.
		{"Citra", true, "", 0, 0},
		// eka: the approved visit of the 18th counts, the old one not.
		{"Eka", true, "", 0, 1},
		// Unavailable, ranked by the same rules: dewi has less recent work.
		{"Dewi", false, models.ReasonOnLeave, 2, 0},
		{"Ayu", false, models.ReasonBusy, 2, 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("options\n got %v\nwant %v", got, want)
	}

	// The same slot seen from a new request (nothing excluded): citra is busy.
	opts, err = st.EscortOptions(ctx(t), "2026-03-17", "pagi", nil, bson.ObjectID{}, now, wita)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		if o.ID == citra.ID && (o.Available || o.Reason != models.ReasonBusy) {
			t.Errorf("citra for a new request: %+v, want busy", o)
		}
	}
	if _, err := st.EscortOptions(ctx(t), "17-03-2026", "pagi", nil, self, now, wita); err == nil {
		t.Error("a malformed date was accepted")
	}

	up, err := st.UpcomingAssignments(ctx(t), now)
	if err != nil {
		t.Fatal(err)
	}
	if up[ayu.ID] != 1 || up[citra.ID] != 1 || up[eka.ID] != 1 || up[bagus.ID] != 1 || up[dewi.ID] != 0 {
		t.Errorf("upcoming assignments %v", up)
	}
}
