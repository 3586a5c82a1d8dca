package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"studitiru/models"
)

// machine describes where the figures were measured.
type machine struct {
	CPUModel  string
	Cores     int
	MemTotal  string
	Go        string
	LoadStart string
	LoadEnd   string
}

func readMachine() machine {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	m.CPUModel = procField("/proc/cpuinfo", "model name")
	if kb, err := strconv.ParseFloat(strings.Fields(procField("/proc/meminfo", "MemTotal") + " 0")[0], 64); err == nil && kb > 0 {
		m.MemTotal = fmt.Sprintf("%.1f GiB", kb/(1<<20))
	}
	m.LoadStart = loadAverage()
	return m
}

// procField is the value of the first "name: value" line of a /proc file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// loadAverage is the 1-minute load average (the machine may be shared).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return ""
}

// report is everything a run measured.
type report struct {
	Opt       options
	Machine   machine
	Started   time.Time
	Store     string
	Engine    time.Duration // start the embedded engine and open the store
	Seed      time.Duration
	Data      *seeded
	Visits    int64
	ByStatus  map[models.VisitStatus]int
	Startup   time.Duration // app construction to the first 200
	Results   []*result
	Booking   *bookingCheck
	RSS, HWM  string   // VmRSS, VmHWM of the whole process
	AppErrors int      // level=ERROR lines in the app's log
	Stopped   string   // why the load stopped early, "" when it ran to the end
	Skipped   []string // endpoints not run because it stopped
	Total     time.Duration
}

// Failed says the run found over-booking or lost approvals.
func (r *report) Failed() bool { return r.Booking != nil && !r.Booking.OK() }

func (r *report) baseline() *result {
	for _, res := range r.Results {
		if res.Endpoint.Name == "baseline" {
			return res
		}
	}
	return nil
}

// Markdown is the report as docs/PERFORMANCE.md shows figures.
func (r *report) Markdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	o := r.Opt
	p("# Load test (`make bench`)\n\n")
	p("Measured %s with:\n\n```sh\n%s\n```\n\n", r.Started.Format("2 January 2006, 15:04 MST"), o.Command)
	p("Settings: %s visits of history, %d connections, %s per endpoint, request timeout %s, pending requests %d.\n\n",
		thousands(int64(o.Visits)), o.Conns, o.Duration, o.Timeout, o.Pending)

	p("## Machine\n\n| | |\n|---|---|\n")
	p("| CPU | %s, `runtime.NumCPU` = %d |\n", orDash(r.Machine.CPUModel), r.Machine.Cores)
	p("| Memory | %s (MemTotal) |\n", orDash(r.Machine.MemTotal))
	p("| Go | %s |\n", r.Machine.Go)
	p("| Load average (1 min) | %s at the start, %s at the end |\n", orDash(r.Machine.LoadStart), orDash(r.Machine.LoadEnd))
	p("| Store | %s |\n\n", r.Store)

	p("## Data\n\n| | |\n|---|---|\n")
	if d := r.Data; d != nil {
		p("| Visits in the store | %s: %s synthetic (ten years to %d), %s of the demo, %s pending requests to approve, 1 tracked request |\n",
			thousands(r.Visits), thousands(int64(d.History)), r.Started.Year()-1, thousands(int64(d.Demo)), thousands(int64(len(d.Pool))))
		var parts []string
		for _, st := range models.VisitStatuses() {
			if n := r.ByStatus[st]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %s", st, thousands(int64(n))))
			}
		}
		p("| By status (before the load) | %s |\n", strings.Join(parts, ", "))
		p("| Survey answers (synthetic) | %s |\n", thousands(int64(d.Answers)))
		for _, n := range d.Notes {
			p("| Note | %s |\n", n)
		}
	}
	p("| Engine start and store open | %s |\n", dur(r.Engine))
	p("| Seeding | %s", dur(r.Seed))
	if d := r.Data; d != nil {
		p(": demo %s, synthetic history %s, pending requests %s", dur(d.DemoTime), dur(d.HistoryTime), dur(d.PendingTime))
	}
	p(" |\n")
	p("| App start-up: construction (`handlers.New`, `App`) to the first 200 of `GET /` | %s |\n\n", dur(r.Startup))

	p("## Results\n\n")
	p("Closed loop: %d connections (HTTP/1.1 keep-alive, one Go `net/http` client for all endpoints, the app and the baseline alike); "+
		"each sends its next request once the previous answer is read, for %s per endpoint; the requests then in flight are awaited. "+
		"req/s = expected answers ÷ that wall time. p50/p99 of the expected answers (HdrHistogram, 3 significant digits). "+
		"Errors: any other status, transport errors and timeouts (%s). "+
		"Requests ask for gzip as a browser does; bodies are read in full as sent, not decoded (KB: average body as sent). Redirects are not followed.\n\n", o.Conns, o.Duration, o.Timeout)
	p("| Endpoint | Request | Answers | req/s | p50 | p99 | max | Errors | %% of baseline req/s | KB | Notes |\n")
	p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	base := r.baseline()
	for _, res := range r.Results {
		ratio := "–"
		if base != nil && base.RPS() > 0 {
			ratio = percent(res.RPS() / base.RPS())
		}
		kb := "–"
		if res.Answers > 0 {
			kb = sig3(float64(res.Bytes) / float64(res.Answers) / 1024)
		}
		p("| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			res.Endpoint.Title, res.Endpoint.Shown, thousands(res.Answers), sig3(res.RPS()),
			latency(res, res.P50), latency(res, res.P99), latency(res, res.Max), thousands(res.Errors), ratio, kb,
			strings.Join(res.notes(), "; "))
	}
	p("\n")
	if r.Stopped != "" {
		p("**The run stopped early**: %s.", r.Stopped)
		if len(r.Skipped) > 0 {
			p(" Not measured: %s.", strings.Join(r.Skipped, "; "))
		}
		p("\n\n")
	}

	if bc := r.Booking; bc != nil && bc.Ran {
		p("## Approvals and over-booking\n\n")
		p("%d pending requests, two per free session, each pair with different rooms and escorts, so that only the session's capacity "+
			"(%d delegation, %d participants) stands between them. Answers: %s approved (303), %s refused as full (409). "+
			"In the store afterwards: %s approved, %s still pending; %s sessions of the year ahead hold an approved visit.\n\n",
			bc.Pool, bc.MaxDelegations, bc.Cap, thousands(bc.Approved), thousands(bc.Refused),
			thousands(int64(bc.StoredApproved)), thousands(int64(bc.StillPending)), thousands(int64(bc.Sessions)))
		if bc.Leftovers > 0 {
			p("%d ledger entries or reservations are held for visits not approved there: left by writes that failed half-way "+
				"(store timeouts under this load); they block a session, never over-book it, and the app's reconciliation "+
				"(`ReconcileReservations`, every minute) releases them.\n\n", bc.Leftovers)
		}
		if bc.OK() {
			p("**No over-booking**: every session ledger within its capacity, at most one approved visit per session, room and escort, " +
				"every approval with its ledger entry and reservations.\n\n")
		} else {
			p("**OVER-BOOKING OR LOST APPROVALS FOUND:**\n\n")
			for _, v := range bc.Violations {
				p("- %s\n", v)
			}
			p("\n")
		}
	}

	p("## Memory and time\n\n| | |\n|---|---|\n")
	p("| VmRSS at the end | %s |\n| VmHWM (peak resident) | %s |\n", mebibytes(r.RSS), mebibytes(r.HWM))
	p("| | the whole process: the app, the embedded engine (when used) and the load client |\n")
	p("| Errors in the app's log | %d |\n", r.AppErrors)
	p("| Whole run | %s |\n", dur(r.Total))
	return b.String()
}

// notes explain a line: outcomes other than "ok", errors by kind, early
// ends and a server still busy afterwards.
func (r *result) notes() []string {
	out := append([]string(nil), r.Endpoint.Notes...)
	var kinds []string
	for k := range r.Outcomes {
		if k != "ok" {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		out = append(out, fmt.Sprintf("%s %s", k, thousands(r.Outcomes[k])))
	}
	if r.Errors > 0 {
		out = append(out, "errors: "+r.errorSummary())
	}
	if r.Exhausted {
		out = append(out, "all pending requests used before the time was up")
	}
	if r.Drain >= time.Second || r.Busy > 0 {
		s := fmt.Sprintf("app and engine busy %s after the load (requests the client gave up on)", dur(r.Drain))
		if r.Busy > 0 {
			s += fmt.Sprintf(", %d still running", r.Busy)
		}
		out = append(out, s)
	}
	return out
}

func latency(r *result, d time.Duration) string {
	if r.Answers == 0 {
		return "–"
	}
	return dur(d)
}

// dur shows a duration with three significant digits.
func dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return sig3(float64(d)/float64(time.Microsecond)) + " µs"
	case d < time.Second:
		return sig3(float64(d)/float64(time.Millisecond)) + " ms"
	default:
		return sig3(d.Seconds()) + " s"
	}
}

// sig3 formats with three significant digits (more for large numbers).
func sig3(f float64) string {
	switch {
	case f == 0:
		return "0"
	case f >= 100:
		return thousands(int64(f + 0.5))
	case f >= 10:
		return strconv.FormatFloat(f, 'f', 1, 64)
	case f >= 1:
		return strconv.FormatFloat(f, 'f', 2, 64)
	}
	return strconv.FormatFloat(f, 'g', 3, 64)
}

// thousands writes 12345 as 12,345.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// percent shows a ratio as a percentage with three significant digits,
// without exponents (0.00791 %).
func percent(f float64) string {
	f *= 100
	if f >= 1 || f == 0 {
		return sig3(f) + " %"
	}
	digits := 2
	for x := f; x < 1 && digits < 12; x *= 10 {
		digits++
	}
	return strconv.FormatFloat(f, 'f', digits, 64) + " %"
}

// mebibytes shows a /proc memory figure ("123456 kB") in MiB.
func mebibytes(s string) string {
	if s == "" {
		return "–"
	}
	return fmt.Sprintf("%s MiB (%s)", sig3(kibibytes(s)/1024), s)
}

// kibibytes reads "123456 kB" (as /proc shows memory).
func kibibytes(s string) float64 {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.ParseFloat(f[0], 64)
	return n
}

// memory reads VmRSS and VmHWM of this process.
func memory() (rss, hwm string) {
	return procField("/proc/self/status", "VmRSS"), procField("/proc/self/status", "VmHWM")
}
