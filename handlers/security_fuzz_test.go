package handlers_test

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"studitiru/handlers"
)

// FuzzSafeFileName: the name of an uploaded letter, as any client sends
// it, becomes a short, valid UTF-8 name without path separators, quotes,
// markup or control characters (it is stored in the database and GridFS,
// which want valid UTF-8), and cleaning is idempotent.
func FuzzSafeFileName(f *testing.F) {
	for _, s := range []string{
		"surat permohonan.pdf", "", "../../etc/passwd", `C:\Users\a\"x".pdf`, "a\r\nContent-Type: text/html",
		"<script>window.__xss=1</script>.pdf", strings.Repeat("é", 61), strings.Repeat("a", 119) + "é",
		"\xff\xfe.pdf", "\x00\x7f\u0085\u2028\u202e.pdf",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := handlers.SafeFileName(name)
		switch {
		case got == "" || len(got) > 120:
			t.Fatalf("%q → %q", name, got)
		case !utf8.ValidString(got):
			t.Fatalf("%q → %q is not valid UTF-8", name, got)
		case strings.ContainsAny(got, `/\"<>:|?*`):
			t.Fatalf("%q → %q keeps a separator or markup", name, got)
		case strings.ContainsFunc(got, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }):
			t.Fatalf("%q → %q keeps a control character", name, got)
		case handlers.SafeFileName(got) != got:
			t.Fatalf("%q → %q → %q", name, got, handlers.SafeFileName(got))
		}
	})
}

var (
	tokenRun = regexp.MustCompile(`[A-Za-z0-9_-]{20,}`)
	objectID = regexp.MustCompile(`^[0-9a-f]{24}$`)
)

// FuzzRedactPath: the request log never shows the credential of a private
// link, whatever the path's case, escaping or extra slashes; redaction is
// idempotent and leaves paths without a token as they are.
func FuzzRedactPath(f *testing.F) {
	f.Add("/lacak/", []byte("x"), uint8(0))
	f.Add("/staf/permohonan/65f0c0ffee0123456789abcd/surat", []byte("y"), uint8(1))
	f.Add("//LACAK/", []byte{0}, uint8(2))
	f.Add("/lac%61k/", []byte("z"), uint8(3))
	f.Add("/kalender/", []byte("feed"), uint8(4))
	f.Add("/survei/", []byte("s"), uint8(5))
	f.Add("/static/js/app.js", []byte(""), uint8(6))
	f.Fuzz(func(t *testing.T, path string, seed []byte, variant uint8) {
		got := handlers.RedactPath(path)
		if handlers.RedactPath(got) != got {
			t.Fatalf("%q → %q → %q", path, got, handlers.RedactPath(got))
		}
		if strings.Count(got, "/") != strings.Count(path, "/") {
			t.Fatalf("%q → %q changed the path's shape", path, got)
		}
		// A real token of each kind, under each private route.
		sum := sha256.Sum256(seed)
		token := base64.RawURLEncoding.EncodeToString(sum[:])
		prefixes := []string{"/lacak/", "/LACAK/", "//lacak/", "/survei/", "/Survei/", "/kalender/", "/lac%61k/", "/x/../lacak/"}
		suffixes := []string{"", "/", "/surat", "/undangan.ics", ".ics", ".ICS", "?baru=1"}
		switch variant % 3 {
		case 0:
			token = token[:24] // tracking
		case 1:
			token = token[:32] // feed
		default:
			token = "65f0c0ffee0123456789abcd" + token[:24] // survey
		}
		p := prefixes[int(variant/3)%len(prefixes)] + token + suffixes[int(variant)%len(suffixes)]
		if red := handlers.RedactPath(p); strings.Contains(red, token[len(token)-20:]) {
			t.Fatalf("%q is logged as %q", p, red)
		}
		// A path with no run of 20 URL-safe characters but object ids, and
		// no private route, has nothing to hide.
		tokenLike := false
		for _, run := range tokenRun.FindAllString(path, -1) {
			tokenLike = tokenLike || !objectID.MatchString(run)
		}
		lower := strings.ToLower(path)
		if !tokenLike && !strings.Contains(lower, "lac") && !strings.Contains(lower, "surve") && !strings.Contains(lower, "kal") && got != path {
			t.Fatalf("%q without a token changed to %q", path, got)
		}
	})
}

// browserReads is what a browser makes of a Location value relative to a
// page of this site (WHATWG URL parsing, as far as it matters here): C0
// controls and spaces trimmed at both ends, tabs and line breaks removed
// anywhere, backslashes read as slashes.
func browserReads(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= 0x20 })
	s = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(s)
	return s
}

// FuzzSafeNext: whatever "next" the sign-in link carries, the page it
// leads to after sign-in is on this site as a browser reads it — a path
// starting with one "/" — and fits in a header (no control character).
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/staf/permohonan?status=diajukan", "https://evil.example/", "//evil.example/", `/\evil.example`,
		"/\t/evil.example", "/\n/evil.example", " //evil.example", "/\x00/x", "/%2F%2Fevil.example", "/\u3000/evil.example", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := handlers.SafeNext(next)
		read := browserReads(got)
		if !strings.HasPrefix(read, "/") || strings.HasPrefix(read, "//") {
			t.Fatalf("next %q leads to %q, which a browser reads as %q", next, got, read)
		}
		if strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("next %q leads to %q, which holds a control character", next, got)
		}
		if got != next && got != "/staf" {
			t.Fatalf("next %q changed to %q", next, got)
		}
	})
}
