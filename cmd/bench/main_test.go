package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/crypto/bcrypt"

	"studitiru/models"
	"studitiru/models/storetest"
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
	if !b.OK() || b.Leftovers > 0 {
		t.Errorf("over-booking check failed: %v; %d leftover reservations", b.Violations, b.Leftovers)
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

// TestBookingCheckFindsOverBooking: the check must see a session given to
// two delegations and approvals that bypassed the ledger, or its "no
// over-booking" would mean nothing. Two approved visits are written into
// one session directly, past every guard.
func TestBookingCheckFindsOverBooking(t *testing.T) {
	srv, err := storetest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	st := srv.Open(t)
	loc, _ := time.LoadLocation("Asia/Makassar")
	now := time.Now()
	day := now.In(loc).AddDate(0, 0, 7)
	slot := models.RequestedSlot{Date: models.DateKey(day), SessionID: "pagi"}
	s := &seeded{Settings: models.DefaultHostSettings(), From: now.In(loc), To: now.In(loc).AddDate(1, 0, 0)}
	var visits []models.Visit
	for i, room := range []string{"aula", "rapat"} {
		v := models.Visit{ID: bson.NewObjectID(), Status: models.StatusApproved, Participants: 24, RoomID: room,
			SessionID: "pagi", Start: time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, loc).UTC(),
			CreatedAt: now.UTC(), SubmissionKey: models.NewToken(), TrackingHash: models.NewToken(),
			InstitutionName: fmt.Sprintf("Rombongan %d", i)}
		v.End = v.Start.Add(3 * time.Hour)
		visits = append(visits, v)
		s.Pool = append(s.Pool, poolVisit{ID: v.ID, Slot: slot, Room: room})
	}
	if err := st.InsertVisitsBulk(t.Context(), visits, now, loc); err != nil {
		t.Fatal(err)
	}
	b, err := checkBookings(t.Context(), st, s, &result{Outcomes: map[string]int64{"approved": 2}}, now, loc)
	if err != nil {
		t.Fatal(err)
	}
	report := strings.Join(b.Violations, "\n")
	for _, want := range []string{"session " + slot.Date + "/pagi: 2 approved visits", "has no ledger entry", "is not held by its approved visit"} {
		if !strings.Contains(report, want) {
			t.Errorf("check does not report %q:\n%s", want, report)
		}
	}
	if b.OK() || b.StoredApproved != 2 {
		t.Errorf("check passed over-booking: %+v", b)
	}
}
