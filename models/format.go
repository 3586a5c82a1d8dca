package models

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Languages the interface speaks; Indonesian is the default.
const (
	LangID = "id"
	LangEN = "en"
)

// SupportedLanguage returns lang when the interface speaks it, else Indonesian.
func SupportedLanguage(lang string) string {
	if lang == LangEN {
		return LangEN
	}
	return LangID
}

var (
	dayNames = map[string][7]string{
		LangID: {"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"},
		LangEN: {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	}
	monthNames = map[string][12]string{
		LangID: {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
		LangEN: {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	}
)

// FormatDate writes a date the way Indonesian letters do: "Kamis, 5 Maret
// 2026" ("Thursday, 5 March 2026" in English). t must already be in the
// host's zone.
func FormatDate(t time.Time, lang string) string {
	lang = SupportedLanguage(lang)
	return fmt.Sprintf("%s, %s", dayNames[lang][t.Weekday()], FormatShortDate(t, lang))
}

// FormatShortDate is FormatDate without the weekday: "5 Maret 2026".
func FormatShortDate(t time.Time, lang string) string {
	lang = SupportedLanguage(lang)
	return fmt.Sprintf("%d %s %d", t.Day(), monthNames[lang][t.Month()-1], t.Year())
}

// FormatMonth writes a month and year: "Juli 2026".
func FormatMonth(t time.Time, lang string) string {
	lang = SupportedLanguage(lang)
	return fmt.Sprintf("%s %d", monthNames[lang][t.Month()-1], t.Year())
}

// FormatTime writes a clock time with the zone's Indonesian abbreviation:
// "pukul 09.00 WITA" ("09:00 WITA" in English).
func FormatTime(t time.Time, lang string) string {
	if SupportedLanguage(lang) == LangEN {
		return t.Format("15:04 MST")
	}
	return "pukul " + t.Format("15.04 MST")
}

// FormatDateTime joins FormatDate and FormatTime.
func FormatDateTime(t time.Time, lang string) string {
	return FormatDate(t, lang) + " " + FormatTime(t, lang)
}

func printer(lang string) *message.Printer {
	if SupportedLanguage(lang) == LangEN {
		return message.NewPrinter(language.English)
	}
	return message.NewPrinter(language.Indonesian)
}

// FormatNumber groups thousands: 1.250 in Indonesian, 1,250 in English.
func FormatNumber(n int, lang string) string {
	return printer(lang).Sprintf("%d", n)
}

// FormatDecimal writes f with the given decimals: 88,31 in Indonesian.
func FormatDecimal(f float64, decimals int, lang string) string {
	return printer(lang).Sprintf("%.*f", decimals, f)
}

// FormatPhone writes a +62 number in groups for reading: "+62 812-3456-7890".
// Anything else is returned as stored.
func FormatPhone(e164 string) string {
	if !strings.HasPrefix(e164, "+62") || len(e164) < 10 {
		return e164
	}
	rest := e164[3:]
	groups := []string{rest[:3]}
	for rest = rest[3:]; len(rest) > 4; rest = rest[4:] {
		groups = append(groups, rest[:4])
	}
	if rest != "" {
		groups = append(groups, rest)
	}
	return "+62 " + strings.Join(groups, "-")
}
