package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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

// syntheticHistory seeds ten years of history ending with benchYear
// (models.SyntheticHistory, shared with the load tool cmd/bench) and
// returns the number of survey answers stored.
func syntheticHistory(tb testing.TB, st *models.Store, n int, loc *time.Location) int {
	tb.Helper()
	answers, err := models.SyntheticHistory(context.Background(), st, n, benchYear, loc)
	if err != nil {
		tb.Fatal(err)
	}
	return answers
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
