package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"studitiru/models"
)

type surveyStep struct {
	name   string
	action chromedp.Action[chromedp.Void]
}

// TestBrowserSurveyOnAPhone answers the satisfaction survey through its
// link at 360 px, as a participant does on a phone after the visit: every
// question by tapping an option's label, a comment, then the thank-you page.
func TestBrowserSurveyOnAPhone(t *testing.T) {
	e := newEnv(t)
	v := surveyVisit(t, e, 3, true)
	path := surveyPath(t, e, v)
	base := serve(t, e)
	ctx, console := newBrowser(t)

	var overflow bool
	var thanks string
	steps := []surveyStep{
		{"phone viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)},
		{"open the survey link", chromedp.Navigate(base + path)},
		{"form shown", chromedp.WaitVisible(chromedp.CSS(`#form-survei`))},
	}
	for i, key := range models.SKMElementKeys() {
		score := 4 - i%2 // 4, 3, 4, 3, …
		sel := fmt.Sprintf(`label[for="f-%s-%d"]`, models.SurveyField(key), score)
		steps = append(steps, surveyStep{"answer " + key, chromedp.Click(chromedp.CSS(sel))})
	}
	steps = append(steps, []surveyStep{
		{"comment", chromedp.SendKeys(chromedp.CSS(`#f-comment`), "Petugas sangat ramah dan paparannya jelas.")},
		{"no sideways scrolling", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
			overflow, err = chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)(ctx, tg)
			return err
		})},
		{"screenshot", screenshot(t, "survei-ponsel")},
		{"submit", chromedp.Click(chromedp.CSS(`#kirim-survei`))},
		{"thank-you page", chromedp.WaitVisible(chromedp.CSS(`#terima-kasih`))},
		{"read", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
			thanks, err = chromedp.Text(chromedp.CSS(`#judul-terima-kasih`))(ctx, tg)
			return err
		})},
	}...)
	for _, step := range steps {
		if err := doStep(ctx, step.action); err != nil {
			t.Fatalf("browser step %q: %v (console: %v)", step.name, err, console.all())
		}
	}
	if overflow {
		t.Error("the survey scrolls sideways at 360 px")
	}
	if strings.TrimSpace(thanks) != "Terima kasih" {
		t.Errorf("thank-you heading: %q", thanks)
	}
	got, err := e.store.SurveyResponsesFor(t.Context(), v.ID)
	if err != nil || len(got) != 1 || got[0].Scores != (models.SKMScores{4, 3, 4, 3, 4, 3, 4, 3, 4}) ||
		got[0].Comment != "Petugas sangat ramah dan paparannya jelas." {
		t.Errorf("stored: %+v %v", got, err)
	}
	for _, line := range console.all() {
		t.Errorf("browser console error: %s", line)
	}
}
