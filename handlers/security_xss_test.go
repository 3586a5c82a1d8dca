package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/emersion/go-ical"
	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"studitiru/models"
)

// Hostile text a delegation may type into the public request form. Each
// would run script if a page, an email or the calendar widget put it into
// markup unescaped; the CSP would then still block it, so the checks look
// for the injected markup itself, not only for its effect.
const (
	xssScript  = `<script>window.__xss=1</script>`
	xssImg     = `"><img src=x onerror="window.__xss=1">`
	xssSVG     = `'><svg onload=window.__xss=1>`
	xssJSURL   = `javascript:window.__xss=1`
	xssFrame   = `</textarea><iframe srcdoc="<script>parent.__xss=1</script>">`
	xssAlert   = `<img src=x onerror=alert(1)>`
	xssFormula = `=HYPERLINK("http://contoh.invalid/","klik")`
)

// hostileRequest is validRequest with a payload in every free-text field
// of the delegation (addresses and phone numbers are validated and cannot
// hold one).
func hostileRequest() url.Values {
	f := validRequest()
	f.Set("institution_name", "Pemkab "+xssScript)
	f.Set("leader_name", "Drs. "+xssImg)
	f.Set("leader_position", xssFormula)
	f.Set("contact_name", "Dwi "+xssSVG)
	f.Set("contact_position", xssFrame)
	f.Set("letter_number", xssAlert)
	f.Set("topics_other", `<a href="`+xssJSURL+`">klik</a>`)
	f.Set("notes", strings.Join([]string{xssScript, xssImg, xssSVG, xssJSURL, xssFrame, xssAlert, "{{.CSRF}}"}, "\n"))
	f.Set("roster_text", xssScript+"; "+xssAlert+"; L; <svg onload=window.__xss=1>\n"+
		"=1+1 Budi; @SUM(1) Staf; P; <b>tebal</b>")
	return f
}

// hostileVisit submits hostileRequest and approves it (receiver and agenda,
// typed by staff, hostile too), which queues the invitations. It returns
// the tracking token and the approved visit.
func hostileVisit(t *testing.T, e *env) (string, *models.Visit) {
	t.Helper()
	res := e.submit(hostileRequest(), map[string][]byte{"letter": testPDF()})
	token := strings.TrimSuffix(strings.TrimPrefix(res.location, "/lacak/"), "?baru=1")
	v, err := e.store.VisitByTrackingToken(t.Context(), token)
	if err != nil {
		t.Fatalf("hostile request refused: %d %.2000s", res.status, res.body)
	}
	if v.InstitutionName != "Pemkab "+xssScript || len(v.Roster) != 2 || v.Roster[0].Name != xssScript {
		t.Fatalf("payload not stored as typed: %q %+v", v.InstitutionName, v.Roster)
	}
	form := approvalForm(e, v, "2026-03-12", "pagi")
	form.Set("receiver", "Kepala "+xssImg)
	form.Set("agenda", "Paparan "+xssScript+"\r\n"+xssSVG)
	if res := e.post("/staf/permohonan/"+v.ID.Hex()+"/setujui", form, e.sessionFor(models.RoleCoordinator)); res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %.1000s", res.status, res.body)
	}
	return token, e.visit(t, v)
}

// injectedJS lists what the payloads would add to a page if they got into
// its markup, whether the page shows the payload as text, and whether any
// of them ran.
const injectedJS = `JSON.stringify({
	ran: typeof window.__xss !== "undefined",
	injected: Array.from(document.querySelectorAll(
		'script:not([src]):not([type="application/json"]), img[src="x"], svg[onload], iframe[srcdoc]:not(#pratinjau-html), [onerror], [onload], a[href^="javascript:"]'
	)).map(e => e.outerHTML.slice(0, 120)),
	shown: document.body.innerText.includes(` + "`" + xssScript + "`" + `)
})`

type pageCheck struct {
	Ran      bool     `json:"ran"`
	Injected []string `json:"injected"`
	Shown    bool     `json:"shown"`
}

// TestBrowserHostileTextStaysInert is the one browser test of cross-site
// scripting: a request whose every delegation field holds a payload, opened
// by a coordinator in real Chromium on every staff page that shows it (the
// inbox, also searched for a payload; the request page; the calendar widget
// and its list; the history, searched too; the outbox and the preview of
// the invitation) and by the delegation on its tracking page and on the
// request form sent back with errors. On each page nothing was injected, the
// payload reads as text where the page names the institution, window.__xss
// stays undefined, no dialog opens, and the console shows no error (a CSP
// violation would show there).
func TestBrowserHostileTextStaysInert(t *testing.T) {
	e := newEnv(t)
	token, v := hostileVisit(t, e)
	msgs, err := e.store.OutboxFor(t.Context(), v.ID)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox: %v %v", msgs, err)
	}
	var invitation *models.OutboxMessage
	for i := range msgs {
		if msgs[i].HasICS() {
			invitation = &msgs[i]
		}
	}
	if invitation == nil {
		t.Fatal("no invitation queued")
	}
	base := serve(t, e)
	ctx, console := newBrowser(t)

	var mu sync.Mutex
	var dialogs []string
	go func() {
		for ev, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			mu.Lock()
			dialogs = append(dialogs, ev.Message)
			mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()

	checks := map[string]pageCheck{}
	check := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			s, err := chromedp.Evaluate[string](injectedJS)(ctx, tg)
			if err != nil {
				return err
			}
			var c pageCheck
			if err := json.Unmarshal([]byte(s), &c); err != nil {
				return err
			}
			checks[name] = c
			return nil
		})
	}
	// open navigates and waits until the new page has loaded, so that a
	// check never runs on the page before.
	open := func(path string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := chromedp.Navigate(base+path)(ctx, tg); err != nil {
				return err
			}
			part, _, _ := strings.Cut(path, "?")
			_, err := waitURL(part)(ctx, tg)
			return err
		})
	}
	q := url.QueryEscape(xssScript)
	user := e.users[models.RoleCoordinator]
	row := fmt.Sprintf(`tr[data-code=%q]`, v.Code)
	steps := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
	}{
		{"open /masuk", open("/masuk")},
		{"email", chromedp.SendKeys(chromedp.CSS(`#f-email`), user.Email)},
		{"password", chromedp.SendKeys(chromedp.CSS(`#f-password`), testPassword)},
		{"sign in", chromedp.Click(chromedp.CSS(`#form-masuk button[type=submit]`))},
		{"dashboard", waitURL("/staf")},

		{"inbox", open("/staf/permohonan?status=disetujui")},
		{"inbox row", chromedp.WaitVisible(chromedp.CSS(`#daftar-permohonan ` + row))},
		{"check inbox", check("inbox")},
		{"inbox searched", open("/staf/permohonan?q=" + q)},
		{"search form", chromedp.WaitVisible(chromedp.CSS(`main`))},
		{"check inbox search", check("inbox search")},
		{"request page", open("/staf/permohonan/" + v.ID.Hex())},
		{"decision panel", chromedp.WaitVisible(chromedp.CSS(`#keputusan`))},
		{"check request page", check("request page")},
		{"calendar", open("/staf/kalender?bulan=2026-03")},
		{"visit in the widget", chromedp.WaitVisible(chromedp.CSS(`#kalender .ec-event.cal-ev-visit`))},
		{"check calendar", check("calendar")},
		{"list view", chromedp.Click(chromedp.CSS(`#kalender .ec-toolbar button.ec-listMonth`))},
		{"list shown", chromedp.WaitVisible(chromedp.CSS(`#kalender .ec-list .cal-ev-meta`))},
		{"check calendar list", check("calendar list")},
		{"history", open("/staf/riwayat")},
		{"history row", chromedp.WaitVisible(chromedp.CSS(`#daftar-riwayat ` + row))},
		{"check history", check("history")},
		{"history searched", open("/staf/riwayat?q=" + q)},
		{"history form", chromedp.WaitVisible(chromedp.CSS(`#r-q`))},
		{"check history search", check("history search")},
		{"outbox", open("/staf/surel")},
		{"outbox list", chromedp.WaitVisible(chromedp.CSS(`#daftar-surel`))},
		{"check outbox", check("outbox")},
		{"preview", open("/staf/surel/" + invitation.ID.Hex())},
		{"preview frame", chromedp.WaitVisible(chromedp.CSS(`#pratinjau-html`))},
		{"check preview", check("outbox preview")},

		{"tracking page", open("/lacak/" + token)},
		{"status", chromedp.WaitVisible(chromedp.CSS(`#status`))},
		{"check tracking page", check("tracking page")},
		{"request form", open("/ajukan")},
		{"form", chromedp.WaitVisible(chromedp.CSS(`#form-ajukan`))},
		{"institution", chromedp.SetValue(chromedp.CSS(`#f-institution_name`), "Pemkab "+xssScript)},
		{"leader", chromedp.SetValue(chromedp.CSS(`#f-leader_name`), xssImg)},
		{"notes", chromedp.SetValue(chromedp.CSS(`#f-notes`), xssFrame)},
		{"submit incomplete", chromedp.Click(chromedp.CSS(`#kirim-permohonan`))},
		{"errors shown", chromedp.WaitVisible(chromedp.CSS(`#form-ajukan .is-invalid`))},
		{"check form sent back", check("request form sent back")},
	}
	for _, step := range steps {
		if err := doStep(ctx, step.action); err != nil {
			where, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("browser step %q at %s: %v (console: %v)", step.name, where, err, console.all())
		}
	}

	showsText := map[string]bool{"inbox": true, "request page": true, "calendar": true, "calendar list": true,
		"history": true, "tracking page": true}
	for name, c := range checks {
		if c.Ran {
			t.Errorf("%s: a payload ran (window.__xss is set)", name)
		}
		if len(c.Injected) > 0 {
			t.Errorf("%s: injected markup %v", name, c.Injected)
		}
		if showsText[name] && !c.Shown {
			t.Errorf("%s: the institution's name does not read %q", name, "Pemkab "+xssScript)
		}
	}
	if len(checks) != 11 {
		t.Errorf("%d pages checked, want 11", len(checks))
	}
	mu.Lock()
	if len(dialogs) > 0 {
		t.Errorf("dialogs opened: %q", dialogs)
	}
	mu.Unlock()
	for _, line := range console.all() {
		// The form sent back with errors is answered 422 on purpose.
		if strings.Contains(line, "status of 422") {
			continue
		}
		t.Errorf("browser console error: %s", line)
	}
}

// allowedMailMarkup is everything the HTML part of an email may contain:
// the few elements the app writes, and links only to http(s) addresses.
var allowedMailMarkup = map[string]bool{"p": true, "br": true, "a": true, "strong": true, "b": true, "em": true}

// checkMailHTML parses an email's HTML part and fails on any element,
// attribute or link the app does not write itself.
func checkMailHTML(t *testing.T, m models.OutboxMessage) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(m.HTML))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			continue
		}
		tok := z.Token()
		if !allowedMailMarkup[tok.Data] {
			t.Errorf("%s: element <%s> in the HTML part", m.Kind, tok.Data)
		}
		for _, a := range tok.Attr {
			if a.Key != "href" || !(strings.HasPrefix(a.Val, "http://") || strings.HasPrefix(a.Val, "https://")) {
				t.Errorf("%s: attribute %s=%q in the HTML part", m.Kind, a.Key, a.Val)
			}
		}
	}
}

// TestHostileTextIsEscapedInEveryOutput follows the same hostile request
// into everything else the app writes from it: the emails (HTML part:
// only the app's own markup, the payload as escaped text), the iCalendar
// invitation (no injected line or property, the payload as TEXT), the
// calendar widget's JSON, the history exports (formulas neutralised in
// CSV, plain strings in XLSX), the reply letter and attendance sheet PDFs
// (the payload as literal text), and the request form sent back with
// errors (the payload escaped in the values).
func TestHostileTextIsEscapedInEveryOutput(t *testing.T) {
	e := newEnv(t)
	token, v := hostileVisit(t, e)
	coord := e.sessionFor(models.RoleCoordinator)

	msgs, err := e.store.OutboxFor(t.Context(), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	escaped := "Pemkab &lt;script&gt;window.__xss=1&lt;/script&gt;"
	kinds := map[string]bool{}
	for _, m := range msgs {
		kinds[m.Kind] = true
		checkMailHTML(t, m)
		if strings.Contains(m.Text, "Pemkab "+xssScript) && !strings.Contains(m.HTML, escaped) {
			t.Errorf("%s: the HTML part does not show the institution as escaped text:\n%s", m.Kind, m.HTML)
		}
		if len(m.ICS) == 0 {
			continue
		}
		for _, line := range strings.Split(string(m.ICS), "\r\n") {
			if strings.HasPrefix(line, "X-") {
				t.Errorf("%s: injected calendar line %q", m.Kind, line)
			}
		}
		cal, err := ical.NewDecoder(bytes.NewReader(m.ICS)).Decode()
		if err != nil || len(cal.Events()) != 1 {
			t.Fatalf("%s: calendar unreadable: %v", m.Kind, err)
		}
		ev := cal.Events()[0]
		if s, _ := ev.Props.Text(ical.PropSummary); !strings.Contains(s, "Pemkab "+xssScript) {
			t.Errorf("%s: SUMMARY %q", m.Kind, s)
		}
		if d, _ := ev.Props.Text(ical.PropDescription); !strings.Contains(d, "Paparan "+xssScript) || !strings.Contains(d, "Kepala "+xssImg) {
			t.Errorf("%s: DESCRIPTION lost the agenda or receiver as text: %q", m.Kind, d)
		}
	}
	if !kinds["request_received"] || !kinds["decision_setujui_delegation"] || !kinds["decision_setujui_escort"] {
		t.Errorf("mails checked: %v", kinds)
	}

	// The calendar widget's data: JSON escapes < and > so that it is inert
	// even if someone put it into a page.
	res := e.do("GET", "/staf/api/kalender?start=2026-03-01&end=2026-04-01", nil, coord)
	if res.status != http.StatusOK || strings.Contains(res.body, "<script>") || !strings.Contains(res.body, `\u003cscript\u003e`) {
		t.Errorf("calendar JSON: %d %.500s", res.status, res.body)
	}

	// The history exports: the leader's position is a formula.
	res = e.do("GET", "/staf/riwayat.csv", nil, coord)
	recs, err := func() ([][]string, error) {
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.body, "\uFEFF")))
		r.Comma = models.CSVSeparator
		return r.ReadAll()
	}()
	if err != nil || len(recs) != 2 {
		t.Fatalf("CSV: %v, %d rows", err, len(recs))
	}
	for i, cell := range recs[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("CSV column %q starts a formula: %q", recs[0][i], cell)
		}
	}
	if !strings.Contains(strings.Join(recs[1], "\n"), "\n'"+xssFormula+"\n") {
		t.Errorf("CSV does not keep the formula as neutralised text: %q", recs[1])
	}
	res = e.do("GET", "/staf/riwayat.xlsx", nil, coord)
	book, err := excelize.OpenReader(strings.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	sheet := book.GetSheetName(0)
	rows, _ := book.GetRows(sheet)
	found := false
	for r, row := range rows {
		for c, cell := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if f, _ := book.GetCellFormula(sheet, ref); f != "" {
				t.Errorf("XLSX cell %s is a formula: %q", ref, f)
			}
			found = found || cell == xssFormula
		}
	}
	if !found {
		t.Errorf("XLSX lost the position as text: %v", rows)
	}

	// The PDFs print the payload as the letters it is made of.
	if text := letterText(t, e.do("GET", "/lacak/"+token+"/surat-balasan.pdf", nil, "")); !strings.Contains(text, "Pemkab "+xssScript) {
		t.Errorf("reply letter text: %.800s", text)
	}
	if text := letterText(t, e.do("GET", "/staf/permohonan/"+v.ID.Hex()+"/daftar-hadir.pdf", nil, coord)); !strings.Contains(text, xssScript) ||
		!strings.Contains(text, xssAlert) {
		t.Errorf("attendance sheet text: %.800s", text)
	}

	// The form sent back with errors keeps what was typed, escaped.
	f := hostileRequest()
	f.Set("contact_email", "bukan surel")
	res = e.submit(f, map[string][]byte{"letter": testPDF()})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: %d", res.status)
	}
	for _, raw := range []string{xssScript, `<img src=x`, `<svg`, `<iframe`} {
		if strings.Contains(res.body, raw) {
			t.Errorf("the form sent back holds %q unescaped", raw)
		}
	}
	if !strings.Contains(res.body, `value="Pemkab &lt;script&gt;window.__xss=1&lt;/script&gt;"`) {
		t.Error("the form sent back lost the institution's name")
	}
}
