package models_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"studitiru/models"
)

func TestVisitCodesAreUniqueUnderConcurrencyAndPerYear(t *testing.T) {
	st := server.Open(t)
	// Two instances: each takes its numbers one at a time, the two race.
	stores := []*models.Store{st, secondStore(t, st)}
	wita, _ := time.LoadLocation("Asia/Makassar")
	// 31 Dec 2026 17:00 UTC is already 1 Jan 2027 in WITA.
	newYear := time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	codes := map[string]bool{}
	var wg sync.WaitGroup
	// As many as the load tool's connections: on the embedded engine the
	// counter's $inc hands out duplicates, and every caller must still get
	// a number of its own.
	const callers = 64
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, err := stores[i%2].NextVisitCode(ctx(t), newYear.Add(-9*time.Hour), wita)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if codes[code] {
				t.Errorf("duplicate code %s", code)
			}
			codes[code] = true
		}()
	}
	wg.Wait()
	for i := 1; i <= callers; i++ {
		if code := fmt.Sprintf("ST-2026-%04d", i); !codes[code] {
			t.Errorf("codes not numbered 0001…%04d without gaps: %s missing", callers, code)
		}
	}
	if code, _ := st.NextVisitCode(ctx(t), newYear, wita); code != "ST-2027-0001" {
		t.Errorf("first code of 2027 (WITA) = %s", code)
	}
}

func TestDemoSeedOnlyFillsAnEmptyStore(t *testing.T) {
	st := server.Open(t)
	wita, _ := time.LoadLocation("Asia/Makassar")
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	res, err := models.SeedDemo(ctx(t), st, now, wita)
	if err != nil {
		t.Fatal(err)
	}
	if res.Visits < 12 || len(res.Users) != 5 {
		t.Fatalf("seeded %+v", res)
	}
	visits, _ := st.RecentVisits(ctx(t), 50)
	found := map[string]int{}
	approved, held := 0, 0
	for _, v := range visits {
		found[v.InstitutionName] = v.Participants
		if wd := v.Start.In(wita).Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("%s falls on a %s", v.Code, wd)
		}
		switch v.Status {
		case models.StatusApproved, models.StatusCompleted:
			if v.Room == "" || len(v.Escorts) != 2 || len(v.Agenda) == 0 {
				t.Errorf("%s %s without room, escorts or agenda: %q %v", v.Code, v.Status, v.Room, v.Escorts)
			}
			if v.Status == models.StatusApproved {
				approved++
			}
		case models.StatusOffered:
			held += len(v.Offers)
		}
	}
	// Approved visits and offers hold their sessions like real ones.
	bookings, err := st.Bookings(ctx(t), now.AddDate(0, 0, -1), now.AddDate(0, 4, 0), now)
	if err != nil || len(bookings) != approved+held || approved < 6 {
		t.Errorf("%d bookings for %d approved visits and %d held sessions (%v)", len(bookings), approved, held, err)
	}
	escorts, err := st.Escorts(ctx(t))
	if err != nil || len(escorts) != 3 || escorts[0].Profile.Unit == "" {
		t.Errorf("demo escorts: %+v %v", escorts, err)
	}
	if found["Pemerintah Kabupaten Blora"] != 24 || found["Kementerian Dalam Negeri bersama Pemerintah Kabupaten Konawe"] != 30 {
		t.Errorf("demo delegations: %v", found)
	}
	if _, err := models.SeedDemo(ctx(t), st, now, wita); !errors.Is(err, models.ErrNotEmpty) {
		t.Errorf("second seed: %v, want ErrNotEmpty", err)
	}
}

// TestDemoSeedWorksOnAnyDay: the seed places visits relative to today, so
// it must find valid sessions whatever the weekday and the holidays.
func TestDemoSeedWorksOnAnyDay(t *testing.T) {
	wita, _ := time.LoadLocation("Asia/Makassar")
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC) // a Monday before Nyepi
	for i := 0; i < 7; i++ {
		st := server.Open(t)
		if _, err := models.SeedDemo(ctx(t), st, start.AddDate(0, 0, i), wita); err != nil {
			t.Errorf("seeding on %s: %v", start.AddDate(0, 0, i).In(wita).Format("Mon 2006-01-02"), err)
		}
	}
}
