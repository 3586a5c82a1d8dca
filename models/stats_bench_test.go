package models_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// The store benchmarks seed ten years of history ending with benchYear: n/10
// visits a year, each a full document (2–4 events of history, a roster of
// about 20 officials, letter, requested sessions), and a few survey answers
// per completed visit. Document size matters: the embedded engine reads and
// decodes whole documents. Seeding happens inside each sub-benchmark, before
// b.Loop (which excludes it from the timing), so `go test` without -bench
// never pays for it.
const benchYear = 2025

// benchCtx gives the measured calls a deadline of their own: a context
// deadline overrides the store's 30 s client timeout, so the 50,000-visit
// runs report how long they take instead of failing (the app itself, with
// the client timeout, would fail those requests after 30 s).
func benchCtx(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	b.Cleanup(cancel)
	return ctx
}

// benchSizes are the sizes of the leadership issue: ten years at today's
// ~500 visits a year, and ten times that.
var benchSizes = []int{5000, 50000}

// benchStatuses weighs how past requests end.
var benchStatuses = []models.VisitStatus{
	models.StatusCompleted, models.StatusCompleted, models.StatusCompleted, models.StatusCompleted,
	models.StatusCompleted, models.StatusCompleted, models.StatusCompleted, models.StatusDeclined,
	models.StatusCancelled, models.StatusApproved,
}

// benchProvinces weighs where delegations come from (Java, Sulawesi, Nusa
// Tenggara often; every province sometimes).
var benchProvinces = func() []string {
	heavy := map[string]int{"32": 6, "33": 8, "35": 8, "52": 5, "53": 5, "73": 6, "64": 4, "51": 4, "12": 4, "74": 4}
	var out []string
	for _, p := range models.ProvinceTiles() {
		w := heavy[p.Code]
		if w == 0 {
			w = 2
		}
		for range w {
			out = append(out, p.Code)
		}
	}
	return out
}()

// syntheticHistory bulk-inserts n visits spread over the ten years up to
// benchYear (in the host zone), with their survey answers. It returns the
// number of survey answers stored.
func syntheticHistory(tb testing.TB, st *models.Store, n int, loc *time.Location) int {
	tb.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), 2025))
	topics := []string{"Pembentukan MPP", "Perizinan dan investasi", "MPP digital", "Integrasi OSS", "Pengelolaan tenant", "SKM dan pengaduan"}
	given := []string{"Ahmad", "Budi", "Siti", "Dewi", "Hendra", "Yusuf", "Rina", "Agus", "Made", "Nyoman", "Fitri", "Rahmat"}
	family := []string{"Saputra", "Wijaya", "Hidayat", "Lestari", "Kurniawan", "Siregar", "Nasution", "Pratama", "Rahman", "Sinaga"}
	positions := []string{"Kepala Dinas Penanaman Modal dan PTSP", "Sekretaris Dinas", "Kepala Bidang Pelayanan", "Analis Kebijakan Ahli Muda", "Pengelola Layanan Operasional", "Anggota DPRD", "Kepala Bagian Organisasi"}
	name := func() string {
		return given[rng.IntN(len(given))] + " " + family[rng.IntN(len(family))] + ", S.Sos., M.Si."
	}
	first := time.Date(benchYear-9, 1, 1, 0, 0, 0, 0, loc)
	span := time.Date(benchYear+1, 1, 1, 0, 0, 0, 0, loc).Sub(first)
	visits := make([]models.Visit, n)
	var answers []models.SurveyResponse
	for i := range visits {
		day := first.Add(time.Duration(i) * (span / time.Duration(n))).Truncate(24 * time.Hour)
		start := time.Date(day.Year(), day.Month(), day.Day(), 9+rng.IntN(2)*4, 0, 0, 0, loc)
		created := start.AddDate(0, 0, -14-rng.IntN(30))
		p := benchProvinces[rng.IntN(len(benchProvinces))]
		status := benchStatuses[rng.IntN(len(benchStatuses))]
		roster := make([]models.RosterEntry, 18+rng.IntN(5))
		for k := range roster {
			roster[k] = models.RosterEntry{Name: name(), Position: positions[rng.IntN(len(positions))], Gender: models.GenderMale}
			if rng.IntN(2) == 0 {
				roster[k].Gender = models.GenderFemale
			}
		}
		history := []models.Event{{At: created.UTC(), Actor: "Narahubung", Action: "diajukan"}}
		if rng.IntN(3) == 0 {
			history = append(history, models.Event{At: created.Add(48 * time.Hour).UTC(), Actor: "Petugas", Action: "ditawarkan", Note: "Jadwal yang diminta penuh; ditawarkan sesi lain."})
		}
		history = append(history, models.Event{At: created.Add(96 * time.Hour).UTC(), Actor: "Petugas", Action: string(status)})
		if status == models.StatusCompleted && rng.IntN(2) == 0 {
			history = append(history, models.Event{At: start.Add(3 * time.Hour).UTC(), Actor: "Petugas", Action: "kehadiran dicatat"})
		}
		region := fmt.Sprintf("Kabupaten Sintetis %d, Provinsi %s", i%400, p)
		visits[i] = models.Visit{
			ID: bson.NewObjectID(), Status: status,
			InstitutionName: fmt.Sprintf("Pemerintah Kabupaten Sintetis %d", i%400),
			InstitutionType: models.InstRegency, ProvinceCode: p, RegencyCode: fmt.Sprintf("%s.%02d", p, 1+i%20),
			Region: region, Participants: len(roster), Topics: []string{topics[rng.IntN(6)], topics[rng.IntN(6)]},
			Protocol:  "eselon2",
			Requested: []models.RequestedSlot{{Date: start.Format("2006-01-02"), SessionID: "pagi"}, {Date: start.AddDate(0, 0, 1).Format("2006-01-02"), SessionID: "siang"}},
			Room:      "Ruang Rapat MPP", RoomID: "ruang-rapat",
			Escorts: []string{fmt.Sprintf("Pendamping %d", i%7), fmt.Sprintf("Pendamping %d", (i+1)%7)},
			Agenda:  []string{"Penyambutan", "Paparan profil MPP Badung", "Kunjungan gerai", "Tanya jawab"},
			Start:   start.UTC(), End: start.Add(3 * time.Hour).UTC(), SessionID: "pagi",
			CreatedAt: created.UTC(), UpdatedAt: start.Add(3 * time.Hour).UTC(), Language: "id",
			TrackingHash: fmt.Sprintf("bench-th-%d", i), SubmissionKey: fmt.Sprintf("bench-sk-%d", i),
			Leader:  models.Person{Name: name(), Position: "Sekretaris Daerah"},
			Contact: models.Person{Name: name(), Position: "Staf", Email: "narahubung@example.go.id"},
			Letter:  models.Letter{Number: fmt.Sprintf("000.1/%d/DPMPTSP/%d", i, start.Year()), Date: created.Format("2006-01-02")},
			Roster:  roster, History: history,
			Notes: "Rombongan membawa cendera mata; mohon disiapkan ruang untuk 25 orang.",
		}
		if status != models.StatusCompleted {
			continue
		}
		for k := range 2 + rng.IntN(4) {
			var s models.SKMScores
			for e := range s {
				s[e] = 3 + rng.IntN(2)
			}
			answers = append(answers, models.SurveyResponse{VisitID: visits[i].ID, VisitStart: start,
				At: start.Add(time.Duration(4+k) * time.Hour), Scores: s})
		}
	}
	ctx := context.Background()
	if err := st.InsertVisitsBulk(ctx, visits, first, loc); err != nil {
		tb.Fatal(err)
	}
	for k := 0; k < len(answers); k += 10000 {
		if err := st.InsertSurveyResponsesBulk(ctx, answers[k:min(k+10000, len(answers))]); err != nil {
			tb.Fatal(err)
		}
	}
	return len(answers)
}

// BenchmarkDashboardYear is what GET /staf/dasbor computes for one year:
// the year's figures and the previous year's, out of ten years of history.
func BenchmarkDashboardYear(b *testing.B) {
	wita, _ := time.LoadLocation("Asia/Makassar")
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("visits=%d", n), func(b *testing.B) {
			st := server.Open(b)
			answers := syntheticHistory(b, st, n, wita)
			from := time.Date(benchYear, 1, 1, 0, 0, 0, 0, wita)
			var cur models.Stats
			ctx := benchCtx(b)
			for b.Loop() {
				var err error
				if cur, _, err = st.StatsCompared(ctx, from, from.AddDate(1, 0, 0), wita); err != nil {
					b.Fatal(err)
				}
			}
			// A tenth of the visits fall in the year; of those ~90%
			// count (decided), with a tenth of the answers.
			if cur.Visits < n/20 || cur.IKM.Respondents < answers/20 {
				b.Fatalf("figures of the synthetic year: %d visits, %d respondents", cur.Visits, cur.IKM.Respondents)
			}
		})
	}
}

// BenchmarkHistoryPage is the filtered history page (GET /staf/riwayat):
// one province, one year, first page, newest first, with the total count.
func BenchmarkHistoryPage(b *testing.B) {
	wita, _ := time.LoadLocation("Asia/Makassar")
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("visits=%d", n), func(b *testing.B) {
			st := server.Open(b)
			syntheticHistory(b, st, n, wita)
			f := models.HistoryFilter{InboxFilter: models.InboxFilter{
				Province: "35", From: fmt.Sprintf("%d-01-01", benchYear), To: fmt.Sprintf("%d-12-31", benchYear)}}
			var page []models.Visit
			var total int64
			ctx := benchCtx(b)
			for b.Loop() {
				var err error
				if page, total, err = st.History(ctx, f, wita); err != nil {
					b.Fatal(err)
				}
			}
			if total < int64(n/400) || len(page) == 0 {
				b.Fatalf("history page: %d of %d", len(page), total)
			}
		})
	}
}

// BenchmarkViewLoad is what an instance pays once at start before its
// first staff page: loading the in-memory view of ten years of history,
// from the newest snapshot plus the change log.
func BenchmarkViewLoad(b *testing.B) {
	wita, _ := time.LoadLocation("Asia/Makassar")
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("visits=%d", n), func(b *testing.B) {
			st := server.Open(b)
			syntheticHistory(b, st, n, wita)
			ctx := benchCtx(b)
			for b.Loop() {
				other, err := models.Open(ctx, server.URI, st.DatabaseName())
				if err != nil {
					b.Fatal(err)
				}
				got, err := other.CountVisits(ctx)
				if err != nil || got != int64(n) {
					b.Fatalf("loaded %d visits: %v", got, err)
				}
				_ = other.Close(ctx)
			}
		})
	}
}
