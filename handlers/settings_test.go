package handlers_test

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"studitiru/models"
)

var (
	formInputRe    = regexp.MustCompile(`<input [^>]*>`)
	formTextareaRe = regexp.MustCompile(`(?s)<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`)
	attrRe         = regexp.MustCompile(`(\w+)="([^"]*)"`)
)

// formFields returns what a browser would send for the form with id,
// unchanged: its inputs (checkboxes only when checked) and textareas.
func formFields(t *testing.T, page, id string) url.Values {
	t.Helper()
	start := strings.Index(page, `id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no form %q in page", id)
	}
	start = strings.LastIndex(page[:start], "<form")
	end := start + strings.Index(page[start:], "</form>")
	form := page[start:end]
	out := url.Values{}
	for _, tag := range formInputRe.FindAllString(form, -1) {
		attrs := map[string]string{}
		for _, m := range attrRe.FindAllStringSubmatch(tag, -1) {
			attrs[m[1]] = html.UnescapeString(m[2])
		}
		if attrs["name"] == "" || attrs["type"] == "file" {
			continue
		}
		if attrs["type"] == "checkbox" && !strings.Contains(tag, " checked") {
			continue
		}
		out.Add(attrs["name"], attrs["value"])
	}
	for _, m := range formTextareaRe.FindAllStringSubmatch(form, -1) {
		out.Set(m[1], html.UnescapeString(m[2]))
	}
	return out
}

// settingsForm opens a tab and returns its form as the browser would send it.
func (e *env) settingsForm(session, tab, formID string) url.Values {
	e.t.Helper()
	res := e.do("GET", "/staf/pengaturan?bagian="+tab, nil, session)
	if res.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d", tab, res.status)
	}
	return formFields(e.t, res.body, formID)
}

// upload posts a multipart form with one file as a signed-in user.
func (e *env) upload(path string, form url.Values, field, name string, content []byte, session string) response {
	e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", e.csrf)
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile(field, name)
	_, _ = fw.Write(content)
	w.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "st_csrf", Value: e.csrfCk})
	req.AddCookie(&http.Cookie{Name: "st_session", Value: session})
	res, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b)}
}

// fieldError is the message shown under a field.
func fieldError(page, field string) string {
	m := regexp.MustCompile(`id="e-` + regexp.QuoteMeta(field) + `">([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func TestAdminSavesEachSettingsSection(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	ctx := t.Context()

	saved := func(tab, formID string, change func(url.Values)) {
		t.Helper()
		form := e.settingsForm(admin, tab, formID)
		change(form)
		res := e.post("/staf/pengaturan/"+strings.TrimPrefix(formID, "form-"), form, admin)
		if res.status != http.StatusSeeOther || res.location != "/staf/pengaturan?bagian="+tab+"&ok=1" {
			t.Fatalf("%s: %d %q\n%s", tab, res.status, res.location, errorsIn(res.body))
		}
		page := e.do("GET", res.location, nil, admin)
		if !strings.Contains(page.body, "Pengaturan telah disimpan.") {
			t.Errorf("%s: no confirmation", tab)
		}
	}

	saved("profil", "form-profil", func(f url.Values) {
		f.Set("signatory_name", "Dr. H. I Made Agus Aryawan, S.T., M.Si.")
		f.Set("signatory_nip", "19700101 199503 1 002")
		f.Set("phone", "0812 3800 1234")
		f.Set("receivers", "Kepala DPMPTSP Kabupaten Badung\nSekretaris Daerah Kabupaten Badung")
	})
	p, _ := e.store.HostProfile(ctx)
	if p.SignatoryName != "Dr. H. I Made Agus Aryawan, S.T., M.Si." || p.SignatoryNIP != "197001011995031002" ||
		p.Phone != "+6281238001234" || len(p.Receivers) != 2 || p.Name != models.DefaultHostProfile().Name {
		t.Errorf("profile stored: %+v", p)
	}

	saved("sesi", "form-sesi", func(f url.Values) {
		// Friday gets an afternoon session in a blank row; Tuesday's
		// afternoon is removed; Saturday 11 July 2026 opens.
		f.Set("weekly_5_1_id", "siang")
		f.Set("weekly_5_1_start", "13:00")
		f.Set("weekly_5_1_end", "14.30")
		f.Set("weekly_2_1_hapus", "1")
		f.Set("open_saturdays", "2026-07-11\n")
	})
	s, _ := e.store.HostSettings(ctx)
	if fri := s.Weekly[5]; len(fri) != 2 || fri[1] != (models.VisitSession{ID: "siang", Start: "13.00", End: "14.30"}) {
		t.Errorf("Friday: %+v", fri)
	}
	if len(s.Weekly[2]) != 1 || len(s.Weekly[1]) != 2 || len(s.OpenSaturdays) != 1 {
		t.Errorf("Tuesday %+v, Monday %+v, Saturdays %v", s.Weekly[2], s.Weekly[1], s.OpenSaturdays)
	}

	saved("kapasitas", "form-kapasitas", func(f url.Values) {
		f.Set("max_participants", "45")
		f.Set("offer_hold_days", "7")
	})
	saved("ruangan", "form-ruangan", func(f url.Values) {
		f.Set("room_2_id", "lobi")
		f.Set("room_2_name", "Lobi Pelayanan")
		f.Set("room_2_capacity", "40")
	})
	saved("topik", "form-topik", func(f url.Values) {
		f.Set("topics", "Perizinan berusaha\r\nMPP digital\r\n\r\n")
		f.Set("agenda", "Penyambutan\nPaparan\nPeninjauan loket")
	})
	s, _ = e.store.HostSettings(ctx)
	if s.MaxParticipants != 45 || s.OfferHoldDays != 7 || len(s.Rooms) != 3 || s.Rooms[2].Capacity != 40 ||
		len(s.Topics) != 2 || len(s.AgendaTemplate) != 3 || s.Version != 4 {
		t.Errorf("settings stored: %+v", s)
	}
	// Values other tabs saved earlier are kept (each tab replaces its own).
	if len(s.Weekly[5]) != 2 {
		t.Error("a later tab undid the sessions")
	}
}

func errorsIn(page string) string {
	var out []string
	for _, m := range regexp.MustCompile(`id="(e-[^"]+|pesan-galat)">([^<]*)<`).FindAllStringSubmatch(page, -1) {
		out = append(out, m[1]+": "+m[2])
	}
	return strings.Join(out, "\n")
}

func TestInvalidSettingsComeBackWithWhatWasTyped(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	cases := []struct {
		tab, formID string
		change      map[string]string
		field, msg  string
	}{
		{"sesi", "form-sesi", map[string]string{"weekly_1_0_start": "9 pagi"}, "weekly_1_0_start", "Tulis jam dengan format JJ.MM, misalnya 09.00."},
		{"sesi", "form-sesi", map[string]string{"weekly_3_1_start": "11.00"}, "weekly_3_1_start", "Sesi ini bertumpang tindih dengan sesi lain pada hari yang sama."},
		{"sesi", "form-sesi", map[string]string{"open_saturdays": "2026-07-10"}, "open_saturdays", "Ada tanggal yang bukan hari Sabtu."},
		{"kapasitas", "form-kapasitas", map[string]string{"max_participants": "banyak"}, "max_participants", "Isi dengan bilangan bulat, misalnya 25."},
		{"kapasitas", "form-kapasitas", map[string]string{"horizon_days": "2"}, "horizon_days", "Harus lebih besar daripada minimal pemberitahuan."},
		{"kapasitas", "form-kapasitas", map[string]string{"offer_hold_days": "45"}, "offer_hold_days", "Isi antara 1 dan 30 hari."},
		{"ruangan", "form-ruangan", map[string]string{"room_0_capacity": "delapan puluh"}, "room_0_capacity", "Isi dengan bilangan bulat, misalnya 25."},
		{"ruangan", "form-ruangan", map[string]string{"room_1_id": "aula"}, "room_1_id", "ID ruangan ini sudah dipakai ruangan lain."},
		{"ruangan", "form-ruangan", map[string]string{"room_2_id": "Ruang VIP", "room_2_name": "VIP", "room_2_capacity": "10"}, "room_2_id", "Gunakan huruf kecil, angka, atau tanda hubung saja, misalnya: pagi."},
		{"topik", "form-topik", map[string]string{"topics": "MPP digital\nmpp digital"}, "topics", "Ada butir yang tertulis lebih dari sekali."},
		{"penutupan", "form-penutupan", map[string]string{"blackout_0_from": "2026-04-10", "blackout_0_to": "2026-04-01", "blackout_0_reason": "Renovasi"}, "blackout_0_to", "Tanggal akhir tidak boleh sebelum tanggal mulai."},
		{"profil", "form-profil", map[string]string{"map_url": "javascript:alert(1)"}, "map_url", "Tautan harus berupa alamat lengkap yang diawali http:// atau https://."},
		{"profil", "form-profil", map[string]string{"email": "bukan email"}, "email", "Alamat email tidak valid, contoh: nama@badungkab.go.id."},
	}
	for _, c := range cases {
		form := e.settingsForm(admin, c.tab, c.formID)
		for k, v := range c.change {
			form.Set(k, v)
		}
		res := e.post("/staf/pengaturan/"+strings.TrimPrefix(c.formID, "form-"), form, admin)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s %v: %d, want 422", c.tab, c.change, res.status)
			continue
		}
		if got := fieldError(res.body, c.field); got != c.msg {
			t.Errorf("%s %v: message %q, want %q\n%s", c.tab, c.change, got, c.msg, errorsIn(res.body))
		}
		typed := formFields(t, res.body, c.formID)
		for k, v := range c.change {
			if typed.Get(k) != v {
				t.Errorf("%s: %s shows %q, typed %q", c.tab, k, typed.Get(k), v)
			}
		}
	}
	if s, _ := e.store.HostSettings(t.Context()); s.Version != 0 {
		t.Errorf("an invalid form was saved: version %d", s.Version)
	}
}

func TestStaleSettingsFormIsAConflictShowingCurrentValues(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	first := e.settingsForm(admin, "kapasitas", "form-kapasitas")
	second := e.settingsForm(admin, "topik", "form-topik") // opened at the same version

	first.Set("max_participants", "35")
	if res := e.post("/staf/pengaturan/kapasitas", first, admin); res.status != http.StatusSeeOther {
		t.Fatalf("first save: %d", res.status)
	}
	second.Set("topics", "Hanya satu topik")
	res := e.post("/staf/pengaturan/topik", second, admin)
	if res.status != http.StatusConflict {
		t.Fatalf("stale save: %d, want 409", res.status)
	}
	if !strings.Contains(res.body, "baru saja diubah oleh admin lain") {
		t.Error("409 does not explain the conflict")
	}
	current := formFields(t, res.body, "form-topik")
	if strings.Contains(current.Get("topics"), "Hanya satu topik") || !strings.Contains(current.Get("topics"), "MPP digital") {
		t.Errorf("409 should show the stored topics, shows %q", current.Get("topics"))
	}
	if current.Get("version") != "1" {
		t.Errorf("409 form carries version %q, want the current 1", current.Get("version"))
	}
	s, _ := e.store.HostSettings(t.Context())
	if s.MaxParticipants != 35 || len(s.Topics) == 1 {
		t.Errorf("stored %d participants, topics %v", s.MaxParticipants, s.Topics)
	}
	// Submitting the refreshed form works.
	current.Set("topics", "Hanya satu topik")
	if res := e.post("/staf/pengaturan/topik", current, admin); res.status != http.StatusSeeOther {
		t.Errorf("save after the conflict: %d", res.status)
	}

	// The profile has its own version.
	p1 := e.settingsForm(admin, "profil", "form-profil")
	p2 := e.settingsForm(admin, "profil", "form-profil")
	p1.Set("letter_city", "Mengwi")
	if res := e.post("/staf/pengaturan/profil", p1, admin); res.status != http.StatusSeeOther {
		t.Fatalf("profile save: %d %s", res.status, errorsIn(res.body))
	}
	if res := e.post("/staf/pengaturan/profil", p2, admin); res.status != http.StatusConflict ||
		formFields(t, res.body, "form-profil").Get("letter_city") != "Mengwi" {
		t.Errorf("stale profile: %d", res.status)
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditSettingsSave, models.AuditSettingsProfile)
}

func TestCoordinatorCannotOpenSettings(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	if res := e.do("GET", "/staf/pengaturan", nil, coord); res.status != http.StatusForbidden {
		t.Errorf("GET as coordinator: %d", res.status)
	}
	if res := e.post("/staf/pengaturan/kapasitas", url.Values{"version": {"0"}, "max_participants": {"999"}}, coord); res.status != http.StatusForbidden {
		t.Errorf("POST as coordinator: %d", res.status)
	}
	home := e.do("GET", "/staf", nil, coord)
	if strings.Contains(home.body, `href="/staf/pengaturan"`) {
		t.Error("coordinator's menu links to the settings")
	}
	admin := e.sessionFor(models.RoleAdmin)
	if home := e.do("GET", "/staf", nil, admin); !strings.Contains(home.body, `href="/staf/pengaturan"`) {
		t.Error("admin's menu lacks the settings")
	}
}

// dayState reads one day of the public availability JSON.
func dayState(t *testing.T, e *env, month, date string) (state, reason, detail string) {
	t.Helper()
	res := e.do("GET", "/api/ketersediaan?bulan="+month, nil, "")
	var body struct {
		Days []struct {
			Date, State, Reason, Detail string
		} `json:"days"`
	}
	if err := json.Unmarshal([]byte(res.body), &body); err != nil {
		t.Fatalf("JSON: %v %.200s", err, res.body)
	}
	for _, d := range body.Days {
		if d.Date == date {
			return d.State, d.Reason, d.Detail
		}
	}
	t.Fatalf("%s not in %s", date, month)
	return
}

func TestBlackoutClosesTheDayOnThePublicSchedule(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	if state, _, _ := dayState(t, e, "2026-04", "2026-04-15"); state == "closed" {
		t.Fatal("2026-04-15 closed before the blackout")
	}
	form := e.settingsForm(admin, "penutupan", "form-penutupan")
	form.Set("blackout_0_from", "2026-04-15")
	form.Set("blackout_0_reason", "Rapat kerja daerah di Aula MPP")
	if res := e.post("/staf/pengaturan/penutupan", form, admin); res.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.status, errorsIn(res.body))
	}
	state, reason, detail := dayState(t, e, "2026-04", "2026-04-15")
	if state != "closed" || reason != "avail.blackout" || detail != "Rapat kerja daerah di Aula MPP" {
		t.Errorf("2026-04-15: %s %s %q", state, reason, detail)
	}
	if state, _, _ := dayState(t, e, "2026-04", "2026-04-16"); state == "closed" {
		t.Error("a one-day blackout closed the next day too")
	}
}

func TestAdminEditsTheHolidayTable(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	page := e.do("GET", "/staf/pengaturan?bagian=libur&tahun=2026", nil, admin)
	if !strings.Contains(page.body, "Hari Suci Nyepi (Tahun Baru Saka 1948)") || !strings.Contains(page.body, `tahun=2027`) {
		t.Fatal("2026 list or the 2027 tab is missing")
	}
	if state, _, _ := dayState(t, e, "2026-04", "2026-04-14"); state == "closed" {
		t.Fatal("2026-04-14 closed before the holiday was added")
	}

	res := e.post("/staf/pengaturan/libur", url.Values{"date": {"2026-04-14"}, "name": {""}, "kind": {"cuti_bersama"}}, admin)
	if res.status != http.StatusUnprocessableEntity || fieldError(res.body, "name") != "Wajib diisi." {
		t.Errorf("holiday without a name: %d %s", res.status, errorsIn(res.body))
	}
	if v, _ := inputValue(res.body, "date"); v != "2026-04-14" {
		t.Errorf("typed date lost: %q", v)
	}
	res = e.post("/staf/pengaturan/libur", url.Values{"date": {"2026-04-14"}, "name": {"Cuti Bersama Hari Jadi Kabupaten"}, "kind": {"cuti_bersama"}}, admin)
	if res.status != http.StatusSeeOther || res.location != "/staf/pengaturan?bagian=libur&tahun=2026&ok=libur" {
		t.Fatalf("add: %d %q %s", res.status, res.location, errorsIn(res.body))
	}
	if state, reason, detail := dayState(t, e, "2026-04", "2026-04-14"); state != "closed" || reason != "avail.cuti" || detail != "Cuti Bersama Hari Jadi Kabupaten" {
		t.Errorf("after adding: %s %s %q", state, reason, detail)
	}
	res = e.post("/staf/pengaturan/libur", url.Values{"date": {"2026-04-14"}, "name": {"Lagi"}, "kind": {"libur_nasional"}}, admin)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(res.body, "date"), "sudah tercatat") {
		t.Errorf("same date twice: %d", res.status)
	}

	// Edit: an empty name comes back on that row; a good one is saved.
	res = e.post("/staf/pengaturan/libur/2026-04-14", url.Values{"name": {" "}, "kind": {"libur_nasional"}}, admin)
	if res.status != http.StatusUnprocessableEntity || fieldError(res.body, "nama-2026-04-14") != "Wajib diisi." {
		t.Errorf("edit with empty name: %d %s", res.status, errorsIn(res.body))
	}
	res = e.post("/staf/pengaturan/libur/2026-04-14", url.Values{"name": {"Hari Jadi Kabupaten Badung"}, "kind": {"libur_nasional"}}, admin)
	if res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.status)
	}
	if _, reason, detail := dayState(t, e, "2026-04", "2026-04-14"); reason != "avail.holiday" || detail != "Hari Jadi Kabupaten Badung" {
		t.Errorf("after editing: %s %q", reason, detail)
	}
	if res := e.post("/staf/pengaturan/libur/2026-04-30", url.Values{"name": {"x"}, "kind": {"libur_nasional"}}, admin); res.status != http.StatusNotFound {
		t.Errorf("edit of a date without a holiday: %d", res.status)
	}

	res = e.post("/staf/pengaturan/libur/2026-04-14/hapus", nil, admin)
	if res.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.status)
	}
	if state, _, _ := dayState(t, e, "2026-04", "2026-04-14"); state == "closed" {
		t.Error("the deleted holiday still closes the day")
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditHolidayAdd, models.AuditHolidayUpdate, models.AuditHolidayDelete)
}

func TestICSImportPreviewThenConfirm(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	feed, err := os.ReadFile("../models/testdata/libur-indonesia-2027.ics")
	if err != nil {
		t.Fatal(err)
	}
	// The feed also holds a 2026 date the seed has under another name.
	feed = bytes.Replace(feed, []byte("END:VCALENDAR"), []byte("BEGIN:VEVENT\r\nUID:natal-2026@uji\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:Natal\r\nEND:VEVENT\r\nEND:VCALENDAR"), 1)

	bad := e.upload("/staf/pengaturan/libur/impor", nil, "berkas", "libur.ics", []byte("%PDF-1.7 bukan kalender"), admin)
	if bad.status != http.StatusUnprocessableEntity || fieldError(bad.body, "berkas") != "Berkas ini bukan kalender iCalendar (.ics) yang dapat dibaca." {
		t.Errorf("garbage upload: %d %s", bad.status, errorsIn(bad.body))
	}
	big := e.upload("/staf/pengaturan/libur/impor", nil, "berkas", "libur.ics", bytes.Repeat([]byte("X"), models.MaxHolidayICSBytes+10), admin)
	if big.status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(big.body, "berkas"), "maksimal 1 MB") {
		t.Errorf("large upload: %d %s", big.status, errorsIn(big.body))
	}

	preview := e.upload("/staf/pengaturan/libur/impor", nil, "berkas", "libur.ics", feed, admin)
	if preview.status != http.StatusOK {
		t.Fatalf("preview: %d %s", preview.status, errorsIn(preview.body))
	}
	for _, want := range []string{"Pratinjau impor", "Tahun Baru 2027 Masehi", "Nama berbeda", "Tercatat sebagai: Kelahiran Yesus Kristus (Natal)", "Impor 24 hari libur baru"} {
		if !strings.Contains(preview.body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if n, _ := e.store.HolidaysInYear(t.Context(), 2027); len(n) != 0 {
		t.Fatal("the preview stored holidays")
	}

	confirm := formFields(t, preview.body, "form-impor-konfirmasi")
	if len(confirm["pilih"]) != 24 {
		t.Fatalf("%d dates ticked, want 24", len(confirm["pilih"]))
	}
	// The admin unticks one.
	confirm["pilih"] = confirm["pilih"][1:]
	res := e.post("/staf/pengaturan/libur/impor/konfirmasi", confirm, admin)
	if res.status != http.StatusSeeOther || !strings.Contains(res.location, "ok=impor") || !strings.Contains(res.location, "tahun=2027") {
		t.Fatalf("confirm: %d %q", res.status, res.location)
	}
	list := e.do("GET", res.location, nil, admin)
	if !strings.Contains(list.body, "23 hari libur telah ditambahkan.") || !strings.Contains(list.body, "Cuti Bersama Idul Fitri 1448 Hijriah") {
		t.Error("list after import lacks the notice or the holidays")
	}
	got, _ := e.store.HolidaysInYear(t.Context(), 2027)
	if len(got) != 23 || got[0].Date == "2027-01-01" {
		t.Errorf("2027 after import: %d holidays, first %s", len(got), got[0].Date)
	}
	if h, _ := e.store.HolidayByDate(t.Context(), "2026-12-25"); h.Name != "Kelahiran Yesus Kristus (Natal)" {
		t.Errorf("the import changed a stored holiday: %q", h.Name)
	}
	cal, _ := e.store.HolidayCalendar(t.Context(), mustDate(t, e, "2027-03-01"), mustDate(t, e, "2027-03-31"))
	if cal.IsWorkingDay(mustDate(t, e, "2027-03-15")) {
		t.Error("imported cuti bersama 2027-03-15 is a working day")
	}

	// Confirming the same preview again adds nothing.
	res = e.post("/staf/pengaturan/libur/impor/konfirmasi", confirm, admin)
	if !strings.Contains(res.location, "n=0") {
		t.Errorf("second confirm: %q", res.location)
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditHolidayImport)
}

func mustDate(t *testing.T, e *env, key string) time.Time {
	t.Helper()
	d, err := models.ParseDateKey(key, e.loc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
