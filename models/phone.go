package models

import (
	"strings"
	"unicode"
)

// Indonesian mobile numbers. After the country code 62 a mobile number is
// 8 followed by 8 to 11 digits (0811-xxx-xxx of the first operators up to
// 0812-3456-78901 today), i.e. 10 to 13 digits when written nationally with
// the trunk 0. We only accept mobiles: the number is used for WhatsApp, and
// telling valid landline area codes apart is not worth the complexity.
const (
	phoneCountryCode   = "62"
	minPhoneAfterEight = 8
	maxPhoneAfterEight = 11
	// maxPhoneInput bounds the work on hostile input; a number written with
	// generous spacing is still far below it.
	maxPhoneInput = 64
)

// NormalizePhone turns an Indonesian mobile (WhatsApp) number as people
// type it into E.164, "+628…". It accepts the national form with the trunk
// 0 ("0812-3456-7890"), the international form with or without the plus
// ("+62 812 3456 7890", "62812…"), the "+62 (0)812…" form, and spaces,
// hyphens, dots and parentheses as separators ("(0812) 3456.7890").
//
// It returns ok=false for anything else: letters or other symbols, a plus
// sign that is not in front, a number without a prefix ("812…" could be a
// typo of either form, so we ask again rather than guess), landlines and
// numbers of other countries, and numbers of the wrong length.
func NormalizePhone(s string) (string, bool) {
	if len(s) > maxPhoneInput {
		return "", false
	}
	var digits strings.Builder
	plus := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && !plus && digits.Len() == 0:
			plus = true
		case r == '-' || r == '.' || r == '(' || r == ')' || unicode.IsSpace(r):
			// Separators carry no meaning; their placement is not checked
			// because people group digits in many ways.
		default:
			return "", false
		}
	}
	d := digits.String()
	var national string // the number after the country code, without trunk 0
	switch {
	case strings.HasPrefix(d, phoneCountryCode):
		national = d[len(phoneCountryCode):]
		// "+62 (0)812…": a number after 62 never starts with 0, so dropping
		// one is unambiguous.
		national = strings.TrimPrefix(national, "0")
	case plus:
		return "", false // another country
	case strings.HasPrefix(d, "0"):
		national = d[1:]
	default:
		return "", false
	}
	if n := len(national) - 1; !strings.HasPrefix(national, "8") || n < minPhoneAfterEight || n > maxPhoneAfterEight {
		return "", false
	}
	return "+" + phoneCountryCode + national, true
}

// NormalizeOfficePhone accepts what an office lists as its phone: a mobile
// number (normalised like NormalizePhone) or an Indonesian landline with its
// area code, such as "(0361) 9009250" or "+62 361 9009250", which is kept as
// written (trimmed): landlines are dialled, not used for WhatsApp.
func NormalizeOfficePhone(s string) (string, bool) {
	if e164, ok := NormalizePhone(s); ok {
		return e164, true
	}
	s = strings.TrimSpace(s)
	if len(s) > maxPhoneInput {
		return "", false
	}
	var digits strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
		case r == '-' || r == '.' || r == '(' || r == ')' || r == ' ':
		default:
			return "", false
		}
	}
	d := digits.String()
	switch {
	case strings.HasPrefix(s, "+") && strings.HasPrefix(d, phoneCountryCode):
		d = "0" + d[len(phoneCountryCode):]
	case strings.HasPrefix(s, "+"):
		return "", false
	}
	// 0 + area code (2–3 digits, never starting with 0 or 8) + 5–8 digits.
	if !strings.HasPrefix(d, "0") || len(d) < 8 || len(d) > 12 || d[1] == '0' || d[1] == '8' {
		return "", false
	}
	return s, true
}
