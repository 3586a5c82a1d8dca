package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"studitiru/models"
)

// syntheticVisits bulk-inserts n decided visits spread over the year, each
// with a history and two survey answers, for benchmarks.
func syntheticVisits(tb testing.TB, st *models.Store, n, year int, loc *time.Location) {
	tb.Helper()
	visits := make([]models.Visit, n)
	var answers []models.SurveyResponse
	statuses := []models.VisitStatus{models.StatusCompleted, models.StatusCompleted, models.StatusCompleted, models.StatusApproved,
		models.StatusCompleted, models.StatusCompleted, models.StatusDeclined, models.StatusCancelled}
	topics := []string{"Pembentukan MPP", "Perizinan dan investasi", "MPP digital", "Integrasi OSS", "Pengelolaan tenant", "SKM dan pengaduan"}
	provinces := models.ProvinceTiles()
	first := time.Date(year, 1, 1, 9, 0, 0, 0, loc)
	for i := range visits {
		start := first.Add(time.Duration(i) * (365 * 24 * time.Hour / time.Duration(n)))
		created := start.AddDate(0, 0, -20)
		p := provinces[i%len(provinces)]
		visits[i] = models.Visit{
			Status: statuses[i%len(statuses)], InstitutionName: fmt.Sprintf("Pemerintah Kabupaten Sintetis %d", i%400),
			InstitutionType: models.InstRegency, ProvinceCode: p.Code, RegencyCode: p.Code + ".01",
			Region: "Sintetis", Participants: 10 + i%40, Topics: []string{topics[i%6], topics[(i+2)%6]},
			Escorts: []string{fmt.Sprintf("Pendamping %d", i%7), fmt.Sprintf("Pendamping %d", (i+1)%7)},
			Agenda:  []string{"Penyambutan", "Paparan profil MPP Badung", "Tanya jawab"},
			Start:   start.UTC(), End: start.Add(3 * time.Hour).UTC(), CreatedAt: created.UTC(),
			TrackingHash: fmt.Sprintf("bench-th-%d", i), SubmissionKey: fmt.Sprintf("bench-sk-%d", i),
			Leader:  models.Person{Name: "Pimpinan Rombongan", Position: "Sekretaris Daerah"},
			Contact: models.Person{Name: "Narahubung", Position: "Staf", Email: "narahubung@example.go.id"},
			History: []models.Event{
				{At: created.UTC(), Actor: "Narahubung", Action: "diajukan"},
				{At: created.Add(time.Duration(i%96) * time.Hour).UTC(), Actor: "Petugas", Action: "disetujui"},
				{At: start.Add(3 * time.Hour).UTC(), Actor: "Petugas", Action: "selesai"},
			},
		}
		for k := 0; k < 2; k++ {
			answers = append(answers, models.SurveyResponse{VisitStart: start, At: start.Add(5 * time.Hour),
				Scores: models.SKMScores{4, 3, 4, 3, 4, 3, 4, 3, 3 + k}})
		}
	}
	ctx := context.Background()
	if err := st.InsertVisitsBulk(ctx, visits, first, loc); err != nil {
		tb.Fatal(err)
	}
	if err := st.InsertSurveyResponsesBulk(ctx, answers); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkDashboardYear is what the dashboard page does for a year of
// 5,000 visits: the year's figures and the previous year's.
func BenchmarkDashboardYear(b *testing.B) {
	st := server.Open(b)
	wita, _ := time.LoadLocation("Asia/Makassar")
	syntheticVisits(b, st, 5000, 2025, wita)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, wita)
	var cur models.Stats
	for b.Loop() {
		var err error
		if cur, _, err = st.StatsCompared(context.Background(), from, from.AddDate(1, 0, 0), wita); err != nil {
			b.Fatal(err)
		}
	}
	if cur.Visits < 3000 || cur.IKM.Respondents < 9900 {
		b.Fatalf("figures of the synthetic year: %d visits, %d respondents", cur.Visits, cur.IKM.Respondents)
	}
}
