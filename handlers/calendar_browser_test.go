package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"studitiru/models"
)

// TestBrowserStaffCalendar runs the calendar widget in real Chromium under
// the app's CSP: it must draw visits and held slots in host time with
// Indonesian labels, switch views, open a visit on click, and log no CSP
// violation or script error.
func TestBrowserStaffCalendar(t *testing.T) {
	e := newEnv(t)
	v := seedCalendar(t, e)
	base := serve(t, e)
	ctx, console := newBrowser(t)
	user := e.users[models.RoleCoordinator]

	var toolbar, visitText, heldText, weekText, listText, location string
	steps := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
	}{
		{"EmulateViewport", chromedp.EmulateViewport(1280, 900)},
		{"open /masuk", chromedp.Navigate(base + "/masuk")},
		{"SendKeys #f-email", chromedp.SendKeys(chromedp.CSS(`#f-email`), user.Email)},
		{"SendKeys #f-password", chromedp.SendKeys(chromedp.CSS(`#f-password`), testPassword)},
		{"Click submit", chromedp.Click(chromedp.CSS(`#form-masuk button[type=submit]`))},
		{"WaitVisible #judul-status", chromedp.WaitVisible(chromedp.CSS(`#judul-status`))},

		{"open /staf/kalender", chromedp.Navigate(base + "/staf/kalender?bulan=2026-03")},
		{"WaitVisible visit", chromedp.WaitVisible(chromedp.CSS(`#kalender .ec-event.cal-ev-visit`))},
		{"WaitVisible held", chromedp.WaitVisible(chromedp.CSS(`#kalender .ec-event.cal-ev-held`))},
		{"read toolbar", read(&toolbar, chromedp.Text(chromedp.CSS(`#kalender .ec-toolbar`)))},
		{"read visit", read(&visitText, chromedp.Text(chromedp.CSS(`#kalender .ec-event.cal-ev-visit:not(.cal-ev-completed)`)))},
		{"read held", read(&heldText, chromedp.Text(chromedp.CSS(`#kalender .ec-event.cal-ev-held`)))},
		{"screenshot desktop-kalender", screenshot(t, "desktop-kalender")},

		{"week view", chromedp.Click(chromedp.CSS(`#kalender .ec-toolbar button.ec-timeGridWeek`))},
		{"WaitVisible week", chromedp.WaitVisible(chromedp.CSS(`#kalender .ec-time-grid`))},
		// 1 March 2026 is a Sunday: the week shown first is 23 Feb – 1 Mar.
		{"next week", chromedp.Click(chromedp.CSS(`#kalender .ec-toolbar button.ec-next`))},
		{"wait 2–8", chromedp.WaitVisible(chromedp.Search(`//*[@id="kalender"]//h2[contains(., "2–8")]`))},
		{"next week again", chromedp.Click(chromedp.CSS(`#kalender .ec-toolbar button.ec-next`))},
		{"WaitVisible Konawe", chromedp.WaitVisible(chromedp.Search(`//*[@id="kalender"]//*[contains(@class,"cal-ev-visit")][contains(., "Konawe")]`))},
		{"read week", read(&weekText, chromedp.Text(chromedp.CSS(`#kalender`)))},
		{"screenshot desktop-kalender-minggu", screenshot(t, "desktop-kalender-minggu")},

		{"EmulateViewport phone", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile)},
		{"reopen", chromedp.Navigate(base + "/staf/kalender?bulan=2026-03")},
		{"WaitVisible list", chromedp.WaitVisible(chromedp.CSS(`#kalender .ec-list .ec-event.cal-ev-held`))},
		{"read list", read(&listText, chromedp.Text(chromedp.CSS(`#kalender .ec-list`)))},
		{"screenshot ponsel-kalender", screenshot(t, "ponsel-kalender")},
		{"click visit", chromedp.Click(chromedp.CSS(`#kalender .ec-list .ec-event.cal-ev-visit:not(.cal-ev-completed)`))},
		{"wait navigation", chromedp.WaitVisible(chromedp.CSS(`main h1`))},
		{"read location", read(&location, chromedp.Location())},
	}
	for _, step := range steps {
		if err := doStep(ctx, step.action); err != nil {
			t.Fatalf("browser step %q: %v (console: %v)", step.name, err, console.all())
		}
	}
	for _, want := range []string{"Hari ini", "Bulan", "Minggu", "Daftar", "Maret 2026"} {
		if !strings.Contains(toolbar, want) {
			t.Errorf("toolbar %q lacks %q", toolbar, want)
		}
	}
	// Host time, 24-hour, Indonesian separator, whatever the browser's zone.
	if !strings.Contains(visitText, "09.00") || !strings.Contains(visitText, "Konawe") {
		t.Errorf("visit in the month grid: %q", visitText)
	}
	if !strings.Contains(heldText, "Ditahan: Pemerintah Provinsi Jawa Tengah") {
		t.Errorf("held slot in the month grid: %q", heldText)
	}
	if !strings.Contains(weekText, "Konawe") || !strings.Contains(weekText, "Ditahan") {
		t.Errorf("week of 9 March: %q", weekText)
	}
	if !strings.Contains(listText, "Aula MPP Lantai 2") || !strings.Contains(listText, "Pengguna escort") {
		t.Errorf("list view lacks room or escort: %q", listText)
	}
	if want := "/staf/permohonan/" + v.konawe.ID.Hex(); !strings.HasSuffix(location, want) {
		t.Errorf("clicking the visit went to %q, want %s", location, want)
	}
	for _, line := range console.all() {
		// The visit page is the lead's; until it exists the click ends on a 404.
		if strings.Contains(line, "status of 404") {
			continue
		}
		t.Errorf("browser console error: %s", line)
	}
}
