package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"studitiru/models"
)

// gunzip decodes a gzip body (the test client does not).
func gunzip(t *testing.T, body string) string {
	t.Helper()
	r, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	return string(b)
}

// TestPublicMonthPageIsPreparedOncePerMonth: the month page for visitors
// not signed in is rendered once and sent to each with their own CSRF
// token, compressed or not, in their language; a signed-in user gets their
// own page; a change shows at once.
func TestPublicMonthPageIsPreparedOncePerMonth(t *testing.T) {
	e := newEnv(t)
	const month = "/jadwal?bulan=2026-04"
	visitor := func(cookie, lang string, gz bool) (page, token string, res response) {
		t.Helper()
		e.header = http.Header{}
		if gz {
			e.header.Set("Accept-Encoding", "gzip, deflate, br")
		}
		cookies := []*http.Cookie{{Name: "st_csrf", Value: cookie}}
		if lang != "" {
			cookies = append(cookies, &http.Cookie{Name: "st_lang", Value: lang})
		}
		res = e.do("GET", month, nil, "", cookies...)
		e.header = nil
		if res.status != http.StatusOK {
			t.Fatalf("%s: %d", month, res.status)
		}
		page = res.body
		if gz {
			if res.header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("asked for gzip, got Content-Encoding %q", res.header.Get("Content-Encoding"))
			}
			page = gunzip(t, page)
		} else if res.header.Get("Content-Encoding") != "" {
			t.Fatalf("no Accept-Encoding, got Content-Encoding %q", res.header.Get("Content-Encoding"))
		}
		if !strings.Contains(res.header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Vary = %q", res.header.Get("Vary"))
		}
		return page, hiddenValue(t, page, "_csrf"), res
	}
	cookieA := "pengunjung-a-0123456789abcdefghijklmnopq"
	cookieB := "pengunjung-b-0123456789abcdefghijklmnopq"
	pageA, tokenA, _ := visitor(cookieA, "", true)
	pageB, tokenB, _ := visitor(cookieB, "", false)
	pageA2, tokenA2, _ := visitor(cookieA, "", false)
	if tokenA == tokenB || tokenA != tokenA2 || strings.HasPrefix(tokenA, "csrf-") {
		t.Fatalf("tokens: A %q, B %q, A again %q", tokenA, tokenB, tokenA2)
	}
	if pageA != pageA2 || strings.ReplaceAll(pageB, tokenB, tokenA) != pageA {
		t.Error("the pages differ in more than the token")
	}
	if !strings.Contains(pageA, `id="hari-2026-04-15"`) || !strings.Contains(pageA, `lang="id"`) {
		t.Error("not the April page in Bahasa Indonesia")
	}
	// Each token works with its own cookie only, as on a rendered page.
	switchTo := func(cookie, token string) int {
		form := url.Values{"_csrf": {token}, "lang": {"en"}, "back": {"/jadwal"}}
		return e.do("POST", "/bahasa", form, "", &http.Cookie{Name: "st_csrf", Value: cookie}).status
	}
	if got := switchTo(cookieA, tokenA); got != http.StatusSeeOther {
		t.Errorf("language switch with A's token: %d", got)
	}
	if got := switchTo(cookieB, tokenA); got != http.StatusForbidden {
		t.Errorf("B's cookie with A's token: %d, want 403", got)
	}
	pageEN, _, _ := visitor(cookieA, "en", true)
	if !strings.Contains(pageEN, `lang="en"`) || pageEN == pageA {
		t.Error("the English page is not English")
	}

	// A coordinator sees the staff navigation, not the visitors' page.
	staff := e.do("GET", month, nil, e.sessionFor(models.RoleCoordinator))
	if !strings.Contains(staff.body, "/staf/permohonan") || strings.Contains(staff.body, hiddenValue(t, pageA, "_csrf")) {
		t.Error("the coordinator got the visitors' page")
	}

	// A change to the month shows to the next visitor.
	admin := e.sessionFor(models.RoleAdmin)
	form := e.settingsForm(admin, "penutupan", "form-penutupan")
	form.Set("blackout_0_from", "2026-04-15")
	form.Set("blackout_0_reason", "Rapat kerja daerah")
	if res := e.post("/staf/pengaturan/penutupan", form, admin); res.status != http.StatusSeeOther {
		t.Fatalf("blackout: %d", res.status)
	}
	after, _, _ := visitor(cookieB, "", true)
	if !strings.Contains(after, "Rapat kerja daerah") {
		t.Error("the blackout is not on the next page")
	}
}

// TestPublicMonthJSONIsTheSameCompressedOrNot: the prepared JSON decodes
// to the same document either way.
func TestPublicMonthJSONIsTheSameCompressedOrNot(t *testing.T) {
	e := newEnv(t)
	plain := e.do("GET", "/api/ketersediaan?bulan=2026-04", nil, "")
	e.header = http.Header{"Accept-Encoding": {"gzip"}}
	packed := e.do("GET", "/api/ketersediaan?bulan=2026-04", nil, "")
	e.header = nil
	if plain.status != 200 || packed.status != 200 || packed.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("statuses %d %d, encoding %q", plain.status, packed.status, packed.header.Get("Content-Encoding"))
	}
	if got := gunzip(t, packed.body); got != plain.body || !bytes.Contains([]byte(got), []byte(`"month":"2026-04"`)) {
		t.Errorf("gzip JSON differs from plain: %.120s / %.120s", got, plain.body)
	}
	if ct := plain.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
}
