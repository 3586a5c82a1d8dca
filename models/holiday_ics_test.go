package models_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"studitiru/models"
)

// ics wraps event lines in a calendar, with CRLF line ends as RFC 5545 has.
func ics(lines ...string) string {
	all := append([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Uji//Studi Tiru//ID"}, lines...)
	all = append(all, "END:VCALENDAR")
	return strings.Join(all, "\r\n") + "\r\n"
}

func event(lines ...string) []string {
	out := []string{"BEGIN:VEVENT", "UID:" + strings.Join(lines, "|")[:10] + "@uji"}
	out = append(out, lines...)
	return append(out, "END:VEVENT")
}

func parseICS(t *testing.T, src string) ([]models.Holiday, error) {
	t.Helper()
	return models.ParseHolidayICS(strings.NewReader(src), 500, makassar(t))
}

func holidayDates(hs []models.Holiday) string {
	var keys []string
	for _, h := range hs {
		keys = append(keys, h.Date)
	}
	return strings.Join(keys, ",")
}

func TestParseHolidayICSReadsTheFeed(t *testing.T) {
	f, err := os.Open("testdata/libur-indonesia-2027.ics")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hs, err := models.ParseHolidayICS(f, 500, makassar(t))
	if err != nil {
		t.Fatal(err)
	}
	// 19 events, one of them cancelled; Idul Fitri covers 2 days and its
	// cuti bersama 5 (DTEND is exclusive).
	if len(hs) != 24 {
		t.Fatalf("%d holidays, want 24: %s", len(hs), holidayDates(hs))
	}
	byDate := map[string]models.Holiday{}
	for _, h := range hs {
		byDate[h.Date] = h
	}
	for date, want := range map[string]struct {
		name string
		kind models.HolidayKind
	}{
		"2027-01-01": {"Tahun Baru 2027 Masehi", models.HolidayNational},
		"2027-03-11": {"Idul Fitri 1448 Hijriah", models.HolidayNational},
		"2027-03-12": {"Cuti Bersama Idul Fitri 1448 Hijriah", models.HolidayCutiBersama},
		"2027-03-16": {"Cuti Bersama Idul Fitri 1448 Hijriah", models.HolidayCutiBersama},
		"2027-12-24": {"Cuti Bersama Hari Raya Natal", models.HolidayCutiBersama},
	} {
		got, ok := byDate[date]
		if !ok || got.Name != want.name || got.Kind != want.kind || !got.Closed {
			t.Errorf("%s: %+v, want %s (%s), closed", date, got, want.name, want.kind)
		}
	}
	for _, gone := range []string{"2027-03-17", "2027-08-18"} {
		if _, ok := byDate[gone]; ok {
			t.Errorf("%s should not be a holiday (exclusive end or cancelled)", gone)
		}
	}
	for i := 1; i < len(hs); i++ {
		if hs[i-1].Date >= hs[i].Date {
			t.Fatalf("not in date order: %s", holidayDates(hs))
		}
	}
}

func TestParseHolidayICSCases(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		dates string
		kinds string // first holiday's kind
		title string // first holiday's name
	}{
		{"all-day without DTEND is one day",
			ics(event("DTSTART;VALUE=DATE:20270101", "SUMMARY:Tahun Baru 2027 Masehi")...),
			"2027-01-01", "libur_nasional", "Tahun Baru 2027 Masehi"},
		{"all-day multi-day, DTEND exclusive",
			ics(event("DTSTART;VALUE=DATE:20270310", "DTEND;VALUE=DATE:20270313", "SUMMARY:Idul Fitri 1448 H")...),
			"2027-03-10,2027-03-11,2027-03-12", "libur_nasional", "Idul Fitri 1448 H"},
		{"date without VALUE=DATE is still a date",
			ics(event("DTSTART:20270601", "DTEND:20270602", "SUMMARY:Hari Lahir Pancasila")...),
			"2027-06-01", "libur_nasional", "Hari Lahir Pancasila"},
		{"DURATION of two days",
			ics(event("DTSTART;VALUE=DATE:20270517", "DURATION:P2D", "SUMMARY:Idul Adha")...),
			"2027-05-17,2027-05-18", "libur_nasional", "Idul Adha"},
		{"cuti bersama in any case",
			ics(event("DTSTART;VALUE=DATE:20271224", "SUMMARY:CUTI BERSAMA Natal")...),
			"2027-12-24", "cuti_bersama", "CUTI BERSAMA Natal"},
		{"Outlook's midnight-to-midnight in a Windows zone counts on its written date",
			ics(append([]string{"BEGIN:VTIMEZONE", "TZID:SE Asia Standard Time", "BEGIN:STANDARD", "DTSTART:16010101T000000",
				"TZOFFSETFROM:+0700", "TZOFFSETTO:+0700", "END:STANDARD", "END:VTIMEZONE"},
				event(`DTSTART;TZID="SE Asia Standard Time":20270817T000000`, `DTEND;TZID="SE Asia Standard Time":20270818T000000`,
					"SUMMARY:Hari Kemerdekaan RI", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE")...)...),
			"2027-08-17", "libur_nasional", "Hari Kemerdekaan RI"},
		{"timed event in another TZID is its written date",
			ics(event("DTSTART;TZID=America/New_York:20270105T230000", "DTEND;TZID=America/New_York:20270105T235900", "SUMMARY:Isra Mikraj")...),
			"2027-01-05", "libur_nasional", "Isra Mikraj"},
		{"UTC time is taken in the host zone (16:00Z = midnight WITA)",
			ics(event("DTSTART:20261231T160000Z", "DTEND:20270101T155959Z", "SUMMARY:Tahun Baru")...),
			"2027-01-01", "libur_nasional", "Tahun Baru"},
		{"timed event over two days covers both",
			ics(event("DTSTART;TZID=Asia/Jakarta:20270206T080000", "DTEND;TZID=Asia/Jakarta:20270207T120000", "SUMMARY:Imlek")...),
			"2027-02-06,2027-02-07", "libur_nasional", "Imlek"},
		{"summary: escapes, commas, control characters and folding",
			ics(event("DTSTART;VALUE=DATE:20270326", "SUMMARY:Wafat Yesus Kristus\\, Jumat\\nAgung, libur\x07",
				" nasional")...),
			"2027-03-26", "libur_nasional", "Wafat Yesus Kristus, Jumat Agung, libur nasional"},
		{"a long summary is cut",
			ics(event("DTSTART;VALUE=DATE:20270326", "SUMMARY:"+strings.Repeat("Panjang ", 40))...),
			"2027-03-26", "libur_nasional", ""},
		{"cancelled events are skipped; two events on one date merge",
			ics(append(append(event("DTSTART;VALUE=DATE:20270308", "SUMMARY:Hari Suci Nyepi"),
				event("DTSTART;VALUE=DATE:20270308", "SUMMARY:Tahun Baru Saka 1949")...),
				event("DTSTART;VALUE=DATE:20270309", "STATUS:CANCELLED", "SUMMARY:Cuti Bersama Nyepi")...)...),
			"2027-03-08", "libur_nasional", "Hari Suci Nyepi / Tahun Baru Saka 1949"},
		{"BOM and LF line ends",
			"\ufeff" + strings.ReplaceAll(ics(event("DTSTART;VALUE=DATE:20270501", "SUMMARY:Hari Buruh")...), "\r\n", "\n"),
			"2027-05-01", "libur_nasional", "Hari Buruh"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs, err := parseICS(t, c.src)
			if err != nil {
				t.Fatal(err)
			}
			if got := holidayDates(hs); got != c.dates {
				t.Fatalf("dates %s, want %s", got, c.dates)
			}
			if string(hs[0].Kind) != c.kinds {
				t.Errorf("kind %s, want %s", hs[0].Kind, c.kinds)
			}
			if c.title != "" && hs[0].Name != c.title {
				t.Errorf("name %q, want %q", hs[0].Name, c.title)
			}
			if n := utf8.RuneCountInString(hs[0].Name); n > models.MaxHolidayName || n == 0 {
				t.Errorf("name of %d characters", n)
			}
		})
	}
}

func TestParseHolidayICSRejectsGarbage(t *testing.T) {
	many := []string{}
	for i := 0; i < 6; i++ {
		many = append(many, event("DTSTART;VALUE=DATE:2027010"+string(rune('1'+i)), "SUMMARY:Libur")...)
	}
	cases := []struct {
		name, src, key string
	}{
		{"empty", "", "holiday.ics_invalid"},
		{"not a calendar", "%PDF-1.7\n1 0 obj\n", "holiday.ics_invalid"},
		{"HTML", "<!doctype html><html><body>Libur</body></html>", "holiday.ics_invalid"},
		{"unterminated", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270101\r\n", "holiday.ics_invalid"},
		{"parameters without a colon (go-ical panics on these)", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "holiday.ics_invalid"},
		{"text after a quoted parameter", "BEGIN:VCALENDAR\r\nX-A;B=\"c\"d:e\r\nEND:VCALENDAR\r\n", "holiday.ics_invalid"},
		{"huge parameter", "BEGIN:VCALENDAR\r\nX-A;B=" + strings.Repeat("x", 5000) + ":1\r\nEND:VCALENDAR\r\n", "holiday.ics_invalid"},
		{"deep nesting", "BEGIN:VCALENDAR\r\n" + strings.Repeat("BEGIN:X\r\n", 20) + strings.Repeat("END:X\r\n", 20) + "END:VCALENDAR\r\n", "holiday.ics_invalid"},
		{"no events", ics(), "holiday.ics_empty"},
		{"only cancelled", ics(event("DTSTART;VALUE=DATE:20270101", "STATUS:CANCELLED")...), "holiday.ics_empty"},
		{"no DTSTART", ics(event("SUMMARY:Libur")...), "holiday.ics_bad_date"},
		{"bad date", ics(event("DTSTART;VALUE=DATE:20271340", "SUMMARY:Libur")...), "holiday.ics_bad_date"},
		{"end before start", ics(event("DTSTART;VALUE=DATE:20270105", "DTEND;VALUE=DATE:20270101", "SUMMARY:Libur")...), "holiday.ics_bad_date"},
		{"too long", ics(event("DTSTART;VALUE=DATE:20270101", "DTEND;VALUE=DATE:20270601", "SUMMARY:Libur")...), "holiday.ics_range"},
		{"too early", ics(event("DTSTART;VALUE=DATE:18990101", "SUMMARY:Libur")...), "holiday.ics_range"},
		{"too many events", ics(many...), "holiday.ics_too_many"},
		{"too large", "BEGIN:VCALENDAR\r\n" + strings.Repeat("X-PAD:"+strings.Repeat("a", 70)+"\r\n", 16000), "holiday.ics_too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs, err := models.ParseHolidayICS(strings.NewReader(c.src), 5, makassar(t))
			var ie *models.ICSError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, %v; want an ICSError", holidayDates(hs), err)
			}
			if ie.Key != c.key {
				t.Errorf("key %s (%v), want %s", ie.Key, err, c.key)
			}
		})
	}
}

// FuzzParseHolidayICS: whatever the file, the parser returns clean
// holidays or an ICSError, within its limits, and never panics. The seed
// corpus (the feed in testdata and the cases above) runs with go test.
func FuzzParseHolidayICS(f *testing.F) {
	feed, err := os.ReadFile("testdata/libur-indonesia-2027.ics")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(feed)
	f.Add([]byte(ics(event("DTSTART;VALUE=DATE:20270310", "DTEND;VALUE=DATE:20270313", "SUMMARY:Idul Fitri")...)))
	f.Add([]byte(ics(event("DTSTART;TZID=Asia/Jakarta:20270206T080000", "DURATION:PT2H", "SUMMARY:Cuti bersama\\, Imlek")...)))
	f.Add([]byte(ics(event("DTSTART:20261231T160000Z", "DTEND:20270101T160000Z", "SUMMARY:Tahun Baru")...)))
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte("BEGIN:VCALENDAR\r\nX-A;B=\"c\"d:e\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte{})
	const maxEvents = 50
	wita := makassar(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		hs, err := models.ParseHolidayICS(strings.NewReader(string(data)), maxEvents, wita)
		if err != nil {
			var ie *models.ICSError
			if !errors.As(err, &ie) || ie.Key == "" {
				t.Fatalf("error %v is not an ICSError with a key", err)
			}
			if hs != nil {
				t.Fatalf("holidays returned with an error")
			}
			return
		}
		if len(hs) == 0 || len(hs) > maxEvents {
			t.Fatalf("%d holidays", len(hs))
		}
		for i, h := range hs {
			if !models.ValidHolidayDate(h.Date) {
				t.Fatalf("bad date %q", h.Date)
			}
			if i > 0 && hs[i-1].Date >= h.Date {
				t.Fatalf("dates not sorted and unique: %s", holidayDates(hs))
			}
			if h.Name == "" || h.Name != models.CleanHolidayName(h.Name) || !utf8.ValidString(h.Name) {
				t.Fatalf("unclean name %q", h.Name)
			}
			if h.Kind != models.HolidayNational && h.Kind != models.HolidayCutiBersama {
				t.Fatalf("kind %q", h.Kind)
			}
			// What the parser returns must be storable as it is.
			c := h
			if err := c.Validate(); err != nil || c != h {
				t.Fatalf("parsed holiday %+v does not validate: %v", h, err)
			}
		}
	})
}
