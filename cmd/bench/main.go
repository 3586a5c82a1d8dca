// Command bench is the load tool of Studi Tiru (`make bench`). It seeds a
// fresh store (a temporary DATA_DIR with the embedded engine, or a new
// database on -mongodb-uri) with the demo and a synthetic history, starts
// the application in this process on loopback, drives its main pages over
// HTTP with a fixed number of connections for a fixed time each — next to
// a bare Fiber handler as the baseline, with the same client — and
// reports requests/s and latencies as a Markdown table, with the machine,
// the data and the process's memory. See docs/PERFORMANCE.md.
//
//	go run ./cmd/bench                        # 5,000 visits, 64 connections, 5 s per endpoint
//	go run ./cmd/bench -visits 50000 -o docs/bench-latest.md
//	go run ./cmd/bench -only dasbor,permohonan -c 4 -d 20s
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	_ "time/tzdata" // the host zone must exist on machines without tzdata

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"studitiru/app/embedded"
	"studitiru/handlers"
	"studitiru/models"
)

// options are the tool's flags.
type options struct {
	Visits   int
	Conns    int
	Duration time.Duration
	Timeout  time.Duration
	Drain    time.Duration
	MaxRSS   float64 // GiB
	Pending  int
	Only     string
	Out      string
	MongoURI string
	Profile  string // directory for per-endpoint CPU and mutex profiles
	Keep     string // keep the seeded embedded store in this DATA_DIR
	Command  string // the command line, for the report

	// Tests: a cheap bcrypt cost for the seeded accounts (0: the store's).
	passwordCost int
	progress     io.Writer
}

func parseFlags(args []string, usage io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(usage)
	var o options
	fs.IntVar(&o.Visits, "visits", 5000, "visits of synthetic history over the ten years before this one (50000: national scale)")
	fs.IntVar(&o.Conns, "c", 64, "connections (each a closed loop: next request when the answer is read)")
	fs.DurationVar(&o.Duration, "d", 5*time.Second, "load time per endpoint")
	fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "per-request timeout; a request that takes longer is an error")
	fs.DurationVar(&o.Drain, "drain", 10*time.Minute, "after an endpoint, wait at most this long for the server to finish requests the client gave up on; longer stops the run")
	fs.Float64Var(&o.MaxRSS, "max-rss", 8, "stop the run when the process's resident memory exceeds this many GiB (the machine may be shared)")
	fs.IntVar(&o.Pending, "pending", 600, "pending requests seeded for the approval load (two per free session)")
	fs.StringVar(&o.Only, "only", "", "comma-separated endpoints to run (the baseline always runs): "+strings.Join(endpointNames(), ","))
	fs.StringVar(&o.Out, "o", "", "also write the Markdown report to this file")
	fs.StringVar(&o.Profile, "profile", "", "write a CPU and a mutex profile per endpoint into this directory (go tool pprof DIR/lacak.cpu.pprof)")
	fs.StringVar(&o.Keep, "keep", "", "seed into this new DATA_DIR (database studitiru) and keep it, for `go run ./app` on the same data (start-up and memory of the built binary: docs/PERFORMANCE.md)")
	fs.StringVar(&o.MongoURI, "mongodb-uri", "", "use this MongoDB server (a new database, dropped afterwards) instead of the embedded engine")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unknown arguments: %s", strings.Join(fs.Args(), " "))
	}
	switch {
	case o.Visits < 0, o.Conns < 1, o.Duration <= 0, o.Timeout <= 0, o.Pending < 0, o.MaxRSS <= 0:
		return o, errors.New("-visits and -pending must be ≥ 0, -c ≥ 1, -d, -timeout and -max-rss > 0")
	}
	for _, n := range splitList(o.Only) {
		if !slices.Contains(endpointNames(), n) {
			return o, fmt.Errorf("-only: no endpoint %q (%s)", n, strings.Join(endpointNames(), ", "))
		}
	}
	quoted := []string{"go", "run", "./cmd/bench"}
	for _, a := range args {
		if strings.ContainsAny(a, " \t'\"$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		quoted = append(quoted, a)
	}
	o.Command = strings.Join(quoted, " ")
	return o, nil
}

func endpointNames() []string {
	return []string{"baseline", "jadwal", "ketersediaan", "lacak", "ajukan", "permohonan", "kalender", "setujui", "dasbor", "ics"}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func main() {
	opt, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	opt.progress = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, opt)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	md := rep.Markdown()
	fmt.Print(md)
	if opt.Out != "" {
		if err := os.WriteFile(opt.Out, []byte(md), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "bench: report written to", opt.Out)
	}
	// A stopped run still reports what it measured; exiting also ends
	// the requests the app is still working on.
	code := 0
	if rep.Stopped != "" {
		fmt.Fprintln(os.Stderr, "bench: stopped:", rep.Stopped)
		code = 1
	}
	if rep.Failed() {
		fmt.Fprintln(os.Stderr, "bench: over-booking or lost approvals found (see the report)")
		code = 3
	}
	if code != 0 {
		stop()
		os.Exit(code)
	}
}

// run seeds, starts the app and the baseline, drives every endpoint and
// checks the approvals. Errors of the endpoints are figures of the report;
// an error returned here means the run itself could not be made.
func run(ctx context.Context, opt options) (*report, error) {
	started := time.Now()
	logf := func(format string, a ...any) {
		if opt.progress != nil {
			fmt.Fprintf(opt.progress, "bench: "+format+"\n", a...)
		}
	}
	rep := &report{Opt: opt, Machine: readMachine(), Started: started}
	loc, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		return nil, err
	}

	// A short path keeps the engine's Unix socket under the kernel's limit.
	dir, err := os.MkdirTemp("", "stb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	dataDir, database := dir, "bench_"+models.NewToken()[:8]
	if opt.Keep != "" {
		if entries, err := os.ReadDir(opt.Keep); err == nil && len(entries) > 0 {
			return nil, fmt.Errorf("-keep %s: not empty", opt.Keep)
		}
		dataDir, database = opt.Keep, "studitiru" // the app's MONGODB_DB default
	}

	t := time.Now()
	uri := opt.MongoURI
	rep.Store = "MongoDB at -mongodb-uri, a new database"
	var engine *embedded.Engine
	if uri == "" {
		engine, err = embedded.Start(dataDir, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			return nil, err
		}
		defer engine.Stop()
		uri = engine.URI()
		rep.Store = "embedded FerretDB (SQLite backend) in a fresh temporary DATA_DIR"
	}
	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	st, err := models.Open(openCtx, uri, database)
	cancel()
	if err != nil {
		return nil, err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if opt.MongoURI != "" {
			_ = st.Drop(ctx)
		}
		_ = st.Close(ctx)
	}()
	rep.Engine = time.Since(t)
	if opt.passwordCost > 0 {
		st.SetPasswordCost(opt.passwordCost)
	}
	st.SetMailDomain("studitiru.localhost")

	// The tool's own store calls (seeding, counting, the over-booking
	// check) scan whole collections on the embedded engine; a deadline of
	// their own overrides the store's 30 s client timeout, which is meant
	// for the app's requests (those keep it).
	setup, cancelSetup := context.WithTimeout(ctx, 2*time.Hour)
	defer cancelSetup()

	logf("seeding %d visits of history, the demo and %d pending requests …", opt.Visits, opt.Pending)
	t = time.Now()
	now := time.Now()
	s, err := seedStore(setup, st, opt, now, loc)
	if err != nil {
		return nil, err
	}
	rep.Seed, rep.Data = time.Since(t), s
	if engine != nil {
		if _, err := engine.IndexIDLookups(setup); err != nil {
			return nil, err
		}
	}
	if rep.Visits, err = st.CountVisits(setup); err != nil {
		return nil, err
	}
	if rep.ByStatus, err = st.VisitCountsByStatus(setup); err != nil {
		return nil, err
	}
	logf("seeded %d visits in %s (demo %s, history %s, pending requests %s)", rep.Visits, dur(rep.Seed),
		dur(s.DemoTime), dur(s.HistoryTime), dur(s.PendingTime))

	// The app, built as app/main.go builds it, on loopback. Its log (one
	// line per request, as in production) goes to a file.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	appURL := "http://" + ln.Addr().String()
	logPath := filepath.Join(dir, "app.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	t = time.Now()
	h, err := handlers.New(ctx, handlers.Deps{
		Store:    st,
		Logger:   slog.New(slog.NewTextHandler(logFile, nil)),
		Location: loc,
		BaseURL:  &url.URL{Scheme: "http", Host: ln.Addr().String()},
		Now:      time.Now,
		Sessions: models.DefaultSessionPolicy(),
		// The load is the reverse proxy: it names a client address per
		// submission (see endpoints.go, submit).
		TrustedProxies: []string{"127.0.0.1"},
	})
	if err != nil {
		return nil, err
	}
	web := h.App()
	// Requests the server is still working on: after a client timeout the
	// app goes on computing, and the next endpoint must not share the CPU
	// with that.
	var inflight atomic.Int64
	srv := web.Server()
	inner := srv.Handler
	srv.Handler = func(rc *fasthttp.RequestCtx) {
		inflight.Add(1)
		defer inflight.Add(-1)
		inner(rc)
	}
	go func() { _ = web.Listener(ln) }()
	defer func() { _ = web.ShutdownWithTimeout(5 * time.Second) }()

	// The baseline: a bare Fiber handler with a small JSON answer.
	bare := fiber.New(fiber.Config{DisableStartupMessage: true})
	bare.Get("/baseline", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"month": "2026-12", "timezone": "Asia/Makassar", "open": 18, "full": 3})
	})
	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() { _ = bare.Listener(bln) }()
	defer func() { _ = bare.ShutdownWithTimeout(5 * time.Second) }()

	hc := &http.Client{
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        2 * opt.Conns,
			MaxIdleConnsPerHost: opt.Conns,
			MaxConnsPerHost:     opt.Conns,
			IdleConnTimeout:     2 * time.Minute,
			DisableCompression:  true, // see drive: bodies are read as sent
		},
		Timeout:       opt.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer hc.CloseIdleConnections()

	if rep.Startup, err = firstPage(ctx, hc, appURL+"/", t); err != nil {
		return nil, err
	}
	logf("app served its first page %s after construction", dur(rep.Startup))

	c := &client{app: appURL, baseline: "http://" + bln.Addr().String(), csrfCookie: models.NewToken()}
	if c.csrf, err = csrfToken(ctx, hc, c); err != nil {
		return nil, err
	}
	if c.coordinator, err = signIn(ctx, hc, c, s.Coordinator); err != nil {
		return nil, err
	}
	if c.leadership, err = signIn(ctx, hc, c, s.Leadership); err != nil {
		return nil, err
	}
	letter, err := scannedLetter(1024)
	if err != nil {
		return nil, err
	}

	// The app computes on after a client gives up (no cancellation reaches
	// the store), so a slow endpoint can hold much memory: the run stops
	// when the process grows past -max-rss.
	loadCtx, stopLoad := context.WithCancelCause(ctx)
	defer stopLoad(nil)
	go watchMemory(loadCtx, opt.MaxRSS, stopLoad)

	only := splitList(opt.Only)
	for _, ep := range c.endpoints(s, letter, now, loc) {
		if len(only) > 0 && ep.Name != "baseline" && !slices.Contains(only, ep.Name) {
			continue
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if loadCtx.Err() != nil {
			rep.Skipped = append(rep.Skipped, ep.Title)
			continue
		}
		logf("%s: %d connections for %s …", ep.Title, opt.Conns, opt.Duration)
		stopProfile, err := startProfile(opt.Profile, ep.Name)
		if err != nil {
			return nil, err
		}
		r := drive(loadCtx, hc, ep, opt.Conns, opt.Duration)
		if err := stopProfile(); err != nil {
			return nil, err
		}
		t := time.Now()
		quiet := waitQuiet(loadCtx, &inflight, opt.Drain)
		r.Drain, r.Busy = time.Since(t), inflight.Load()
		if !quiet && loadCtx.Err() == nil {
			// Their work would pile up under the next endpoint's figures.
			stopLoad(fmt.Errorf("the app (%d requests) or the engine was still working on requests of %q the client gave up on, after -drain %s",
				r.Busy, ep.Name, opt.Drain))
		}
		rep.Results = append(rep.Results, r)
		logf("  %d answers, %s req/s, p50 %s, p99 %s, %d errors %s", r.Answers, sig3(r.RPS()), latency(r, r.P50), latency(r, r.P99), r.Errors, r.errorSummary())
		if ep.Name == "setujui" && loadCtx.Err() == nil {
			if rep.Booking, err = checkBookings(setup, st, s, r, time.Now(), loc); err != nil {
				return nil, fmt.Errorf("over-booking check: %w", err)
			}
			logf("  approvals: %d approved, %d refused; store: %d approved, %d pending; %d violations",
				rep.Booking.Approved, rep.Booking.Refused, rep.Booking.StoredApproved, rep.Booking.StillPending, len(rep.Booking.Violations))
		}
	}

	if err := context.Cause(loadCtx); err != nil && ctx.Err() == nil {
		rep.Stopped = err.Error()
	}
	rep.RSS, rep.HWM = memory()
	rep.Machine.LoadEnd = loadAverage()
	rep.AppErrors = appErrors(logPath, opt.progress)
	rep.Total = time.Since(started)
	return rep, nil
}

// firstPage polls url until it answers 200 and returns the time since t.
func firstPage(ctx context.Context, hc *http.Client, url string, t time.Time) (time.Duration, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		res, err := hc.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Since(t), nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the app did not serve %s within 30 s (last: %v)", url, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrfToken reads the form token that goes with the client's CSRF cookie
// from the sign-in page, as a browser's form carries it.
func csrfToken(ctx context.Context, hc *http.Client, c *client) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.app+"/masuk", nil)
	if err != nil {
		return "", err
	}
	c.cookies(req, "")
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	m := csrfRe.FindSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		return "", fmt.Errorf("sign-in page: status %d, no CSRF token", res.StatusCode)
	}
	return string(m[1]), nil
}

// signIn signs in through the form and returns the session cookie.
func signIn(ctx context.Context, hc *http.Client, c *client, a account) (string, error) {
	form := url.Values{"_csrf": {c.csrf}, "email": {a.Email}, "password": {a.Password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.app+"/masuk", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c.cookies(req, "")
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "st_session" && ck.Value != "" && res.StatusCode == http.StatusSeeOther {
			return ck.Value, nil
		}
	}
	return "", fmt.Errorf("sign-in as %s: status %d, no session", a.Email, res.StatusCode)
}

// appErrors counts the app's logged errors and shows the first few.
func appErrors(path string, show io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "level=ERROR") {
			if n < 10 && show != nil {
				fmt.Fprintln(show, "bench: app log:", sc.Text())
			}
			n++
		}
	}
	return n
}

// watchMemory stops the load (cancel) when VmRSS exceeds limit GiB.
func watchMemory(ctx context.Context, limitGiB float64, cancel context.CancelCauseFunc) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			rss, _ := memory()
			if kb := kibibytes(rss); kb > limitGiB*(1<<20) {
				cancel(fmt.Errorf("resident memory %s above -max-rss %g GiB", rss, limitGiB))
				return
			}
		}
	}
}

// waitQuiet waits, at most limit, until the app has no request in flight
// and the process has stopped computing: after a client timeout the app
// goes on with the request, and the embedded engine goes on with a query
// whose client gave up, so no request count alone tells. Quiet is less
// than a tenth of a core over half a second (the load client is idle).
func waitQuiet(ctx context.Context, inflight *atomic.Int64, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	last, lastAt := cpuTime(), time.Now()
	for ctx.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if since := time.Since(lastAt); since >= 500*time.Millisecond {
			now := cpuTime()
			busy := now - last
			last, lastAt = now, time.Now()
			if inflight.Load() == 0 && (busy < 0 || busy < since/10) {
				return true
			}
		}
	}
	return false
}

// cpuTime is the CPU time this process has used (user and system), or -1
// where /proc/self/stat cannot tell.
func cpuTime() time.Duration {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return -1
	}
	// The command name may contain spaces: fields count from its ")".
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	// Clock ticks of 1/100 s (USER_HZ on Linux).
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
