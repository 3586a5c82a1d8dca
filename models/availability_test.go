package models_test

import (
	"strings"
	"testing"
	"time"

	"studitiru/models"
)

func witaZone(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// availabilityAt builds the rules as the public page does: seeded national
// holidays, Balinese holidays, default host settings, "now" fixed.
func availabilityAt(t testing.TB, now time.Time, bookings ...models.Booking) models.Availability {
	loc := witaZone(t)
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, loc), time.Date(2027, 12, 31, 0, 0, 0, 0, loc)
	holidays := append(models.NationalHolidays2025to2026(), models.BalineseHolidays(from, to)...)
	return models.Availability{
		Settings: models.DefaultHostSettings(),
		Calendar: models.NewHolidayCalendar(holidays),
		Bookings: bookings,
		Now:      now,
		Location: loc,
	}
}

func TestAvailabilityRules(t *testing.T) {
	loc := witaZone(t)
	// "Today" is Monday 1 June 2026, 10.00 WITA.
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, loc)
	date := func(s string) time.Time {
		d, err := models.ParseDateKey(s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	full := models.Booking{Date: "2026-07-07", SessionID: "pagi", Participants: 30} // one delegation fills a session
	a := availabilityAt(t, now, full)
	opened := a
	opened.Settings.OpenSaturdays = []string{"2026-07-11"}
	blackout := a
	blackout.Settings.Blackouts = []models.Blackout{{From: "2026-07-20", To: "2026-07-22", Reason: "Pemeliharaan gedung MPP"}}

	tests := []struct {
		name   string
		a      models.Availability
		date   string
		state  models.SlotState
		reason string
		detail string
	}{
		{"Galungan is closed with its name", a, "2026-06-17", models.SlotClosed, models.ReasonBali, "Galungan"},
		{"Umanis Galungan is closed too", a, "2026-06-18", models.SlotClosed, models.ReasonBali, "Umanis Galungan"},
		{"Kuningan falls on a Saturday: weekend", a, "2026-06-27", models.SlotClosed, models.ReasonWeekend, ""},
		{"17 August is a national holiday", a, "2026-08-17", models.SlotClosed, models.ReasonHoliday, "Hari Kemerdekaan Republik Indonesia"},
		{"a plain Saturday is closed", a, "2026-07-04", models.SlotClosed, models.ReasonWeekend, ""},
		{"a Saturday the host opened", opened, "2026-07-11", models.SlotOpen, "", ""},
		{"Sunday", a, "2026-07-05", models.SlotClosed, models.ReasonWeekend, ""},
		{"a normal Tuesday", a, "2026-07-14", models.SlotOpen, "", ""},
		{"yesterday", a, "2026-05-29", models.SlotClosed, models.ReasonPast, ""},
		{"tomorrow is inside the minimum notice", a, "2026-06-02", models.SlotClosed, models.ReasonNotice, ""},
		{"3 working days ahead is allowed", a, "2026-06-04", models.SlotOpen, "", ""},
		{"blackout with its reason", blackout, "2026-07-21", models.SlotClosed, models.ReasonBlackout, "Pemeliharaan gedung MPP"},
		{"beyond the booking horizon", a, "2027-03-01", models.SlotClosed, models.ReasonHorizon, ""},
		{"one full session leaves the day open", a, "2026-07-07", models.SlotOpen, "", ""},
	}
	for _, tc := range tests {
		day := tc.a.Day(date(tc.date))
		if day.State != tc.state || day.Reason != tc.reason || (tc.detail != "" && day.Detail != tc.detail) {
			t.Errorf("%s (%s): got %s %q %q, want %s %q %q", tc.name, tc.date, day.State, day.Reason, day.Detail, tc.state, tc.reason, tc.detail)
		}
	}

	// Nyepi 2026 (19 March), seen from early March.
	march := availabilityAt(t, time.Date(2026, 3, 2, 9, 0, 0, 0, loc))
	for key, name := range map[string]string{"2026-03-19": "Nyepi"} {
		day := march.Day(date(key))
		if day.State != models.SlotClosed || day.Detail == "" || !containsFold(day.Detail, name) {
			t.Errorf("Nyepi %s: %s %q %q", key, day.State, day.Reason, day.Detail)
		}
	}

	// The full session itself.
	day := a.Day(date("2026-07-07"))
	if len(day.Slots) != 2 || day.Slots[0].State != models.SlotFull || day.Slots[1].State != models.SlotOpen {
		t.Errorf("7 July slots: %+v", day.Slots)
	}
	if r, _ := a.Check(date("2026-07-07"), "pagi", 20); r != models.ReasonFull {
		t.Errorf("request into a full session: %q", r)
	}
	if r, _ := a.Check(date("2026-07-07"), "siang", 20); r != "" {
		t.Errorf("request into the open afternoon: %q", r)
	}
	if r, _ := a.Check(date("2026-06-02"), "pagi", 20); r != models.ReasonNotice {
		t.Errorf("request inside the minimum notice: %q", r)
	}
	if r, _ := a.Check(date("2026-07-14"), "malam", 20); r != models.ReasonNoSession {
		t.Errorf("unknown session: %q", r)
	}
	if r, _ := a.Check(date("2026-07-14"), "pagi", 61); r != models.ReasonTooMany {
		t.Errorf("61 participants: %q", r)
	}
}

func TestNearlyFullSession(t *testing.T) {
	loc := witaZone(t)
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, loc)
	a := availabilityAt(t, now)
	a.Settings.MaxDelegations = 2 // a host that receives two small delegations together
	a.Bookings = []models.Booking{{Date: "2026-07-14", SessionID: "pagi", Participants: 52}}
	day := a.Day(time.Date(2026, 7, 14, 0, 0, 0, 0, loc))
	if day.Slots[0].State != models.SlotNearlyFull || day.Slots[0].PlacesLeft != 8 {
		t.Errorf("52 of 60 booked: %+v", day.Slots[0])
	}
}

func TestMonthHasEveryDay(t *testing.T) {
	loc := witaZone(t)
	a := availabilityAt(t, time.Date(2026, 1, 5, 9, 0, 0, 0, loc))
	days := a.Month(2026, time.February)
	if len(days) != 28 || days[0].Key != "2026-02-01" || days[27].Key != "2026-02-28" {
		t.Fatalf("February 2026: %d days, %s…", len(days), days[0].Key)
	}
	// 16 Feb cuti bersama, 17 Feb Imlek.
	if days[15].Reason != models.ReasonCuti || days[16].Reason != models.ReasonHoliday {
		t.Errorf("16–17 Feb: %q %q", days[15].Reason, days[16].Reason)
	}
}

func BenchmarkAvailabilityMonth(b *testing.B) {
	loc := witaZone(b)
	a := availabilityAt(b, time.Date(2026, 6, 1, 10, 0, 0, 0, loc))
	for i := 0; i < 200; i++ {
		a.Bookings = append(a.Bookings, models.Booking{Date: "2026-07-14", SessionID: "pagi", Participants: 1})
	}
	for b.Loop() {
		a.Month(2026, time.July)
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
