package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"studitiru/handlers"
	"studitiru/models"
)

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t)
	if res := e.do("GET", "/healthz", nil, ""); res.status != 200 || res.body != "ok" {
		t.Errorf("healthz: %d %q, want 200 ok", res.status, res.body)
	}
	if res := e.do("GET", "/readyz", nil, ""); res.status != 200 || res.body != "ready" {
		t.Errorf("readyz with the store up: %d %q, want 200 ready", res.status, res.body)
	}
}

// TestStoreFailureIsA500WithoutDetail: when the store is gone, readiness
// fails and pages show the friendly error page, never the error itself.
func TestStoreFailureIsA500WithoutDetail(t *testing.T) {
	e := newEnv(t)
	session := e.sessionFor(models.RoleCoordinator)
	if err := e.store.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res := e.do("GET", "/readyz", nil, ""); res.status != http.StatusServiceUnavailable {
		t.Errorf("readyz with the store closed: %d, want 503", res.status)
	}
	res := e.do("GET", "/staf", nil, session)
	if res.status != http.StatusInternalServerError {
		t.Fatalf("staff page with the store closed: %d, want 500", res.status)
	}
	if !strings.Contains(res.body, "Terjadi kesalahan") || !strings.Contains(res.body, "Studi Tiru") {
		t.Error("500 page is not the app's friendly page")
	}
	for _, leak := range []string{"client is disconnected", "mongo", "goroutine", ".go:"} {
		if strings.Contains(res.body, leak) {
			t.Errorf("500 page leaks %q", leak)
		}
	}
}

func TestCookiesAreSecureUnderHTTPS(t *testing.T) {
	st := server.Open(t)
	h, err := handlers.New(context.Background(), handlers.Deps{
		Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Location: mustZone(t), BaseURL: &url.URL{Scheme: "https", Host: "studitiru.badungkab.go.id"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.App().Test(httptest.NewRequest("GET", "/masuk", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS under https")
	}
	for _, c := range res.Cookies() {
		if !c.Secure || !c.HttpOnly {
			t.Errorf("cookie %s: Secure=%v HttpOnly=%v", c.Name, c.Secure, c.HttpOnly)
		}
	}
	if len(res.Cookies()) == 0 {
		t.Error("no cookie set on the sign-in page")
	}
}

func TestStaticAssetsAreServedAndConfined(t *testing.T) {
	e := newEnv(t)
	res := e.do("GET", "/static/css/app.css", nil, "")
	if res.status != 200 || !strings.Contains(res.body, "--st-brand") {
		t.Fatalf("app.css: %d", res.status)
	}
	for _, path := range []string{"/static/../locales/active.id.toml", "/static/%2e%2e/pages/home.html", "/static/nope.css"} {
		if res := e.do("GET", path, nil, ""); res.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.status)
		}
	}
}

func mustZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
