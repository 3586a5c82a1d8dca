package models

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// HolidayKind says why the office is closed or what the day is.
type HolidayKind string

const (
	HolidayNational    HolidayKind = "libur_nasional" // SKB 3 Menteri national holiday
	HolidayCutiBersama HolidayKind = "cuti_bersama"   // collective leave
	HolidayBali        HolidayKind = "hari_raya_bali" // Balinese (Pawukon or Nyepi)
)

// Holiday is one special day in the host's calendar.
type Holiday struct {
	Date   string      `bson:"date"` // DateKey of the civil date in the host zone: "2026-06-17"
	Name   string      `bson:"name"` // Indonesian, as the public reads it
	Kind   HolidayKind `bson:"kind"`
	Closed bool        `bson:"closed"` // the MPP does not receive visits that day
}

// NationalHolidays2025to2026 is the seed of national holidays and cuti
// bersama. Names follow the SKB 3 Menteri for 2025 (1017/2024, 2/2024,
// 2/2024, amended by 933/2025, 1/2025, 3/2025) and 2026 (1497/2025, 2/2025,
// 5/2025). Every entry closes the MPP: it is a government office, so cuti
// bersama binds it as much as libur nasional.
func NationalHolidays2025to2026() []Holiday {
	libur := func(date, name string) Holiday {
		return Holiday{Date: date, Name: name, Kind: HolidayNational, Closed: true}
	}
	cuti := func(date, name string) Holiday {
		return Holiday{Date: date, Name: name, Kind: HolidayCutiBersama, Closed: true}
	}
	return []Holiday{
		libur("2025-01-01", "Tahun Baru 2025 Masehi"),
		libur("2025-01-27", "Isra Mikraj Nabi Muhammad SAW"),
		cuti("2025-01-28", "Cuti Bersama Tahun Baru Imlek"),
		libur("2025-01-29", "Tahun Baru Imlek 2576 Kongzili"),
		cuti("2025-03-28", "Cuti Bersama Hari Suci Nyepi"),
		libur("2025-03-29", "Hari Suci Nyepi (Tahun Baru Saka 1947)"),
		libur("2025-03-31", "Idul Fitri 1446 H"),
		libur("2025-04-01", "Idul Fitri 1446 H"),
		cuti("2025-04-02", "Cuti Bersama Idul Fitri"),
		cuti("2025-04-03", "Cuti Bersama Idul Fitri"),
		cuti("2025-04-04", "Cuti Bersama Idul Fitri"),
		cuti("2025-04-07", "Cuti Bersama Idul Fitri"),
		libur("2025-04-18", "Wafat Yesus Kristus"),
		libur("2025-04-20", "Kebangkitan Yesus Kristus (Paskah)"),
		libur("2025-05-01", "Hari Buruh Internasional"),
		libur("2025-05-12", "Hari Raya Waisak 2569 BE"),
		cuti("2025-05-13", "Cuti Bersama Hari Raya Waisak"),
		libur("2025-05-29", "Kenaikan Yesus Kristus"),
		cuti("2025-05-30", "Cuti Bersama Kenaikan Yesus Kristus"),
		libur("2025-06-01", "Hari Lahir Pancasila"),
		libur("2025-06-06", "Idul Adha 1446 H"),
		cuti("2025-06-09", "Cuti Bersama Idul Adha"),
		libur("2025-06-27", "Tahun Baru Islam 1447 H"),
		libur("2025-08-17", "Hari Kemerdekaan Republik Indonesia"),
		// Added in August 2025 for the 80th anniversary. The amending SKB
		// (933/2025, 1/2025, 3/2025) lists it as cuti bersama, not libur.
		cuti("2025-08-18", "Cuti Bersama HUT ke-80 Kemerdekaan Republik Indonesia"),
		libur("2025-09-05", "Maulid Nabi Muhammad SAW"),
		libur("2025-12-25", "Kelahiran Yesus Kristus (Natal)"),
		cuti("2025-12-26", "Cuti Bersama Natal"),

		libur("2026-01-01", "Tahun Baru 2026 Masehi"),
		libur("2026-01-16", "Isra Mikraj Nabi Muhammad SAW"),
		cuti("2026-02-16", "Cuti Bersama Tahun Baru Imlek"),
		libur("2026-02-17", "Tahun Baru Imlek 2577 Kongzili"),
		cuti("2026-03-18", "Cuti Bersama Hari Suci Nyepi"),
		libur("2026-03-19", "Hari Suci Nyepi (Tahun Baru Saka 1948)"),
		cuti("2026-03-20", "Cuti Bersama Idul Fitri"),
		libur("2026-03-21", "Idul Fitri 1447 H"),
		libur("2026-03-22", "Idul Fitri 1447 H"),
		cuti("2026-03-23", "Cuti Bersama Idul Fitri"),
		cuti("2026-03-24", "Cuti Bersama Idul Fitri"),
		libur("2026-04-03", "Wafat Yesus Kristus"),
		libur("2026-04-05", "Kebangkitan Yesus Kristus (Paskah)"),
		libur("2026-05-01", "Hari Buruh Internasional"),
		libur("2026-05-14", "Kenaikan Yesus Kristus"),
		cuti("2026-05-15", "Cuti Bersama Kenaikan Yesus Kristus"),
		libur("2026-05-27", "Idul Adha 1447 H"),
		cuti("2026-05-28", "Cuti Bersama Idul Adha"),
		libur("2026-05-31", "Hari Raya Waisak 2570 BE"),
		libur("2026-06-01", "Hari Lahir Pancasila"),
		libur("2026-06-16", "Tahun Baru Islam 1448 H"),
		libur("2026-08-17", "Hari Kemerdekaan Republik Indonesia"),
		libur("2026-08-25", "Maulid Nabi Muhammad SAW"),
		cuti("2026-12-24", "Cuti Bersama Natal"),
		libur("2026-12-25", "Kelahiran Yesus Kristus (Natal)"),
	}
}

// pawukonDay is one day of the 210-day Pawukon cycle worth showing.
type pawukonDay struct {
	index  int64
	name   string
	closed bool
}

// pawukonCycle is the length of the Pawukon: 30 wuku of 7 days.
const pawukonCycle = 210

// pawukonDays lists the Pawukon holidays by index from Redite Paing Sinta.
// Galungan and Kuningan with the days around them are the ones Badung's
// offices close for; Pagerwesi, Penampahan Kuningan and Saraswati are shown
// so that visitors know, and an admin may close them.
func pawukonDays() []pawukonDay {
	return []pawukonDay{
		{3, "Pagerwesi", false},
		{72, "Penampahan Galungan", true},
		{73, "Galungan", true},
		{74, "Umanis Galungan", true},
		{82, "Penampahan Kuningan", false},
		{83, "Kuningan", true},
		{209, "Saraswati", false},
	}
}

// nyepiDates is Nyepi by year. It follows the lunisolar Saka calendar, so it
// is a table rather than a rule; 2027 and 2030 are estimates until the
// Parisada Hindu Dharma Indonesia publishes them.
func nyepiDates() []string {
	return []string{"2025-03-29", "2026-03-19", "2027-03-08", "2028-03-26", "2029-03-15", "2030-03-05"}
}

// BalineseHolidays returns the Balinese holidays whose civil date lies in
// [from, to], in date order. Only the year, month and day of from and to
// count. Nyepi is known only for the years in nyepiDates; later years come
// from admins.
func BalineseHolidays(from, to time.Time) []Holiday {
	first, last := civilDayOf(from), civilDayOf(to)
	if last < first {
		return nil
	}
	var out []Holiday
	dayZero := civilDay(2025, time.February, 9) // Redite Paing, wuku Sinta
	for _, p := range pawukonDays() {
		// Step back to the cycle that contains first, then forward to the
		// first occurrence on or after it; floorMod keeps dates before day
		// zero in the right cycle.
		day := first - floorMod(first-dayZero, pawukonCycle) + p.index
		if day < first {
			day += pawukonCycle
		}
		for ; day <= last; day += pawukonCycle {
			out = append(out, Holiday{Date: dateKeyOfDay(day), Name: p.name, Kind: HolidayBali, Closed: p.closed})
		}
	}
	for _, key := range nyepiDates() {
		nyepi, err := time.Parse(time.DateOnly, key)
		if err != nil {
			panic("models: bad Nyepi table entry " + key) // a typo in the table above
		}
		day := civilDayOf(nyepi)
		// Nyepi falls in March, after the Saka new year, so the Saka year is
		// the Gregorian year minus 78.
		days := []Holiday{
			{Name: "Pengerupukan (Tawur Kesanga)"},
			{Name: fmt.Sprintf("Hari Raya Nyepi (Tahun Baru Saka %d)", nyepi.Year()-78)},
			{Name: "Ngembak Geni"},
		}
		for offset, h := range days {
			d := day - 1 + int64(offset)
			if d < first || d > last {
				continue
			}
			h.Date, h.Kind, h.Closed = dateKeyOfDay(d), HolidayBali, true
			out = append(out, h)
		}
	}
	slices.SortStableFunc(out, func(a, b Holiday) int { return cmp.Compare(a.Date, b.Date) })
	return out
}

// HolidayCalendar answers questions about days. It is immutable once built,
// so any number of goroutines may read it.
type HolidayCalendar struct {
	byDay map[int64][]Holiday
	// closedWeekdays holds the Monday–Friday days closed by a holiday,
	// sorted, so that counting working days is arithmetic rather than a walk
	// over every date.
	closedWeekdays []int64
}

// NewHolidayCalendar builds a calendar from the seed, BalineseHolidays and
// the holidays admins added. Several holidays may share a date (Nyepi is
// both national and Balinese); the date is closed if any of them is. An
// entry whose Date is not a DateKey is ignored: validating it is the job of
// whoever stores it.
func NewHolidayCalendar(holidays []Holiday) *HolidayCalendar {
	c := &HolidayCalendar{byDay: make(map[int64][]Holiday, len(holidays))}
	for _, h := range holidays {
		date, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			continue
		}
		day := civilDayOf(date)
		c.byDay[day] = append(c.byDay[day], h)
		if h.Closed && isWeekday(day) {
			c.closedWeekdays = append(c.closedWeekdays, day)
		}
	}
	slices.Sort(c.closedWeekdays)
	c.closedWeekdays = slices.Compact(c.closedWeekdays) // Nyepi is closed twice over
	return c
}

// On returns the holidays on the civil date of d (Y/M/D of d as given;
// callers pass dates already in the host zone), in the order they were given
// to NewHolidayCalendar.
func (c *HolidayCalendar) On(d time.Time) []Holiday {
	return slices.Clone(c.byDay[civilDayOf(d)])
}

// IsWorkingDay reports whether the civil date of d is Monday to Friday and no
// holiday closes it. Saturdays opened by exception are the host settings'
// business, not the calendar's.
func (c *HolidayCalendar) IsWorkingDay(d time.Time) bool {
	return c.isWorkingDay(civilDayOf(d))
}

func (c *HolidayCalendar) isWorkingDay(day int64) bool {
	if !isWeekday(day) {
		return false
	}
	_, closed := slices.BinarySearch(c.closedWeekdays, day)
	return !closed
}

// WorkingDaysBetween counts the working days strictly after the civil date of
// from, up to and including that of to; 0 if to is not after from. A letter
// received on from for a visit on to arrived WorkingDaysBetween(from, to)
// working days ahead.
func (c *HolidayCalendar) WorkingDaysBetween(from, to time.Time) int {
	first, last := civilDayOf(from), civilDayOf(to)
	if last <= first {
		return 0
	}
	weekdays := weekdaysBefore(last+1) - weekdaysBefore(first+1)
	lo, _ := slices.BinarySearch(c.closedWeekdays, first+1)
	hi, _ := slices.BinarySearch(c.closedWeekdays, last+1)
	return int(weekdays) - (hi - lo)
}

// AddWorkingDays returns midnight, in from's location, of the date n working
// days after the civil date of from; n = 0 returns from's date even if it is
// not a working day. It panics if n is negative, like strings.Repeat: a
// negative count is a bug in the caller.
func (c *HolidayCalendar) AddWorkingDays(from time.Time, n int) time.Time {
	if n < 0 {
		panic("models: AddWorkingDays with negative n")
	}
	day := civilDayOf(from)
	for n > 0 {
		day++
		if c.isWorkingDay(day) {
			n--
		}
	}
	y, m, d := time.Unix(day*secondsPerDay, 0).UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, from.Location())
}

const secondsPerDay = 24 * 60 * 60

// civilDayOf numbers the civil date of t (as t's location sees it) in days
// since 1970-01-01. Working on day numbers rather than times keeps DST-free
// arithmetic exact whatever location callers use.
func civilDayOf(t time.Time) int64 {
	y, m, d := t.Date()
	return civilDay(y, m, d)
}

func civilDay(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay
}

func dateKeyOfDay(day int64) string {
	return DateKey(time.Unix(day*secondsPerDay, 0).UTC())
}

func isWeekday(day int64) bool {
	wd := time.Unix(day*secondsPerDay, 0).UTC().Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// weekdaysBefore counts Monday–Friday days from 1970-01-05 (a Monday) up to
// but excluding day, negatively for earlier days; only differences of it
// mean anything.
func weekdaysBefore(day int64) int64 {
	const firstMonday = 4
	offset := day - firstMonday
	weeks := floorDiv(offset, 7)
	return weeks*5 + min(offset-weeks*7, 5)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
