package handlers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"studitiru/models"
)

// TestBrowserCoordinatorChecksTheOutbox: in real Chromium under the CSP a
// coordinator opens the outbox (with the warning that no mail server is
// set), previews an invitation, and downloads its calendar file; both
// pages fit a 360 px phone.
func TestBrowserCoordinatorChecksTheOutbox(t *testing.T) {
	e := newEnv(t)
	_, v := submitted(t, e) // queues the delegation's acknowledgement
	inv := e.queue(&models.OutboxMessage{
		Kind: "invitation", VisitID: v.ID, To: []string{v.Contact.Name + " <" + v.Contact.Email + ">"},
		Subject:  "Undangan studi tiru " + v.Code + ": Kamis, 12 Maret 2026 pukul 09.00 WITA",
		Text:     "Yth. Bapak/Ibu " + v.Contact.Name + ",\n\nKunjungan studi tiru Bapak/Ibu ke MPP Kabupaten Badung dijadwalkan pada Kamis, 12 Maret 2026 pukul 09.00 WITA.\n\nHormat kami,\nMPP Kabupaten Badung\n",
		HTML:     "<p>Yth. Bapak/Ibu " + v.Contact.Name + ",</p><p>Kunjungan studi tiru Bapak/Ibu ke MPP Kabupaten Badung dijadwalkan pada <strong>Kamis, 12 Maret 2026 pukul 09.00 WITA</strong>.</p><p>Hormat kami,<br>MPP Kabupaten Badung</p>",
		Language: "id", ICS: outboxICS("REQUEST"), ThreadKey: "visit:" + v.ID.Hex() + ":" + v.Contact.Email,
	}, models.OutboxPending, "")
	e.queue(plainMessage("Pendamping kunjungan "+v.Code, "made@badungkab.go.id"), models.OutboxSent, "")
	e.queue(plainMessage("Pemberitahuan "+v.Code, "tidakada@contoh.go.id"), models.OutboxFailed, "550 5.1.1 <tidakada@contoh.go.id>: Recipient address rejected")

	base := serve(t, e)
	ctx, console := newBrowser(t)
	user := e.users[models.RoleCoordinator]
	var banner, status, title, download string
	var phoneOverflow []bool
	overflows := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		o, err := chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)(ctx, tg)
		phoneOverflow = append(phoneOverflow, o)
		return err
	})
	// The browser fetches the download link itself, with the page's
	// session, as a click on it would.
	fetchICS := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
		download, err = chromedp.Evaluate[string](`fetch(document.querySelector("#unduh-ics").href).then(async r =>
			JSON.stringify({status: r.status, type: r.headers.get("content-type"),
				disposition: r.headers.get("content-disposition"), body: await r.text()}))`, chromedp.EvalAwaitPromise)(ctx, tg)
		return err
	})

	steps := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
	}{
		{"desktop viewport", chromedp.EmulateViewport(1280, 900)},
		{"open /masuk", chromedp.Navigate(base + "/masuk")},
		{"email", chromedp.SendKeys(chromedp.CSS(`#f-email`), user.Email)},
		{"password", chromedp.SendKeys(chromedp.CSS(`#f-password`), testPassword)},
		{"sign in", chromedp.Click(chromedp.CSS(`#form-masuk button[type=submit]`))},
		{"dashboard", waitURL("/staf")},
		{"menu entry Surel", chromedp.Click(chromedp.CSS(`#nav-utama a[href="/staf/surel"]`))},
		{"outbox list", waitURL("/staf/surel")},
		{"list visible", chromedp.WaitVisible(chromedp.CSS(`#daftar-surel tr[data-id="` + inv.ID.Hex() + `"]`))},
		{"read banner", read(&banner, chromedp.Text(chromedp.CSS(`#surel-belum-diatur`)))},
		{"screenshot staf-surel", screenshot(t, "staf-surel")},
		{"open the invitation", chromedp.Click(chromedp.CSS(`#daftar-surel tr[data-id="` + inv.ID.Hex() + `"] a`))},
		{"preview", waitURL("/staf/surel/" + inv.ID.Hex())},
		{"frame visible", chromedp.WaitVisible(chromedp.CSS(`#pratinjau-html`))},
		{"read title", read(&title, chromedp.Text(chromedp.CSS(`#judul-surel`)))},
		{"read status", read(&status, chromedp.Text(chromedp.CSS(`#status-surel`)))},
		{"screenshot staf-surel-pratinjau", screenshot(t, "staf-surel-pratinjau")},
		{"download the .ics", fetchICS},
		{"phone viewport", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile)},
		{"preview on a phone", chromedp.Navigate(base + "/staf/surel/" + inv.ID.Hex())},
		{"frame on a phone", chromedp.WaitVisible(chromedp.CSS(`#pratinjau-html`))},
		{"preview fits", overflows},
		{"list on a phone", chromedp.Navigate(base + "/staf/surel")},
		{"rows on a phone", chromedp.WaitVisible(chromedp.CSS(`#daftar-surel`))},
		{"list fits", overflows},
	}
	for _, step := range steps {
		if err := doStep(ctx, step.action); err != nil {
			t.Fatalf("browser step %q: %v (console: %v)", step.name, err, console.all())
		}
	}
	if !strings.Contains(banner, "Server surel belum diatur") {
		t.Errorf("banner %q", banner)
	}
	if !strings.Contains(title, v.Code) || strings.TrimSpace(status) != "Menunggu" {
		t.Errorf("preview: %q, %q", title, status)
	}
	var got struct {
		Status                  int
		Type, Disposition, Body string
	}
	if err := json.Unmarshal([]byte(download), &got); err != nil {
		t.Fatalf("download: %v (%s)", err, download)
	}
	if got.Status != 200 || !strings.HasPrefix(got.Type, "text/calendar") || !strings.Contains(got.Type, "method=REQUEST") ||
		!strings.Contains(got.Disposition, `filename="invite.ics"`) || got.Body != string(inv.ICS) {
		t.Errorf("ics download: %d %q %q\n%s", got.Status, got.Type, got.Disposition, got.Body)
	}
	for i, o := range phoneOverflow {
		if o {
			t.Errorf("page %d scrolls sideways at 360 px", i)
		}
	}
	for _, line := range console.all() {
		t.Errorf("browser console error: %s", line)
	}
}
