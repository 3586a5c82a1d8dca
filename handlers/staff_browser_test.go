package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"studitiru/models"
)

// TestBrowserCoordinatorSchedulesAVisit is the coordinator's whole job on
// one request in real Chromium under the CSP: the inbox, the request page
// (also at 360 px), approval into the requested session with a room and
// two escorts, the visit on the calendar, a reschedule, and the new time
// on the delegation's public tracking page.
func TestBrowserCoordinatorSchedulesAVisit(t *testing.T) {
	e := newEnv(t)
	token, v := submitted(t, e)
	base := serve(t, e)
	ctx, console := newBrowser(t)
	user := e.users[models.RoleCoordinator]
	escortA, escortB := e.users[models.RoleEscort], e.subject
	page := "/staf/permohonan/" + v.ID.Hex()
	row := fmt.Sprintf(`#daftar-permohonan tr[data-code=%q]`, v.Code)
	checkbox := func(u *models.User) string { return "#esc-" + u.ID.Hex() }

	var (
		inboxRow, slotState, start, end, notice, when, room, escorts  string
		calEvent, calTable, summary, newStart, newEnd, newNotice      string
		newWhen, newRoom, newEscorts, trackWhen, trackStatus, calLink string
		recheck                                                       string
		phoneOverflow                                                 bool
	)
	overflows := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
		phoneOverflow, err = chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)(ctx, tg)
		return err
	})

	type step struct {
		name   string
		action chromedp.Action[chromedp.Void]
	}
	steps := []step{
		{"desktop viewport", chromedp.EmulateViewport(1280, 900)},
		{"open /masuk", chromedp.Navigate(base + "/masuk")},
		{"email", chromedp.SendKeys(chromedp.CSS(`#f-email`), user.Email)},
		{"password", chromedp.SendKeys(chromedp.CSS(`#f-password`), testPassword)},
		{"sign in", chromedp.Click(chromedp.CSS(`#form-masuk button[type=submit]`))},
		{"dashboard", chromedp.WaitVisible(chromedp.CSS(`#judul-status`))},

		// The inbox lists the new request.
		{"open the inbox", chromedp.Navigate(base + "/staf/permohonan")},
		{"request listed", chromedp.WaitVisible(chromedp.CSS(row))},
		{"read the row", read(&inboxRow, chromedp.Text(chromedp.CSS(row)))},
		{"screenshot staf-kotak-masuk", screenshot(t, "staf-kotak-masuk")},
		{"open the request", chromedp.Click(chromedp.CSS(row + ` a`))},
		{"request page", waitURL(page)},
		{"decision panel", chromedp.WaitVisible(chromedp.CSS(`#keputusan`))},
		{"screenshot staf-permohonan", screenshot(t, "staf-permohonan")},

		// At phone width the page, with the approval form open, fits.
		{"phone viewport", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile)},
		{"reload at phone width", chromedp.Reload()},
		{"open the approval form (phone)", chromedp.Click(chromedp.CSS(`#jadwalkan > summary`))},
		{"approval form shown (phone)", chromedp.WaitVisible(chromedp.CSS(`#simpan-jadwal`))},
		{"measure overflow", overflows},
		{"screenshot staf-permohonan-ponsel", screenshot(t, "staf-permohonan-ponsel")},
		{"desktop viewport again", chromedp.EmulateViewport(1280, 900)},

		// Step one: check the session the delegation asked for first.
		{"reload at desktop width", chromedp.Reload()},
		{"open the approval form", chromedp.Click(chromedp.CSS(`#jadwalkan > summary`))},
		{"date", chromedp.SetValue(chromedp.CSS(`#f-tanggal`), "2026-03-12")},
		{"session", choose("#f-sesi", "pagi")},
		{"check the session", chromedp.Click(chromedp.CSS(`#periksa-sesi`))},
		{"session checked", waitURL("tanggal=2026-03-12")},
		{"form open after the check", chromedp.WaitVisible(chromedp.CSS(`#jadwalkan[open] #form-jadwal`))},
		{"read the session's state", read(&slotState, chromedp.Text(chromedp.CSS(`#keadaan-sesi`)))},
		{"read start", read(&start, chromedp.Value(chromedp.CSS(`#f-start`)))},
		{"read end", read(&end, chromedp.Value(chromedp.CSS(`#f-end`)))},

		// Step two: a room, two escorts, the reply letter's number.
		{"room", choose("#f-room", "rapat")},
		{"first escort", chromedp.Click(chromedp.CSS(checkbox(escortA)))},
		{"second escort", chromedp.Click(chromedp.CSS(checkbox(escortB)))},
		{"first ticked", chromedp.WaitReady(chromedp.CSS(checkbox(escortA) + `:checked`))},
		{"second ticked", chromedp.WaitReady(chromedp.CSS(checkbox(escortB) + `:checked`))},
		{"receiver cleared", chromedp.Clear(chromedp.CSS(`#f-receiver`))},
		{"receiver", chromedp.SendKeys(chromedp.CSS(`#f-receiver`), "Sekretaris DPMPTSP Kabupaten Badung")},
		{"reply number", chromedp.SendKeys(chromedp.CSS(`#f-reply_number`), "000.1.5/77/DPMPTSP/2026")},
		{"approve", chromedp.Click(chromedp.CSS(`#simpan-jadwal`))},
		{"approved", waitURL("ok=setujui")},
		{"schedule shown", chromedp.WaitVisible(chromedp.CSS(`#jadwal-tetap`))},
		{"read notice", read(&notice, chromedp.Text(chromedp.CSS(`#pesan-sukses`)))},
		{"read time", read(&when, chromedp.Text(chromedp.CSS(`#waktu-kunjungan`)))},
		{"read room", read(&room, chromedp.Text(chromedp.CSS(`#ruang`)))},
		{"read escorts", read(&escorts, chromedp.Text(chromedp.CSS(`#pendamping`)))},

		// The calendar shows it, in the widget and in the month's list.
		{"open the calendar", chromedp.Navigate(base + "/staf/kalender?bulan=2026-03")},
		{"visit in the widget", chromedp.WaitVisible(chromedp.CSS(`#kalender .ec-event.cal-ev-visit`))},
		{"read the widget's visit", read(&calEvent, chromedp.Text(chromedp.CSS(`#kalender .ec-event.cal-ev-visit`)))},
		{"read the month list", read(&calTable, chromedp.Text(chromedp.CSS(`.cal-table tbody`)))},
		{"screenshot staf-kalender", screenshot(t, "staf-kalender")},

		// Back to the request from the calendar, and reschedule it.
		{"open from the list", chromedp.Click(chromedp.CSS(`.cal-table a[href="` + page + `"]`))},
		{"request page again", waitURL(page)},
		{"read location", read(&calLink, chromedp.Location())},
		{"open the change form", chromedp.Click(chromedp.CSS(`#jadwalkan > summary`))},
		{"read its title", read(&summary, chromedp.Text(chromedp.CSS(`#jadwalkan > summary`)))},
		{"new date", chromedp.SetValue(chromedp.CSS(`#f-tanggal`), "2026-03-16")},
		{"new session", choose("#f-sesi", "siang")},
		// Saving now would keep the old session: it waits for the check.
		{"saving waits for the check", chromedp.WaitReady(chromedp.CSS(`#simpan-jadwal:disabled`))},
		{"says why", chromedp.WaitVisible(chromedp.CSS(`#periksa-dulu`))},
		{"read why", read(&recheck, chromedp.Text(chromedp.CSS(`#periksa-dulu`)))},
		{"check the new session", chromedp.Click(chromedp.CSS(`#periksa-sesi`))},
		{"new session checked", waitURL("tanggal=2026-03-16")},
		{"change form open", chromedp.WaitVisible(chromedp.CSS(`#jadwalkan[open] #form-jadwal`))},
		{"read new start", read(&newStart, chromedp.Value(chromedp.CSS(`#f-start`)))},
		{"read new end", read(&newEnd, chromedp.Value(chromedp.CSS(`#f-end`)))},
		{"escorts kept", chromedp.WaitReady(chromedp.CSS(checkbox(escortA) + `:checked`))},
		{"escorts kept (2)", chromedp.WaitReady(chromedp.CSS(checkbox(escortB) + `:checked`))},
		{"room kept", chromedp.WaitReady(chromedp.CSS(`#f-room option[value=rapat]:checked`))},
		{"save the change", chromedp.Click(chromedp.CSS(`#simpan-jadwal`))},
		{"changed", waitURL("ok=ubah")},
		{"read the change notice", read(&newNotice, chromedp.Text(chromedp.CSS(`#pesan-sukses`)))},
		{"read the new time", read(&newWhen, chromedp.Text(chromedp.CSS(`#waktu-kunjungan`)))},
		{"read the room", read(&newRoom, chromedp.Text(chromedp.CSS(`#ruang`)))},
		{"read the escorts", read(&newEscorts, chromedp.Text(chromedp.CSS(`#pendamping`)))},
	}
	run := func(ctx context.Context, steps []step) {
		t.Helper()
		for _, s := range steps {
			if err := doStep(ctx, s.action); err != nil {
				shown, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
					`Array.from(document.querySelectorAll('.invalid-feedback, .alert')).map(e => e.id + ': ' + e.textContent.trim()).join(' | ')`))
				t.Fatalf("browser step %q: %v (console: %v; page says: %s)", s.name, err, console.all(), shown)
			}
		}
	}
	run(ctx, steps)

	// The tracking page is public: open it where no staff member signed in.
	anon, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := watchConsole(anon, console); err != nil {
		t.Fatal(err)
	}
	run(anon, []step{
		{"open the tracking page", chromedp.Navigate(base + "/lacak/" + token)},
		{"schedule on the tracking page", chromedp.WaitVisible(chromedp.CSS(`#jadwal-tetap`))},
		{"read status", read(&trackStatus, chromedp.Text(chromedp.CSS(`#status`)))},
		{"read the schedule", read(&trackWhen, chromedp.Text(chromedp.CSS(`#jadwal-tetap`)))},
	})

	if !strings.Contains(inboxRow, "Pemerintah Kabupaten Blora") || !strings.Contains(inboxRow, "Diajukan") {
		t.Errorf("inbox row: %q", inboxRow)
	}
	if phoneOverflow {
		t.Error("the request page is wider than a 360 px screen")
	}
	if !strings.Contains(slotState, "Kamis, 12 Maret 2026") {
		t.Errorf("checked session: %q", slotState)
	}
	if start != "09.00" || end != "12.00" {
		t.Errorf("approval form starts at %q–%q, want the session's 09.00–12.00", start, end)
	}
	if !strings.Contains(notice, "Kunjungan disetujui") {
		t.Errorf("notice after approval: %q", notice)
	}
	if want := "Kamis, 12 Maret 2026, 09.00–12.00 WITA"; strings.TrimSpace(when) != want {
		t.Errorf("approved time %q, want %q", when, want)
	}
	if strings.TrimSpace(room) != "Ruang Rapat DPMPTSP" {
		t.Errorf("room %q", room)
	}
	for _, text := range []string{escorts, newEscorts} {
		if !strings.Contains(text, escortA.Name) || !strings.Contains(text, escortB.Name) {
			t.Errorf("escorts %q, want %s and %s", text, escortA.Name, escortB.Name)
		}
	}
	if !strings.Contains(calEvent, "09.00") || !strings.Contains(calEvent, "Blora") {
		t.Errorf("visit in the calendar widget: %q", calEvent)
	}
	for _, want := range []string{"Kamis, 12 Maret", "09.00", "Blora", v.Code, "Ruang Rapat DPMPTSP", escortA.Name, escortB.Name} {
		if !strings.Contains(calTable, want) {
			t.Errorf("month list lacks %q: %q", want, calTable)
		}
	}
	if !strings.HasSuffix(calLink, page) {
		t.Errorf("the calendar's link went to %q", calLink)
	}
	if strings.TrimSpace(summary) != "Jadwal ulang atau ubah" {
		t.Errorf("the approved request's form is titled %q", summary)
	}
	if !strings.Contains(recheck, "Periksa ketersediaan") {
		t.Errorf("the note under a stale choice: %q", recheck)
	}
	if newStart != "13.00" || newEnd != "15.30" {
		t.Errorf("change form starts at %q–%q, want the afternoon session's 13.00–15.30", newStart, newEnd)
	}
	if !strings.Contains(newNotice, "Perubahan jadwal disimpan") {
		t.Errorf("notice after the change: %q", newNotice)
	}
	want := "Senin, 16 Maret 2026, 13.00–15.30 WITA"
	if strings.TrimSpace(newWhen) != want || strings.TrimSpace(newRoom) != "Ruang Rapat DPMPTSP" {
		t.Errorf("after the change: %q in %q, want %q", newWhen, newRoom, want)
	}
	if strings.TrimSpace(trackStatus) != "Disetujui" || !strings.Contains(trackWhen, want) {
		t.Errorf("tracking page: %q, %q; want %q", trackStatus, trackWhen, want)
	}
	if strings.Contains(trackWhen, "12 Maret") {
		t.Errorf("tracking page still shows the old time: %q", trackWhen)
	}
	for _, line := range console.all() {
		t.Errorf("browser console error: %s", line)
	}
}

// watchConsole collects the console errors of another tab (a new browser
// context) into console, as newBrowser does for the first.
func watchConsole(ctx context.Context, console *consoleLog) error {
	if err := chromedp.Do(ctx); err != nil { // creates the tab
		return err
	}
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				console.add(ev.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			console.add(ev.ExceptionDetails.Text)
		}
	})
	if err != nil {
		return err
	}
	return chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, log.Enable, cdp.Empty{})
		return err
	}))
}
