package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"studitiru/models"
)

// axeTags are the rule sets checked: WCAG 2.0 and 2.1, levels A and AA.
const axeTags = `['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']`

// axeViolation is one failed axe rule on a page, as the test reports it.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Nodes   int      `json:"nodes"`
	Targets []string `json:"targets"`
	Summary string   `json:"summary"`
}

// axeRun runs axe-core on the page shown and returns its violations. The
// script is evaluated through the DevTools protocol, which the page's CSP
// (no inline scripts) does not govern; it is loaded anew on every page.
func axeRun(src string, out *[]axeViolation) chromedp.Action[chromedp.Void] {
	run := `axe.run(document, {runOnly: {type: 'tag', values: ` + axeTags + `}, resultTypes: ['violations']})
		.then(r => r.violations.map(v => ({
			id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length,
			targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
			summary: (v.nodes[0] && v.nodes[0].failureSummary || '').replace(/\s+/g, ' ').slice(0, 240),
		})))`
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := chromedp.Evaluate[chromedp.Void](`if (typeof axe === "undefined") {`+src+"\n}; void 0")(ctx, tg); err != nil {
			return fmt.Errorf("load axe: %w", err)
		}
		got, err := chromedp.Evaluate[[]axeViolation](run, chromedp.EvalAwaitPromise)(ctx, tg)
		*out = got
		return err
	})
}

// TestBrowserAccessibility runs axe-core (WCAG 2.1 A and AA rules) on the
// main public and staff pages in one browser: no page may have a serious
// or critical violation, nor scroll sideways. The request form with the
// errors of a failed submit, the calendar (a list there) and the dashboard
// are also checked at 360 px.
func TestBrowserAccessibility(t *testing.T) {
	e := newEnv(t)
	src, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is vendored for this test (make vendor-axe): %v", err)
	}
	// A few requests in the states the pages show differently, made through
	// the app (the demo records would make the run several times slower
	// under -race): one waiting, one approved, one offered another session,
	// one completed with its survey open.
	coord := e.sessionFor(models.RoleCoordinator)
	_, pending := submitted(t, e)
	approvedToken, approved := e.request(t, "Pemerintah Kota Balikpapan")
	date, session := openSlot(t, e, "2026-04")
	if res := e.post("/staf/permohonan/"+approved.ID.Hex()+"/setujui", approvalForm(e, approved, date, session), coord); res.status != http.StatusSeeOther {
		t.Fatalf("approve %s %s: %d", date, session, res.status)
	}
	offeredToken, offered := e.request(t, "Pemerintah Kota Kupang")
	date, session = openSlot(t, e, "2026-04")
	if res := e.post("/staf/permohonan/"+offered.ID.Hex()+"/tawarkan", url.Values{"version": {strconv.FormatInt(offered.Version, 10)},
		"offer1_date": {date}, "offer1_session": {session}}, coord); res.status != http.StatusSeeOther {
		t.Fatalf("offer %s %s: %d", date, session, res.status)
	}
	completed := surveyVisit(t, e, 3, true) // held on 12 March; the clock is now a week later
	// The invitation to preview, and a sent and a failed message for the
	// outbox's other states.
	var invitation *models.OutboxMessage
	mails, err := e.store.OutboxFor(t.Context(), approved.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range mails {
		if len(mails[i].ICS) > 0 && mails[i].HTML != "" {
			invitation = &mails[i]
		}
	}
	if invitation == nil {
		t.Fatal("the approval queued no invitation")
	}
	e.queue(plainMessage("Pendamping kunjungan "+approved.Code, "made@badungkab.go.id"), models.OutboxSent, "")
	e.queue(plainMessage("Pemberitahuan "+approved.Code, "tidakada@contoh.go.id"), models.OutboxFailed, "550 5.1.1 Recipient address rejected")
	track := func(token string) string { return "/lacak/" + token }

	base := serve(t, e)
	ctx, console := newBrowser(t)
	user := e.users[models.RoleAdmin]

	// A check is a page to open (or "" for the page shown), what to wait
	// for, and what to do before axe runs.
	type check struct {
		name, path, ready string
		before            []chromedp.Action[chromedp.Void]
	}
	desktop := chromedp.EmulateViewport(1280, 900)
	phone := chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile)
	viewport := func(a chromedp.Action[chromedp.Void]) check {
		return check{before: []chromedp.Action[chromedp.Void]{a}}
	}
	failedSubmit := []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.CSS(`#kirim-permohonan`)),
		chromedp.WaitVisible(chromedp.CSS(`#form-ajukan .is-invalid`)),
	}
	checks := []check{
		viewport(desktop),
		{name: "home", path: "/", ready: `#ajukan-kunjungan`},
		{name: "availability", path: "/jadwal", ready: `main h1`},
		{name: "request form", path: "/ajukan", ready: `#form-ajukan`},
		{name: "request form with errors", path: "/ajukan", ready: `#form-ajukan`, before: failedSubmit},
		{name: "tracking (offered)", path: track(offeredToken), ready: `#status`},
		{name: "tracking (approved)", path: track(approvedToken), ready: `#status`},
		{name: "survey", path: surveyPath(t, e, completed), ready: `#form-survei`},
		{name: "sign-in", path: "/masuk", ready: `#form-masuk`},

		viewport(phone),
		{name: "request form with errors at 360 px", path: "/ajukan", ready: `#form-ajukan`, before: failedSubmit},

		// Staff pages, signed in once as an administrator (who sees them all).
		{before: []chromedp.Action[chromedp.Void]{
			desktop,
			chromedp.Navigate(base + "/masuk"),
			chromedp.SendKeys(chromedp.CSS(`#f-email`), user.Email),
			chromedp.SendKeys(chromedp.CSS(`#f-password`), testPassword),
			chromedp.Click(chromedp.CSS(`#form-masuk button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#judul-status`)),
		}},
		{name: "staff home", path: "/staf", ready: `#judul-status`},
		{name: "inbox", path: "/staf/permohonan", ready: `#daftar-permohonan`},
		{name: "request page", path: "/staf/permohonan/" + pending.ID.Hex(), ready: `#keputusan`,
			before: []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(`#jadwalkan > summary`)), chromedp.WaitVisible(chromedp.CSS(`#simpan-jadwal`))}},
		{name: "calendar", path: "/staf/kalender", ready: `#kalender .ec-event`},
		{name: "settings", path: "/staf/pengaturan", ready: `#form-profil`},
		{name: "escorts", path: "/staf/pendamping", ready: `main h1`},
		{name: "outbox", path: "/staf/surel", ready: `#daftar-surel`},
		{name: "email preview", path: "/staf/surel/" + invitation.ID.Hex(), ready: `#judul-surel`},
		{name: "history", path: "/staf/riwayat", ready: `#daftar-riwayat`},
		{name: "dashboard", path: "/staf/dasbor", ready: `#angka-kunci`,
			before: []chromedp.Action[chromedp.Void]{chartsReady()}},

		// On a phone the calendar is a list and the province map scrolls.
		viewport(phone),
		{name: "calendar at 360 px", path: "/staf/kalender", ready: `#kalender .ec-list .ec-event`},
		{name: "dashboard at 360 px", path: "/staf/dasbor", ready: `#angka-kunci`,
			before: []chromedp.Action[chromedp.Void]{chartsReady()}},
	}

	start, pages := time.Now(), 0
	var failures []string
	for _, c := range checks {
		steps := []chromedp.Action[chromedp.Void]{}
		if c.path != "" {
			steps = append(steps, chromedp.Navigate(base+c.path), chromedp.WaitVisible(chromedp.CSS(c.ready)))
		}
		steps = append(steps, c.before...)
		var found []axeViolation
		var sideways bool
		if c.name != "" {
			pages++
			// Reflow (WCAG 1.4.10): nothing may push the page sideways.
			steps = append(steps, axeRun(string(src), &found), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
				sideways, err = chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)(ctx, tg)
				return err
			}))
		}
		for i, step := range steps {
			if err := doStep(ctx, step); err != nil {
				t.Fatalf("%s: step %d: %v (console: %v)", c.name, i, err, console.all())
			}
		}
		if sideways {
			failures = append(failures, c.name+": the page scrolls sideways")
		}
		for _, v := range found {
			line := fmt.Sprintf("%s: %s [%s] %s — %d× e.g. %s; %s", c.name, v.ID, v.Impact, v.Help, v.Nodes, strings.Join(v.Targets, " | "), v.Summary)
			if v.Impact == "serious" || v.Impact == "critical" {
				failures = append(failures, line)
			} else {
				t.Logf("not serious: %s", line)
			}
		}
	}
	t.Logf("axe on %d pages took %v", pages, time.Since(start).Round(time.Millisecond))
	for _, f := range failures {
		t.Error(f)
	}
	for _, line := range console.all() {
		// The failed submits are answered 422 on purpose.
		if strings.Contains(line, "status of 422") {
			continue
		}
		t.Errorf("browser console error: %s", line)
	}
}

// chartsReady waits until the dashboard's charts are drawn (their canvases
// are part of what axe checks), without the screenshot pause.
func chartsReady() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		js := `typeof Chart !== "undefined" && Array.from(document.querySelectorAll('.dash-chart canvas')).every(c => Chart.getChart(c))`
		for {
			if ok, err := chromedp.Evaluate[bool](js)(ctx, tg); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("charts not drawn: %w", ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// openSlot is the first session of month that the public calendar shows
// as open.
func openSlot(t *testing.T, e *env, month string) (date, session string) {
	t.Helper()
	var got struct {
		Days []struct {
			Date  string `json:"date"`
			Slots []struct {
				ID    string `json:"id"`
				State string `json:"state"`
			} `json:"slots"`
		} `json:"days"`
	}
	res := e.do("GET", "/api/ketersediaan?bulan="+month, nil, "")
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Fatalf("availability: %v (%d)", err, res.status)
	}
	for _, d := range got.Days {
		for _, s := range d.Slots {
			if s.State == string(models.SlotOpen) {
				return d.Date, s.ID
			}
		}
	}
	t.Fatalf("no open session in %s", month)
	return "", ""
}

// request submits the request form for institution, asking for 12 or 13
// March, and returns its tracking token and the stored request.
func (e *env) request(t *testing.T, institution string) (string, *models.Visit) {
	t.Helper()
	f := validRequest()
	f.Set("institution_name", institution)
	res := e.submit(f, map[string][]byte{"letter": testPDF()})
	token := strings.TrimSuffix(strings.TrimPrefix(res.location, "/lacak/"), "?baru=1")
	v, err := e.store.VisitByTrackingToken(t.Context(), token)
	if err != nil {
		t.Fatalf("request of %s: %v (%d)", institution, err, res.status)
	}
	return token, v
}
