package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// errExhausted ends an endpoint's load early: its one-shot requests (the
// pending requests to approve) are used up.
var errExhausted = errors.New("pool exhausted")

// endpoint is one line of the results: how to make its i-th request and
// what answer is expected.
type endpoint struct {
	Name  string // for -only
	Title string
	Shown string // method and path as the table shows them
	// Next builds the i-th request (i counts from 0 across connections).
	Next func(i int64) (*http.Request, error)
	// Check names the outcome of an expected answer ("ok", "approved",
	// "refused" …); "" makes the answer an error.
	Check func(res *http.Response) string
	Notes []string
}

// result is what driving one endpoint measured.
type result struct {
	Endpoint      *endpoint
	Answers       int64            // expected answers
	Outcomes      map[string]int64 // expected answers by outcome
	Errors        int64            // unexpected status, transport error, timeout
	ErrorKinds    map[string]int64
	Elapsed       time.Duration // start until the last answer was read
	P50, P99, Max time.Duration
	Bytes         int64 // body bytes of the expected answers (after decompression)
	Exhausted     bool
	Drain         time.Duration // waiting for the server to finish abandoned requests
	Busy          int64         // requests still running on the server after the drain limit
}

// RPS is expected answers per second of wall time.
func (r *result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Answers) / r.Elapsed.Seconds()
}

// drive runs a closed loop: conns workers, each sending its next request
// as soon as the previous answer has been read, until d has passed; the
// requests in flight at that moment are awaited (at most the client's
// timeout). Latencies go into an HdrHistogram per worker (microseconds,
// three significant digits), merged at the end.
func drive(ctx context.Context, client *http.Client, ep *endpoint, conns int, d time.Duration) *result {
	res := &result{Endpoint: ep, Outcomes: map[string]int64{}, ErrorKinds: map[string]int64{}}
	var (
		seq       atomic.Int64
		exhausted atomic.Bool
		mu        sync.Mutex
		wg        sync.WaitGroup
		total     = newHistogram()
	)
	start := time.Now()
	deadline := start.Add(d)
	for range conns {
		wg.Go(func() {
			h := newHistogram()
			outcomes, kinds := map[string]int64{}, map[string]int64{}
			var bytes int64
			for ctx.Err() == nil && time.Now().Before(deadline) {
				req, err := ep.Next(seq.Add(1) - 1)
				if errors.Is(err, errExhausted) {
					exhausted.Store(true)
					break
				}
				if err != nil {
					kinds["request: "+err.Error()]++
					break
				}
				// Ask for gzip as a browser does, and read the compressed
				// bytes without decoding them (as wrk does): the client's
				// inflating shares this machine's CPU with the server, and
				// the server's work is what is measured.
				if req.Header.Get("Accept-Encoding") == "" {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				t := time.Now()
				resp, err := client.Do(req.WithContext(ctx))
				if err != nil {
					kinds[transportError(err)]++
					continue
				}
				n, rerr := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat := time.Since(t)
				outcome := ep.Check(resp)
				switch {
				case rerr != nil:
					kinds[transportError(rerr)]++
				case outcome == "":
					kinds[fmt.Sprintf("status %d", resp.StatusCode)]++
				default:
					_ = h.RecordValue(max(1, lat.Microseconds()))
					outcomes[outcome]++
					bytes += n
				}
			}
			mu.Lock()
			defer mu.Unlock()
			total.Merge(h)
			for k, n := range outcomes {
				res.Outcomes[k] += n
				res.Answers += n
			}
			for k, n := range kinds {
				res.ErrorKinds[k] += n
				res.Errors += n
			}
			res.Bytes += bytes
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Exhausted = exhausted.Load()
	if total.TotalCount() > 0 {
		res.P50 = time.Duration(total.ValueAtQuantile(50)) * time.Microsecond
		res.P99 = time.Duration(total.ValueAtQuantile(99)) * time.Microsecond
		res.Max = time.Duration(total.Max()) * time.Microsecond
	}
	return res
}

// newHistogram records 1 µs to 10 minutes with three significant digits.
func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, int64(10*time.Minute/time.Microsecond), 3)
}

// transportError names a failed exchange briefly: a timeout, a refused or
// reset connection, or the error itself.
func transportError(err error) string {
	var ne interface{ Timeout() bool }
	switch {
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// errorSummary lists the kinds of errors, most frequent first.
func (r *result) errorSummary() string {
	type kv struct {
		k string
		n int64
	}
	var list []kv
	for k, n := range r.ErrorKinds {
		list = append(list, kv{k, n})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].n > list[j].n || (list[i].n == list[j].n && list[i].k < list[j].k) })
	var parts []string
	for _, e := range list {
		parts = append(parts, fmt.Sprintf("%s ×%d", e.k, e.n))
	}
	return strings.Join(parts, ", ")
}
