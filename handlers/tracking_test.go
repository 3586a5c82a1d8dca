package handlers_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"studitiru/models"
)

// submitted files a valid request and returns its token and stored visit.
func submitted(t *testing.T, e *env) (string, *models.Visit) {
	t.Helper()
	res := e.submit(validRequest(), map[string][]byte{"letter": testPDF()})
	token := strings.TrimSuffix(strings.TrimPrefix(res.location, "/lacak/"), "?baru=1")
	v, err := e.store.VisitByTrackingToken(t.Context(), token)
	if err != nil {
		t.Fatalf("submitted request: %v (%d %.500s)", err, res.status, res.body)
	}
	return token, v
}

func TestDelegationCancelsWithAReason(t *testing.T) {
	e := newEnv(t)
	token, v := submitted(t, e)
	res := e.post("/lacak/"+token+"/batal", url.Values{"cancel_reason": {""}}, "")
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="e-cancel_reason">Wajib diisi.`) {
		t.Fatalf("cancel without reason: %d", res.status)
	}
	res = e.post("/lacak/"+token+"/batal", url.Values{"cancel_reason": {"Jadwal bentrok dengan kunjungan kerja Bupati."}}, "")
	if res.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d %.500s", res.status, res.body)
	}
	page := e.do("GET", res.location, nil, "")
	if !strings.Contains(page.body, "Kunjungan telah dibatalkan") || !strings.Contains(page.body, `id="status">Dibatalkan`) {
		t.Error("cancellation not shown")
	}
	if strings.Contains(page.body, `id="form-batal"`) {
		t.Error("a cancelled visit can still be cancelled")
	}
	mails, _ := e.store.OutboxFor(t.Context(), v.ID)
	if len(mails) != 2 || !strings.Contains(mails[1].Text, "Jadwal bentrok") {
		t.Errorf("host not told: %+v", mails)
	}
}

func TestDelegationUpdatesRosterAndAsksForAnotherDate(t *testing.T) {
	e := newEnv(t)
	token, _ := submitted(t, e)
	res := e.post("/lacak/"+token+"/peserta", url.Values{"roster_text": {"Ir. Sri Wahyuni; Kepala Seksi; P\nAhmad; Staf; X"}}, "")
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="e-roster"`) || !strings.Contains(res.body, "Baris 3") {
		t.Fatalf("bad roster: %d", res.status)
	}
	res = e.post("/lacak/"+token+"/peserta", url.Values{"roster_text": {"Ir. Sri Wahyuni; Kepala Seksi; P\nAhmad Yani; Staf; L"}}, "")
	if res.status != http.StatusSeeOther {
		t.Fatalf("roster: %d %.500s", res.status, res.body)
	}
	v, _ := e.store.VisitByTrackingToken(t.Context(), token)
	if len(v.Roster) != 2 || v.Roster[1].Name != "Ahmad Yani" {
		t.Errorf("roster stored: %+v", v.Roster)
	}

	res = e.post("/lacak/"+token+"/jadwal-ulang", url.Values{"date": {"2026-03-19"}, "session": {"pagi"}, "reason": {"Bupati berhalangan"}}, "")
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="e-slot"`) {
		t.Fatalf("reschedule to Nyepi: %d", res.status)
	}
	res = e.post("/lacak/"+token+"/jadwal-ulang", url.Values{"date": {"2026-04-14"}, "session": {"siang"}, "reason": {"Bupati berhalangan"}}, "")
	if res.status != http.StatusSeeOther {
		t.Fatalf("reschedule: %d %.800s", res.status, res.body)
	}
	v, _ = e.store.VisitByTrackingToken(t.Context(), token)
	last := v.History[len(v.History)-1]
	if last.Action != models.ActionRescheduleAsked || !strings.Contains(last.Note, "2026-04-14") {
		t.Errorf("reschedule not recorded: %+v", last)
	}
}

func TestRosterClosesAtTheDeadline(t *testing.T) {
	e := newEnv(t)
	token, _ := submitted(t, e) // visit on Thursday 12 March, 09.00 WITA
	// Two working days before is Tuesday 10 March; from Wednesday the roster is fixed.
	e.clock.Advance(6 * 24 * time.Hour) // Wednesday 11 March
	page := e.do("GET", "/lacak/"+token, nil, "")
	if strings.Contains(page.body, `id="form-peserta"`) {
		t.Error("roster form offered after the deadline")
	}
	res := e.post("/lacak/"+token+"/peserta", url.Values{"roster_text": {"Ir. Sri Wahyuni; Kepala Seksi; P"}}, "")
	if res.status != http.StatusForbidden {
		t.Errorf("roster after the deadline: %d, want 403", res.status)
	}
}

func TestRevisionAndOfferedSessions(t *testing.T) {
	e := newEnv(t)
	token, v := submitted(t, e)
	// Staff (the staff issue) send it back for revision.
	v.Status, v.StaffNote = models.StatusRevision, "Surat harus ditandatangani Sekda."
	if err := e.store.SaveVisit(t.Context(), v, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	page := e.do("GET", "/lacak/"+token, nil, "")
	if !strings.Contains(page.body, "Surat harus ditandatangani Sekda.") || !strings.Contains(page.body, `id="tombol-perbaiki"`) {
		t.Fatal("revision request not shown")
	}
	form := e.do("GET", "/lacak/"+token+"/perbaiki", nil, "")
	if v, _ := inputValue(form.body, "institution_name"); v != "Pemerintah Kabupaten Blora" {
		t.Fatalf("revision form not prefilled: %q", v)
	}
	f := validRequest()
	f.Set("letter_number", "000.1.2.3/124/Setda")
	newLetter := append(testPDF(), []byte("% ditandatangani Sekda\n%%EOF\n")...)
	res := e.submitTo("/lacak/"+token+"/perbaiki", f, map[string][]byte{"letter": newLetter})
	if res.status != http.StatusSeeOther {
		t.Fatalf("revise: %d %.800s", res.status, res.body)
	}
	v, _ = e.store.VisitByTrackingToken(t.Context(), token)
	if v.Status != models.StatusSubmitted || v.Letter.Number != "000.1.2.3/124/Setda" {
		t.Errorf("after revision: %s %s", v.Status, v.Letter.Number)
	}
	if letter := e.do("GET", "/lacak/"+token+"/surat", nil, ""); letter.body != string(newLetter) {
		t.Error("the new letter is not the one served")
	}

	// Staff offer two other sessions; the delegation picks the second.
	holdOffers(t, e, v,
		models.OfferedSlot{Date: "2026-03-16", SessionID: "pagi", ExpiresAt: e.clock.Now().Add(72 * time.Hour)},
		models.OfferedSlot{Date: "2026-03-17", SessionID: "siang", ExpiresAt: e.clock.Now().Add(72 * time.Hour)})
	res = e.post("/lacak/"+token+"/pilih", url.Values{"offer": {"1"}}, "")
	if res.status != http.StatusSeeOther {
		t.Fatalf("choose: %d %.500s", res.status, res.body)
	}
	page = e.do("GET", "/lacak/"+token, nil, "")
	if !strings.Contains(page.body, `id="status">Disetujui`) || !strings.Contains(page.body, "Selasa, 17 Maret 2026, 13.00–15.30 WITA") {
		t.Errorf("chosen session not shown:\n%.4000s", page.body)
	}
}

// TestStaleTrackingActionIsAConflict: a delegation's action writes the
// visit as trackingAction does (UpdateVisit from the version it read). If
// somebody saved the visit in between, the action is a conflict (the 409
// page) and overwrites nothing; the action sent again goes through.
func TestStaleTrackingActionIsAConflict(t *testing.T) {
	e := newEnv(t)
	token, v := submitted(t, e)
	// The action reads the visit and cancels it; somebody else saves first.
	before, after := *v, *v
	after.Status = models.StatusCancelled
	v.Notes = "diubah petugas"
	if err := e.store.SaveVisit(t.Context(), v, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	settings, err := e.store.HostSettings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.UpdateVisit(t.Context(), &before, &after, settings, e.loc, e.clock.Now()); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("a stale action: %v, want ErrConflict (the 409 page)", err)
	}
	if got := e.visit(t, v); got.Status != models.StatusSubmitted || got.Notes != "diubah petugas" {
		t.Errorf("the stale action overwrote the newer version: %s %q", got.Status, got.Notes)
	}
	if res := e.post("/lacak/"+token+"/batal", url.Values{"cancel_reason": {"Rencana berubah total."}}, ""); res.status != http.StatusSeeOther {
		t.Errorf("fresh action after the conflict: %d", res.status)
	}
}

func TestOffersHoldTheirSessionsOnTheSchedule(t *testing.T) {
	e := newEnv(t)
	_, v := submitted(t, e)
	holdOffers(t, e, v, models.OfferedSlot{Date: "2026-03-16", SessionID: "pagi", ExpiresAt: e.clock.Now().Add(48 * time.Hour)})
	page := e.do("GET", "/jadwal?bulan=2026-03", nil, "")
	if strings.Contains(page.body, `data-slot="2026-03-16/pagi"`) {
		t.Error("a held session is still offered to others")
	}
	e.clock.Advance(49 * time.Hour) // the offer expired
	page = e.do("GET", "/jadwal?bulan=2026-03", nil, "")
	if !strings.Contains(page.body, `data-slot="2026-03-16/pagi"`) {
		t.Error("an expired offer still holds its session")
	}
}

// holdOffers stores a counter-offer the way staff decisions do, so that
// its sessions are held in the ledger.
func holdOffers(t *testing.T, e *env, v *models.Visit, offers ...models.OfferedSlot) {
	t.Helper()
	before := *v
	v.Status, v.Offers = models.StatusOffered, offers
	if err := e.store.UpdateVisit(t.Context(), &before, v, models.DefaultHostSettings(), e.loc, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
}
