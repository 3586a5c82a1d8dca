package models_test

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata"

	"studitiru/models"
)

func makassar(t testing.TB) *time.Location {
	t.Helper()
	wita, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	return wita
}

// dateIn parses a DateKey as midnight in loc, failing the test on a typo.
func dateIn(t testing.TB, loc *time.Location, key string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, key, loc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// fullCalendar is what the app builds: the seed plus Balinese days.
func fullCalendar(t testing.TB) *models.HolidayCalendar {
	t.Helper()
	holidays := models.NationalHolidays2025to2026()
	holidays = append(holidays, models.BalineseHolidays(
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC))...)
	return models.NewHolidayCalendar(holidays)
}

func TestNationalHolidaySeedMatchesSKB(t *testing.T) {
	// The dates of DESIGN.md §4, 2025 and 2026.
	want := []string{
		"2025-01-01", "2025-01-27", "2025-01-29", "2025-03-29", "2025-03-31", "2025-04-01",
		"2025-04-18", "2025-04-20", "2025-05-01", "2025-05-12", "2025-05-29", "2025-06-01",
		"2025-06-06", "2025-06-27", "2025-08-17", "2025-08-18", "2025-09-05", "2025-12-25",
		"2025-01-28", "2025-03-28", "2025-04-02", "2025-04-03", "2025-04-04", "2025-04-07",
		"2025-05-13", "2025-05-30", "2025-06-09", "2025-12-26",
		"2026-01-01", "2026-01-16", "2026-02-17", "2026-03-19", "2026-03-21", "2026-03-22",
		"2026-04-03", "2026-04-05", "2026-05-01", "2026-05-14", "2026-05-27", "2026-05-31",
		"2026-06-01", "2026-06-16", "2026-08-17", "2026-08-25", "2026-12-25",
		"2026-02-16", "2026-03-18", "2026-03-20", "2026-03-23", "2026-03-24", "2026-05-15",
		"2026-05-28", "2026-12-24",
	}
	seed := models.NationalHolidays2025to2026()
	seen := map[string]int{}
	type yearKind struct {
		year string
		kind models.HolidayKind
	}
	counts := map[yearKind]int{}
	for _, h := range seed {
		seen[h.Date]++
		counts[yearKind{h.Date[:4], h.Kind}]++
		if !h.Closed {
			t.Errorf("%s %s: the MPP must be closed", h.Date, h.Name)
		}
		if h.Name == "" {
			t.Errorf("%s has no name", h.Date)
		}
	}
	for _, d := range want {
		if seen[d] != 1 {
			t.Errorf("%s appears %d times in the seed, want once", d, seen[d])
		}
	}
	if len(seed) != len(want) {
		t.Errorf("seed has %d entries, DESIGN.md lists %d", len(seed), len(want))
	}
	// 18 August 2025 is counted as cuti bersama, as the amending SKB
	// 933/2025 has it, so 2025 is 17 + 11 rather than 18 + 10.
	for yk, n := range map[yearKind]int{
		{"2025", models.HolidayNational}:    17,
		{"2025", models.HolidayCutiBersama}: 11,
		{"2026", models.HolidayNational}:    17,
		{"2026", models.HolidayCutiBersama}: 8,
	} {
		if counts[yk] != n {
			t.Errorf("%s %s: %d entries, want %d", yk.year, yk.kind, counts[yk], n)
		}
	}

	names := map[string]string{}
	for _, h := range seed {
		names[h.Date] = h.Name
	}
	for _, tc := range []struct{ date, name string }{
		{"2025-01-27", "Isra Mikraj Nabi Muhammad SAW"},
		{"2025-01-29", "Tahun Baru Imlek 2576 Kongzili"},
		{"2025-03-29", "Hari Suci Nyepi (Tahun Baru Saka 1947)"},
		{"2025-03-31", "Idul Fitri 1446 H"},
		{"2025-04-01", "Idul Fitri 1446 H"},
		{"2025-04-18", "Wafat Yesus Kristus"},
		{"2025-04-20", "Kebangkitan Yesus Kristus (Paskah)"},
		{"2025-05-12", "Hari Raya Waisak 2569 BE"},
		{"2025-05-29", "Kenaikan Yesus Kristus"},
		{"2025-06-01", "Hari Lahir Pancasila"},
		{"2025-06-06", "Idul Adha 1446 H"},
		{"2025-06-27", "Tahun Baru Islam 1447 H"},
		{"2025-08-17", "Hari Kemerdekaan Republik Indonesia"},
		{"2025-08-18", "Cuti Bersama HUT ke-80 Kemerdekaan Republik Indonesia"},
		{"2025-09-05", "Maulid Nabi Muhammad SAW"},
		{"2025-12-25", "Kelahiran Yesus Kristus (Natal)"},
		{"2026-01-16", "Isra Mikraj Nabi Muhammad SAW"},
		{"2026-02-17", "Tahun Baru Imlek 2577 Kongzili"},
		{"2026-03-18", "Cuti Bersama Hari Suci Nyepi"},
		{"2026-03-19", "Hari Suci Nyepi (Tahun Baru Saka 1948)"},
		{"2026-03-20", "Cuti Bersama Idul Fitri"},
		{"2026-03-22", "Idul Fitri 1447 H"},
		{"2026-05-31", "Hari Raya Waisak 2570 BE"},
		{"2026-06-16", "Tahun Baru Islam 1448 H"},
		{"2026-08-25", "Maulid Nabi Muhammad SAW"},
		{"2026-12-24", "Cuti Bersama Natal"},
	} {
		if names[tc.date] != tc.name {
			t.Errorf("%s: name %q, want %q", tc.date, names[tc.date], tc.name)
		}
	}
}

func TestBalineseHolidaysPawukonCheckValues(t *testing.T) {
	wita := makassar(t)
	tests := []struct {
		date, name string
		closed     bool
	}{
		{"2024-09-25", "Galungan", true}, // before day zero: the cycle runs backwards too
		{"2025-02-12", "Pagerwesi", false},
		{"2025-04-22", "Penampahan Galungan", true},
		{"2025-04-23", "Galungan", true},
		{"2025-04-24", "Umanis Galungan", true},
		{"2025-05-02", "Penampahan Kuningan", false},
		{"2025-05-03", "Kuningan", true},
		{"2025-09-06", "Saraswati", false},
		{"2025-11-19", "Galungan", true},
		{"2026-06-17", "Galungan", true},
		{"2026-06-27", "Kuningan", true},
		{"2026-10-31", "Saraswati", false},
		{"2027-01-13", "Galungan", true},
		{"2027-08-11", "Galungan", true},
	}
	for _, tc := range tests {
		d := dateIn(t, wita, tc.date)
		got := models.BalineseHolidays(d, d)
		want := []models.Holiday{{Date: tc.date, Name: tc.name, Kind: models.HolidayBali, Closed: tc.closed}}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %+v, want %+v", tc.date, got, want)
		}
	}
}

func TestBalineseHolidaysNyepi(t *testing.T) {
	wita := makassar(t)
	tests := []struct {
		name, from, to string
		want           []models.Holiday
	}{
		{"Nyepi 2026 with the days around it", "2026-03-17", "2026-03-21", []models.Holiday{
			{Date: "2026-03-18", Name: "Pengerupukan (Tawur Kesanga)", Kind: models.HolidayBali, Closed: true},
			{Date: "2026-03-19", Name: "Hari Raya Nyepi (Tahun Baru Saka 1948)", Kind: models.HolidayBali, Closed: true},
			{Date: "2026-03-20", Name: "Ngembak Geni", Kind: models.HolidayBali, Closed: true},
		}},
		{"range edges are inclusive and cut the neighbours", "2026-03-19", "2026-03-19", []models.Holiday{
			{Date: "2026-03-19", Name: "Hari Raya Nyepi (Tahun Baru Saka 1948)", Kind: models.HolidayBali, Closed: true},
		}},
		{"estimated 2027 date is in the table", "2027-03-08", "2027-03-08", []models.Holiday{
			{Date: "2027-03-08", Name: "Hari Raya Nyepi (Tahun Baru Saka 1949)", Kind: models.HolidayBali, Closed: true},
		}},
		{"to before from", "2026-03-20", "2026-03-18", nil},
	}
	for _, tc := range tests {
		got := models.BalineseHolidays(dateIn(t, wita, tc.from), dateIn(t, wita, tc.to))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestBalineseHolidaysOfAYearInDateOrder(t *testing.T) {
	wita := makassar(t)
	// Only the civil date of the bounds counts, whatever the clock says.
	got := models.BalineseHolidays(
		time.Date(2026, 1, 1, 23, 59, 0, 0, wita), time.Date(2026, 12, 31, 0, 0, 1, 0, wita))
	want := []struct{ date, name string }{
		{"2026-03-18", "Pengerupukan (Tawur Kesanga)"},
		{"2026-03-19", "Hari Raya Nyepi (Tahun Baru Saka 1948)"},
		{"2026-03-20", "Ngembak Geni"},
		{"2026-04-04", "Saraswati"},
		{"2026-04-08", "Pagerwesi"},
		{"2026-06-16", "Penampahan Galungan"},
		{"2026-06-17", "Galungan"},
		{"2026-06-18", "Umanis Galungan"},
		{"2026-06-26", "Penampahan Kuningan"},
		{"2026-06-27", "Kuningan"},
		{"2026-10-31", "Saraswati"},
		{"2026-11-04", "Pagerwesi"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d holidays, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Date != w.date || got[i].Name != w.name {
			t.Errorf("#%d: got %s %s, want %s %s", i, got[i].Date, got[i].Name, w.date, w.name)
		}
	}
}

func TestHolidayCalendarOn(t *testing.T) {
	wita := makassar(t)
	cal := fullCalendar(t)
	// 17:00 UTC on 16 June is 01:00 WITA on Galungan.
	galungan := cal.On(time.Date(2026, 6, 16, 17, 0, 0, 0, time.UTC).In(wita))
	if len(galungan) != 1 || galungan[0].Name != "Galungan" {
		t.Errorf("2026-06-17: got %+v, want Galungan", galungan)
	}
	// Nyepi is both a national and a Balinese holiday.
	nyepi := cal.On(dateIn(t, wita, "2026-03-19"))
	kinds := []models.HolidayKind{}
	for _, h := range nyepi {
		kinds = append(kinds, h.Kind)
	}
	if !slices.Equal(kinds, []models.HolidayKind{models.HolidayNational, models.HolidayBali}) {
		t.Errorf("2026-03-19: kinds %v, want national then Balinese", kinds)
	}
	independence := []models.Holiday{{Date: "2026-08-17", Name: "Hari Kemerdekaan Republik Indonesia", Kind: models.HolidayNational, Closed: true}}
	if got := cal.On(dateIn(t, wita, "2026-08-17")); !slices.Equal(got, independence) {
		t.Errorf("2026-08-17: got %+v, want %+v", got, independence)
	}
	if got := cal.On(dateIn(t, wita, "2026-07-08")); len(got) != 0 {
		t.Errorf("2026-07-08: got %+v, want nothing", got)
	}
	// Changing what On returned must not change the calendar others read.
	galungan[0].Closed = false
	if cal.IsWorkingDay(dateIn(t, wita, "2026-06-17")) {
		t.Error("editing On's result reopened Galungan")
	}
}

func TestIsWorkingDay(t *testing.T) {
	wita := makassar(t)
	cal := fullCalendar(t)
	tests := []struct {
		date    string
		working bool
		why     string
	}{
		{"2026-07-06", true, "an ordinary Monday"},
		{"2026-07-10", true, "an ordinary Friday"},
		{"2026-07-04", false, "Saturday"},
		{"2026-07-05", false, "Sunday"},
		{"2026-08-17", false, "Hari Kemerdekaan"},
		{"2026-03-18", false, "Tawur Kesanga and cuti bersama Nyepi"},
		{"2026-03-19", false, "Nyepi"},
		{"2026-03-20", false, "Ngembak Geni and cuti bersama Idul Fitri"},
		{"2026-03-23", false, "cuti bersama Idul Fitri"},
		{"2026-03-25", true, "first day back after Idul Fitri"},
		{"2026-06-17", false, "Galungan"},
		{"2026-06-18", false, "Umanis Galungan"},
		{"2026-06-26", true, "Penampahan Kuningan is open unless an admin closes it"},
		{"2026-04-08", true, "Pagerwesi is open unless an admin closes it"},
		{"2027-01-13", false, "Galungan 2027 before any 2027 seed exists"},
	}
	for _, tc := range tests {
		if got := cal.IsWorkingDay(dateIn(t, wita, tc.date)); got != tc.working {
			t.Errorf("%s (%s): working %v, want %v", tc.date, tc.why, got, tc.working)
		}
	}

	// An admin may close Pagerwesi; a malformed date closes nothing.
	closed := models.NewHolidayCalendar([]models.Holiday{
		{Date: "2026-04-08", Name: "Pagerwesi", Kind: models.HolidayBali, Closed: true},
		{Date: "9 April 2026", Name: "Rapat", Kind: models.HolidayBali, Closed: true},
	})
	if closed.IsWorkingDay(dateIn(t, wita, "2026-04-08")) {
		t.Error("a Pagerwesi closed by an admin is still a working day")
	}
	if !closed.IsWorkingDay(dateIn(t, wita, "2026-04-09")) {
		t.Error("a malformed date closed a day")
	}
}

func TestWorkingDaysBetweenAndAddWorkingDays(t *testing.T) {
	wita := makassar(t)
	cal := fullCalendar(t)
	between := []struct {
		name, from, to string
		want           int
	}{
		{"same day", "2026-07-06", "2026-07-06", 0},
		{"to before from", "2026-07-10", "2026-07-06", 0},
		{"Friday to Monday skips the weekend", "2026-07-03", "2026-07-06", 1},
		{"Saturday to Sunday", "2026-07-04", "2026-07-05", 0},
		{"Monday to next Monday", "2026-07-06", "2026-07-13", 5},
		// 18 Wed Tawur Kesanga/cuti, 19 Nyepi, 20 Ngembak Geni/cuti,
		// 21–22 weekend and Idul Fitri, 23–24 cuti: only 25 counts.
		{"Idul Fitri 2026 from Tuesday 17 to Wednesday 25", "2026-03-17", "2026-03-25", 1},
		{"Idul Fitri 2026, Monday 16 to Friday 27", "2026-03-16", "2026-03-27", 4},
		// 16 Tahun Baru Islam and Penampahan Galungan, 17 Galungan, 18 Umanis.
		{"Galungan week 2026", "2026-06-12", "2026-06-19", 2},
		{"counts the civil date, not the clock", "2026-07-03T23:00", "2026-07-06T00:30", 1},
	}
	for _, tc := range between {
		if got := cal.WorkingDaysBetween(clockDay(t, wita, tc.from), clockDay(t, wita, tc.to)); got != tc.want {
			t.Errorf("WorkingDaysBetween %s: got %d, want %d", tc.name, got, tc.want)
		}
	}

	add := []struct {
		name, from string
		n          int
		want       string
	}{
		{"zero keeps the date", "2026-07-04", 0, "2026-07-04"},
		{"Friday plus one is Monday", "2026-07-03", 1, "2026-07-06"},
		{"Thursday plus three crosses the weekend", "2026-07-09", 3, "2026-07-14"},
		{"over Idul Fitri 2026", "2026-03-17", 1, "2026-03-25"},
		{"Friday before Nyepi plus three", "2026-03-13", 3, "2026-03-25"},
		{"into the week after Idul Fitri 2025", "2025-03-27", 1, "2025-04-08"},
	}
	for _, tc := range add {
		got := cal.AddWorkingDays(clockDay(t, wita, tc.from).Add(15*time.Hour), tc.n)
		if !got.Equal(dateIn(t, wita, tc.want)) {
			t.Errorf("AddWorkingDays %s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

// clockDay reads "2006-01-02" or "2006-01-02T15:04" in loc.
func clockDay(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	if len(s) == len(time.DateOnly) {
		return dateIn(t, loc, s)
	}
	d, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The counting of WorkingDaysBetween is arithmetic; it must agree with
// asking IsWorkingDay day by day, and AddWorkingDays must invert it.
func TestWorkingDaysAgreeWithIsWorkingDay(t *testing.T) {
	wita := makassar(t)
	cal := fullCalendar(t)
	start := dateIn(t, wita, "2024-12-01")
	for from := start; from.Year() < 2027; from = from.AddDate(0, 0, 1) {
		want := 0
		for span := 1; span <= 45; span++ {
			to := from.AddDate(0, 0, span)
			if cal.IsWorkingDay(to) {
				want++
			}
			if got := cal.WorkingDaysBetween(from, to); got != want {
				t.Fatalf("WorkingDaysBetween(%s, %s) = %d, day by day %d", models.DateKey(from), models.DateKey(to), got, want)
			}
		}
		for n := 1; n <= 20; n++ {
			to := cal.AddWorkingDays(from, n)
			if !cal.IsWorkingDay(to) || cal.WorkingDaysBetween(from, to) != n || cal.WorkingDaysBetween(from, to.AddDate(0, 0, -1)) != n-1 {
				t.Fatalf("AddWorkingDays(%s, %d) = %s is not the %dth working day after", models.DateKey(from), n, models.DateKey(to), n)
			}
		}
	}
}

func BenchmarkBalineseHolidaysYear(b *testing.B) {
	wita := makassar(b)
	from, to := dateIn(b, wita, "2026-01-01"), dateIn(b, wita, "2026-12-31")
	for b.Loop() {
		models.BalineseHolidays(from, to)
	}
}

func BenchmarkWorkingDaysBetween90Days(b *testing.B) {
	wita := makassar(b)
	cal := fullCalendar(b)
	from := dateIn(b, wita, "2026-02-01")
	to := from.AddDate(0, 0, 90)
	for b.Loop() {
		cal.WorkingDaysBetween(from, to)
	}
}
