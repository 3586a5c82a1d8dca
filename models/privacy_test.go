package models_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

func TestParsePersonQuery(t *testing.T) {
	for in, want := range map[string]models.PersonQuery{
		" Sri@Blora.go.id ": {Email: "sri@blora.go.id"},
		"0812-3456-7890":    {Phone: "+6281234567890"},
		"+62 812 3456 7890": {Phone: "+6281234567890"},
	} {
		got, err := models.ParsePersonQuery(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "sri@", "12345", "Sri Wahyuni"} {
		if _, err := models.ParsePersonQuery(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	for q, want := range map[models.PersonQuery]string{
		{Email: "sri.wahyuni@blora.go.id"}: "sr***@blora.go.id",
		{Phone: "+6281234567890"}:          "+62812*****890",
	} {
		if got := q.Masked(); got != want || strings.Contains(got, "wahyuni") || strings.Contains(got, "34567") {
			t.Errorf("masked %+v: %q, want %q", q, got, want)
		}
	}
}

// personalVisit is a delegation's visit with a contact and a roster.
func personalVisit(code, email, phone, contact string, end time.Time) *models.Visit {
	return &models.Visit{
		Code: code, Status: models.StatusCompleted, InstitutionName: "Pemerintah Kabupaten " + code,
		InstitutionType: models.InstRegency, ProvinceCode: "33", RegencyCode: "33.16", Region: "Kabupaten Blora, Jawa Tengah",
		Leader:       models.Person{Name: "Drs. Komang Sekda", Position: "Sekretaris Daerah"},
		Contact:      models.Person{Name: contact, Position: "Kasubbag Umum", Email: email, Phone: phone},
		Participants: 3, Topics: []string{"MPP digital"}, Protocol: "standar",
		Roster: []models.RosterEntry{
			{Name: contact, Position: "Kasubbag Umum", Gender: models.GenderFemale},
			{Name: "Ir. Bambang " + code, Position: "Kepala Bidang", Gender: models.GenderMale, Needs: "kursi roda"},
			{Name: "Ani " + code, Position: "Staf", Gender: models.GenderFemale},
		},
		Start: end.Add(-3 * time.Hour), End: end, SessionID: "pagi", CreatedAt: end.AddDate(0, -1, 0),
		TrackingHash: "h-" + code, SubmissionKey: "k-" + code, Language: "id",
		History: []models.Event{{At: end.AddDate(0, -1, 0), Actor: contact, Action: "diajukan"}},
	}
}

func TestEraseForRetentionKeepsStatistics(t *testing.T) {
	v := personalVisit("ST-2024-0001", "sri@blora.go.id", "+6281234567890", "Sri Wahyuni", time.Now())
	before := *v
	before.Roster = append([]models.RosterEntry(nil), v.Roster...)
	if !models.NeedsRetention(v) || !models.EraseForRetention(v) {
		t.Fatal("nothing erased")
	}
	if models.NeedsRetention(v) || models.EraseForRetention(v) {
		t.Error("a second erasure changes something")
	}
	if v.Contact.Email != "" || v.Contact.Phone != "" || v.Contact.Name != before.Contact.Name {
		t.Errorf("contact: %+v", v.Contact)
	}
	if len(v.Roster) != 3 {
		t.Fatalf("roster entries: %d", len(v.Roster))
	}
	for i, e := range v.Roster {
		if e.Name != models.ErasedMarker || e.Position != models.ErasedMarker || e.Needs != "" || e.Gender != before.Roster[i].Gender {
			t.Errorf("roster %d: %+v", i, e)
		}
	}
	if v.Participants != 3 || v.InstitutionName != before.InstitutionName || v.ProvinceCode != "33" || v.Leader != before.Leader {
		t.Errorf("statistics changed: %+v", v)
	}
}

func TestErasePersonFromVisit(t *testing.T) {
	q := models.PersonQuery{Phone: "+6281234567890"}
	other := personalVisit("B", "budi@konawe.go.id", "+6285200000000", "Budi Santoso", time.Now())
	if _, changed := models.ErasePersonFromVisit(other, q, models.ErasureOptions{Roster: true}); changed {
		t.Error("somebody else's visit changed")
	}
	v := personalVisit("A", "sri@blora.go.id", "+6281234567890", "Sri Wahyuni", time.Now())
	n, changed := models.ErasePersonFromVisit(v, q, models.ErasureOptions{})
	if !changed || n != 1 {
		t.Fatalf("erased %d entries, changed %v", n, changed)
	}
	if v.Contact != (models.Person{Name: models.ErasedMarker, Position: models.ErasedMarker}) {
		t.Errorf("contact: %+v", v.Contact)
	}
	if v.Roster[0].Name != models.ErasedMarker || v.Roster[1].Name != "Ir. Bambang A" || v.History[0].Actor != models.ErasedMarker {
		t.Errorf("only the person's own entry and name go: %+v %+v", v.Roster, v.History)
	}
	w := personalVisit("C", "sri@blora.go.id", "", "Sri Wahyuni", time.Now())
	if n, _ := models.ErasePersonFromVisit(w, models.PersonQuery{Email: "sri@blora.go.id"}, models.ErasureOptions{Roster: true}); n != 3 {
		t.Errorf("whole roster: %d entries", n)
	}
}

// privacyFixture stores an old visit of Sri (ended 25 months ago), a
// recent one of hers, and one of Budi, with mail and survey answers.
type privacyFixture struct {
	st              *models.Store
	now             time.Time
	old, recent, bo *models.Visit
}

func newPrivacyFixture(t *testing.T) *privacyFixture {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	f := &privacyFixture{st: st, now: now,
		old:    personalVisit("ST-2024-0001", "sri@blora.go.id", "+6281234567890", "Sri Wahyuni", now.AddDate(0, -25, 0)),
		recent: personalVisit("ST-2026-0002", "sri@blora.go.id", "+6281234567890", "Sri Wahyuni", now.AddDate(0, -1, 0)),
		bo:     personalVisit("ST-2024-0003", "budi@konawe.go.id", "+6285200000000", "Budi Santoso", now.AddDate(0, -25, 0)),
	}
	f.bo.InstitutionName, f.bo.ProvinceCode = "Pemerintah Kabupaten Konawe", "74"
	for _, v := range []*models.Visit{f.old, f.recent, f.bo} {
		if err := st.InsertVisit(ctx(t), v); err != nil {
			t.Fatal(err)
		}
		for _, m := range []*models.OutboxMessage{
			{Kind: "decision_selesai_delegation", VisitID: v.ID, To: []string{v.Contact.Email}, Subject: "Kunjungan " + v.Code,
				Text: "Yth. " + v.Contact.Name + ", tautan: https://contoh/lacak/rahasia", HTML: "<p>Yth. " + v.Contact.Name + "</p>"},
			{Kind: "reminder_day_staff", VisitID: v.ID, To: []string{"petugas@badungkab.go.id"}, Subject: "Besok " + v.Code,
				Text: "Narahubung " + v.Contact.Name + " " + models.FormatPhone(v.Contact.Phone) + ", wa.me/" + v.Contact.Phone[1:]},
		} {
			if err := st.Enqueue(ctx(t), m, now.AddDate(0, -2, 0)); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.InsertSurveyResponse(ctx(t), &models.SurveyResponse{VisitID: v.ID, VisitStart: v.Start,
			Scores: models.SKMScores{4, 4, 4, 4, 4, 4, 4, 4, 3}, Comment: "Sangat membantu " + v.Code, At: v.End}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *privacyFixture) visit(t *testing.T, v *models.Visit) *models.Visit {
	t.Helper()
	got, err := f.st.VisitByID(ctx(t), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (f *privacyFixture) stats(t *testing.T) models.Stats {
	t.Helper()
	s, err := f.st.Stats(ctx(t), f.now.AddDate(-3, 0, 0), f.now, witaZone(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRetentionErasesOnlyOldVisitsAndKeepsCounts(t *testing.T) {
	f := newPrivacyFixture(t)
	stats := f.stats(t)
	recentBefore := f.visit(t, f.recent)

	n, err := f.st.ApplyRetention(ctx(t), models.DefaultPrivacySettings(), f.now)
	if err != nil || n != 2 {
		t.Fatalf("retention: %d visits, %v; want the two old ones", n, err)
	}
	for _, old := range []*models.Visit{f.old, f.bo} {
		got := f.visit(t, old)
		if models.NeedsRetention(got) || got.Contact.Name != old.Contact.Name || got.Participants != 3 || len(got.Roster) != 3 {
			t.Errorf("%s after retention: %+v", old.Code, got)
		}
		if got.Version != 2 {
			t.Errorf("%s: version %d, want one versioned write", old.Code, got.Version)
		}
		mails, _ := f.st.OutboxFor(ctx(t), old.ID)
		for _, m := range mails {
			if strings.Contains(m.Text+m.HTML+strings.Join(m.To, ","), old.Contact.Email) ||
				strings.Contains(m.Text, old.Contact.Phone[1:]) || strings.Contains(m.Text, models.FormatPhone(old.Contact.Phone)) {
				t.Errorf("%s: mail keeps the contact's address or phone: %+v %q", old.Code, m.To, m.Text)
			}
		}
	}
	if got := f.visit(t, f.recent); !reflect.DeepEqual(got, recentBefore) {
		t.Errorf("the recent visit changed:\n%+v\n%+v", got, recentBefore)
	}
	// The same contact's newer visit keeps its mail, to her and to staff.
	if mails, _ := f.st.OutboxFor(ctx(t), f.recent.ID); mails[0].To[0] != "sri@blora.go.id" || !strings.Contains(mails[0].Text, "lacak/rahasia") ||
		!strings.Contains(mails[1].Text, "wa.me/6281234567890") {
		t.Errorf("the recent visit's mail changed: %+v", mails)
	}
	if after := f.stats(t); !reflect.DeepEqual(after, stats) {
		t.Errorf("statistics changed:\n%+v\n%+v", after, stats)
	}
	log, _, _ := f.st.ListAudit(ctx(t), models.AuditFilter{Action: models.AuditPrivacyRetention})
	if len(log) != 2 || log[0].Actor.Name != models.SystemActorName {
		t.Fatalf("audit: %+v", log)
	}
	for _, c := range log[0].Changes {
		if c.Path == "contact.phone" && c.After != "" {
			t.Errorf("audit change %+v", c)
		}
	}

	// Nothing left to do: a second run writes nothing.
	if n, err := f.st.ApplyRetention(ctx(t), models.DefaultPrivacySettings(), f.now); err != nil || n != 0 {
		t.Errorf("second run: %d, %v", n, err)
	}
	// A shorter period reaches the recent visit too.
	if n, _ := f.st.ApplyRetention(ctx(t), models.PrivacySettings{RetentionMonths: 1}, f.now.Add(time.Hour)); n != 1 {
		t.Errorf("one month: %d visits", n)
	}
}

func TestRetentionNeverOverwritesAColleaguesEdit(t *testing.T) {
	f := newPrivacyFixture(t)

	// A colleague opened the visit before retention ran and saves after:
	// the stale write is refused, the erasure stays.
	stale := f.visit(t, f.old)
	if _, err := f.st.ApplyRetention(ctx(t), models.DefaultPrivacySettings(), f.now); err != nil {
		t.Fatal(err)
	}
	stale.StaffNote = "catatan lama"
	if err := f.st.SaveVisit(ctx(t), stale, f.now); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("stale save: %v, want ErrConflict", err)
	}
	if got := f.visit(t, f.old); models.NeedsRetention(got) || got.StaffNote != "" {
		t.Errorf("after the stale save: %+v", got)
	}

	// While retention runs, a colleague keeps editing Budi's visit (read,
	// add a mark to the note, save at that version; again on a conflict).
	// Neither write may undo the other: in the end the visit is erased and
	// the note has every mark.
	f2 := newPrivacyFixture(t)
	var wg sync.WaitGroup
	done := make(chan struct{})
	edits := 0
	wg.Go(func() {
		for edits < 5 || !closed(done) {
			v, err := f2.st.VisitByID(ctx(t), f2.bo.ID)
			if err != nil {
				t.Error(err)
				return
			}
			v.StaffNote += "x"
			err = f2.st.SaveVisit(ctx(t), v, f2.now)
			if errors.Is(err, models.ErrConflict) {
				continue
			}
			if err != nil {
				t.Error(err)
				return
			}
			edits++
		}
	})
	_, err := f2.st.ApplyRetention(ctx(t), models.DefaultPrivacySettings(), f2.now)
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	// A visit that kept changing is left for the next run.
	if _, err := f2.st.ApplyRetention(ctx(t), models.DefaultPrivacySettings(), f2.now); err != nil {
		t.Fatal(err)
	}
	got := f2.visit(t, f2.bo)
	if models.NeedsRetention(got) || len(got.StaffNote) != edits {
		t.Errorf("after %d concurrent edits: note %q, erased %v", edits, got.StaffNote, !models.NeedsRetention(got))
	}
	if got.Version != int64(1+edits+1) {
		t.Errorf("version %d: every write must be one versioned step (%d)", got.Version, 1+edits+1)
	}
}

func closed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func TestPrivacySettingsAreVersioned(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	p, err := st.PrivacySettings(ctx(t))
	if err != nil || p.RetentionMonths != models.DefaultRetentionMonths || p.Version != 0 {
		t.Fatalf("defaults: %+v %v", p, err)
	}
	bad := models.PrivacySettings{RetentionMonths: 0}
	if _, ok := models.AsValidation(st.SavePrivacySettings(ctx(t), &bad, now)); !ok {
		t.Error("0 months accepted")
	}
	p.RetentionMonths = 36
	if err := st.SavePrivacySettings(ctx(t), &p, now); err != nil || p.Version != 1 {
		t.Fatalf("save: %v v%d", err, p.Version)
	}
	stale := models.PrivacySettings{RetentionMonths: 12}
	if err := st.SavePrivacySettings(ctx(t), &stale, now); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale save: %v", err)
	}
	if got, _ := st.PrivacySettings(ctx(t)); got.RetentionMonths != 36 {
		t.Errorf("stored %+v", got)
	}
}

func TestRunRetentionIfDueRunsOncePerInterval(t *testing.T) {
	f := newPrivacyFixture(t)
	if n, err := f.st.RunRetentionIfDue(ctx(t), f.now); err != nil || n != 2 {
		t.Fatalf("first run: %d %v", n, err)
	}
	// Another old visit appears; within the hour nothing runs.
	late := personalVisit("ST-2024-0009", "x@y.go.id", "+6281300000000", "Made Wirawan", f.now.AddDate(-3, 0, 0))
	if err := f.st.InsertVisit(ctx(t), late); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.st.RunRetentionIfDue(ctx(t), f.now.Add(30*time.Minute)); n != 0 {
		t.Errorf("within the interval: %d", n)
	}
	if n, _ := f.st.RunRetentionIfDue(ctx(t), f.now.Add(models.RetentionInterval)); n != 1 {
		t.Errorf("after the interval: %d", n)
	}
}

func TestPersonExportHasTheirDataAndNothingElse(t *testing.T) {
	f := newPrivacyFixture(t)
	for _, q := range []models.PersonQuery{{Email: "sri@blora.go.id"}, {Phone: "+6281234567890"}} {
		data, err := f.st.PersonData(ctx(t), q, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if len(data.Visits) != 2 || len(data.Messages) != 2 || len(data.Surveys) != 2 {
			t.Fatalf("%+v: %d visits, %d messages, %d surveys", q, len(data.Visits), len(data.Messages), len(data.Surveys))
		}
		b, _ := json.Marshal(data)
		js := string(b)
		for _, want := range []string{"ST-2024-0001", "ST-2026-0002", "sri@blora.go.id", "+6281234567890", "Ir. Bambang ST-2024-0001",
			"kursi roda", "Sangat membantu ST-2026-0002", "https://contoh/lacak/rahasia"} {
			if !strings.Contains(js, want) {
				t.Errorf("%+v: export lacks %q", q, want)
			}
		}
		for _, other := range []string{"budi", "Budi", "Konawe", "ST-2024-0003", "6285200000000", "petugas@badungkab.go.id"} {
			if strings.Contains(js, other) {
				t.Errorf("%+v: export contains %q of somebody else", q, other)
			}
		}
	}
	none, err := f.st.PersonData(ctx(t), models.PersonQuery{Email: "tidak.ada@contoh.id"}, f.now)
	if err != nil || len(none.Visits)+len(none.Messages)+len(none.Surveys) != 0 {
		t.Errorf("unknown person: %+v %v", none, err)
	}
}

func TestErasePersonRemovesThemEverywhere(t *testing.T) {
	f := newPrivacyFixture(t)
	stats := f.stats(t)
	budi := f.visit(t, f.bo)
	budiMail, _ := f.st.OutboxFor(ctx(t), f.bo.ID)
	// A message still waiting to go to her must not go out any more.
	pending := &models.OutboxMessage{Kind: "survey_invitation", VisitID: f.recent.ID, To: []string{"sri@blora.go.id"},
		Subject: "Survei", Text: "Yth. Sri Wahyuni"}
	if err := f.st.Enqueue(ctx(t), pending, f.now); err != nil {
		t.Fatal(err)
	}
	admin := models.AuditActor{ID: bson.NewObjectID(), Name: "I Made Admin", Role: models.RoleAdmin}

	res, err := f.st.ErasePerson(ctx(t), models.PersonQuery{Phone: "+6281234567890"}, models.ErasureOptions{}, admin, "10.0.0.1", "uji", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Visits) != 2 || res.Roster != 2 || res.Messages != 5 {
		t.Errorf("result %+v: want 2 visits, 2 own roster entries, 5 messages", res)
	}
	for _, v := range []*models.Visit{f.old, f.recent} {
		got := f.visit(t, v)
		b, _ := json.Marshal(got)
		for _, gone := range []string{"sri@blora.go.id", "6281234567890", "Sri Wahyuni"} {
			if strings.Contains(string(b), gone) {
				t.Errorf("%s still holds %q", v.Code, gone)
			}
		}
		if got.Roster[1].Name != v.Roster[1].Name || got.Participants != 3 {
			t.Errorf("%s: others on the roster were erased without the option", v.Code)
		}
		mails, _ := f.st.OutboxFor(ctx(t), v.ID)
		for _, m := range mails {
			all := strings.Join(m.To, ",") + m.Text + m.HTML + m.ThreadKey + string(m.ICS)
			for _, gone := range []string{"sri@blora.go.id", "6281234567890", "Sri Wahyuni", "812-3456-7890"} {
				if strings.Contains(all, gone) {
					t.Errorf("%s mail %s still holds %q: %q", v.Code, m.Kind, gone, all)
				}
			}
			if m.ID == pending.ID && m.Status != models.OutboxFailed {
				t.Errorf("the waiting message is %s, want failed", m.Status)
			}
		}
	}
	if got := f.visit(t, f.bo); !reflect.DeepEqual(got, budi) {
		t.Error("Budi's visit changed")
	}
	if mails, _ := f.st.OutboxFor(ctx(t), f.bo.ID); !reflect.DeepEqual(mails, budiMail) {
		t.Error("Budi's mail changed")
	}
	if after := f.stats(t); !reflect.DeepEqual(after, stats) {
		t.Errorf("statistics changed:\n%+v\n%+v", after, stats)
	}
	// Recorded, without what was erased.
	log, _, _ := f.st.ListAudit(ctx(t), models.AuditFilter{Action: models.AuditPrivacyErase})
	if len(log) != 1 || log[0].Actor.ID != admin.ID || !strings.Contains(log[0].Note, "ST-2024-0001") || log[0].IP != "10.0.0.1" {
		t.Fatalf("audit: %+v", log)
	}
	if b, _ := json.Marshal(log[0]); strings.Contains(string(b), "34567") {
		t.Errorf("the audit entry keeps the phone: %s", b)
	}
	// Found no more.
	if sum, _ := f.st.SummarizePerson(ctx(t), models.PersonQuery{Phone: "+6281234567890"}); len(sum.Visits) != 0 || sum.Messages != 0 {
		t.Errorf("still found: %+v", sum)
	}
}
