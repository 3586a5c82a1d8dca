package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"studitiru/models"
)

// escortForm is a complete edit form as the browser would send it.
func escortForm(version string) url.Values {
	return url.Values{
		"version":         {version},
		"unit":            {"Bidang Pelayanan Perizinan"},
		"topics":          {"MPP digital", "Integrasi OSS"},
		"languages":       {"Inggris", "Bali"},
		"languages_other": {"Sasak"},
		"leave_rows":      {"3"},
		"leave_0_from":    {"2026-03-09"}, "leave_0_to": {"2026-03-11"}, "leave_0_reason": {"Cuti tahunan"},
		"leave_1_from": {""}, "leave_1_to": {""}, "leave_1_reason": {""},
		"leave_2_from": {""}, "leave_2_to": {""}, "leave_2_reason": {""},
	}
}

func TestEscortListShowsEscortsAndLeadershipIsRefused(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	admin := e.sessionFor(models.RoleAdmin)

	// A new escort account appears on the list, profile or not.
	res := e.post("/staf/pengguna", url.Values{
		"name": {"Ni Kadek Sri Wahyuni, S.Sos."}, "email": {"kadek@badungkab.go.id"},
		"role": {"escort"}, "password": {"awal-yang-panjang"},
	}, admin)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create escort: %d", res.status)
	}
	list := e.do("GET", "/staf/pendamping", nil, coord)
	if list.status != http.StatusOK {
		t.Fatalf("list: %d", list.status)
	}
	for _, want := range []string{"Ni Kadek Sri Wahyuni, S.Sos.", "Subjek Uji", `href="/staf/pendamping/` + e.subject.ID.Hex() + `"`} {
		if !strings.Contains(list.body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	// Other roles are not escorts and are not listed.
	if strings.Contains(list.body, "Pengguna leadership") || strings.Contains(list.body, "Pengguna admin") {
		t.Error("a non-escort account is listed as an escort")
	}
	if !strings.Contains(list.body, `href="/staf/pendamping"`) {
		t.Error("no Pendamping entry in the coordinator's navigation")
	}

	lead := e.do("GET", "/staf/pendamping", nil, e.sessionFor(models.RoleLeadership))
	if lead.status != http.StatusForbidden {
		t.Errorf("leadership on the list: %d, want 403", lead.status)
	}
	if strings.Contains(e.do("GET", "/staf", nil, e.sessionFor(models.RoleLeadership)).body, `href="/staf/pendamping"`) {
		t.Error("leadership's navigation links to the escort list")
	}
}

func TestCoordinatorEditsEscortProfile(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	path := "/staf/pendamping/" + e.subject.ID.Hex()

	form := e.do("GET", path, nil, coord)
	if form.status != http.StatusOK {
		t.Fatalf("edit form: %d", form.status)
	}
	if v := hiddenValue(t, form.body, "leave_rows"); v != "2" {
		t.Errorf("a new profile offers %s leave rows, want 2 empty ones", v)
	}
	res := e.post(path, escortForm(hiddenValue(t, form.body, "version")), coord)
	if res.status != http.StatusSeeOther || res.location != "/staf/pendamping?ok=disimpan" {
		t.Fatalf("save: %d %q %.500s", res.status, res.location, res.body)
	}

	list := e.do("GET", res.location, nil, coord)
	for _, want := range []string{"Profil pendamping disimpan.", "Bidang Pelayanan Perizinan", "MPP digital", "Inggris, Bali, Sasak", "9–11 Maret 2026", "Cuti tahunan"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("list after save lacks %q", want)
		}
	}
	// In English the offered languages are named in English; typed ones stay.
	en := e.do("GET", "/staf/pendamping", nil, coord, &http.Cookie{Name: "st_lang", Value: "en"})
	for _, want := range []string{"English, Balinese, Sasak", "9–11 March 2026"} {
		if !strings.Contains(en.body, want) {
			t.Errorf("English list lacks %q", want)
		}
	}
	stored, err := e.store.EscortProfile(context.Background(), e.subject.ID)
	if err != nil || stored.Version != 1 || len(stored.Leave) != 1 || len(stored.Topics) != 2 {
		t.Fatalf("stored profile %+v, %v", stored, err)
	}

	// The form shows what was saved, with two empty rows after the leave.
	form = e.do("GET", path, nil, coord)
	if v, _ := inputValue(form.body, "leave_0_reason"); v != "Cuti tahunan" {
		t.Errorf("saved leave not in the form: %q", v)
	}
	if v := hiddenValue(t, form.body, "leave_rows"); v != "3" {
		t.Errorf("leave rows %s, want 1 + 2 empty", v)
	}
	if !strings.Contains(form.body, `value="MPP digital" id="f-topic-2" checked`) {
		t.Error("saved topic not checked")
	}

	// A save from a form opened before that save is refused, not applied.
	stale := escortForm("0")
	stale.Set("unit", "Bidang Lama")
	res = e.post(path, stale, coord)
	if res.status != http.StatusConflict || !strings.Contains(res.body, "diubah oleh pengguna lain") {
		t.Errorf("stale save: %d", res.status)
	}
	if v, _ := inputValue(res.body, "unit"); v != "Bidang Lama" {
		t.Errorf("typed unit lost on conflict: %q", v)
	}
	if got, _ := e.store.EscortProfile(context.Background(), e.subject.ID); got.Unit != "Bidang Pelayanan Perizinan" {
		t.Errorf("stale save overwrote the unit: %q", got.Unit)
	}

	// A non-escort account has no escort profile page.
	if res := e.do("GET", "/staf/pendamping/"+e.users[models.RoleCoordinator].ID.Hex(), nil, coord); res.status != http.StatusNotFound {
		t.Errorf("coordinator's account as an escort: %d, want 404", res.status)
	}
}

func TestEscortInvalidLeaveIsShownAgainAsTyped(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	path := "/staf/pendamping/" + e.subject.ID.Hex()

	bad := escortForm("0")
	bad.Set("unit", "Bidang Pengaduan")
	// The first row is left blank; the typed period is the second row and
	// is backwards. Blank rows are dropped, so it comes back as row 0.
	bad.Set("leave_0_from", "")
	bad.Set("leave_0_to", "")
	bad.Set("leave_0_reason", "")
	bad.Set("leave_1_from", "2026-04-10")
	bad.Set("leave_1_to", "2026-04-08")
	bad.Set("leave_1_reason", "Dinas luar ke Jakarta")
	bad.Set("languages_other", "Sasak, "+strings.Repeat("x", 41))
	res := e.post(path, bad, admin)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("backwards leave: %d, want 422", res.status)
	}
	for name, want := range map[string]string{
		"leave_0_from": "2026-04-10", "leave_0_to": "2026-04-08", "leave_0_reason": "Dinas luar ke Jakarta",
		"unit": "Bidang Pengaduan", "languages_other": "Sasak, " + strings.Repeat("x", 41),
	} {
		if v, _ := inputValue(res.body, name); v != want {
			t.Errorf("%s = %q, want the typed %q", name, v, want)
		}
	}
	if !strings.Contains(res.body, `id="e-leave_0_to">Tanggal selesai tidak boleh sebelum tanggal mulai.`) {
		t.Error("no message next to the end date")
	}
	if !strings.Contains(res.body, `id="e-languages">Nama bahasa terlalu panjang`) {
		t.Error("no message for the too long language")
	}
	if !strings.Contains(res.body, `value="Integrasi OSS" id="f-topic-3" checked`) {
		t.Error("checked topic lost on re-render")
	}
	if v := hiddenValue(t, res.body, "leave_rows"); v != "3" {
		t.Errorf("re-rendered with %s leave rows, want the typed one + 2 empty", v)
	}
	if got, _ := e.store.EscortProfile(context.Background(), e.subject.ID); got.Version != 0 {
		t.Error("an invalid profile was stored")
	}
}

func TestEscortKeepsOwnLeaveOnly(t *testing.T) {
	e := newEnv(t)
	// The env's escort user and the subject are two different escorts.
	other := e.subject
	me := e.users[models.RoleEscort]
	session := e.sessionFor(models.RoleEscort)

	for _, p := range []string{"/staf/pendamping/" + other.ID.Hex(), "/staf/pendamping/" + me.ID.Hex(), "/staf/pendamping"} {
		if res := e.do("GET", p, nil, session); res.status != http.StatusForbidden {
			t.Errorf("escort GET %s: %d, want 403", p, res.status)
		}
	}
	if res := e.post("/staf/pendamping/"+other.ID.Hex(), escortForm("0"), session); res.status != http.StatusForbidden {
		t.Errorf("escort saving another escort's profile: %d, want 403", res.status)
	}

	// A coordinator set the unit; the escort sees it but cannot change it.
	coord := e.sessionFor(models.RoleCoordinator)
	prof := escortForm("0")
	prof.Set("leave_rows", "0")
	if res := e.post("/staf/pendamping/"+me.ID.Hex(), prof, coord); res.status != http.StatusSeeOther {
		t.Fatalf("coordinator save: %d", res.status)
	}

	page := e.do("GET", "/staf/pendamping/saya", nil, session)
	if page.status != http.StatusOK || !strings.Contains(page.body, "Bidang Pelayanan Perizinan") {
		t.Fatalf("own page: %d", page.status)
	}
	if _, ok := inputValue(page.body, "unit"); ok {
		t.Error("the escort's own page offers the unit for editing")
	}
	if !strings.Contains(page.body, `href="/staf/pendamping/saya"`) {
		t.Error("no Profil pendamping entry in the escort's navigation")
	}

	res := e.post("/staf/pendamping/saya/cuti", url.Values{
		"version": {hiddenValue(t, page.body, "version")}, "leave_rows": {"2"},
		"leave_0_from": {"2026-05-04"}, "leave_0_to": {"2026-05-08"}, "leave_0_reason": {"Diklat kepemimpinan"},
		"leave_1_from": {""}, "leave_1_to": {""}, "leave_1_reason": {""},
		"unit": {"Unit yang dikarang sendiri"}, "topics": {"SKM dan pengaduan"},
	}, session)
	if res.status != http.StatusSeeOther || res.location != "/staf/pendamping/saya?ok=disimpan" {
		t.Fatalf("own leave: %d %q %.300s", res.status, res.location, res.body)
	}
	got, _ := e.store.EscortProfile(context.Background(), me.ID)
	if len(got.Leave) != 1 || got.Leave[0].Reason != "Diklat kepemimpinan" {
		t.Errorf("leave not saved: %+v", got.Leave)
	}
	if got.Unit != "Bidang Pelayanan Perizinan" || len(got.Topics) != 2 {
		t.Errorf("the leave form changed the profile: unit %q topics %q", got.Unit, got.Topics)
	}
	if other, _ := e.store.EscortProfile(context.Background(), other.ID); other.Version != 0 {
		t.Error("another escort's profile was written")
	}
	after := e.do("GET", res.location, nil, session)
	if !strings.Contains(after.body, "Jadwal cuti Anda disimpan.") {
		t.Error("no confirmation after saving leave")
	}

	// An invalid own leave is shown again as typed.
	res = e.post("/staf/pendamping/saya/cuti", url.Values{
		"version": {hiddenValue(t, after.body, "version")}, "leave_rows": {"1"},
		"leave_0_from": {"2026-06-02"}, "leave_0_to": {"2026-06-01"}, "leave_0_reason": {""},
	}, session)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid own leave: %d", res.status)
	}
	if v, _ := inputValue(res.body, "leave_0_from"); v != "2026-06-02" {
		t.Errorf("typed date lost: %q", v)
	}
	if !strings.Contains(res.body, `id="e-leave_0_reason">Wajib diisi.`) {
		t.Error("no message for the missing reason")
	}

	// A leave form opened before the last save is refused with a way back.
	res = e.post("/staf/pendamping/saya/cuti", url.Values{
		"version": {"1"}, "leave_rows": {"1"},
		"leave_0_from": {"2026-07-01"}, "leave_0_to": {"2026-07-03"}, "leave_0_reason": {"Cuti"},
	}, session)
	if res.status != http.StatusConflict || !strings.Contains(res.body, `href="/staf/pendamping/saya" id="muat-ulang"`) {
		t.Errorf("stale own leave: %d, or no link to reopen the page", res.status)
	}

	// Coordinators and admins have no own escort page: they go to the list.
	if res := e.do("GET", "/staf/pendamping/saya", nil, coord); res.status != http.StatusSeeOther || res.location != "/staf/pendamping" {
		t.Errorf("coordinator on /saya: %d %q", res.status, res.location)
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditEscortUpdate, models.AuditEscortLeave)
}

// TestEscortLanguagesHaveNames: each offered language is named in both
// catalogues (the key is built at run time, so the catalogue test cannot
// see it).
func TestEscortLanguagesHaveNames(t *testing.T) {
	for _, lang := range []string{models.LangID, models.LangEN} {
		cat := loadCatalogue(t, lang)
		for _, l := range models.EscortLanguages() {
			if cat["escort.lang."+strings.ToLower(l)] == "" {
				t.Errorf("%s catalogue lacks a name for %s", lang, l)
			}
		}
	}
}
