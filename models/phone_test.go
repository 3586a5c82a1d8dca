package models_test

import (
	"regexp"
	"strings"
	"testing"

	"studitiru/models"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when the input must be refused
	}{
		// The ways people write the same number.
		{"0812-3456-7890", "+6281234567890"},
		{"0812 3456 7890", "+6281234567890"},
		{"081234567890", "+6281234567890"},
		{"+62 812 3456 7890", "+6281234567890"},
		{"+62-812-3456-7890", "+6281234567890"},
		{"+6281234567890", "+6281234567890"},
		{"62812 3456 7890", "+6281234567890"},
		{"6281234567890", "+6281234567890"},
		{"(0812) 3456 7890", "+6281234567890"},
		{"(+62) 812-3456-7890", "+6281234567890"},
		{"+62 (0)812 3456 7890", "+6281234567890"},
		{"0812.3456.7890", "+6281234567890"},
		{"  0812 3456 7890  ", "+6281234567890"},
		{"0812\u00a03456\u00a07890", "+6281234567890"}, // non-breaking spaces from a copied web page
		// Shortest and longest mobile numbers: 8 + 8 and 8 + 11 digits.
		{"0811-1234-56", "+62811123456"},
		{"0812-3456-78901", "+62812345678901"},
		// Refused.
		{"", ""},
		{"   ", ""},
		{"812-3456-7890", ""},  // no prefix: ambiguous
		{"+812 3456 7890", ""}, // country code missing
		{"0812-3456-789a", ""}, // letter
		{"0812 3456 7890 ext 1", ""},
		{"0812/0813 3456 7890", ""}, // two numbers
		{"08123456", ""},            // 8 + 6 digits: too short
		{"0812345678", "+62812345678"},
		{"081234567", ""},          // 8 + 7 digits
		{"08123456789012", ""},     // 8 + 12 digits: too long
		{"0361 123456", ""},        // Denpasar landline
		{"+62 361 123456", ""},     // landline, international form
		{"+1 202 555 0100", ""},    // another country
		{"+65 8123 4567", ""},      // Singapore mobile also starts with 8
		{"0062 812 3456 7890", ""}, // international call prefix: not accepted
		{"62+81234567890", ""},     // plus not in front
		{"++6281234567890", ""},    // two plus signs
		{"０８１２３４５６７８９０", ""},       // full-width digits
		{"0812-3456-7890\x00", ""},
		{strings.Repeat(" ", 70) + "081234567890", ""}, // absurdly long input
	}
	for _, tc := range tests {
		got, ok := models.NormalizePhone(tc.in)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.want != "")
		}
	}
}

func FuzzNormalizePhone(f *testing.F) {
	e164Mobile := regexp.MustCompile(`^\+628[0-9]{8,11}$`)
	for _, s := range []string{
		"0812-3456-7890", "+62 812 3456 7890", "62812", "(0812) 3456 7890", "+62 (0)811 123 456",
		"812 3456 7890", "0361 123456", "+", "0", "62", "620", "+620", "0000", "\u00a0", "٠٨١٢",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := models.NormalizePhone(s)
		if !ok {
			if got != "" {
				t.Fatalf("NormalizePhone(%q) refused but returned %q", s, got)
			}
			return
		}
		if !e164Mobile.MatchString(got) {
			t.Fatalf("NormalizePhone(%q) = %q: not an E.164 Indonesian mobile", s, got)
		}
		if again, ok := models.NormalizePhone(got); !ok || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, but that normalises to %q, %v", s, got, again, ok)
		}
		// The digits of the result are the input's, less prefixes.
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
		if !strings.HasSuffix(digits, got[3:]) {
			t.Fatalf("NormalizePhone(%q) = %q: digits changed", s, got)
		}
	})
}

func TestOfficePhonesMayBeLandlines(t *testing.T) {
	for in, want := range map[string]string{
		"(0361) 9009250":  "(0361) 9009250",
		"+62 361 9009250": "+62 361 9009250",
		"0812-3456-7890":  "+6281234567890",
		"0361-424-123":    "0361-424-123",
	} {
		if got, ok := models.NormalizeOfficePhone(in); !ok || got != want {
			t.Errorf("%q: got %q %v, want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "361 9009250", "+1 202 555 0100", "0361 12", "telp 0361", "0000 123456", "(0361) 9009250 ext. 2"} {
		if got, ok := models.NormalizeOfficePhone(bad); ok {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
}
