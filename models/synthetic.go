package models

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Synthetic history for measurements: the store benchmarks
// (stats_bench_test.go) and the load tool (cmd/bench) seed the same data,
// so that their figures describe the same store.

// syntheticStatuses weighs how past requests end.
var syntheticStatuses = []VisitStatus{
	StatusCompleted, StatusCompleted, StatusCompleted, StatusCompleted,
	StatusCompleted, StatusCompleted, StatusCompleted, StatusDeclined,
	StatusCancelled, StatusApproved,
}

// syntheticProvinces weighs where delegations come from (Java, Sulawesi,
// Nusa Tenggara often; every province sometimes). Built on use, so the app
// itself never pays for it.
func syntheticProvinces() []string {
	heavy := map[string]int{"32": 6, "33": 8, "35": 8, "52": 5, "53": 5, "73": 6, "64": 4, "51": 4, "12": 4, "74": 4}
	var out []string
	for _, p := range ProvinceTiles() {
		w := heavy[p.Code]
		if w == 0 {
			w = 2
		}
		for range w {
			out = append(out, p.Code)
		}
	}
	return out
}

// SyntheticHistory bulk-inserts n past visits spread evenly over the ten
// years ending with lastYear (in the host zone loc), each a full document
// as the app stores it (2–4 history events, a roster of about 20
// officials, letter, requested sessions), with 2–5 survey answers per
// completed visit. Document size matters: the embedded engine reads and
// decodes whole documents. The data depend only on n and lastYear. It
// returns the number of survey answers stored.
//
// The visits bypass the scheduling guards (no session ledgers, no room or
// escort reservations): keep lastYear in the past, where nothing can be
// booked any more.
func SyntheticHistory(ctx context.Context, st *Store, n, lastYear int, loc *time.Location) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	provinces := syntheticProvinces()
	rng := rand.New(rand.NewPCG(uint64(n), uint64(lastYear)))
	topics := []string{"Pembentukan MPP", "Perizinan dan investasi", "MPP digital", "Integrasi OSS", "Pengelolaan tenant", "SKM dan pengaduan"}
	given := []string{"Ahmad", "Budi", "Siti", "Dewi", "Hendra", "Yusuf", "Rina", "Agus", "Made", "Nyoman", "Fitri", "Rahmat"}
	family := []string{"Saputra", "Wijaya", "Hidayat", "Lestari", "Kurniawan", "Siregar", "Nasution", "Pratama", "Rahman", "Sinaga"}
	positions := []string{"Kepala Dinas Penanaman Modal dan PTSP", "Sekretaris Dinas", "Kepala Bidang Pelayanan", "Analis Kebijakan Ahli Muda", "Pengelola Layanan Operasional", "Anggota DPRD", "Kepala Bagian Organisasi"}
	name := func() string {
		return given[rng.IntN(len(given))] + " " + family[rng.IntN(len(family))] + ", S.Sos., M.Si."
	}
	first := time.Date(lastYear-9, 1, 1, 0, 0, 0, 0, loc)
	span := time.Date(lastYear+1, 1, 1, 0, 0, 0, 0, loc).Sub(first)
	visits := make([]Visit, n)
	var answers []SurveyResponse
	for i := range visits {
		day := first.Add(time.Duration(i) * (span / time.Duration(n))).Truncate(24 * time.Hour)
		start := time.Date(day.Year(), day.Month(), day.Day(), 9+rng.IntN(2)*4, 0, 0, 0, loc)
		created := start.AddDate(0, 0, -14-rng.IntN(30))
		p := provinces[rng.IntN(len(provinces))]
		status := syntheticStatuses[rng.IntN(len(syntheticStatuses))]
		roster := make([]RosterEntry, 18+rng.IntN(5))
		for k := range roster {
			roster[k] = RosterEntry{Name: name(), Position: positions[rng.IntN(len(positions))], Gender: GenderMale}
			if rng.IntN(2) == 0 {
				roster[k].Gender = GenderFemale
			}
		}
		history := []Event{{At: created.UTC(), Actor: "Narahubung", Action: "diajukan"}}
		if rng.IntN(3) == 0 {
			history = append(history, Event{At: created.Add(48 * time.Hour).UTC(), Actor: "Petugas", Action: "ditawarkan", Note: "Jadwal yang diminta penuh; ditawarkan sesi lain."})
		}
		history = append(history, Event{At: created.Add(96 * time.Hour).UTC(), Actor: "Petugas", Action: string(status)})
		if status == StatusCompleted && rng.IntN(2) == 0 {
			history = append(history, Event{At: start.Add(3 * time.Hour).UTC(), Actor: "Petugas", Action: "kehadiran dicatat"})
		}
		region := fmt.Sprintf("Kabupaten Sintetis %d, Provinsi %s", i%400, p)
		visits[i] = Visit{
			ID: bson.NewObjectID(), Status: status,
			InstitutionName: fmt.Sprintf("Pemerintah Kabupaten Sintetis %d", i%400),
			InstitutionType: InstRegency, ProvinceCode: p, RegencyCode: fmt.Sprintf("%s.%02d", p, 1+i%20),
			Region: region, Participants: len(roster), Topics: []string{topics[rng.IntN(6)], topics[rng.IntN(6)]},
			Protocol:  "eselon2",
			Requested: []RequestedSlot{{Date: start.Format("2006-01-02"), SessionID: "pagi"}, {Date: start.AddDate(0, 0, 1).Format("2006-01-02"), SessionID: "siang"}},
			Room:      "Ruang Rapat MPP", RoomID: "ruang-rapat",
			Escorts: []string{fmt.Sprintf("Pendamping %d", i%7), fmt.Sprintf("Pendamping %d", (i+1)%7)},
			Agenda:  []string{"Penyambutan", "Paparan profil MPP Badung", "Kunjungan gerai", "Tanya jawab"},
			Start:   start.UTC(), End: start.Add(3 * time.Hour).UTC(), SessionID: "pagi",
			CreatedAt: created.UTC(), UpdatedAt: start.Add(3 * time.Hour).UTC(), Language: "id",
			TrackingHash: fmt.Sprintf("bench-th-%d", i), SubmissionKey: fmt.Sprintf("bench-sk-%d", i),
			Leader:  Person{Name: name(), Position: "Sekretaris Daerah"},
			Contact: Person{Name: name(), Position: "Staf", Email: "narahubung@example.go.id"},
			Letter:  Letter{Number: fmt.Sprintf("000.1/%d/DPMPTSP/%d", i, start.Year()), Date: created.Format("2006-01-02")},
			Roster:  roster, History: history,
			Notes: "Rombongan membawa cendera mata; mohon disiapkan ruang untuk 25 orang.",
		}
		if status != StatusCompleted {
			continue
		}
		for k := range 2 + rng.IntN(4) {
			var s SKMScores
			for e := range s {
				s[e] = 3 + rng.IntN(2)
			}
			answers = append(answers, SurveyResponse{VisitID: visits[i].ID, VisitStart: start,
				At: start.Add(time.Duration(4+k) * time.Hour), Scores: s})
		}
	}
	if err := st.InsertVisitsBulk(ctx, visits, first, loc); err != nil {
		return 0, err
	}
	for k := 0; k < len(answers); k += 10000 {
		if err := st.InsertSurveyResponsesBulk(ctx, answers[k:min(k+10000, len(answers))]); err != nil {
			return 0, err
		}
	}
	return len(answers), nil
}

// TrackingHash is what a visit stores of its tracking token: tools that
// seed visits directly (cmd/bench) need it to give them a working link.
func TrackingHash(token string) string { return hashToken(token) }
