package handlers_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"studitiru/models"
)

// read runs a step that yields text and keeps it in dst.
func read(dst *string, a chromedp.Action[string]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
		*dst, err = a(ctx, tg)
		return err
	})
}

// waitURL waits for an address containing part and a loaded page. A click
// that submits a form or follows a link does not wait for the next page,
// and the old page may hold the same elements. While the page changes the
// script may find no page to run in; that is asked again.
func waitURL(part string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`location.href.includes(%q) && document.readyState === "complete"`, part)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for {
			if ok, err := chromedp.Evaluate[bool](js)(ctx, tg); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", part, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// findChromium returns Debian's chromium (or another Chrome) or "".
func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts headless Chromium with the flags this machine needs
// and collects console errors (a CSP violation shows up there).
func newBrowser(t *testing.T) (context.Context, *consoleLog) {
	t.Helper()
	exe := findChromium()
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not installed; `make test` installs it (apt-get install chromium)")
		}
		t.Skip("chromium not installed; run `make test` (it installs Debian's chromium) or set CHROMIUM")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })

	console := &consoleLog{}
	if err := chromedp.Do(ctx); err != nil { // starts the browser and the tab
		t.Fatalf("start chromium: %v", err)
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
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, log.Enable, cdp.Empty{}); err != nil {
			return err
		}
		// Bootstrap scrolls smoothly unless the user asks for reduced
		// motion; a click computed during a smooth scroll can miss.
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
		})
		return err
	}))
	if err != nil {
		t.Fatalf("enable console log: %v", err)
	}
	return ctx, console
}

type consoleLog struct {
	mu    sync.Mutex
	lines []string
}

func (c *consoleLog) add(s string) { c.mu.Lock(); c.lines = append(c.lines, s); c.mu.Unlock() }
func (c *consoleLog) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}

// serve runs the env's app on a loopback port for the browser.
func serve(t *testing.T, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	t.Cleanup(func() { _ = e.app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// screenshotDir is where screenshots go: SCREENSHOT_DIR (make screenshots
// points it at docs/screenshots) or testdata/screenshots.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func screenshot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(screenshotDir(t), name+".png"), png, 0o644)
	})
}

// TestBrowserSignInLanguageSignOut drives real Chromium through the staff
// journey: sign in, switch to English, sign out, at desktop and phone widths.
func TestBrowserSignInLanguageSignOut(t *testing.T) {
	e := newEnv(t)
	if _, err := models.SeedDemo(t.Context(), e.store, e.clock.Now(), e.loc); err != nil {
		t.Fatal(err)
	}
	base := serve(t, e)
	ctx, console := newBrowser(t)
	user := e.users[models.RoleCoordinator]

	var heading, signedOut string
	var lang chromedp.AttributeResult
	// Each step is named so that a failure says where it stopped.
	steps := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
	}{
		{"EmulateViewport", chromedp.EmulateViewport(1280, 900)},
		{"open /", chromedp.Navigate(base + "/")},
		{"WaitVisible #ajukan-kunjungan", chromedp.WaitVisible(chromedp.CSS(`#ajukan-kunjungan`))},
		{"screenshot desktop-beranda", screenshot(t, "desktop-beranda")},

		// The month page is prepared once for all visitors (pagecache.go):
		// the browser decodes its spliced gzip, and the language form
		// carries this browser's own token.
		{"open /jadwal", chromedp.Navigate(base + "/jadwal")},
		{"WaitVisible #judul-bulan", chromedp.WaitVisible(chromedp.CSS(`html[lang=id] #judul-bulan`))},
		{"Click EN on /jadwal", chromedp.Click(chromedp.CSS(`button[name=lang][value=en]`))},
		{"English month page", chromedp.WaitVisible(chromedp.CSS(`html[lang=en] #judul-bulan`))},
		{"Click ID on /jadwal", chromedp.Click(chromedp.CSS(`button[name=lang][value=id]`))},
		{"Indonesian again", chromedp.WaitVisible(chromedp.CSS(`html[lang=id] #judul-bulan`))},

		{"open /masuk", chromedp.Navigate(base + "/masuk")},
		{"WaitVisible #form-masuk", chromedp.WaitVisible(chromedp.CSS(`#form-masuk`))},
		{"SendKeys #f-email", chromedp.SendKeys(chromedp.CSS(`#f-email`), user.Email)},
		{"SendKeys #f-password", chromedp.SendKeys(chromedp.CSS(`#f-password`), "salah")},
		{"Click #form-masuk button[type=submit]", chromedp.Click(chromedp.CSS(`#form-masuk button[type=submit]`))},
		{"WaitVisible #pesan-galat", chromedp.WaitVisible(chromedp.CSS(`#pesan-galat`))},
		{"screenshot desktop-masuk-gagal", screenshot(t, "desktop-masuk-gagal")},
		{"SendKeys #f-password", chromedp.SendKeys(chromedp.CSS(`#f-password`), testPassword)},
		{"Click #form-masuk button[type=submit]", chromedp.Click(chromedp.CSS(`#form-masuk button[type=submit]`))},
		{"WaitVisible #judul-status", chromedp.WaitVisible(chromedp.CSS(`#judul-status`))},
		{"read h1", read(&heading, chromedp.Text(chromedp.CSS(`h1`)))},
		{"screenshot desktop-dasbor", screenshot(t, "desktop-dasbor")},

		// English, remembered across pages.
		{"Click button[name=lang][value=en]", chromedp.Click(chromedp.CSS(`button[name=lang][value=en]`))},
		{"WaitVisible html[lang=en] #judul-status", chromedp.WaitVisible(chromedp.CSS(`html[lang=en] #judul-status`))},
		{"open /staf/profil", chromedp.Navigate(base + "/staf/profil")},
		{"WaitVisible #form-sandi", chromedp.WaitVisible(chromedp.CSS(`#form-sandi`))},
		{"read html lang", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
			lang, err = chromedp.AttributeValue(chromedp.CSS(`html`), "lang")(ctx, tg)
			return err
		})},

		// Phone width: the menu collapses behind the toggler (Bootstrap's
		// script must run under the CSP for it to open).
		{"EmulateViewport", chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile)},
		{"open /staf", chromedp.Navigate(base + "/staf")},
		{"WaitVisible #judul-status", chromedp.WaitVisible(chromedp.CSS(`#judul-status`))},
		{"screenshot ponsel-dasbor-en", screenshot(t, "ponsel-dasbor-en")},
		{"Click .navbar-toggler", chromedp.Click(chromedp.CSS(`.navbar-toggler`))},
		{"menu opened", chromedp.WaitVisible(chromedp.CSS(`#nav-utama.show`))},
		{"screenshot ponsel-menu", screenshot(t, "ponsel-menu")},
		{"Click #tombol-keluar", chromedp.Click(chromedp.CSS(`#tombol-keluar`))},
		{"WaitVisible #pesan-sukses", chromedp.WaitVisible(chromedp.CSS(`#pesan-sukses`))},
		{"read #pesan-sukses", read(&signedOut, chromedp.Text(chromedp.CSS(`#pesan-sukses`)))},

		// Back to Indonesian for the phone screenshots of the public pages.
		{"Click .navbar-toggler", chromedp.Click(chromedp.CSS(`.navbar-toggler`))},
		{"menu opened", chromedp.WaitVisible(chromedp.CSS(`#nav-utama.show`))},
		{"Click button[name=lang][value=id]", chromedp.Click(chromedp.CSS(`button[name=lang][value=id]`))},
		{"WaitVisible html[lang=id] #form-masuk", chromedp.WaitVisible(chromedp.CSS(`html[lang=id] #form-masuk`))},
		{"screenshot ponsel-masuk", screenshot(t, "ponsel-masuk")},
		{"open /", chromedp.Navigate(base + "/")},
		{"WaitVisible #ajukan-kunjungan", chromedp.WaitVisible(chromedp.CSS(`#ajukan-kunjungan`))},
		{"screenshot ponsel-beranda", screenshot(t, "ponsel-beranda")},
	}
	for _, step := range steps {
		if err := doStep(ctx, step.action); err != nil {
			t.Fatalf("browser step %q: %v (console: %v)", step.name, err, console.all())
		}
	}
	if !strings.Contains(heading, "Selamat datang") {
		t.Errorf("dashboard heading %q, want the Indonesian greeting", heading)
	}
	if lang.Value != "en" {
		t.Errorf("language after switching: %q, want en", lang.Value)
	}
	if !strings.Contains(signedOut, "You have signed out") {
		t.Errorf("sign-out message %q", signedOut)
	}
	for _, line := range console.all() {
		// The wrong password above is answered 401 on purpose; anything
		// else (a CSP violation, a missing asset, a script error) is a bug.
		if strings.Contains(line, "status of 401") {
			continue
		}
		t.Errorf("browser console error: %s", line)
	}
}

// doStep runs one step with its own time limit, so that a stuck step
// leaves the browser usable for saying what the page shows.
func doStep(ctx context.Context, step chromedp.Action[chromedp.Void]) error {
	stepCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return chromedp.Do(stepCtx, step)
}

// choose sets a select's value as a person would, firing its change event
// (the form's script loads the regencies of the chosen province).
func choose(selector, value string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); return s.value; })()`, selector, value)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		got, err := chromedp.Evaluate[string](js)(ctx, tg)
		if err == nil && got != value {
			err = fmt.Errorf("select %s: value %q not available", selector, value)
		}
		return err
	})
}

// TestBrowserDelegationJourneyOnAPhone walks the delegation's whole journey
// at phone width: calendar, an open session, the form with a real PDF and a
// roster CSV, the confirmation with the code, the tracking link.
func TestBrowserDelegationJourneyOnAPhone(t *testing.T) {
	e := newEnv(t)
	base := serve(t, e)
	ctx, console := newBrowser(t)

	dir := t.TempDir()
	letter := filepath.Join(dir, "surat-permohonan.pdf")
	roster := filepath.Join(dir, "peserta.csv")
	if err := os.WriteFile(letter, testPDF(), 0o644); err != nil {
		t.Fatal(err)
	}
	csv := "Nama;Jabatan;Jenis Kelamin;Kebutuhan\nDrs. Bambang Santoso, M.M.;Sekretaris Daerah;L;\nDwi Lestari, S.Sos.;Kepala Bidang Pelayanan;P;kursi roda\n"
	if err := os.WriteFile(roster, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}

	var code, status, link string
	steps := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
	}{
		{"phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)},
		{"open the schedule", chromedp.Navigate(base + "/jadwal")},
		{"calendar shown", chromedp.WaitVisible(chromedp.CSS(`#hari-2026-03-19`))},
		{"screenshot", screenshot(t, "ponsel-jadwal")},
		{"pick an open session", chromedp.Click(chromedp.CSS(`a.slot-open[data-slot="2026-03-12/pagi"]`))},
		{"form shown", chromedp.WaitVisible(chromedp.CSS(`#form-ajukan`))},
		{"institution", chromedp.SendKeys(chromedp.CSS(`#f-institution_name`), "Pemerintah Kabupaten Blora")},
		{"type", choose("#f-institution_type", "kabupaten")},
		{"province", choose("#f-province", "33")},
		{"regencies loaded", chromedp.WaitReady(chromedp.CSS(`#f-regency option[value="33.16"]`))},
		{"regency", choose("#f-regency", "33.16")},
		{"leader", chromedp.SendKeys(chromedp.CSS(`#f-leader_name`), "Drs. Bambang Santoso, M.M.")},
		{"leader position", chromedp.SendKeys(chromedp.CSS(`#f-leader_position`), "Sekretaris Daerah Kabupaten Blora")},
		{"participants", chromedp.SendKeys(chromedp.CSS(`#f-participants`), "24")},
		{"topic", chromedp.Click(chromedp.CSS(`#f-topic-2`))},
		{"topic ticked", chromedp.WaitReady(chromedp.CSS(`#f-topic-2:checked`))},
		{"contact", chromedp.SendKeys(chromedp.CSS(`#f-contact_name`), "Dwi Lestari, S.Sos.")},
		{"contact position", chromedp.SendKeys(chromedp.CSS(`#f-contact_position`), "Kepala Bidang Pelayanan")},
		{"contact email", chromedp.SendKeys(chromedp.CSS(`#f-contact_email`), "dwi.lestari@blorakab.go.id")},
		{"contact phone", chromedp.SendKeys(chromedp.CSS(`#f-contact_phone`), "0812 3456 7890")},
		{"letter number", chromedp.SendKeys(chromedp.CSS(`#f-letter_number`), "000.1.2.3/123/Setda")},
		{"letter date", chromedp.SetValue(chromedp.CSS(`#f-letter_date`), "2026-03-02")},
		{"letter file", chromedp.SetUploadFiles(chromedp.CSS(`#f-letter`), []string{letter})},
		{"roster file", chromedp.SetUploadFiles(chromedp.CSS(`#f-roster_file`), []string{roster})},
		{"screenshot", screenshot(t, "ponsel-formulir")},
		{"submit", chromedp.Click(chromedp.CSS(`#kirim-permohonan`))},
		{"confirmation", chromedp.WaitVisible(chromedp.CSS(`#konfirmasi`))},
		{"read code", read(&code, chromedp.Text(chromedp.CSS(`#kode`)))},
		{"screenshot", screenshot(t, "ponsel-konfirmasi")},
		{"read the tracking link", read(&link, chromedp.Text(chromedp.CSS(`#tautan-lacak`)))},
		// The link names the configured public address; the test server
		// listens elsewhere, so open the same path there.
		{"open the tracking link", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			u, err := url.Parse(strings.TrimSpace(link))
			if err != nil {
				return err
			}
			_, err = chromedp.Navigate(base+u.Path)(ctx, tg)
			return err
		})},
		{"tracking page", chromedp.WaitVisible(chromedp.CSS(`#status`))},
		{"read status", read(&status, chromedp.Text(chromedp.CSS(`#status`)))},
		{"screenshot", screenshot(t, "ponsel-lacak")},
	}
	for _, step := range steps {
		if err := doStep(ctx, step.action); err != nil {
			// Say what the page complains about, if it shows form errors.
			shown, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
				`Array.from(document.querySelectorAll('.invalid-feedback, .alert')).map(e => e.id + ': ' + e.textContent.trim()).join(' | ')`))
			t.Fatalf("browser step %q: %v (console: %v; page says: %s)", step.name, err, console.all(), shown)
		}
	}
	if code != "ST-2026-0001" {
		t.Errorf("code on the confirmation: %q", code)
	}
	if strings.TrimSpace(status) != "Diajukan" {
		t.Errorf("status on the tracking page: %q", status)
	}
	v, err := e.store.VisitBySubmissionKey(t.Context(), mustOnlyVisit(t, e).SubmissionKey)
	if err != nil || len(v.Roster) != 2 || v.Roster[1].Needs != "kursi roda" || v.RegencyCode != "33.16" {
		t.Errorf("stored request: %+v %v", v, err)
	}
	for _, line := range console.all() {
		t.Errorf("browser console error: %s", line)
	}
}

func mustOnlyVisit(t *testing.T, e *env) *models.Visit {
	t.Helper()
	visits, err := e.store.RecentVisits(t.Context(), 2)
	if err != nil || len(visits) != 1 {
		t.Fatalf("want exactly one request, got %d (%v)", len(visits), err)
	}
	return &visits[0]
}
