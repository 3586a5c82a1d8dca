package handlers_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"studitiru/handlers"
	"studitiru/models"
)

// lockedBuffer collects log lines written from the app's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// withLog is the env's application on the same store, logging to w.
func (e *env) withLog(w io.Writer) *env {
	e.t.Helper()
	h, err := handlers.New(context.Background(), handlers.Deps{
		Store: e.store, Logger: slog.New(slog.NewTextHandler(w, nil)), Location: e.loc,
		BaseURL: &url.URL{Scheme: "http", Host: "localhost:3000"}, Now: e.clock.Now,
		Sessions: models.DefaultSessionPolicy(),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	other := *e
	other.handlers, other.app = h, h.App()
	return &other
}

// TestLogsHoldNoTokensOrPasswords drives the private links through the
// real routes (a delegation's tracking link and its sub-pages, the survey
// link, a staff calendar subscription), a page with a query string and a
// sign-in, and reads the log: each request is logged, with "…" where the
// token was, and no token, query, password, session cookie, CSRF value or
// form key appears anywhere.
func TestLogsHoldNoTokensOrPasswords(t *testing.T) {
	const querySecret = "kueri.rahasia.sekali.123" // no run a redaction would take for a token
	logs := &lockedBuffer{}
	e := newEnv(t).withLog(logs)
	v := surveyVisit(t, e, 2, true) // submitted, approved and completed through the app
	key, err := e.store.SecretKey(t.Context(), "tracking")
	if err != nil {
		t.Fatal(err)
	}
	track := models.TrackingToken(key, v.SubmissionKey)
	survey := surveyPath(t, e, v)
	coord := e.sessionFor(models.RoleCoordinator)
	feed, _ := e.feedPath(coord)

	for path, want := range map[string]int{
		"/lacak/" + track:                        http.StatusOK,
		"/lacak/" + track + "/surat":             http.StatusOK,
		"/lacak/" + track + "/surat-balasan.pdf": http.StatusOK,
		"/LACAK/" + track + "/":                  http.StatusOK, // routing ignores case and a final slash
		"/lacak/" + track + "x":                  http.StatusNotFound,
		survey:                                   http.StatusOK,
		feed:                                     http.StatusOK,
		strings.TrimSuffix(feed, ".ics") + "nope.ics": http.StatusNotFound,
		"/jadwal?cari=" + querySecret:                 http.StatusOK, // the query is never logged
	} {
		if res := e.do("GET", path, nil, ""); res.status != want {
			t.Errorf("GET %s: %d, want %d", path, res.status, want)
		}
	}
	if res := e.post(survey, answers("4"), ""); res.status != http.StatusSeeOther {
		t.Errorf("survey answer: %d", res.status)
	}
	const wrong = "Salah-Sekali-987"
	if res := e.post("/masuk", url.Values{"email": {e.users[models.RoleAdmin].Email}, "password": {wrong}}, ""); res.status == http.StatusSeeOther {
		t.Error("a wrong password signed in")
	}
	admin := e.sessionFor(models.RoleAdmin)

	log := logs.String()
	for _, want := range []string{"path=/jadwal ", "path=/lacak/…", "path=/lacak/…/surat", "path=/LACAK/…/", "path=/survei/…", "path=/kalender/….ics",
		"path=/masuk", "request submitted", "survey answered"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	secrets := map[string]string{
		"tracking token": track, "survey token": strings.TrimPrefix(survey, "/survei/"),
		"survey MAC": survey[len(survey)-24:], "feed token": strings.TrimSuffix(strings.TrimPrefix(feed, "/kalender/"), ".ics"),
		"password": testPassword, "wrong password": wrong, "coordinator session": coord, "admin session": admin,
		"CSRF cookie": e.csrfCk, "CSRF token": e.csrf, "form key": v.SubmissionKey, "query": querySecret,
	}
	for name, s := range secrets {
		if len(s) < 16 {
			t.Fatalf("%s %q is too short to look for", name, s)
		}
		if strings.Contains(log, s) {
			t.Errorf("the log holds the %s %q", name, s)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", log)
	}
}
