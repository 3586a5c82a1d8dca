package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"studitiru/models"
)

// approvalForm is a complete approval of a visit at its current version.
func approvalForm(e *env, v *models.Visit, date, session string) url.Values {
	return url.Values{
		"version": {strconv.FormatInt(v.Version, 10)}, "date": {date}, "session": {session},
		"start": {""}, "end": {""}, "room": {"aula"},
		"escorts":  {e.users[models.RoleEscort].ID.Hex(), e.subject.ID.Hex()},
		"receiver": {"Kepala DPMPTSP Kabupaten Badung"}, "agenda": {"Penyambutan\r\nPaparan\r\nFoto bersama"},
		"reply_number": {"000.1.5/77/DPMPTSP/2026"},
	}
}

func (e *env) visit(t *testing.T, v *models.Visit) *models.Visit {
	t.Helper()
	fresh, err := e.store.VisitByID(t.Context(), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

func TestCoordinatorReviewsApprovesAndReschedules(t *testing.T) {
	e := newEnv(t)
	token, v := submitted(t, e)
	coord := e.sessionFor(models.RoleCoordinator)
	page := "/staf/permohonan/" + v.ID.Hex()

	// The inbox lists it, and its filters and search narrow the list.
	for query, want := range map[string]bool{
		"": true, "?status=diajukan": true, "?status=disetujui": false, "?q=blora": true, "?q=ST-2026": true,
		"?q=081234567890": true, "?q=Konawe": false, "?provinsi=33": true, "?provinsi=74": false,
		"?jenis=kabupaten": true, "?jenis=kota": false, "?topik=MPP+digital": true, "?topik=Pembentukan+MPP": false,
		"?dari=2026-03-12&sampai=2026-03-12": true, "?dari=2026-03-13": false,
	} {
		res := e.do("GET", "/staf/permohonan"+query, nil, coord)
		if res.status != http.StatusOK || strings.Contains(res.body, `data-code="`+v.Code+`"`) != want {
			t.Errorf("inbox%s: status %d, listed=%v, want %v", query, res.status, !want, want)
		}
	}

	// The request page: details, the letter inline, WhatsApp to the contact.
	res := e.do("GET", page, nil, coord)
	for _, want := range []string{v.InstitutionName, `src="/staf/permohonan/` + v.ID.Hex() + `/surat"`,
		"https://wa.me/6281234567890?text=", "Kamis, 12 Maret 2026", `id="form-jadwal"`, "Pengguna escort", "Subjek Uji"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("request page lacks %q", want)
		}
	}
	letter := e.do("GET", page+"/surat", nil, coord)
	if letter.status != http.StatusOK || !strings.HasPrefix(letter.body, "%PDF-") {
		t.Errorf("letter: %d", letter.status)
	}

	// Approve into the requested session with a room and two escorts.
	res = e.post(page+"/setujui", approvalForm(e, v, "2026-03-12", "pagi"), coord)
	if res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %.2000s", res.status, res.body)
	}
	v = e.visit(t, v)
	if v.Status != models.StatusApproved || v.Room != "Aula MPP Lantai 2" || len(v.Escorts) != 2 || v.ReplyNumber != "000.1.5/77/DPMPTSP/2026" {
		t.Fatalf("approved visit: %s %q %v %q", v.Status, v.Room, v.Escorts, v.ReplyNumber)
	}
	mails, _ := e.store.OutboxFor(t.Context(), v.ID)
	kinds := map[string]int{}
	for _, m := range mails {
		kinds[m.Kind]++
		if m.Kind == "decision_setujui_delegation" && (!strings.Contains(m.Text, "Kamis, 12 Maret 2026, 09.00–12.00 WITA") || !strings.Contains(m.Text, "/lacak/"+token)) {
			t.Errorf("approval mail lacks the time or the tracking link:\n%s", m.Text)
		}
	}
	if kinds["decision_setujui_delegation"] != 1 || kinds["decision_setujui_escort"] != 2 {
		t.Errorf("mails queued: %v", kinds)
	}
	track := e.do("GET", "/lacak/"+token, nil, "")
	if !strings.Contains(track.body, "Kamis, 12 Maret 2026, 09.00–12.00 WITA") || !strings.Contains(track.body, "Aula MPP Lantai 2") {
		t.Errorf("tracking page does not show the schedule")
	}

	// Approving again is not allowed in this state: 409 with a message.
	res = e.post(page+"/setujui", approvalForm(e, v, "2026-03-12", "pagi"), coord)
	if res.status != http.StatusConflict || !strings.Contains(res.body, "tidak dapat dilakukan pada status") {
		t.Errorf("approve twice: %d", res.status)
	}
	// A stale form (an older version) is a conflict, shown with the current state.
	stale := approvalForm(e, v, "2026-03-13", "pagi")
	stale.Set("version", strconv.FormatInt(v.Version-1, 10))
	res = e.post(page+"/ubah", stale, coord)
	if res.status != http.StatusConflict || !strings.Contains(res.body, "baru saja diubah oleh petugas lain") {
		t.Errorf("stale change: %d", res.status)
	}
	// Invalid input re-renders with what was typed and a message per field.
	bad := approvalForm(e, v, "2026-03-13", "pagi")
	bad.Set("room", "")
	bad.Set("start", "10.00")
	bad.Set("end", "09.00")
	bad.Set("agenda", "Penyambutan\r\nDiskusi khusus OSS")
	res = e.post(page+"/ubah", bad, coord)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Pilih ruangan.") ||
		!strings.Contains(res.body, "Jam selesai harus setelah jam mulai.") || !strings.Contains(res.body, "Diskusi khusus OSS") {
		t.Errorf("invalid change: %d %.3000s", res.status, res.body)
	}

	// Reschedule to Friday morning; the tracking page follows.
	res = e.post(page+"/ubah", approvalForm(e, v, "2026-03-13", "pagi"), coord)
	if res.status != http.StatusSeeOther {
		t.Fatalf("reschedule: %d %.2000s", res.status, res.body)
	}
	track = e.do("GET", "/lacak/"+token, nil, "")
	if !strings.Contains(track.body, "Jumat, 13 Maret 2026, 08.30–11.30 WITA") {
		t.Error("tracking page does not show the new time")
	}
	if h := e.visit(t, v).History; h[len(h)-1].Action != models.ActionRescheduled || h[len(h)-1].Actor != e.users[models.RoleCoordinator].Name {
		t.Errorf("history: %+v", h[len(h)-1])
	}

	// Another request cannot take Friday morning (one delegation per session).
	_, other := submittedAs(t, e, "Pemerintah Kota Kupang")
	third, err := e.store.CreateUser(t.Context(), models.UserInput{Email: "made@badungkab.go.id", Name: "I Made Escort", Role: "escort", Password: testPassword}, false, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	full := approvalForm(e, other, "2026-03-13", "pagi")
	full["escorts"] = []string{third.ID.Hex()}
	full.Set("room", "rapat")
	res = e.post("/staf/permohonan/"+other.ID.Hex()+"/setujui", full, coord)
	if res.status != http.StatusConflict || !strings.Contains(res.body, "baru saja penuh") {
		t.Errorf("approving into a full session: %d", res.status)
	}
	// Leadership reads the request but sees no decisions.
	res = e.do("GET", page, nil, e.sessionFor(models.RoleLeadership))
	if res.status != http.StatusOK || strings.Contains(res.body, `id="form-jadwal"`) {
		t.Errorf("leadership view: %d", res.status)
	}
}

// submittedAs submits a request under another institution's name.
func submittedAs(t *testing.T, e *env, institution string) (string, *models.Visit) {
	t.Helper()
	f := validRequest()
	f.Set("institution_name", institution)
	f.Set("slot1_date", "2026-03-25")
	f.Set("slot2_date", "2026-03-26")
	res := e.submit(f, map[string][]byte{"letter": testPDF()})
	token := strings.TrimSuffix(strings.TrimPrefix(res.location, "/lacak/"), "?baru=1")
	v, err := e.store.VisitByTrackingToken(t.Context(), token)
	if err != nil {
		t.Fatalf("submitted request: %v (%d)", err, res.status)
	}
	return token, v
}

func TestDeclineRevisionOfferCancelAndComplete(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	token, v := submitted(t, e)
	page := "/staf/permohonan/" + v.ID.Hex()
	version := func() string { return strconv.FormatInt(e.visit(t, v).Version, 10) }

	// A reason is required.
	res := e.post(page+"/revisi", url.Values{"version": {version()}, "revision_reason": {""}}, coord)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="e-revision_reason"`) {
		t.Fatalf("revision without reason: %d", res.status)
	}
	res = e.post(page+"/revisi", url.Values{"version": {version()}, "revision_reason": {"Surat belum ditandatangani Sekda."}}, coord)
	if res.status != http.StatusSeeOther || e.visit(t, v).Status != models.StatusRevision {
		t.Fatalf("revision: %d", res.status)
	}
	if track := e.do("GET", "/lacak/"+token, nil, ""); !strings.Contains(track.body, "Surat belum ditandatangani Sekda.") {
		t.Error("the delegation does not see what to fix")
	}
	// While the delegation revises, only declining is possible.
	res = e.post(page+"/tawarkan", url.Values{"version": {version()}, "offer1_date": {"2026-03-16"}, "offer1_session": {"pagi"}}, coord)
	if res.status != http.StatusConflict {
		t.Errorf("offer during revision: %d", res.status)
	}
	res = e.post(page+"/tolak", url.Values{"version": {version()}, "decline_reason": {"Tidak ada jawaban dari pemohon."}}, coord)
	if res.status != http.StatusSeeOther || e.visit(t, v).Status != models.StatusDeclined {
		t.Fatalf("decline: %d", res.status)
	}

	// A counter-offer holds its sessions on the public schedule.
	token2, w := submittedAs(t, e, "Pemerintah Kabupaten Soppeng")
	page2 := "/staf/permohonan/" + w.ID.Hex()
	res = e.post(page2+"/tawarkan", url.Values{"version": {"1"}, "offer1_date": {"2026-03-16"}, "offer1_session": {"pagi"},
		"offer2_date": {"2026-03-17"}, "offer2_session": {"siang"}, "offer_message": {"Tanggal 12 Maret ada rapat Bupati."}}, coord)
	if res.status != http.StatusSeeOther {
		t.Fatalf("offer: %d %.1500s", res.status, res.body)
	}
	if sched := e.do("GET", "/jadwal?bulan=2026-03", nil, ""); strings.Contains(sched.body, `data-slot="2026-03-16/pagi"`) {
		t.Error("an offered session is still open to others")
	}
	res = e.post("/lacak/"+token2+"/pilih", url.Values{"offer": {"0"}}, "")
	if res.status != http.StatusSeeOther || e.visit(t, w).Status != models.StatusApproved {
		t.Fatalf("choose offer: %d", res.status)
	}
	// The host completes the schedule with room and escorts, then cancels.
	wv := e.visit(t, w)
	res = e.post(page2+"/ubah", approvalForm(e, wv, "2026-03-16", "pagi"), coord)
	if res.status != http.StatusSeeOther || e.visit(t, w).Room == "" {
		t.Fatalf("assign room after the choice: %d %.1500s", res.status, res.body)
	}
	res = e.post(page2+"/selesai", url.Values{"version": {strconv.FormatInt(e.visit(t, w).Version, 10)}}, coord)
	if res.status != http.StatusConflict {
		t.Errorf("completing a visit before it happened: %d", res.status)
	}
	res = e.post(page2+"/batal", url.Values{"version": {strconv.FormatInt(e.visit(t, w).Version, 10)}, "cancel_reason": {"Aula dipakai untuk rapat paripurna."}}, coord)
	if res.status != http.StatusSeeOther || e.visit(t, w).Status != models.StatusCancelled {
		t.Fatalf("cancel: %d", res.status)
	}
	if sched := e.do("GET", "/jadwal?bulan=2026-03", nil, ""); !strings.Contains(sched.body, `data-slot="2026-03-16/pagi"`) {
		t.Error("a cancelled visit still holds its session")
	}

	// A visit that took place is marked completed.
	_, x := submittedAs(t, e, "Pemerintah Kabupaten Muna Barat")
	page3 := "/staf/permohonan/" + x.ID.Hex()
	if res := e.post(page3+"/setujui", approvalForm(e, x, "2026-03-12", "pagi"), coord); res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.status)
	}
	e.clock.Advance(8 * 24 * time.Hour)
	coord = e.sessionFor(models.RoleCoordinator) // the old session expired
	res = e.post(page3+"/selesai", url.Values{"version": {strconv.FormatInt(e.visit(t, x).Version, 10)}, "complete_note": {"Hadir 22 orang."}}, coord)
	if res.status != http.StatusSeeOther || e.visit(t, x).Status != models.StatusCompleted {
		t.Fatalf("complete: %d", res.status)
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditVisitRevision, models.AuditVisitOffer, models.AuditVisitDecline, models.AuditVisitChange, models.AuditVisitComplete, models.AuditVisitCancel)
}

func TestOverdueRequestsAreFlagged(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	_, v := submitted(t, e)
	if res := e.do("GET", "/staf/permohonan", nil, coord); strings.Contains(res.body, "Terlambat") {
		t.Error("a new request is flagged overdue")
	}
	e.clock.Advance(7 * 24 * time.Hour) // Thursday to Thursday: 5 working days
	coord = e.sessionFor(models.RoleCoordinator)
	res := e.do("GET", "/staf/permohonan?status=diajukan", nil, coord)
	if !strings.Contains(res.body, "Terlambat 5 hari kerja") {
		t.Errorf("overdue request not flagged:\n%.3000s", res.body)
	}
	if res := e.do("GET", "/staf/permohonan/"+v.ID.Hex(), nil, coord); !strings.Contains(res.body, "overdue") {
		t.Error("request page does not flag it")
	}
}

func TestEscortOnLeaveCannotBeAssigned(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	_, v := submitted(t, e)
	profile := &models.EscortProfile{UserID: e.subject.ID, Unit: "Bidang Pelayanan",
		Leave: []models.Leave{{From: "2026-03-11", To: "2026-03-13", Reason: "Cuti tahunan"}}}
	if err := e.store.SaveEscortProfile(t.Context(), profile, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	page := "/staf/permohonan/" + v.ID.Hex()
	res := e.do("GET", page+"?tanggal=2026-03-12&sesi=pagi", nil, coord)
	if !strings.Contains(res.body, `value="`+e.subject.ID.Hex()+`" id="esc-`+e.subject.ID.Hex()+`" disabled`) || !strings.Contains(res.body, "Sedang cuti") {
		t.Errorf("an escort on leave is offered:\n%.200s", res.body[strings.Index(res.body, "Subjek Uji")-400:])
	}
	res = e.post(page+"/setujui", approvalForm(e, v, "2026-03-12", "pagi"), coord)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "sedang cuti") {
		t.Errorf("approval with an escort on leave: %d", res.status)
	}
	if e.visit(t, v).Status != models.StatusSubmitted {
		t.Error("the refused approval changed the request")
	}
}

func TestDashboardShowsUpcomingVisitsAndEscortsTheirOwn(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	_, v := submitted(t, e)
	form := approvalForm(e, v, "2026-03-12", "pagi")
	form["escorts"] = []string{e.users[models.RoleEscort].ID.Hex()}
	if res := e.post("/staf/permohonan/"+v.ID.Hex()+"/setujui", form, coord); res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.status)
	}
	if res := e.do("GET", "/staf", nil, coord); !strings.Contains(res.body, "Kamis, 12 Maret 2026, 09.00–12.00 WITA") {
		t.Error("coordinator's dashboard lacks the upcoming visit")
	}
	if res := e.do("GET", "/staf", nil, e.sessionFor(models.RoleEscort)); !strings.Contains(res.body, "Tugas pendampingan saya") || !strings.Contains(res.body, v.InstitutionName) {
		t.Error("the assigned escort does not see the visit")
	}
	if res := e.do("GET", "/staf", nil, e.signIn(e.subject.Email, testPassword)); strings.Contains(res.body, "Kamis, 12 Maret 2026, 09.00") {
		t.Error("an escort sees a visit they are not assigned to")
	}
}

func TestSettingsCannotDropARoomOrSessionThatIsBooked(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	_, v := submitted(t, e)
	form := approvalForm(e, v, "2026-03-12", "pagi")
	form.Set("room", "rapat")
	if res := e.post("/staf/permohonan/"+v.ID.Hex()+"/setujui", form, coord); res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.status)
	}
	admin := e.sessionFor(models.RoleAdmin)
	rooms := e.settingsForm(admin, "ruangan", "form-ruangan")
	for _, f := range []string{"id", "name", "capacity"} {
		rooms.Set("room_1_"+f, "") // Ruang Rapat is the second row
	}
	res := e.post("/staf/pengaturan/ruangan", rooms, admin)
	if res.status != http.StatusConflict || !strings.Contains(res.body, "masih dipakai kunjungan") || !strings.Contains(res.body, "rapat") {
		t.Errorf("dropping a booked room: %d %s", res.status, errorsIn(res.body))
	}
	if s, _ := e.store.HostSettings(t.Context()); len(s.Rooms) != 2 {
		t.Errorf("the booked room was removed: %+v", s.Rooms)
	}
	// Once the visit is cancelled the room may go.
	cancel := url.Values{"version": {strconv.FormatInt(e.visit(t, v).Version, 10)}, "cancel_reason": {"Rombongan batal berangkat."}}
	if res := e.post("/staf/permohonan/"+v.ID.Hex()+"/batal", cancel, coord); res.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.status)
	}
	rooms = e.settingsForm(admin, "ruangan", "form-ruangan")
	for _, f := range []string{"id", "name", "capacity"} {
		rooms.Set("room_1_"+f, "")
	}
	if res := e.post("/staf/pengaturan/ruangan", rooms, admin); res.status != http.StatusSeeOther {
		t.Errorf("dropping a free room: %d %s", res.status, errorsIn(res.body))
	}
}

func TestRemindersAreQueuedOnceAtTheRightTime(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	_, v := submitted(t, e) // 2 of 24 participants named
	if res := e.post("/staf/permohonan/"+v.ID.Hex()+"/setujui", approvalForm(e, v, "2026-03-12", "pagi"), coord); res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.status)
	}
	count := func() map[string]int {
		mails, _ := e.store.OutboxFor(t.Context(), v.ID)
		kinds := map[string]int{}
		for _, m := range mails {
			if strings.HasPrefix(m.Kind, "reminder_") {
				kinds[m.Kind]++
			}
		}
		return kinds
	}
	run := func(at time.Time) int {
		n, err := e.handlers.QueueReminders(t.Context(), at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Thursday 5 March: nothing is due yet.
	if n := run(e.clock.Now()); n != 0 {
		t.Errorf("%d reminders queued a week ahead", n)
	}
	// Monday 9 March: the roster (deadline Tuesday evening) is incomplete.
	monday := time.Date(2026, 3, 9, 10, 0, 0, 0, e.loc)
	if n := run(monday); n != 1 || count()["reminder_roster"] != 1 {
		t.Errorf("roster reminder: queued %d, %v", n, count())
	}
	if n := run(monday.Add(time.Hour)); n != 0 {
		t.Errorf("roster reminder queued again: %d", n)
	}
	// Wednesday 11 March: the day before, to the delegation and both escorts.
	wednesday := time.Date(2026, 3, 11, 7, 0, 0, 0, e.loc)
	if n := run(wednesday); n != 3 {
		t.Errorf("day-before reminders: queued %d", n)
	}
	if n := run(wednesday.Add(3 * time.Hour)); n != 0 {
		t.Errorf("day-before reminders queued again: %d", n)
	}
	kinds := count()
	if kinds["reminder_day_delegation"] != 1 || kinds["reminder_day_escort"] != 2 {
		t.Errorf("reminders: %v", kinds)
	}
	mails, _ := e.store.OutboxFor(t.Context(), v.ID)
	for _, m := range mails {
		if m.Kind == "reminder_day_delegation" && !strings.Contains(m.Text, "Kamis, 12 Maret 2026, 09.00–12.00 WITA") {
			t.Errorf("reminder lacks the time:\n%s", m.Text)
		}
	}
}
