package models_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"studitiru/models"
)

func reportVisit(status models.VisitStatus, name string, month time.Month, day, people int, typ models.InstitutionType, prov, reg string, topics ...string) models.Visit {
	start := time.Date(2026, month, day, 9, 0, 0, 0, histZone)
	return models.Visit{Status: status, InstitutionName: name, InstitutionType: typ, ProvinceCode: prov, RegencyCode: reg,
		Participants: people, Topics: topics, Start: start.UTC(), End: start.Add(2 * time.Hour).UTC()}
}

func sameScores(n int) models.SKMScores {
	var s models.SKMScores
	for i := range s {
		s[i] = n
	}
	return s
}

// reportSet is a small quarter whose figures are worked out by hand below.
func reportSet() ([]models.Visit, []models.SurveyResponse, time.Time, time.Time) {
	visits := []models.Visit{
		reportVisit(models.StatusCompleted, "Pemerintah Kabupaten Konawe", time.January, 10, 20, models.InstRegency, "74", "74.02", "Perizinan", "MPP"),
		// The same institution again, spelt differently: one delegation.
		reportVisit(models.StatusCompleted, "pemerintah  kabupaten konawe", time.January, 20, 15, models.InstRegency, "74", "74.02", "Perizinan"),
		reportVisit(models.StatusApproved, "Pemerintah Kota Semarang", time.March, 5, 30, models.InstCity, "33", "33.74", "Pengaduan", "perizinan"),
		reportVisit(models.StatusDeclined, "Pemerintah Kabupaten Blora", time.February, 2, 10, models.InstRegency, "33", "33.16", "Perizinan"),
		reportVisit(models.StatusCancelled, "DPRD Provinsi Bali", time.February, 9, 12, models.InstDPRD, "51", "", "MPP"),
		reportVisit(models.StatusSubmitted, "Kementerian PANRB", time.March, 20, 40, models.InstMinistry, "31", "", "MPP"),
	}
	responses := []models.SurveyResponse{{Scores: sameScores(4)}, {Scores: sameScores(4)}, {Scores: sameScores(3)}}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, histZone)
	to := time.Date(2026, 3, 31, 0, 0, 0, 0, histZone)
	return visits, responses, from, to
}

func TestBuildReportFigures(t *testing.T) {
	visits, responses, from, to := reportSet()
	r := models.BuildReport(visits, responses, from, to, to, histZone, histLabel)
	for name, got := range map[string][2]int{
		"completed":    {r.Completed, 2},
		"approved":     {r.Approved, 1},
		"delegations":  {r.Delegations, 2},
		"participants": {r.Participants, 65},
		"provinces":    {r.Provinces, 2},
		"regencies":    {r.Regencies, 2},
		"requests":     {r.Requests, 6},
		"declined":     {r.Declined, 1},
		"cancelled":    {r.Cancelled, 1},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %d, want %d", name, got[0], got[1])
		}
	}
	if r.Acceptance != 75 {
		t.Errorf("acceptance %.2f%%, want 75%% (3 accepted of 4 decided)", r.Acceptance)
	}
	wantMonths := []models.ReportCount{{"Januari 2026", 2, 35}, {"Februari 2026", 0, 0}, {"Maret 2026", 1, 30}}
	if !slices.Equal(r.Months, wantMonths) {
		t.Errorf("months %v, want %v", r.Months, wantMonths)
	}
	wantTypes := []models.ReportCount{{"[inst.kabupaten]", 2, 35}, {"[inst.kota]", 1, 30}}
	if !slices.Equal(r.Types, wantTypes) {
		t.Errorf("types %v, want %v", r.Types, wantTypes)
	}
	wantTopics := []models.ReportCount{{"Perizinan", 3, 65}, {"MPP", 1, 20}, {"Pengaduan", 1, 30}}
	if !slices.Equal(r.Topics, wantTopics) {
		t.Errorf("topics %v, want %v", r.Topics, wantTopics)
	}
	// NRR 11/3 on every element: IKM 3,6667 × 25 = 91,67, grade A.
	if r.IKM.Respondents != 3 || r.IKM.Unit != 91.67 || r.IKM.Grade != "A" {
		t.Errorf("IKM %+v, want 3 respondents, 91.67, A", r.IKM)
	}
	if got := r.PeriodText(); got != "1 Januari 2026 – 31 Maret 2026" {
		t.Errorf("period %q", got)
	}
}

func TestBuildReportWithoutDecisions(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, histZone)
	r := models.BuildReport(nil, nil, from, from.AddDate(1, 0, -1), from, histZone, histLabel)
	if r.Acceptance != 0 || len(r.Months) != 12 || r.IKM.Grade != "" {
		t.Errorf("empty report: %+v", r)
	}
}

func TestReportPeriod(t *testing.T) {
	if _, _, err := models.ReportPeriod("2026-01-01", "2026-12-31", histZone); err != nil {
		t.Error(err)
	}
	for _, p := range [][2]string{{"", "2026-12-31"}, {"2026-12-31", "2026-01-01"}, {"2020-01-01", "2026-12-31"}, {"2026-13-01", "2026-12-31"}} {
		if _, _, err := models.ReportPeriod(p[0], p[1], histZone); err == nil {
			t.Errorf("period %v accepted", p)
		}
	}
}

func TestReportPDFStatesThePeriodAndTheIKM(t *testing.T) {
	visits, responses, from, to := reportSet()
	r := models.BuildReport(visits, responses, from, to, time.Date(2026, 4, 2, 10, 0, 0, 0, histZone), histZone, histLabel)
	b, err := models.ReportPDF(r, letterHost())
	if err != nil {
		t.Fatal(err)
	}
	keepPDF(t, "laporan.pdf", b)
	text := pdfText(t, b)
	for _, want := range []string{
		"LAPORAN KUNJUNGAN STUDI TIRU", "Periode 1 Januari 2026 – 31 Maret 2026",
		"91,67", "Sangat Baik", "Perizinan", "Januari 2026", "75,0%",
		"Mangupraja Mandala, 2 April 2026", "Dr. I Made Agus Aryawan",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}
