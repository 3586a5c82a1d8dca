package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/crypto/bcrypt"

	"studitiru/app/embedded"
	"studitiru/handlers"
	"studitiru/models"
)

// TestStoreOutageAnswers503AndRecoversAlone: the store (an engine of this
// test's own) stops. /readyz fails, and pages then answer at once with the
// friendly 503 page and Retry-After instead of each waiting for the
// driver; the metrics say studitiru_store_up 0. When the engine is back on
// the same data, the same app serves again by itself, and the session made
// before the outage still holds.
func TestStoreOutageAnswers503AndRecoversAlone(t *testing.T) {
	if os.Getenv("MONGODB_TEST_URI") != "" {
		t.Skip("stops and restarts an embedded engine of its own")
	}
	dir, err := os.MkdirTemp("", "st-out-") // short: the socket path has a limit
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := embedded.Start(dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { eng.Stop() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := models.Open(ctx, eng.URI(), "outage")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	st.SetPasswordCost(bcrypt.MinCost)

	e := newEnvWith(t, st, func(d *handlers.Deps) { d.MetricsToken = metricsToken })
	coord := e.sessionFor(models.RoleCoordinator)
	storeUp := func() string {
		t.Helper()
		e.header = http.Header{"Authorization": {"Bearer " + metricsToken}}
		defer func() { e.header = nil }()
		res := e.do("GET", "/metrics", nil, "")
		m := regexp.MustCompile(`(?m)^studitiru_store_up (\d)$`).FindStringSubmatch(res.body)
		if res.status != http.StatusOK || m == nil {
			t.Fatalf("metrics: %d, no studitiru_store_up", res.status)
		}
		return m[1]
	}
	if up := storeUp(); up != "1" {
		t.Errorf("studitiru_store_up %s before the outage, want 1", up)
	}
	for _, path := range []string{"/staf", "/jadwal", "/readyz"} {
		if res := e.do("GET", path, nil, coord); res.status != http.StatusOK {
			t.Fatalf("%s before the outage: %d", path, res.status)
		}
	}

	eng.Stop()
	timed := func(path, session string) (response, time.Duration) {
		start := time.Now()
		res := e.do("GET", path, nil, session)
		return res, time.Since(start)
	}
	t0 := time.Now()
	res, took := timed("/readyz", "")
	if res.status != http.StatusServiceUnavailable || took > 4*time.Second {
		t.Fatalf("readyz with the engine stopped: %d after %v, want 503 within the 2 s ping", res.status, took)
	}
	if ra := res.header.Get("Retry-After"); ra != "30" {
		t.Errorf("readyz: Retry-After %q, want 30", ra)
	}
	for _, tc := range []struct{ path, session string }{{"/staf", coord}, {"/jadwal", ""}, {"/", ""}, {"/staf/permohonan", coord}} {
		res, took := timed(tc.path, tc.session)
		if res.status != http.StatusServiceUnavailable {
			t.Errorf("%s during the outage: %d, want 503", tc.path, res.status)
			continue
		}
		if took > 3*time.Second {
			t.Errorf("%s during the outage took %v: pages must fail fast", tc.path, took)
		}
		if ra := res.header.Get("Retry-After"); ra != "30" {
			t.Errorf("%s: 503 with Retry-After %q, want 30", tc.path, ra)
		}
		if !strings.Contains(res.body, "Layanan sedang tidak tersedia") || !strings.Contains(res.body, "coba beberapa saat lagi") {
			t.Errorf("%s: the 503 page does not explain itself:\n%.400s", tc.path, res.body)
		}
		for _, leak := range []string{"server selection", "mongodb.sock", "topology", "goroutine"} {
			if strings.Contains(res.body, leak) {
				t.Errorf("%s: the 503 page leaks %q", tc.path, leak)
			}
		}
	}
	if res := e.do("GET", "/healthz", nil, ""); res.status != http.StatusOK {
		t.Errorf("healthz during the outage: %d (the process is alive)", res.status)
	}
	if up := storeUp(); up != "0" {
		t.Errorf("studitiru_store_up %s during the outage, want 0", up)
	}

	t.Logf("outage phase %v", time.Since(t0))
	// The engine comes back on the same data; nothing else is restarted.
	if eng, err = embedded.Start(dir, quiet); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		res := e.do("GET", "/staf", nil, coord)
		if res.status == http.StatusOK {
			break
		}
		if res.status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("after the engine is back: %d", res.status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("recovered after %v", time.Since(t0))
	for _, path := range []string{"/jadwal", "/readyz", "/staf/permohonan"} {
		if res := e.do("GET", path, nil, coord); res.status != http.StatusOK {
			t.Errorf("%s after recovery: %d", path, res.status)
		}
	}
	if up := storeUp(); up != "1" {
		t.Errorf("studitiru_store_up %s after recovery, want 1", up)
	}
}

// TestFormSentAgainAfterACrashGoesThrough: a process killed after claiming
// a form's key but before storing its request left the claim behind. The
// browser's retry of that form must not be told "already sent" and led to
// a tracking link that does not exist: it stores the request. A real
// double submission still makes one request.
func TestFormSentAgainAfterACrashGoesThrough(t *testing.T) {
	e := newEnv(t)
	form := validRequest()
	// What the killed process left: the claim, and nothing else.
	if err := e.store.Claim(t.Context(), "submit:"+form.Get("form_key"), e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	res := e.submit(form, map[string][]byte{"letter": testPDF()})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/lacak/") {
		t.Fatalf("retry: %d %q", res.status, res.location)
	}
	page := e.do("GET", res.location, nil, "")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Pemerintah Kabupaten Blora") {
		t.Fatalf("tracking page after the retry: %d", page.status)
	}
	again := e.submit(form, map[string][]byte{"letter": testPDF()})
	if again.location != res.location {
		t.Errorf("second retry: %q, want %q", again.location, res.location)
	}
	if n, _ := e.store.CountVisits(t.Context()); n != 1 {
		t.Errorf("%d requests stored, want 1", n)
	}

	// Killed after storing the request but before queueing its
	// acknowledgement, and the retry comes at once (the request is
	// younger than the grace given to a first attempt still at work):
	// the retry queues it, once.
	other := validRequest()
	v := &models.Visit{ID: bson.NewObjectID(), Code: "ST-2026-0099", Status: models.StatusSubmitted,
		InstitutionName: "Pemerintah Kota Kendari", Contact: models.Person{Name: "Rina", Email: "rina@kendarikota.go.id"},
		SubmissionKey: other.Get("form_key"), TrackingHash: models.NewToken(), Language: "id",
		CreatedAt: e.clock.Now(), Version: 1}
	if err := e.store.InsertVisit(t.Context(), v); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if res := e.submit(other, map[string][]byte{"letter": testPDF()}); res.status != http.StatusSeeOther {
			t.Fatalf("retry of a stored request: %d", res.status)
		}
	}
	mails, err := e.store.OutboxFor(t.Context(), v.ID)
	if err != nil || len(mails) != 1 || mails[0].Kind != "request_received" || mails[0].To[0] != "rina@kendarikota.go.id" {
		t.Errorf("acknowledgement after the retries: %+v %v", mails, err)
	}
}
