package models_test

import (
	"math"
	"testing"
	"time"

	"studitiru/models"
)

// TestComputeStatsHandMade checks every figure on a set small enough to
// count by hand.
func TestComputeStatsHandMade(t *testing.T) {
	wita, _ := time.LoadLocation("Asia/Makassar")
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, wita)
	to := time.Date(2025, 4, 1, 0, 0, 0, 0, wita)
	at := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 9, 0, 0, 0, wita).UTC() }
	visit := func(status models.VisitStatus, start time.Time, inst string, typ models.InstitutionType, prov, reg string, n int, topics, escorts []string, answerDays float64, action string) models.Visit {
		created := start.AddDate(0, 0, -30)
		v := models.Visit{Status: status, Start: start, InstitutionName: inst, InstitutionType: typ,
			ProvinceCode: prov, RegencyCode: reg, Participants: n, Topics: topics, Escorts: escorts, CreatedAt: created,
			History: []models.Event{{At: created, Action: string(models.StatusSubmitted)}}}
		if action != "" {
			ans := created.Add(time.Duration(answerDays * 24 * float64(time.Hour)))
			v.History = append(v.History, models.Event{At: ans, Action: action},
				models.Event{At: ans.Add(48 * time.Hour), Action: string(models.StatusApproved)})
		}
		return v
	}
	visits := []models.Visit{
		// Counted: three held/approved visits by two institutions.
		visit(models.StatusCompleted, at(1, 10), "Pemerintah Kabupaten Blora", models.InstRegency, "33", "33.16", 20,
			[]string{"MPP digital", "Integrasi OSS"}, []string{"A", "B"}, 2, "disetujui"),
		visit(models.StatusCompleted, at(1, 20), "pemerintah  kabupaten blora", models.InstRegency, "33", "33.16", 10,
			[]string{"MPP digital"}, []string{"A"}, 4, "ditawarkan"),
		visit(models.StatusApproved, at(3, 31).Add(-time.Hour), "DPRD Provinsi Bali", models.InstDPRD, "51", "", 30,
			[]string{"Pengelolaan tenant"}, []string{"C", "A"}, 6, "revisi"),
		// Declined: decided, not a visit.
		visit(models.StatusDeclined, at(2, 5), "Pemerintah Kota Kupang", models.InstCity, "53", "53.71", 50,
			[]string{"MPP digital"}, nil, 1, "ditolak"),
		// Cancelled: its answer time counts, nothing else.
		visit(models.StatusCancelled, at(2, 6), "Pemerintah Kota Kupang", models.InstCity, "53", "53.71", 50, nil, nil, 8, "disetujui"),
		// Open request: ignored.
		visit(models.StatusSubmitted, at(2, 7), "Pemerintah Kota Ambon", models.InstCity, "81", "81.71", 10, nil, nil, 0, ""),
		// Outside the period: ignored.
		visit(models.StatusCompleted, time.Date(2025, 4, 1, 0, 0, 0, 0, wita).UTC(), "Pemerintah Kota Medan", models.InstCity, "12", "12.71", 10, nil, nil, 1, "disetujui"),
		visit(models.StatusCompleted, from.Add(-time.Minute), "Pemerintah Kota Medan", models.InstCity, "12", "12.71", 10, nil, nil, 1, "disetujui"),
	}
	all4 := models.SKMScores{4, 4, 4, 4, 4, 4, 4, 4, 4}
	all3 := models.SKMScores{3, 3, 3, 3, 3, 3, 3, 3, 3}
	responses := []models.SurveyResponse{
		{VisitStart: at(1, 10), Scores: all4}, {VisitStart: at(1, 20), Scores: all3},
		{VisitStart: time.Date(2025, 4, 2, 0, 0, 0, 0, wita), Scores: models.SKMScores{1, 1, 1, 1, 1, 1, 1, 1, 1}},
	}
	st := models.ComputeStats(visits, responses, from, to, wita)

	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("visits", st.Visits, 3)
	check("delegations", st.Delegations, 2) // spacing and case do not make a new institution
	check("participants", st.Participants, 60)
	check("provinces", st.Provinces, 2)
	check("regencies", st.Regencies, 1)
	check("accepted", st.Accepted, 3)
	check("declined", st.Declined, 1)
	check("has acceptance", st.HasAcceptance, true)
	check("acceptance", st.AcceptanceRate, 0.75)
	// Answer times 2, 4, 6, 1, 8 days: median 4.
	check("response samples", st.ResponseSamples, 5)
	if math.Abs(st.MedianResponseDays-4) > 1e-9 {
		t.Errorf("median response = %v, want 4", st.MedianResponseDays)
	}
	check("ikm respondents", st.IKM.Respondents, 2)
	check("ikm unit", st.IKM.Unit, 87.5)
	check("ikm grade", st.IKM.Grade, "B")
	if len(st.Months) != 3 || st.Months[0] != (models.MonthCount{Month: "2025-01", Visits: 2, Participants: 30}) ||
		st.Months[1] != (models.MonthCount{Month: "2025-02"}) || st.Months[2] != (models.MonthCount{Month: "2025-03", Visits: 1, Participants: 30}) {
		t.Errorf("months = %+v", st.Months)
	}
	check("province 33", st.ByProvince["33"], 2)
	check("province 51", st.ByProvince["51"], 1)
	check("province 53", st.ByProvince["53"], 0)
	wantTypes := []models.Count{{Key: "kabupaten", N: 2}, {Key: "dprd", N: 1}}
	if len(st.ByType) != 2 || st.ByType[0] != wantTypes[0] || st.ByType[1] != wantTypes[1] {
		t.Errorf("by type = %+v", st.ByType)
	}
	if len(st.TopTopics) != 3 || st.TopTopics[0] != (models.Count{Key: "MPP digital", N: 2}) || st.TopTopics[1].Key != "Integrasi OSS" {
		t.Errorf("topics = %+v", st.TopTopics)
	}
	if len(st.Escorts) != 3 || st.Escorts[0] != (models.Count{Key: "A", N: 3}) || st.Escorts[1] != (models.Count{Key: "B", N: 1}) {
		t.Errorf("escorts = %+v", st.Escorts)
	}

	empty := models.ComputeStats(nil, nil, from, to, wita)
	if empty.HasAcceptance || empty.Visits != 0 || empty.IKM.Grade != "" || len(empty.Months) != 3 {
		t.Errorf("empty period: %+v", empty)
	}
}

func TestPreviousPeriodAndChange(t *testing.T) {
	wita, _ := time.LoadLocation("Asia/Makassar")
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, wita) }
	if f, to := models.PreviousPeriod(d(2025, 1, 1), d(2026, 1, 1), wita); !f.Equal(d(2024, 1, 1)) || !to.Equal(d(2025, 1, 1)) {
		t.Errorf("previous of 2025 = %v–%v", f, to)
	}
	if f, _ := models.PreviousPeriod(d(2025, 1, 10), d(2025, 1, 20), wita); !f.Equal(d(2024, 12, 31)) {
		t.Errorf("previous of 10 days = %v", f)
	}
	if c := models.ChangeOf(150, 100); !c.Known || !c.Up || c.Percent != 50 {
		t.Errorf("150 vs 100: %+v", c)
	}
	if c := models.ChangeOf(75, 100); !c.Down || c.Percent != 25 {
		t.Errorf("75 vs 100: %+v", c)
	}
	if c := models.ChangeOf(5, 0); c.Known || !c.Up {
		t.Errorf("5 vs 0: %+v", c)
	}
}

// TestDashboardFiguresMatchTheSeed seeds the demo and recounts the
// dashboard's figures a second way: straight loops over all visits and each
// visit's survey answers.
func TestDashboardFiguresMatchTheSeed(t *testing.T) {
	st := server.Open(t)
	wita, _ := time.LoadLocation("Asia/Makassar")
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	res, err := models.SeedDemo(ctx(t), st, now, wita)
	if err != nil {
		t.Fatal(err)
	}
	if res.History < 150 || res.History > 300 {
		t.Errorf("history of %d visits, want 150–300", res.History)
	}
	all, err := st.RecentVisits(ctx(t), 100000)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	years := map[int]bool{}
	for _, v := range all {
		if codes[v.Code] {
			t.Errorf("duplicate code %s", v.Code)
		}
		codes[v.Code] = true
		years[v.Start.In(wita).Year()] = true
	}
	if len(years) < 5 {
		t.Errorf("visits in years %v, want 2022–2026", years)
	}
	// A live request after the seed gets a fresh code.
	if code, err := st.NextVisitCode(ctx(t), now, wita); err != nil || codes[code] {
		t.Errorf("next code %s (%v) collides with the seed", code, err)
	}

	for _, year := range []int{2023, 2026} {
		from := time.Date(year, 1, 1, 0, 0, 0, 0, wita)
		to := from.AddDate(1, 0, 0)
		got, err := st.Stats(ctx(t), from, to, wita)
		if err != nil {
			t.Fatal(err)
		}
		var visits, participants, accepted, declined int
		insts, provs := map[string]bool{}, map[string]bool{}
		escort := map[string]int{}
		var scores []models.SKMScores
		for _, v := range all {
			if v.Start.Before(from) || !v.Start.Before(to) {
				continue
			}
			switch v.Status {
			case models.StatusDeclined:
				declined++
			case models.StatusApproved, models.StatusCompleted:
				accepted++
				visits++
				participants += v.Participants
				insts[v.InstitutionName] = true
				provs[v.ProvinceCode] = true
				full, err := st.VisitByID(ctx(t), v.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range full.Escorts {
					escort[e]++
				}
			}
			answers, err := st.SurveyResponsesFor(ctx(t), v.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range answers {
				scores = append(scores, a.Scores)
			}
		}
		if visits == 0 {
			t.Fatalf("%d: no visits", year)
		}
		if got.Visits != visits || got.Participants != participants || got.Delegations != len(insts) || got.Provinces != len(provs) {
			t.Errorf("%d: visits %d/%d participants %d/%d delegations %d/%d provinces %d/%d", year,
				got.Visits, visits, got.Participants, participants, got.Delegations, len(insts), got.Provinces, len(provs))
		}
		if got.Accepted != accepted || got.Declined != declined {
			t.Errorf("%d: accepted %d/%d declined %d/%d", year, got.Accepted, accepted, got.Declined, declined)
		}
		if ikm := models.ComputeIKM(scores); got.IKM.Unit != ikm.Unit || got.IKM.Respondents != ikm.Respondents || ikm.Respondents == 0 {
			t.Errorf("%d: IKM %+v, want %+v", year, got.IKM, ikm)
		}
		sum := 0
		for _, m := range got.Months {
			sum += m.Visits
		}
		if sum != visits || len(got.Months) != 12 {
			t.Errorf("%d: months sum to %d over %d months", year, sum, len(got.Months))
		}
		for _, e := range got.Escorts {
			if escort[e.Key] != e.N {
				t.Errorf("%d: escort %s %d, counted %d", year, e.Key, e.N, escort[e.Key])
			}
		}
		if len(got.Escorts) != len(escort) {
			t.Errorf("%d: %d escorts, counted %d", year, len(got.Escorts), len(escort))
		}
	}
}

// TestProvinceTilesCoverEveryProvinceOnce: the tile map has one tile per
// province of the reference list, no two on the same square.
func TestProvinceTilesCoverEveryProvinceOnce(t *testing.T) {
	regions, err := models.LoadRegions()
	if err != nil {
		t.Fatal(err)
	}
	tiles := models.ProvinceTiles()
	if len(tiles) != len(regions.Provinces()) || len(tiles) != 38 {
		t.Fatalf("%d tiles for %d provinces", len(tiles), len(regions.Provinces()))
	}
	codes, cells, abbrs := map[string]bool{}, map[[2]int]string{}, map[string]bool{}
	for _, tile := range tiles {
		if _, ok := regions.Province(tile.Code); !ok || codes[tile.Code] {
			t.Errorf("tile %s: unknown or repeated province", tile.Code)
		}
		codes[tile.Code] = true
		cell := [2]int{tile.Col, tile.Row}
		if other, taken := cells[cell]; taken {
			t.Errorf("%s and %s share the square %v", tile.Code, other, cell)
		}
		cells[cell] = tile.Code
		if tile.Col < 1 || tile.Col > 15 || tile.Row < 1 || tile.Row > 7 || abbrs[tile.Abbr] {
			t.Errorf("tile %s at %v (%s) outside the grid or abbreviation repeated", tile.Code, cell, tile.Abbr)
		}
		abbrs[tile.Abbr] = true
	}
}
