package handlers_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"studitiru/models"
)

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
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
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
		_, err := cdp.Call(ctx, tg, log.Enable, cdp.Empty{})
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
	read := func(dst *string, a chromedp.Action[string]) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
			*dst, err = a(ctx, tg)
			return err
		})
	}
	// Each step is named so that a failure says where it stopped.
	steps := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
	}{
		{"EmulateViewport", chromedp.EmulateViewport(1280, 900)},
		{"open /", chromedp.Navigate(base + "/")},
		{"WaitVisible #ajukan-kunjungan", chromedp.WaitVisible(chromedp.CSS(`#ajukan-kunjungan`))},
		{"screenshot desktop-beranda", screenshot(t, "desktop-beranda")},

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
		if err := chromedp.Do(ctx, step.action); err != nil {
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
