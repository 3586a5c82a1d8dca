package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/gofiber/fiber/v2"

	"studitiru/handlers"
	"studitiru/models"
	"studitiru/models/storetest"
)

var server *storetest.Server

func TestMain(m *testing.M) { storetest.Main(m, &server) }

// clock is a settable time source shared by the app under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is one application on its own database, driven through app.Test.
type env struct {
	t        *testing.T
	store    *models.Store
	handlers *handlers.Handlers
	app      *fiber.App
	clock    *clock
	loc      *time.Location
	csrfCk   string // a CSRF cookie value and the token that goes with it
	csrf     string
	users    map[models.Role]*models.User
	subject  *models.User // an account for admin actions to act on
	header   http.Header  // extra headers sent with every request
}

const testPassword = "kata-sandi-uji-123"

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, server.Open(t), nil)
}

// newEnvOn is newEnv on a store the test opened itself.
func newEnvOn(t *testing.T, st *models.Store) *env {
	t.Helper()
	return newEnvWith(t, st, nil)
}

// newEnvWith is newEnv on a given store, with the dependencies changed
// by with (nil: as newEnv).
func newEnvWith(t *testing.T, st *models.Store, with func(*handlers.Deps)) *env {
	t.Helper()
	wita, _ := time.LoadLocation("Asia/Makassar")
	clk := &clock{now: time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)}
	deps := handlers.Deps{
		Store:    st,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Location: wita,
		BaseURL:  &url.URL{Scheme: "http", Host: "localhost:3000"},
		Now:      clk.Now,
		Sessions: models.DefaultSessionPolicy(),
	}
	if with != nil {
		with(&deps)
	}
	h, err := handlers.New(context.Background(), deps)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, handlers: h, app: h.App(), clock: clk, loc: wita, users: map[models.Role]*models.User{}}
	e.csrfCk = "uji-csrf-cookie-0123456789abcdefghijklmnop"
	res := e.do("GET", "/masuk", nil, "")
	e.csrf = hiddenValue(t, res.body, "_csrf")
	for _, r := range models.Roles() {
		u, err := st.CreateUser(context.Background(), models.UserInput{
			Email: string(r) + "@badungkab.go.id", Name: "Pengguna " + string(r),
			Role: string(r), Password: testPassword,
		}, false, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		e.users[r] = u
	}
	e.subject, err = st.CreateUser(context.Background(), models.UserInput{
		Email: "subjek@badungkab.go.id", Name: "Subjek Uji", Role: "escort", Password: testPassword,
	}, false, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// response is what a test looks at.
type response struct {
	status   int
	location string
	body     string
	cookies  map[string]*http.Cookie
	header   http.Header
}

// do sends a request; form values are sent urlencoded (POST). session is a
// session cookie token ("" for anonymous). The env's CSRF cookie is always
// sent; the form's _csrf is whatever the caller put in form.
func (e *env) do(method, path string, form url.Values, session string, extraCookies ...*http.Cookie) response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range e.header {
		req.Header[k] = v
	}
	ownCSRF := false
	for _, c := range extraCookies {
		ownCSRF = ownCSRF || c.Name == "st_csrf"
	}
	if !ownCSRF {
		req.AddCookie(&http.Cookie{Name: "st_csrf", Value: e.csrfCk})
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "st_session", Value: session})
	}
	for _, c := range extraCookies {
		req.AddCookie(c)
	}
	res, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := response{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b), cookies: map[string]*http.Cookie{},
		header: res.Header}
	for _, c := range res.Cookies() {
		out.cookies[c.Name] = c
	}
	return out
}

// post sends a form with a valid CSRF token.
func (e *env) post(path string, form url.Values, session string) response {
	e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", e.csrf)
	return e.do("POST", path, form, session)
}

// signIn signs in through the real form and returns the session token.
func (e *env) signIn(email, password string) string {
	e.t.Helper()
	res := e.post("/masuk", url.Values{"email": {email}, "password": {password}}, "")
	ck := res.cookies["st_session"]
	if res.status != http.StatusSeeOther || ck == nil || ck.Value == "" {
		e.t.Fatalf("sign-in as %s: status %d, body %.300s", email, res.status, res.body)
	}
	return ck.Value
}

// sessionFor signs in as the user of role.
func (e *env) sessionFor(r models.Role) string {
	return e.signIn(e.users[r].Email, testPassword)
}

var hiddenRe = regexp.MustCompile(`name="([^"]+)" value="([^"]*)"`)

func hiddenValue(t *testing.T, html, name string) string {
	t.Helper()
	for _, m := range hiddenRe.FindAllStringSubmatch(html, -1) {
		if m[1] == name {
			return m[2]
		}
	}
	t.Fatalf("no field %q in page", name)
	return ""
}

// inputValue returns the value attribute of the input with the given name.
func inputValue(html, name string) (string, bool) {
	re := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `"[^>]*?value="([^"]*)"`)
	m := re.FindStringSubmatch(html)
	if m == nil {
		return "", false
	}
	return m[1], true
}
