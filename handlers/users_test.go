package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"studitiru/models"
)

func TestAdminAddsUserAndBadInputIsExplained(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)

	res := e.post("/staf/pengguna", url.Values{
		"name": {"I Ketut Arsa"}, "email": {"bukan email"}, "role": {"raja"}, "password": {"pendek"},
	}, admin)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid user: %d, want 422", res.status)
	}
	for field, msg := range map[string]string{
		"email": "Alamat email tidak valid", "role": "Pilih salah satu peran", "password": "Kata sandi minimal 10 karakter",
	} {
		if !strings.Contains(res.body, `id="e-`+field+`">`+msg) {
			t.Errorf("no message %q for %s", msg, field)
		}
	}
	if v, _ := inputValue(res.body, "name"); v != "I Ketut Arsa" {
		t.Errorf("typed name lost: %q", v)
	}
	if v, _ := inputValue(res.body, "email"); v != "bukan email" {
		t.Errorf("typed email lost: %q", v)
	}
	if strings.Contains(res.body, `value="pendek"`) {
		t.Error("password echoed back")
	}

	res = e.post("/staf/pengguna", url.Values{
		"name": {"Dr. H. I Made Agus Aryawan, S.T., M.Si."}, "email": {"agus@badungkab.go.id"},
		"role": {"leadership"}, "password": {"awal-yang-panjang"},
	}, admin)
	if res.status != http.StatusSeeOther || res.location != "/staf/pengguna?ok=dibuat" {
		t.Fatalf("create: %d %q", res.status, res.location)
	}
	list := e.do("GET", res.location, nil, admin)
	if !strings.Contains(list.body, "Dr. H. I Made Agus Aryawan, S.T., M.Si.") || !strings.Contains(list.body, "Pengguna ditambahkan") {
		t.Error("new user or confirmation not on the list")
	}

	// The same address again is a field error, not a crash.
	res = e.post("/staf/pengguna", url.Values{
		"name": {"Orang Lain"}, "email": {"AGUS@badungkab.go.id"}, "role": {"escort"}, "password": {"awal-yang-panjang"},
	}, admin)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "sudah dipakai akun lain") {
		t.Errorf("duplicate email: %d", res.status)
	}

	// The new user must choose a password first.
	session := e.signIn("agus@badungkab.go.id", "awal-yang-panjang")
	res = e.do("GET", "/staf", nil, session)
	if res.status != http.StatusSeeOther || res.location != "/staf/profil?wajib=1" {
		t.Errorf("first sign-in: %d %q, want the password page", res.status, res.location)
	}
}

func TestStaleEditIsAConflictAndKeepsTheTypedValues(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	u := e.subject
	path := "/staf/pengguna/" + u.ID.Hex()
	form := e.do("GET", path, nil, admin)
	version := hiddenValue(t, form.body, "version")

	// Somebody else saves first…
	res := e.post(path, url.Values{"email": {u.Email}, "name": {"Nama Versi A"}, "role": {"escort"}, "active": {"1"}, "version": {version}}, admin)
	if res.status != http.StatusSeeOther {
		t.Fatalf("first save: %d", res.status)
	}
	// …then the second save, made from the same old form, must not overwrite it.
	res = e.post(path, url.Values{"email": {u.Email}, "name": {"Nama Versi B"}, "role": {"coordinator"}, "active": {"1"}, "version": {version}}, admin)
	if res.status != http.StatusConflict {
		t.Fatalf("stale save: %d, want 409", res.status)
	}
	if !strings.Contains(res.body, "baru saja diubah oleh pengguna lain") {
		t.Error("conflict not explained")
	}
	if v, _ := inputValue(res.body, "name"); v != "Nama Versi B" {
		t.Errorf("typed name lost on conflict: %q", v)
	}
	got, _ := e.store.UserByID(t.Context(), u.ID)
	if got.Name != "Nama Versi A" || got.Role != models.RoleEscort {
		t.Errorf("stored %q/%s, want the first save", got.Name, got.Role)
	}
}

func TestAdminCannotLockThemselvesOut(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	me := e.users[models.RoleAdmin]
	res := e.post("/staf/pengguna/"+me.ID.Hex(), url.Values{"email": {me.Email}, "name": {me.Name}, "role": {"escort"}, "active": {"1"}, "version": {"1"}}, admin)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "tidak dapat menonaktifkan akun sendiri") {
		t.Errorf("self-demotion: %d", res.status)
	}
}

func TestPasswordResetShowsOneTimePasswordAndEndsSessions(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	victim := e.signIn(e.subject.Email, testPassword)
	res := e.post("/staf/pengguna/"+e.subject.ID.Hex()+"/sandi", nil, admin)
	if res.status != http.StatusOK || !strings.Contains(res.body, `id="sandi-baru"`) {
		t.Fatalf("reset: %d", res.status)
	}
	start := strings.Index(res.body, `font-monospace my-2 user-select-all">`)
	if start < 0 {
		t.Fatal("new password not shown")
	}
	rest := res.body[start+len(`font-monospace my-2 user-select-all">`):]
	password := rest[:strings.Index(rest, "<")]
	if len(password) != 19 {
		t.Fatalf("unexpected password %q", password)
	}
	if res := e.do("GET", "/staf", nil, victim); res.status != http.StatusSeeOther {
		t.Error("old session survived the reset")
	}
	s := e.signIn(e.subject.Email, password)
	if res := e.do("GET", "/staf", nil, s); res.location != "/staf/profil?wajib=1" {
		t.Errorf("after reset the user is not asked to choose a password: %q", res.location)
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditUserPasswordReset)
}

func TestChangeOwnPassword(t *testing.T) {
	e := newEnv(t)
	email := e.users[models.RoleEscort].Email
	here := e.signIn(email, testPassword)
	elsewhere := e.signIn(email, testPassword)

	res := e.post("/staf/profil/sandi", url.Values{"current": {"keliru-sekali"}, "password": {"baru"}, "confirm": {"lain"}}, here)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad change: %d", res.status)
	}
	for field, msg := range map[string]string{
		"current": "Kata sandi saat ini tidak cocok", "password": "Kata sandi minimal 10 karakter", "confirm": "Konfirmasi tidak sama",
	} {
		if !strings.Contains(res.body, `id="e-`+field+`">`+msg) {
			t.Errorf("no message %q for %s", msg, field)
		}
	}

	res = e.post("/staf/profil/sandi", url.Values{"current": {testPassword}, "password": {"kalimat sandi baru"}, "confirm": {"kalimat sandi baru"}}, here)
	if res.status != http.StatusSeeOther || res.location != "/staf/profil?ok=1" {
		t.Fatalf("change: %d %q", res.status, res.location)
	}
	if res := e.do("GET", "/staf/profil?ok=1", nil, here); !strings.Contains(res.body, "Kata sandi berhasil diganti") {
		t.Error("this session should stay signed in and see the confirmation")
	}
	if res := e.do("GET", "/staf", nil, elsewhere); res.status != http.StatusSeeOther {
		t.Error("the other session survived the password change")
	}
	e.signIn(email, "kalimat sandi baru")
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditPasswordChange)
}

func TestErrorPagesInTheAppsLook(t *testing.T) {
	e := newEnv(t)
	res := e.do("GET", "/tidak-ada", nil, "")
	if res.status != http.StatusNotFound || !strings.Contains(res.body, "Halaman tidak ditemukan") || !strings.Contains(res.body, "Studi Tiru") {
		t.Errorf("404 page: %d", res.status)
	}
	admin := e.sessionFor(models.RoleAdmin)
	res = e.do("GET", "/staf/pengguna/bukan-id", nil, admin)
	if res.status != http.StatusNotFound {
		t.Errorf("malformed id: %d, want 404", res.status)
	}
	res = e.do("GET", "/staf/pengguna/"+strings.Repeat("0", 24), nil, admin)
	if res.status != http.StatusNotFound {
		t.Errorf("unknown id: %d, want 404", res.status)
	}
}
