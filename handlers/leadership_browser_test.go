package handlers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"studitiru/models"
)

// TestBrowserSurveyReachesTheDashboard follows one visit from the
// participant's phone to the leadership: a completed visit's survey is
// answered at 360 px (every element "4"), then the leadership signs in at
// desktop width and finds the new IKM on the dashboard (charts drawn by
// Chart.js under the CSP), the visit in the history, and its request page
// without any decision or edit action.
func TestBrowserSurveyReachesTheDashboard(t *testing.T) {
	e := newEnv(t)
	v := surveyVisit(t, e, 3, true) // held on 2026-03-12, marked completed
	path := surveyPath(t, e, v)
	base := serve(t, e)
	ctx, console := newBrowser(t)
	user := e.users[models.RoleLeadership]
	page := "/staf/permohonan/" + v.ID.Hex()
	dash := "/staf/dasbor?periode=khusus&dari=2026-03-01&sampai=2026-03-31"

	var (
		ikm, tiles, historyRow, heading string
		actions                         []string
		overflow                        bool
		charts                          int
	)
	// The IKM tile is the card whose label names the index.
	ikmTile := `Array.from(document.querySelectorAll('#angka-kunci .dash-tile')).map(c => c.innerText).find(s => s.includes('Indeks Kepuasan')) || ''`

	steps := []surveyStep{
		// The participant answers on a phone.
		{"phone viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)},
		{"open the survey link", chromedp.Navigate(base + path)},
		{"survey form shown", chromedp.WaitVisible(chromedp.CSS(`#form-survei`))},
	}
	for _, key := range models.SKMElementKeys() {
		sel := fmt.Sprintf(`label[for="f-%s-4"]`, models.SurveyField(key))
		steps = append(steps, surveyStep{"answer " + key, chromedp.Click(chromedp.CSS(sel))})
	}
	steps = append(steps, []surveyStep{
		{"no sideways scrolling", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
			overflow, err = chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)(ctx, tg)
			return err
		})},
		{"submit the survey", chromedp.Click(chromedp.CSS(`#kirim-survei`))},
		{"thank-you page", chromedp.WaitVisible(chromedp.CSS(`#terima-kasih`))},

		// The leadership signs in at desktop width.
		{"desktop viewport", chromedp.EmulateViewport(1280, 900)},
		{"open /masuk", chromedp.Navigate(base + "/masuk")},
		{"email", chromedp.SendKeys(chromedp.CSS(`#f-email`), user.Email)},
		{"password", chromedp.SendKeys(chromedp.CSS(`#f-password`), testPassword)},
		{"sign in", chromedp.Click(chromedp.CSS(`#form-masuk button[type=submit]`))},
		{"signed in", waitURL("/staf")},
		{"staff home", chromedp.WaitVisible(chromedp.CSS(`#judul-status`))},

		// The dashboard for March 2026.
		{"open the dashboard", chromedp.Navigate(base + dash)},
		{"key figures", chromedp.WaitVisible(chromedp.CSS(`#angka-kunci`))},
		{"read the tiles", read(&tiles, chromedp.Text(chromedp.CSS(`#angka-kunci`)))},
		{"read the IKM tile", read(&ikm, chromedp.Evaluate[string](ikmTile))},
		{"charts drawn", chartsDrawn(&charts)},
		{"screenshot", tallScreenshot(t, "pimpinan-dasbor", 1280)},

		// The history lists the visit.
		{"open the history", chromedp.Navigate(base + "/staf/riwayat")},
		{"history table", chromedp.WaitVisible(chromedp.CSS(`#daftar-riwayat`))},
		{"read the visit's row", read(&historyRow, chromedp.Text(chromedp.CSS(fmt.Sprintf(`#daftar-riwayat tr[data-code=%q]`, v.Code))))},
		{"screenshot", screenshot(t, "pimpinan-riwayat")},

		// The request page: read-only for the leadership.
		{"open the request page", chromedp.Navigate(base + page)},
		{"request page", chromedp.WaitVisible(chromedp.CSS(`h1`))},
		{"read the heading", read(&heading, chromedp.Text(chromedp.CSS(`h1`)))},
		{"look for actions", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
			actions, err = chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(
				'#keputusan, #form-jadwal, form[action$="/setujui"], form[action$="/ubah"], form[action$="/batal"], form[action$="/selesai"], form[action$="/hari-h"], a[href$="/hari-h"], a[href="#keputusan"]'
			)).map(e => e.outerHTML.slice(0, 120))`)(ctx, tg)
			return err
		})},
	}...)
	start := time.Now()
	for _, step := range steps {
		if err := doStep(ctx, step.action); err != nil {
			t.Fatalf("browser step %q: %v (console: %v)", step.name, err, console.all())
		}
	}
	t.Logf("browser steps took %v", time.Since(start).Round(time.Millisecond))

	if overflow {
		t.Error("the survey scrolls sideways at 360 px")
	}
	if !strings.Contains(ikm, "100,00 (A, sangat baik)") {
		t.Errorf("IKM tile %q, want 100,00 (A, sangat baik); tiles: %q", ikm, tiles)
	}
	if charts < 4 {
		t.Errorf("%d charts drawn, want the monthly, types, topics and escorts charts", charts)
	}
	if !strings.Contains(historyRow, v.Code) || !strings.Contains(historyRow, v.InstitutionName) || !strings.Contains(historyRow, "Selesai") {
		t.Errorf("history row %q, want %s, %s, Selesai", historyRow, v.Code, v.InstitutionName)
	}
	if !strings.Contains(heading, v.Code) && !strings.Contains(heading, v.InstitutionName) {
		t.Errorf("request page heading %q names neither the code nor the institution", heading)
	}
	for _, a := range actions {
		t.Errorf("the leadership sees an action on the request page: %s", a)
	}
	for _, line := range console.all() {
		t.Errorf("browser console error: %s", line)
	}
}

// chartsDrawn waits until Chart.js has drawn every dashboard chart that
// has data: a chart registers itself with Chart.getChart and sizes its
// canvas; the screenshot then shows the charts rather than empty boxes.
// It stores how many were drawn in n.
func chartsDrawn(n *int) chromedp.Action[chromedp.Void] {
	js := `(() => {
		if (typeof Chart === "undefined") return -1;
		const cs = Array.from(document.querySelectorAll('.dash-chart canvas'));
		const drawn = cs.filter(c => Chart.getChart(c) && c.width > 0 && c.height > 0);
		return drawn.length;
	})()`
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for {
			got, err := chromedp.Evaluate[int](js)(ctx, tg)
			if err == nil && got >= 4 {
				*n = got
				// Chart.js animates the first draw; let it finish.
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(1200 * time.Millisecond):
				}
				return nil
			}
			if err == nil && got < 0 {
				return fmt.Errorf("Chart.js did not load")
			}
			select {
			case <-ctx.Done():
				*n = got
				return fmt.Errorf("charts drawn: %d: %w", got, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// tallScreenshot takes a screenshot of the whole page by making the
// viewport as tall as the page and capturing the viewport. Chromium's
// capture beyond the viewport (what screenshot uses) leaves Chart.js's
// canvases blank. Afterwards the viewport is 900 px tall again.
func tallScreenshot(t *testing.T, name string, width int64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		h, err := chromedp.Evaluate[int64](`Math.ceil(document.documentElement.scrollHeight)`)(ctx, tg)
		if err != nil {
			return err
		}
		if _, err := chromedp.EmulateViewport(width, h)(ctx, tg); err != nil {
			return err
		}
		select { // Chart.js redraws resized charts on the next frame
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(600 * time.Millisecond):
		}
		png, err := chromedp.CaptureScreenshot()(ctx, tg)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(screenshotDir(t), name+".png"), png, 0o644); err != nil {
			return err
		}
		_, err = chromedp.EmulateViewport(width, 900)(ctx, tg)
		return err
	})
}
