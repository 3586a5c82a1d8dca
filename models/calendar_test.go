package models_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// calendarFixture is a July 2026 with two visits, a counter-offer with one
// live and one expired slot, a completed visit and requests the calendar
// must ignore.
type calendarFixture struct {
	loc                    *time.Location
	settings               models.HostSettings
	cal                    *models.HolidayCalendar
	now, from, to          time.Time
	visits                 []models.Visit
	made, ayu              bson.ObjectID // escorts
	aula, rapat, completed bson.ObjectID // visit IDs
	offered                bson.ObjectID
}

func newCalendarFixture(t *testing.T) calendarFixture {
	t.Helper()
	loc := witaZone(t)
	f := calendarFixture{
		loc:  loc,
		now:  time.Date(2026, 7, 1, 8, 0, 0, 0, loc),
		from: time.Date(2026, 7, 1, 0, 0, 0, 0, loc),
		to:   time.Date(2026, 8, 1, 0, 0, 0, 0, loc),
		made: bson.NewObjectID(), ayu: bson.NewObjectID(),
		aula: bson.NewObjectID(), rapat: bson.NewObjectID(), completed: bson.NewObjectID(), offered: bson.NewObjectID(),
	}
	f.settings = models.DefaultHostSettings()
	f.settings.Blackouts = []models.Blackout{
		{From: "2026-07-20", To: "2026-07-22", Reason: "Akreditasi MPP"},
		{From: "2026-09-01", To: "2026-09-02", Reason: "Di luar rentang"},
		{From: "2026-06-29", To: "2026-07-01", Reason: "Melewati awal bulan"},
	}
	holidays := append(models.NationalHolidays2025to2026(), models.BalineseHolidays(time.Date(2026, 1, 1, 0, 0, 0, 0, loc), time.Date(2026, 12, 31, 0, 0, 0, 0, loc))...)
	// July 2026 has no seeded holiday; an admin-added one stands in.
	holidays = append(holidays, models.Holiday{Date: "2026-07-08", Name: "Libur daerah", Kind: models.HolidayNational, Closed: true})
	f.cal = models.NewHolidayCalendar(holidays)
	at := func(d, h, m int) time.Time { return time.Date(2026, 7, d, h, m, 0, 0, loc).UTC() }
	f.visits = []models.Visit{
		{ID: f.aula, Code: "ST-2026-0010", Status: models.StatusApproved, InstitutionName: "Pemerintah Kabupaten Konawe",
			Participants: 25, Start: at(9, 9, 0), End: at(9, 12, 0), RoomID: "aula",
			EscortIDs: []bson.ObjectID{f.made}, Escorts: []string{"I Made Sudarma"}},
		{ID: f.rapat, Code: "ST-2026-0011", Status: models.StatusApproved, InstitutionName: "DPRD Kota Semarang",
			Participants: 12, Start: at(14, 13, 0), End: at(14, 15, 30), RoomID: "rapat",
			EscortIDs: []bson.ObjectID{f.ayu, f.made}, Escorts: []string{"Ni Luh Ayu", "I Made Sudarma"}},
		{ID: f.completed, Code: "ST-2026-0004", Status: models.StatusCompleted, InstitutionName: "Pemerintah Kota Makassar",
			Participants: 30, Start: at(2, 9, 0), End: at(2, 12, 0), RoomID: "aula", Room: "Aula lama",
			EscortIDs: []bson.ObjectID{f.ayu}, Escorts: []string{"Ni Luh Ayu"}},
		{ID: f.offered, Code: "ST-2026-0012", Status: models.StatusOffered, InstitutionName: "Pemerintah Provinsi Jawa Tengah",
			Participants: 40, Offers: []models.OfferedSlot{
				{Date: "2026-07-15", SessionID: "siang", ExpiresAt: f.now.Add(48 * time.Hour)},
				{Date: "2026-07-16", SessionID: "pagi", ExpiresAt: f.now.Add(-time.Minute)},   // expired
				{Date: "2026-08-05", SessionID: "pagi", ExpiresAt: f.now.Add(48 * time.Hour)}, // outside July
			}},
		// Statuses the calendar never shows, even when handed to it.
		{ID: bson.NewObjectID(), Status: models.StatusSubmitted, InstitutionName: "Diajukan", Start: at(10, 9, 0), End: at(10, 12, 0)},
		{ID: bson.NewObjectID(), Status: models.StatusCancelled, InstitutionName: "Dibatalkan", Start: at(10, 9, 0), End: at(10, 12, 0), RoomID: "aula"},
		{ID: bson.NewObjectID(), Status: models.StatusDeclined, InstitutionName: "Ditolak", Start: at(10, 9, 0), End: at(10, 12, 0)},
	}
	return f
}

// describe writes an entry as "kind date[..last] [hh.mm-hh.mm] title", which
// keeps the expectations readable.
func describe(e models.CalendarEntry, loc *time.Location) string {
	if e.AllDay {
		s := fmt.Sprintf("%s %s", e.Kind, models.DateKey(e.Start.In(loc)))
		if e.Days() > 1 {
			s += ".." + models.DateKey(e.LastDay().In(loc))
		}
		return s + " " + e.Title
	}
	return fmt.Sprintf("%s %s %s-%s %s", e.Kind, models.DateKey(e.Start.In(loc)),
		e.Start.In(loc).Format("15.04"), e.End.In(loc).Format("15.04"), e.Title)
}

func TestCalendarEntries(t *testing.T) {
	f := newCalendarFixture(t)
	always := []string{ // blackouts and July's holidays, whatever the filter
		"blackout 2026-06-29..2026-07-01 Melewati awal bulan",
		"blackout 2026-07-20..2026-07-22 Akreditasi MPP",
		"holiday 2026-07-08 Libur daerah",
	}
	tests := []struct {
		name   string
		filter models.CalendarFilter
		want   []string // besides the entries in always
		absent []string
	}{
		{"everything", models.CalendarFilter{}, []string{
			"visit 2026-07-02 09.00-12.00 Pemerintah Kota Makassar",
			"visit 2026-07-09 09.00-12.00 Pemerintah Kabupaten Konawe",
			"visit 2026-07-14 13.00-15.30 DPRD Kota Semarang",
			"held 2026-07-15 13.00-15.30 Pemerintah Provinsi Jawa Tengah",
		}, []string{"Diajukan", "Dibatalkan", "Ditolak", "2026-07-16", "2026-08-05", "Di luar rentang"}},
		{"room aula", models.CalendarFilter{RoomID: "aula"}, []string{
			"visit 2026-07-02 09.00-12.00 Pemerintah Kota Makassar",
			"visit 2026-07-09 09.00-12.00 Pemerintah Kabupaten Konawe",
		}, []string{"DPRD Kota Semarang", "Jawa Tengah", "Dibatalkan"}},
		{"room rapat", models.CalendarFilter{RoomID: "rapat"}, []string{
			"visit 2026-07-14 13.00-15.30 DPRD Kota Semarang",
		}, []string{"Konawe", "Makassar"}},
		{"escort Made", models.CalendarFilter{EscortID: f.made}, []string{
			"visit 2026-07-09 09.00-12.00 Pemerintah Kabupaten Konawe",
			"visit 2026-07-14 13.00-15.30 DPRD Kota Semarang",
		}, []string{"Makassar", "Jawa Tengah"}},
		{"escort Ayu in room aula", models.CalendarFilter{EscortID: f.ayu, RoomID: "aula"}, []string{
			"visit 2026-07-02 09.00-12.00 Pemerintah Kota Makassar",
		}, []string{"Konawe", "Semarang"}},
		{"held hidden", models.CalendarFilter{HideHeld: true}, []string{
			"visit 2026-07-02 09.00-12.00 Pemerintah Kota Makassar",
			"visit 2026-07-09 09.00-12.00 Pemerintah Kabupaten Konawe",
			"visit 2026-07-14 13.00-15.30 DPRD Kota Semarang",
		}, []string{"Jawa Tengah"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := models.CalendarEntries(f.visits, f.settings, f.cal, f.from, f.to, f.now, f.loc, tc.filter)
			var lines []string
			for _, e := range got {
				lines = append(lines, describe(e, f.loc))
			}
			all := strings.Join(lines, "\n")
			for _, w := range append(slices.Clone(always), tc.want...) {
				if !slices.Contains(lines, w) {
					t.Errorf("missing %q in\n%s", w, all)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(all, a) {
					t.Errorf("%q should not appear in\n%s", a, all)
				}
			}
			if n := len(always) + len(tc.want); len(lines) != n {
				t.Errorf("%d entries, want %d:\n%s", len(lines), n, all)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Start.Before(got[i-1].Start) && models.DateKey(got[i].Start.In(f.loc)) != models.DateKey(got[i-1].Start.In(f.loc)) {
					t.Errorf("not sorted: %q after %q", lines[i], lines[i-1])
				}
			}
		})
	}
}

func TestCalendarEntryDetails(t *testing.T) {
	f := newCalendarFixture(t)
	got := models.CalendarEntries(f.visits, f.settings, f.cal, f.from, f.to, f.now, f.loc, models.CalendarFilter{})
	byID := map[bson.ObjectID]models.CalendarEntry{}
	for _, e := range got {
		if !e.VisitID.IsZero() {
			byID[e.VisitID] = e
		}
		if e.Kind == models.CalendarBlackout || e.Kind == models.CalendarHoliday {
			if !e.AllDay || e.URL != "" {
				t.Errorf("%s %q: all-day %v, URL %q", e.Kind, e.Title, e.AllDay, e.URL)
			}
		}
	}
	konawe := byID[f.aula]
	if konawe.Status != models.StatusApproved || konawe.Room != "Aula MPP Lantai 2" || konawe.Code != "ST-2026-0010" ||
		konawe.URL != "/staf/permohonan/"+f.aula.Hex() || !slices.Equal(konawe.Escorts, []string{"I Made Sudarma"}) || konawe.Participants != 25 {
		t.Errorf("approved visit entry: %+v", konawe)
	}
	// Completed visits stay on the calendar, marked as such, with the room
	// name they had at the time rather than today's.
	makassar := byID[f.completed]
	if makassar.Kind != models.CalendarVisit || makassar.Status != models.StatusCompleted || makassar.Room != "Aula lama" {
		t.Errorf("completed visit entry: %+v", makassar)
	}
	held := byID[f.offered]
	if held.Kind != models.CalendarHeld || held.URL != "/staf/permohonan/"+f.offered.Hex() || held.Offer != 0 || held.AllDay {
		t.Errorf("held entry: %+v", held)
	}
	for _, e := range got {
		if e.Title == "Libur daerah" && !e.Closed {
			t.Error("a closing holiday is not marked closed")
		}
	}
}

func TestCalendarHolidaysAndOddOffers(t *testing.T) {
	f := newCalendarFixture(t)
	// August 2026: Independence Day and Maulid Nabi; an offer whose session
	// no longer exists still holds its whole day.
	from, to := time.Date(2026, 8, 1, 0, 0, 0, 0, f.loc), time.Date(2026, 9, 1, 0, 0, 0, 0, f.loc)
	visits := []models.Visit{{ID: bson.NewObjectID(), Status: models.StatusOffered, InstitutionName: "Kementerian PANRB",
		Offers: []models.OfferedSlot{{Date: "2026-08-06", SessionID: "malam", ExpiresAt: f.now.Add(time.Hour)}}}}
	got := models.CalendarEntries(visits, f.settings, f.cal, from, to, f.now, f.loc, models.CalendarFilter{})
	var lines []string
	for _, e := range got {
		lines = append(lines, describe(e, f.loc))
	}
	for _, w := range []string{
		"holiday 2026-08-17 Hari Kemerdekaan Republik Indonesia",
		"holiday 2026-08-25 Maulid Nabi Muhammad SAW",
		"held 2026-08-06 Kementerian PANRB",
	} {
		if !slices.Contains(lines, w) {
			t.Errorf("missing %q in\n%s", w, strings.Join(lines, "\n"))
		}
	}
	// Pagerwesi (4 November 2026) is shown, but the office stays open.
	got = models.CalendarEntries(nil, models.HostSettings{}, f.cal, time.Date(2026, 11, 1, 0, 0, 0, 0, f.loc), time.Date(2026, 11, 8, 0, 0, 0, 0, f.loc), f.now, f.loc, models.CalendarFilter{})
	if len(got) != 1 || describe(got[0], f.loc) != "holiday 2026-11-04 Pagerwesi" || got[0].Closed {
		t.Errorf("first week of November 2026: %+v", got)
	}
	// Nyepi 2026 is both a national and a Balinese holiday; each name once.
	from, to = time.Date(2026, 3, 18, 0, 0, 0, 0, f.loc), time.Date(2026, 3, 21, 0, 0, 0, 0, f.loc)
	got = models.CalendarEntries(nil, models.HostSettings{}, f.cal, from, to, f.now, f.loc, models.CalendarFilter{})
	count := map[string]int{}
	for _, e := range got {
		count[describe(e, f.loc)]++
	}
	if count["holiday 2026-03-19 Hari Suci Nyepi (Tahun Baru Saka 1948)"] != 1 || count["holiday 2026-03-19 Hari Raya Nyepi (Tahun Baru Saka 1948)"] != 1 {
		t.Errorf("Nyepi entries: %v", count)
	}
	if count["holiday 2026-03-18 Cuti Bersama Hari Suci Nyepi"] != 1 || count["holiday 2026-03-18 Pengerupukan (Tawur Kesanga)"] != 1 {
		t.Errorf("the day before Nyepi: %v", count)
	}
	for line := range count {
		if strings.Contains(line, "2026-03-21") || strings.Contains(line, "2026-03-17") {
			t.Errorf("holiday outside the range: %q", line)
		}
	}
}

func TestCalendarVisitsQuery(t *testing.T) {
	st := server.Open(t)
	f := newCalendarFixture(t)
	// One approved visit in June and one in August must not come back.
	f.visits = append(f.visits,
		models.Visit{ID: bson.NewObjectID(), Status: models.StatusApproved, InstitutionName: "Juni",
			Start: time.Date(2026, 6, 30, 9, 0, 0, 0, f.loc), End: time.Date(2026, 6, 30, 12, 0, 0, 0, f.loc)},
		models.Visit{ID: bson.NewObjectID(), Status: models.StatusApproved, InstitutionName: "Agustus",
			Start: f.to, End: f.to.Add(3 * time.Hour)},
	)
	for i := range f.visits {
		v := f.visits[i]
		v.Code = fmt.Sprintf("ST-2026-%04d", 100+i)
		v.TrackingHash, v.SubmissionKey = fmt.Sprintf("hash-%d", i), fmt.Sprintf("key-%d", i)
		v.History = []models.Event{{At: f.now, Actor: "uji", Action: "diajukan"}}
		if err := st.InsertVisit(ctx(t), &v); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.CalendarVisits(ctx(t), f.from, f.to)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range got {
		names = append(names, v.InstitutionName)
		if len(v.History) != 0 {
			t.Errorf("%s: history not projected away", v.InstitutionName)
		}
	}
	slices.Sort(names)
	want := []string{"DPRD Kota Semarang", "Pemerintah Kabupaten Konawe", "Pemerintah Kota Makassar", "Pemerintah Provinsi Jawa Tengah"}
	if !slices.Equal(names, want) {
		t.Errorf("got %v, want %v", names, want)
	}
}
