package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"studitiru/handlers"
	"studitiru/models"
)

func TestWrongPasswordKeepsEmailAndSaysSoInIndonesian(t *testing.T) {
	e := newEnv(t)
	res := e.post("/masuk", url.Values{"email": {"Petugas@Badungkab.go.id"}, "password": {"salah-sekali"}}, "")
	if res.status != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", res.status)
	}
	if !strings.Contains(res.body, "Email atau kata sandi salah") {
		t.Error("no Indonesian message for a wrong password")
	}
	if v, _ := inputValue(res.body, "email"); v != "petugas@badungkab.go.id" {
		t.Errorf("typed email not kept: %q", v)
	}
	if strings.Contains(res.body, "salah-sekali") {
		t.Error("the typed password was echoed back")
	}
	if res.cookies["st_session"] != nil && res.cookies["st_session"].Value != "" {
		t.Error("a session was created for a wrong password")
	}
}

// TestUnknownAddressIsAnsweredLikeAWrongPassword: the sign-in page does
// not tell whether an account exists. An unknown address and a wrong
// password get the same 401 page (apart from the address typed), and a
// deactivated account is only named as such after its right password.
func TestUnknownAddressIsAnsweredLikeAWrongPassword(t *testing.T) {
	e := newEnv(t)
	// The env's accounts are <role>@badungkab.go.id; nobody has this one.
	known, unknown := e.users[models.RoleCoordinator].Email, "tidak.ada@badungkab.go.id"
	wrong := e.post("/masuk", url.Values{"email": {known}, "password": {"salah-sekali"}}, "")
	nobody := e.post("/masuk", url.Values{"email": {unknown}, "password": {"salah-sekali"}}, "")
	for name, res := range map[string]response{"wrong password": wrong, "unknown address": nobody} {
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, "Email atau kata sandi salah") {
			t.Errorf("%s: %d, want 401 with the common message", name, res.status)
		}
		if res.cookies["st_session"] != nil && res.cookies["st_session"].Value != "" {
			t.Errorf("%s: a session was created", name)
		}
	}
	if strings.ReplaceAll(nobody.body, unknown, known) != wrong.body {
		t.Error("the page for an unknown address differs from the page for a wrong password")
	}

	// Deactivated: a wrong password still gets the common message.
	u := e.users[models.RoleEscort]
	if err := e.store.UpdateUser(t.Context(), u, models.UserInput{Email: u.Email, Name: u.Name, Role: string(u.Role)}, false, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	res := e.post("/masuk", url.Values{"email": {u.Email}, "password": {"salah-sekali"}}, "")
	if res.status != http.StatusUnauthorized || strings.Contains(res.body, "dinonaktifkan") {
		t.Errorf("deactivated account, wrong password: %d, or the page says it is deactivated", res.status)
	}
}

func TestMalformedSignInGetsAMessagePerField(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		form       url.Values
		wantFields map[string]string // field → message
		keepEmail  string
	}{
		{url.Values{}, map[string]string{"email": "Wajib diisi.", "password": "Wajib diisi."}, ""},
		{url.Values{"email": {"bukan-email"}, "password": {"x"}}, map[string]string{"email": "Alamat email tidak valid"}, "bukan-email"},
		{url.Values{"email": {"<script>alert(1)</script>@x.id"}}, map[string]string{"password": "Wajib diisi."}, "&lt;script&gt;alert(1)&lt;/script&gt;@x.id"},
	}
	for _, tc := range tests {
		res := e.post("/masuk", tc.form, "")
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d, want 422", tc.form, res.status)
		}
		for field, msg := range tc.wantFields {
			if !strings.Contains(res.body, `id="e-`+field+`">`+msg) {
				t.Errorf("%v: no message %q for %s", tc.form, msg, field)
			}
		}
		if v, _ := inputValue(res.body, "email"); v != tc.keepEmail {
			t.Errorf("%v: email field holds %q, want %q", tc.form, v, tc.keepEmail)
		}
		if strings.Contains(res.body, "<script>alert") {
			t.Errorf("%v: user input rendered unescaped", tc.form)
		}
	}
}

func TestAccountLocksAfterRepeatedFailuresAndSaysUntilWhen(t *testing.T) {
	e := newEnv(t)
	email := e.users[models.RoleCoordinator].Email
	var res response
	for i := 0; i < models.AccountThrottle().Max; i++ {
		res = e.post("/masuk", url.Values{"email": {email}, "password": {"tebakan-" + string(rune('a'+i))}}, "")
	}
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("after %d failures: status %d, want 429", models.AccountThrottle().Max, res.status)
	}
	// 09.00 WITA now; locked for 15 minutes.
	if !strings.Contains(res.body, "Terlalu banyak percobaan masuk") || !strings.Contains(res.body, "pukul 09.15 WITA") {
		t.Errorf("lock message missing or without the time: %.2000s", res.body)
	}
	// Even the right password is refused while locked…
	res = e.post("/masuk", url.Values{"email": {email}, "password": {testPassword}}, "")
	if res.status != http.StatusTooManyRequests {
		t.Errorf("right password while locked: %d, want 429", res.status)
	}
	if v, _ := inputValue(res.body, "email"); v != email {
		t.Errorf("email not kept on the lock page: %q", v)
	}
	// …and accepted once the lock has passed.
	e.clock.Advance(16 * time.Minute)
	e.signIn(email, testPassword)
}

func TestAddressIsThrottledAcrossAccounts(t *testing.T) {
	e := newEnv(t)
	max := models.AddressThrottle().Max
	e.header = http.Header{}
	for i := 0; i < max; i++ {
		// Without a configured trusted proxy, a forged X-Forwarded-For must
		// not give each guess a fresh address.
		e.header.Set("X-Forwarded-For", "10.0.0."+string(rune('0'+i%10)))
		// A different (unknown) account each time: only the address limit applies.
		e.post("/masuk", url.Values{"email": {"coba" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@x.id"}, "password": {"x"}}, "")
	}
	res := e.post("/masuk", url.Values{"email": {e.users[models.RoleAdmin].Email}, "password": {testPassword}}, "")
	if res.status != http.StatusTooManyRequests {
		t.Errorf("after %d failures from one address: %d, want 429", max, res.status)
	}
}

// TestTrustedProxyNamesTheClient: with TRUSTED_PROXIES naming the peer,
// the client address is read from X-Forwarded-For, so the address limit
// locks the address that failed and not everyone behind the proxy.
func TestTrustedProxyNamesTheClient(t *testing.T) {
	// app.Test's connections come from 0.0.0.0: that is the proxy here.
	e := newEnvWith(t, server.Open(t), func(d *handlers.Deps) { d.TrustedProxies = []string{"0.0.0.0"} })
	e.header = http.Header{"X-Forwarded-For": {"203.0.113.7"}}
	for i := 0; i < models.AddressThrottle().Max; i++ {
		e.post("/masuk", url.Values{"email": {"coba" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@x.id"}, "password": {"x"}}, "")
	}
	if res := e.post("/masuk", url.Values{"email": {e.users[models.RoleAdmin].Email}, "password": {testPassword}}, ""); res.status != http.StatusTooManyRequests {
		t.Errorf("the address that failed: %d, want 429", res.status)
	}
	e.header.Set("X-Forwarded-For", "203.0.113.8")
	e.signIn(e.users[models.RoleAdmin].Email, testPassword) // another client behind the same proxy
}

func TestSignInRotatesSessionAndSignOutEndsIt(t *testing.T) {
	e := newEnv(t)
	first := e.sessionFor(models.RoleCoordinator)
	// Signing in again from the same browser replaces the old session.
	res := e.do("POST", "/masuk", url.Values{"_csrf": {e.csrf}, "email": {e.users[models.RoleCoordinator].Email}, "password": {testPassword}}, first)
	second := res.cookies["st_session"].Value
	if second == "" || second == first {
		t.Fatalf("session not rotated on sign-in")
	}
	if res.cookies["st_csrf"] == nil || res.cookies["st_csrf"].Value == e.csrfCk {
		t.Error("CSRF cookie not rotated on sign-in")
	}
	ck := res.cookies["st_session"]
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie flags: HttpOnly=%v SameSite=%v", ck.HttpOnly, ck.SameSite)
	}
	if res := e.do("GET", "/staf", nil, first); res.status != http.StatusSeeOther {
		t.Errorf("old session still works: %d", res.status)
	}
	if res := e.do("GET", "/staf", nil, second); res.status != http.StatusOK {
		t.Fatalf("new session: %d", res.status)
	}
	res = e.post("/keluar", nil, second)
	if res.status != http.StatusSeeOther || res.location != "/masuk?alasan=keluar" {
		t.Errorf("sign-out: %d %q", res.status, res.location)
	}
	if res := e.do("GET", "/staf", nil, second); res.status != http.StatusSeeOther {
		t.Errorf("session works after sign-out: %d", res.status)
	}
	if res := e.do("GET", "/masuk?alasan=keluar", nil, ""); !strings.Contains(res.body, "Anda telah keluar") {
		t.Error("sign-out not confirmed")
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditSignIn, models.AuditSignOut)
}

func TestExpiredSessionSaysSoAndReturnsAfterSignIn(t *testing.T) {
	e := newEnv(t)
	session := e.sessionFor(models.RoleLeadership)
	e.clock.Advance(models.DefaultSessionPolicy().IdleTimeout + time.Minute)
	res := e.do("GET", "/staf/profil", nil, session)
	if res.status != http.StatusSeeOther || !strings.Contains(res.location, "alasan=sesi") {
		t.Fatalf("expired session: %d → %q, want a redirect that says why", res.status, res.location)
	}
	page := e.do("GET", res.location, nil, "")
	if !strings.Contains(page.body, "Sesi Anda telah berakhir") {
		t.Error("sign-in page does not explain the expired session")
	}
	if next := hiddenValue(t, page.body, "next"); next != "/staf/profil" {
		t.Errorf("next = %q, want /staf/profil", next)
	}
	res = e.post("/masuk", url.Values{"email": {e.users[models.RoleLeadership].Email}, "password": {testPassword}, "next": {"/staf/profil"}}, "")
	if res.location != "/staf/profil" {
		t.Errorf("after sign-in: → %q, want back to /staf/profil", res.location)
	}
}

func TestActivityExtendsSessionUpToItsMaximum(t *testing.T) {
	e := newEnv(t)
	session := e.sessionFor(models.RoleEscort)
	p := models.DefaultSessionPolicy()
	// A request every hour keeps it alive, but not past the maximum age.
	for elapsed := time.Duration(0); elapsed < p.MaxAge-time.Hour; elapsed += time.Hour {
		e.clock.Advance(time.Hour)
		if res := e.do("GET", "/staf", nil, session); res.status != http.StatusOK {
			t.Fatalf("active session ended after %v: %d", elapsed+time.Hour, res.status)
		}
	}
	e.clock.Advance(time.Hour + time.Minute)
	if res := e.do("GET", "/staf", nil, session); res.status != http.StatusSeeOther {
		t.Errorf("session outlived its maximum age: %d", res.status)
	}
}

func TestOpenRedirectIsRefused(t *testing.T) {
	e := newEnv(t)
	// Browsers drop tabs and line breaks from a URL: "/\t/evil.example" is "//evil.example".
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example", "/\n/evil.example"} {
		res := e.post("/masuk", url.Values{"email": {e.users[models.RoleAdmin].Email}, "password": {testPassword}, "next": {next}}, "")
		if res.location != "/staf" {
			t.Errorf("next=%q redirected to %q", next, res.location)
		}
	}
}

func TestLanguageSwitchIsRemembered(t *testing.T) {
	e := newEnv(t)
	res := e.post("/bahasa", url.Values{"lang": {"en"}, "back": {"/masuk"}}, "")
	ck := res.cookies["st_lang"]
	if res.status != http.StatusSeeOther || res.location != "/masuk" || ck == nil || ck.Value != "en" {
		t.Fatalf("switch: %d %q %v", res.status, res.location, ck)
	}
	page := e.do("GET", "/", nil, "", ck)
	if !strings.Contains(page.body, `<html lang="en">`) || !strings.Contains(page.body, "Request a visit") {
		t.Error("English not applied")
	}
	page = e.do("GET", "/", nil, "")
	if !strings.Contains(page.body, `<html lang="id">`) || !strings.Contains(page.body, "Ajukan kunjungan") {
		t.Error("Indonesian is not the default")
	}
	for _, back := range []string{"https://evil.example", "/\t/evil.example"} {
		if res := e.post("/bahasa", url.Values{"lang": {"en"}, "back": {back}}, ""); res.location != "/" {
			t.Errorf("language switch redirected off-site: %q", res.location)
		}
	}
}

func TestDeactivatedUserLosesSessionAtOnce(t *testing.T) {
	e := newEnv(t)
	escort := e.sessionFor(models.RoleEscort)
	admin := e.sessionFor(models.RoleAdmin)
	u := e.users[models.RoleEscort]
	res := e.post("/staf/pengguna/"+u.ID.Hex(), url.Values{
		"email": {u.Email}, "name": {u.Name}, "role": {"escort"}, "version": {"1"},
	}, admin) // "active" unticked
	if res.status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d %.500s", res.status, res.body)
	}
	if res := e.do("GET", "/staf", nil, escort); res.status != http.StatusSeeOther {
		t.Errorf("deactivated user still signed in: %d", res.status)
	}
	res = e.post("/masuk", url.Values{"email": {u.Email}, "password": {testPassword}}, "")
	if !strings.Contains(res.body, "Akun Anda dinonaktifkan") {
		t.Errorf("deactivated sign-in not explained: %d", res.status)
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditUserUpdate)
}

// TestSecurityHeaders: every kind of response carries the same headers
// and CSP: a public page, a staff page, a 404, a 403, a refused form, a
// static file and a download.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	responses := map[string]response{
		"public page":  e.do("GET", "/", nil, ""),
		"staff page":   e.do("GET", "/staf", nil, coord),
		"not found":    e.do("GET", "/tidak-ada", nil, ""),
		"forbidden":    e.do("GET", "/staf/pengguna", nil, coord),
		"refused form": e.do("POST", "/bahasa", url.Values{"lang": {"en"}}, ""),
		"static file":  e.do("GET", "/static/css/app.css", nil, ""),
		"download":     e.do("GET", "/ajukan/templat-peserta.csv", nil, ""),
	}
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	}
	for name, r := range responses {
		for k, v := range want {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s (%d): %s = %q, want %q", name, r.status, k, got, v)
			}
		}
		csp := r.header.Get("Content-Security-Policy")
		for _, part := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, part) {
				t.Errorf("%s (%d): CSP %q lacks %q", name, r.status, csp, part)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", name, csp)
		}
	}
	for name, wantStatus := range map[string]int{"public page": 200, "staff page": 200, "not found": 404, "forbidden": 403,
		"refused form": 403, "static file": 200, "download": 200} {
		if got := responses[name].status; got != wantStatus {
			t.Errorf("%s: status %d, want %d", name, got, wantStatus)
		}
	}
	// Pages are never kept by a cache.
	for _, name := range []string{"public page", "staff page"} {
		if cc := responses[name].header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", name, cc)
		}
	}
}
