package models_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"studitiru/models"
)

func TestHolidaySeedIsIdempotent(t *testing.T) {
	st := server.Open(t) // Open seeds once
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	seed := models.NationalHolidays2025to2026()
	got, err := st.NationalHolidays(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(seed) {
		t.Fatalf("%d stored after open, want %d", len(got), len(seed))
	}
	// Two instances starting at once, then again later: nothing doubles.
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := st.SeedHolidays(ctx(t), now); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := st.SeedHolidays(ctx(t), now); err != nil {
		t.Fatal(err)
	}
	got, _ = st.NationalHolidays(ctx(t))
	if len(got) != len(seed) {
		t.Fatalf("%d stored after seeding again, want %d", len(got), len(seed))
	}
	for i := range seed {
		if got[i] != seed[i] {
			t.Fatalf("stored %+v, seed %+v", got[i], seed[i])
		}
	}
	// A seed holiday an admin deleted stays deleted.
	if err := st.DeleteHoliday(ctx(t), "2026-12-24"); err != nil {
		t.Fatal(err)
	}
	if err := st.SeedHolidays(ctx(t), now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.HolidayByDate(ctx(t), "2026-12-24"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("deleted holiday came back: %v", err)
	}
}

func TestAdminEditsHolidays(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	h := models.Holiday{Date: "2027-01-01", Name: "  Tahun Baru\n2027 Masehi ", Kind: models.HolidayNational}
	if err := st.AddHoliday(ctx(t), &h, now); err != nil {
		t.Fatal(err)
	}
	if h.Name != "Tahun Baru 2027 Masehi" || !h.Closed {
		t.Errorf("not cleaned: %+v", h)
	}
	again := models.Holiday{Date: "2027-01-01", Name: "Lain", Kind: models.HolidayNational}
	if v, ok := models.AsValidation(st.AddHoliday(ctx(t), &again, now)); !ok || v.Fields["date"] != "holiday.err_exists" {
		t.Errorf("second holiday on a date: %v", v)
	}
	for _, bad := range []models.Holiday{
		{Date: "2027-02-30", Name: "x", Kind: models.HolidayNational},
		{Date: "1999-01-01", Name: "x", Kind: models.HolidayNational},
		{Date: "2027-02-01", Name: " ", Kind: models.HolidayNational},
		{Date: "2027-02-01", Name: "x", Kind: "libur"},
	} {
		if _, ok := models.AsValidation(st.AddHoliday(ctx(t), &bad, now)); !ok {
			t.Errorf("%+v accepted", bad)
		}
	}
	h.Name, h.Kind = "Tahun Baru Masehi", models.HolidayCutiBersama
	if err := st.UpdateHoliday(ctx(t), &h, now); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.HolidayByDate(ctx(t), "2027-01-01"); got.Name != "Tahun Baru Masehi" || got.Kind != models.HolidayCutiBersama {
		t.Errorf("after edit: %+v", got)
	}
	missing := models.Holiday{Date: "2027-07-07", Name: "x", Kind: models.HolidayNational}
	if err := st.UpdateHoliday(ctx(t), &missing, now); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("edit of a missing holiday: %v", err)
	}
	years, _ := st.HolidayYears(ctx(t))
	if len(years) != 3 || years[2] != 2027 {
		t.Errorf("years %v", years)
	}
	in2027, _ := st.HolidaysInYear(ctx(t), 2027)
	if len(in2027) != 1 {
		t.Errorf("2027: %+v", in2027)
	}
	if err := st.DeleteHoliday(ctx(t), "2027-01-01"); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteHoliday(ctx(t), "2027-01-01"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestImportHolidaysAddsOnlyNewDates(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	in := []models.Holiday{
		{Date: "2026-12-25", Name: "Natal (lain)", Kind: models.HolidayNational}, // stored with another name
		{Date: "2027-01-01", Name: "Tahun Baru 2027 Masehi", Kind: models.HolidayNational},
		{Date: "2027-03-12", Name: "Cuti Bersama Idul Fitri", Kind: models.HolidayCutiBersama},
	}
	stored, _ := st.NationalHolidays(ctx(t))
	preview := models.PreviewImport(in, stored)
	states := map[string]models.PreviewState{}
	for _, p := range preview {
		states[p.Date] = p.State
	}
	if states["2026-12-25"] != models.PreviewConflict || states["2027-01-01"] != models.PreviewNew {
		t.Errorf("preview %+v", preview)
	}
	n, err := st.ImportHolidays(ctx(t), in, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d added, want 2", n)
	}
	if got, _ := st.HolidayByDate(ctx(t), "2026-12-25"); got.Name != "Kelahiran Yesus Kristus (Natal)" {
		t.Errorf("import overwrote a stored holiday: %+v", got)
	}
	if n, err := st.ImportHolidays(ctx(t), in, now); err != nil || n != 0 {
		t.Errorf("second import: %d, %v; want 0 added", n, err)
	}
}

// TestHolidayCalendarIncludesAddedHolidays: a 2027 holiday an admin adds
// closes the day; the seeded and Balinese days stay closed.
func TestHolidayCalendarIncludesAddedHolidays(t *testing.T) {
	st := server.Open(t)
	wita := makassar(t)
	from, to := dateIn(t, wita, "2027-01-01"), dateIn(t, wita, "2027-01-31")
	day := dateIn(t, wita, "2027-01-05") // a Tuesday
	cal, err := st.HolidayCalendar(ctx(t), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if !cal.IsWorkingDay(day) {
		t.Fatal("2027-01-05 closed before anything was added")
	}
	h := models.Holiday{Date: "2027-01-05", Name: "Isra Mikraj Nabi Muhammad SAW", Kind: models.HolidayNational}
	if err := st.AddHoliday(ctx(t), &h, time.Now()); err != nil {
		t.Fatal(err)
	}
	cal, err = st.HolidayCalendar(ctx(t), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if cal.IsWorkingDay(day) {
		t.Error("the added holiday is a working day")
	}
	if hs := cal.On(day); len(hs) != 1 || hs[0].Name != h.Name {
		t.Errorf("on 2027-01-05: %+v", hs)
	}
	// Galungan 2027-01-13 (computed) and, a month outside the range, the
	// seeded Natal 2026-12-25.
	if cal.IsWorkingDay(dateIn(t, wita, "2027-01-13")) || cal.IsWorkingDay(dateIn(t, wita, "2026-12-25")) {
		t.Error("Galungan or Natal is a working day")
	}
}
