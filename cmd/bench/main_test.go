package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"golang.org/x/crypto/bcrypt"
)

// TestLoadToolRunsEndToEnd is the smoke test of `make bench`: a tiny
// history, a fraction of a second per endpoint, a few connections. Every
// endpoint must have been answered as expected at least once and never
// otherwise, the approvals must have raced without over-booking, and the
// report must carry every line. No timing is asserted: figures on a
// shared CI machine say nothing.
func TestLoadToolRunsEndToEnd(t *testing.T) {
	opt, err := parseFlags([]string{"-visits", "50", "-c", "1", "-d", "50ms", "-pending", "4", "-drain", "1m"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	opt.passwordCost = bcrypt.MinCost
	opt.progress = testWriter{t}
	rep, err := run(t.Context(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != len(endpointNames()) {
		t.Fatalf("%d endpoints measured, want %d", len(rep.Results), len(endpointNames()))
	}
	for _, r := range rep.Results {
		if r.Answers == 0 || r.Errors > 0 {
			t.Errorf("%s: %d expected answers, %d errors (%s)", r.Endpoint.Name, r.Answers, r.Errors, r.errorSummary())
		}
	}
	b := rep.Booking
	if b == nil || !b.Ran {
		t.Fatal("the approvals were not checked")
	}
	if !b.OK() {
		t.Errorf("over-booking check failed: %v", b.Violations)
	}
	if b.Approved == 0 || int64(b.StoredApproved) != b.Approved || b.StoredApproved+b.StillPending != b.Pool {
		t.Errorf("approvals: %d answered 303, %d stored, %d pending of %d", b.Approved, b.StoredApproved, b.StillPending, b.Pool)
	}
	if rep.Visits < 50+4 || rep.Startup <= 0 || rep.HWM == "" {
		t.Errorf("report: %d visits, start-up %s, VmHWM %q", rep.Visits, rep.Startup, rep.HWM)
	}

	md := rep.Markdown()
	for _, want := range []string{"| Endpoint | Request | Answers | req/s | p50 | p99 |", "`GET /baseline`", "`POST /ajukan`",
		"`POST /staf/permohonan/:id/setujui`", "`GET /staf/dasbor?periode=tahun_lalu`", "**No over-booking**",
		"go run ./cmd/bench -visits 50 -c 1 -d 50ms", "runtime.NumCPU", "VmHWM"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(md)
	}
}

// TestScannedLetterIsAValidPDFOfAboutOneMegabyte: the submissions must carry
// a letter the app accepts and a PDF reader opens.
func TestScannedLetterIsAValidPDFOfAboutOneMegabyte(t *testing.T) {
	b, err := scannedLetter(1024)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 1<<20 || len(b) > 1<<20+64<<10 {
		t.Errorf("letter is %d bytes, want about 1 MB", len(b))
	}
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if r.NumPage() != 1 {
		t.Errorf("%d pages", r.NumPage())
	}
}

func TestFlags(t *testing.T) {
	if _, err := parseFlags([]string{"-only", "nope"}, &bytes.Buffer{}); err == nil {
		t.Error("-only with an unknown endpoint is accepted")
	}
	o, err := parseFlags(nil, &bytes.Buffer{})
	if err != nil || o.Visits != 5000 || o.Conns != 64 || o.Duration != 5*time.Second || o.Command != "go run ./cmd/bench" {
		t.Errorf("defaults: %+v, %v", o, err)
	}
}

// testWriter shows the tool's progress in the test log (with -v).
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func TestFigures(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{percent(1), "100 %"}, {percent(0.0735), "7.35 %"}, {percent(0.000791), "0.0791 %"}, {percent(0.0000791), "0.00791 %"},
		{dur(41 * time.Microsecond), "41.0 µs"}, {dur(2130 * time.Millisecond), "2.13 s"}, {thousands(1234567), "1,234,567"},
		{mebibytes("87168 kB"), "85.1 MiB (87168 kB)"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
