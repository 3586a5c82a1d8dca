package main

// Process tests: the application as separate operating-system processes on
// real data directories — killed with SIGKILL in the middle of a burst of
// writes and restarted (TestCrashMidBurstLosesNothingAnswered), and two
// instances sharing one store (TestTwoInstancesShareOneStore).
//
// The child processes run the real binary, built once per test run with
// `go build` (the first process test builds it; TestMain removes it). It is
// built without -race even when the tests run with it: `make test` has
// just compiled everything plainly for `go vet`, so this is a link of a
// few seconds, and a race-instrumented engine would make these tests
// minutes long.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/crypto/bcrypt"

	"studitiru/models"
	"studitiru/models/smtptest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if appBinary.dir != "" {
		os.RemoveAll(appBinary.dir)
	}
	os.Exit(code)
}

// appBinary is the application built for the process tests.
var appBinary struct {
	once      sync.Once
	dir, path string
	err       error
}

// buildApp builds the application (this package) once per test run.
func buildApp(t *testing.T) string {
	t.Helper()
	appBinary.once.Do(func() {
		started := time.Now()
		if appBinary.dir, appBinary.err = os.MkdirTemp("", "st-bin-"); appBinary.err != nil {
			return
		}
		appBinary.path = filepath.Join(appBinary.dir, "studitiru")
		out, err := exec.Command("go", "build", "-o", appBinary.path, ".").CombinedOutput()
		if err != nil {
			appBinary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
		t.Logf("built the app in %v", time.Since(started).Round(time.Millisecond))
	})
	if appBinary.err != nil {
		t.Fatal(appBinary.err)
	}
	return appBinary.path
}

const (
	procAdminEmail    = "admin@badungkab.go.id"
	procAdminPassword = "kata-sandi-admin-uji-2026"
	procMailFrom      = "MPP Badung <dpmptsp@badungkab.go.id>"
)

// proc is one running application process.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	logs *syncBuffer
	done chan error
}

// startProc starts the application with env (on top of the settings
// every child gets) and waits until it answers.
func startProc(t *testing.T, env map[string]string) *proc {
	t.Helper()
	addr := freeAddr(t)
	bin := buildApp(t)
	vars := map[string]string{
		"LISTEN_ADDR": addr,
		"ADMIN_EMAIL": procAdminEmail, "ADMIN_PASSWORD": procAdminPassword,
		// The test's clients stand for many delegations behind a proxy on
		// this machine: each names itself in X-Forwarded-For, so that the
		// per-address submission limit does not apply to all at once.
		"TRUSTED_PROXIES": "127.0.0.1",
	}
	for k, v := range env {
		vars[k] = v
	}
	// The child reads its whole configuration from the environment:
	// nothing of the test's own environment may leak into it.
	known := map[string]bool{}
	for _, v := range configVars {
		known[v.env] = true
	}
	var environ []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !known[k] {
			environ = append(environ, kv)
		}
	}
	for k, v := range vars {
		environ = append(environ, k+"="+v)
	}
	p := &proc{t: t, base: "http://" + addr, logs: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin)
	p.cmd.Env = environ
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(p.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("the app stopped at start: %v\n%s", err, p.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the app did not start:\n%s", p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (p *proc) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(10 * time.Second):
		p.t.Error("the killed process did not end")
	}
}

// socketURI is the MONGODB_URI of the embedded engine serving dataDir.
func socketURI(dataDir string) string {
	return "mongodb://" + url.PathEscape(filepath.Join(dataDir, "mongodb.sock")) + "/"
}

// openShared opens the store of a running instance, as a second instance
// does, for the test's own reads and setup.
func openShared(t *testing.T, dataDir string) *models.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := models.Open(ctx, socketURI(dataDir), "studitiru")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	st.SetPasswordCost(bcrypt.MinCost) // the test's escorts never sign in
	return st
}

// shortTempDir keeps the engine's socket path under the kernel's limit
// (t.TempDir() paths can be long), so that it listens on a Unix socket a
// second instance can reach.
// skipWithoutProcesses skips tests that start the application as child
// processes on the embedded engine: with MONGODB_TEST_URI, or in -short.
func skipWithoutProcesses(t *testing.T) {
	t.Helper()
	if os.Getenv("MONGODB_TEST_URI") != "" {
		t.Skip("runs the embedded engine in child processes")
	}
	if testing.Short() {
		t.Skip("starts application processes")
	}
}

func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "st-p-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// browser is one HTTP client with its cookies (CSRF and session); it does
// not follow redirects, so that the test sees the 303s.
type browser struct {
	t      *testing.T
	client *http.Client
	csrf   string
	ip     string // X-Forwarded-For: who this client is behind the proxy
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func newBrowser(t *testing.T, base, ip string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, ip: ip, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	status, body, _, err := b.do("GET", base+"/masuk", nil, "")
	if err != nil || status != http.StatusOK {
		t.Fatalf("sign-in page: %d %v", status, err)
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the sign-in page")
	}
	b.csrf = m[1]
	return b
}

// do sends one request; err is a transport error (no answer at all).
func (b *browser) do(method, target string, body io.Reader, ctype string) (status int, text, location string, err error) {
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("X-Forwarded-For", b.ip)
	res, err := b.client.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, "", "", err
	}
	return res.StatusCode, string(raw), res.Header.Get("Location"), nil
}

func (b *browser) get(target string) (int, string, error) {
	status, body, _, err := b.do("GET", target, nil, "")
	return status, body, err
}

func (b *browser) post(target string, form url.Values) (int, string, error) {
	form.Set("_csrf", b.csrf)
	status, _, location, err := b.do("POST", target, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	return status, location, err
}

func (b *browser) signIn(base string) {
	b.t.Helper()
	status, location, err := b.post(base+"/masuk", url.Values{"email": {procAdminEmail}, "password": {procAdminPassword}})
	if err != nil || status != http.StatusSeeOther || strings.HasPrefix(location, "/masuk") {
		b.t.Fatalf("sign-in: %d → %q, %v", status, location, err)
	}
	// Signing in gives a new CSRF cookie: the forms' token changes too.
	status, page, err := b.get(base + "/staf/profil")
	m := csrfField.FindStringSubmatch(page)
	if err != nil || status != http.StatusOK || m == nil {
		b.t.Fatalf("after sign-in: %d %v", status, err)
	}
	b.csrf = m[1]
}

// submit posts the public request form as a browser does: multipart, with
// the letter. It returns the answer's status and Location.
func (b *browser) submit(base string, form url.Values) (int, string, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	form.Set("_csrf", b.csrf)
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile("letter", "surat-permohonan.pdf")
	_, _ = fw.Write(procPDF)
	w.Close()
	status, _, location, err := b.do("POST", base+"/ajukan", &body, w.FormDataContentType())
	return status, location, err
}

// procPDF is a small but complete PDF document: the request letter.
var procPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// slot is a session on a date.
type slot struct{ date, session string }

// freeSlots lists sessions a delegation may request from now on (notice,
// horizon, holidays, weekends as the default settings say), earliest first.
func freeSlots(t *testing.T, st *models.Store, n int) []slot {
	t.Helper()
	ctx := t.Context()
	loc, _ := time.LoadLocation("Asia/Makassar")
	now := time.Now()
	settings, err := st.HostSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := st.HolidayCalendar(ctx, now.AddDate(0, -1, 0), now.AddDate(0, 0, settings.HorizonDays+7))
	if err != nil {
		t.Fatal(err)
	}
	av := models.Availability{Settings: settings, Calendar: cal, Now: now, Location: loc}
	var out []slot
	for d := 1; d <= settings.HorizonDays && len(out) < n; d++ {
		day := now.In(loc).AddDate(0, 0, d)
		for _, s := range settings.SessionsOn(day) {
			if reason, _ := av.Check(day, s.ID, 24); reason == "" && len(out) < n {
				out = append(out, slot{models.DateKey(day), s.ID})
			}
		}
	}
	if len(out) < n {
		t.Fatalf("only %d free sessions", len(out))
	}
	return out
}

// requestForm is a complete request for slot, from institution.
func requestForm(institution string, s slot) url.Values {
	return url.Values{
		"institution_name": {institution}, "institution_type": {"kabupaten"},
		"province": {"33"}, "regency": {"33.16"},
		"leader_name": {"Drs. Bambang Santoso, M.M."}, "leader_position": {"Sekretaris Daerah"},
		"participants": {"24"}, "topics": {"MPP digital"}, "protocol": {"standar"},
		"slot1_date": {s.date}, "slot1_session": {s.session},
		"contact_name": {"Dwi Lestari, S.Sos."}, "contact_position": {"Kepala Bidang Pelayanan"},
		"contact_email": {"dwi.lestari@blorakab.go.id"}, "contact_phone": {"0812-3456-7890"},
		"letter_number": {"000.1.2.3/123/Setda"}, "letter_date": {time.Now().Format("2006-01-02")},
		"roster_text": {"Drs. Bambang Santoso, M.M.; Sekretaris Daerah; L\nDwi Lestari, S.Sos.; Kepala Bidang; P"},
		"form_key":    {models.NewToken()},
	}
}

// approvalForm approves visit v (as read at its version) for s.
func approvalForm(v *models.Visit, s slot, room string, escort bson.ObjectID) url.Values {
	return url.Values{
		"version": {fmt.Sprint(v.Version)}, "date": {s.date}, "session": {s.session},
		"start": {""}, "end": {""}, "room": {room}, "escorts": {escort.Hex()},
		"receiver": {"Kepala DPMPTSP Kabupaten Badung"}, "agenda": {"Penyambutan\r\nPaparan"},
		"reply_number": {"000.1.5/77/DPMPTSP/2026"},
	}
}

func trackingToken(location string) string {
	return strings.TrimSuffix(strings.TrimPrefix(location, "/lacak/"), "?baru=1")
}

func newEscort(t *testing.T, st *models.Store, name string) *models.User {
	t.Helper()
	u, err := st.CreateUser(t.Context(), models.UserInput{
		Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@badungkab.go.id", Name: name,
		Role: string(models.RoleEscort), Password: "kata-sandi-pendamping-1",
	}, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// waitOutboxSent waits until no message of the outbox waits any more and
// returns them all.
func waitOutboxSent(t *testing.T, st *models.Store, limit time.Duration) []models.OutboxMessage {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		all, _, err := st.ListOutbox(t.Context(), models.OutboxFilter{PerPage: 1000})
		if err != nil {
			t.Fatal(err)
		}
		waiting := 0
		for _, m := range all {
			if m.Status == models.OutboxPending || m.Status == models.OutboxSending {
				waiting++
			}
		}
		if waiting == 0 {
			return all
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages still waiting in the outbox", waiting, len(all))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkDeliveredOnce: every message of the outbox was sent and arrived
// exactly once, and nothing else arrived.
func checkDeliveredOnce(t *testing.T, all []models.OutboxMessage, box *smtptest.Server) {
	t.Helper()
	arrived := box.CountByMessageID()
	for _, m := range all {
		if m.Status != models.OutboxSent {
			t.Errorf("message %s (%s) is %s: %s", m.ID.Hex(), m.Kind, m.Status, m.LastError)
		}
		if n := arrived[m.MessageID]; n != 1 {
			t.Errorf("message %s (%s) arrived %d times", m.MessageID, m.Kind, n)
		}
		delete(arrived, m.MessageID)
	}
	for id, n := range arrived {
		t.Errorf("%d unexpected arrivals of %s", n, id)
	}
}

// TestCrashMidBurstLosesNothingAnswered: the app is killed (SIGKILL) while
// delegations submit requests and staff approve them. After a restart on
// the same data: every request that was answered with its tracking link is
// there, intact, with its letter; every approval answered is in force and
// in the session's ledger; a form sent again after the crash (the
// browser's retry) leads to its request; leftovers of the writes cut short
// are reconciled; and the outbox, started this time with an SMTP server,
// delivers everything once.
func TestCrashMidBurstLosesNothingAnswered(t *testing.T) {
	skipWithoutProcesses(t)
	started := time.Now()
	dir := shortTempDir(t)
	first := startProc(t, map[string]string{"DATA_DIR": dir})
	st := openShared(t, dir)
	escort := newEscort(t, st, "Ni Luh Putu Ayu")
	slots := freeSlots(t, st, 40)
	staff := newBrowser(t, first.base, "10.1.0.1")
	staff.signIn(first.base)

	type submission struct {
		form     url.Values
		slot     slot
		status   int // 0: no answer
		location string
	}
	var (
		mu          sync.Mutex
		submissions []*submission
		approved    = map[bson.ObjectID]slot{} // answered 303
		toApprove   = make(chan *submission, 64)
	)
	submit := func(b *browser, i int) *submission {
		s := &submission{form: requestForm(fmt.Sprintf("Pemerintah Kabupaten Uji %02d", i), slots[i]), slot: slots[i]}
		mu.Lock()
		submissions = append(submissions, s)
		mu.Unlock()
		status, location, err := b.submit(first.base, s.form)
		mu.Lock()
		defer mu.Unlock()
		if err == nil {
			s.status, s.location = status, location
		}
		if err == nil && status != http.StatusSeeOther {
			t.Errorf("submission %d: %d", i, status)
		}
		return s
	}
	// A few requests first, so that approvals run from the first moment.
	for i := range 4 {
		toApprove <- submit(newBrowser(t, first.base, fmt.Sprintf("10.2.0.%d", i)), i)
	}

	// The burst: three delegations submitting, one coordinator approving.
	var answered atomic.Int32
	var killed, approving atomic.Bool
	var next = 4
	var submitters, approver sync.WaitGroup
	for w := range 3 {
		submitters.Go(func() {
			b := newBrowser(t, first.base, fmt.Sprintf("10.3.0.%d", w))
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(slots) {
					return
				}
				s := submit(b, i)
				if s.status == 0 {
					return // killed
				}
				answered.Add(1)
				toApprove <- s
			}
		})
	}
	approver.Go(func() {
		for s := range toApprove {
			if killed.Load() {
				continue
			}
			// The store goes with the process: do not wait for it then.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			v, err := st.VisitByTrackingToken(ctx, trackingToken(s.location))
			cancel()
			if err != nil {
				continue
			}
			approving.Store(true)
			status, _, err := staff.post(first.base+"/staf/permohonan/"+v.ID.Hex()+"/setujui", approvalForm(v, s.slot, "aula", escort.ID))
			approving.Store(false)
			if err != nil {
				continue // killed: no answer
			}
			if status != http.StatusSeeOther {
				t.Errorf("approval of %s: %d", v.Code, status)
				continue
			}
			mu.Lock()
			approved[v.ID] = s.slot
			mu.Unlock()
		}
	})
	// Kill once a dozen burst submissions were answered, while an
	// approval is on its way (its writes take a few milliseconds each):
	// submissions are then in flight too.
	for deadline := time.Now().Add(20 * time.Second); (answered.Load() < 12 || !approving.Load()) && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	killed.Store(true)
	first.kill()
	killedAt := time.Now()
	submitters.Wait()
	close(toApprove)
	approver.Wait()
	closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	_ = st.Close(closeCtx)
	cancel()

	mu.Lock()
	var ok, lost []*submission
	for _, s := range submissions {
		if s.status == http.StatusSeeOther {
			ok = append(ok, s)
		} else if s.status == 0 {
			lost = append(lost, s)
		}
	}
	t.Logf("killed after %d answered submissions, %d approvals; %d submissions without answer",
		len(ok), len(approved), len(lost))
	mu.Unlock()

	// The restart, with mail configured this time.
	box := smtptest.Start(t, smtptest.Options{})
	second := startProc(t, map[string]string{"DATA_DIR": dir,
		"SMTP_URL": box.URL(true).String(), "MAIL_FROM": procMailFrom, "WORKER_INTERVAL": "1s"})
	t.Logf("restarted %v after the kill", time.Since(killedAt).Round(time.Millisecond))
	st = openShared(t, dir)
	ctx := t.Context()

	// The browser sends a form that got no answer again.
	t.Logf("sending %d forms again", len(lost))
	retry := newBrowser(t, second.base, "10.4.0.1")
	for _, s := range lost {
		status, location, err := retry.submit(second.base, s.form)
		if err != nil || status != http.StatusSeeOther {
			t.Errorf("resubmitted %s: %d %v", s.form.Get("institution_name"), status, err)
			continue
		}
		s.status, s.location = status, location
		ok = append(ok, s)
	}

	reader := newBrowser(t, second.base, "10.4.0.2")
	for _, s := range ok {
		name := s.form.Get("institution_name")
		token := trackingToken(s.location)
		status, page, err := reader.get(second.base + "/lacak/" + token)
		if err != nil || status != http.StatusOK || !strings.Contains(page, name) {
			t.Errorf("%s: tracking page %d after the restart", name, status)
			continue
		}
		v, err := st.VisitByTrackingToken(ctx, token)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if v.InstitutionName != name || v.Leader.Name != s.form.Get("leader_name") || v.Participants != 24 ||
			v.Contact.Email != "dwi.lestari@blorakab.go.id" || len(v.Roster) != 2 || v.Letter.Number != s.form.Get("letter_number") ||
			len(v.Requested) == 0 || v.Requested[0].Date != s.slot.date || v.Requested[0].SessionID != s.slot.session {
			t.Errorf("%s: stored differently: %+v", name, v)
		}
		if status, letter, err := reader.get(second.base + "/lacak/" + token + "/surat"); err != nil || status != http.StatusOK || letter != string(procPDF) {
			t.Errorf("%s: letter %d, %d bytes", name, status, len(letter))
		}
		mails, err := st.OutboxFor(ctx, v.ID)
		if err != nil || len(mails) == 0 {
			t.Errorf("%s: no acknowledgement queued (%v)", name, err)
		}
		if sl, ok := approved[v.ID]; ok {
			if v.Status != models.StatusApproved || models.DateKey(v.Start.In(mustLoc(t))) != sl.date ||
				v.SessionID != sl.session || v.RoomID != "aula" {
				t.Errorf("%s: approval answered but the visit is %s %s", name, v.Status, v.SessionID)
			}
		}
	}

	// Ledgers: every approved visit holds its session, room and escort.
	// What a write cut short left behind is removed once it is older than
	// the grace given to writers in flight (two minutes, so that another
	// instance's write is never taken for a crash): the same function runs
	// at start and every minute; here it is called as it will be then.
	checkLedgers(t, st, time.Now(), false)
	n, err := st.ReconcileReservations(ctx, mustLoc(t), time.Now().Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SweepClaims(ctx, time.Now().Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	t.Logf("reconciled %d leftovers of the cut writes", n)
	checkLedgers(t, st, time.Now().Add(3*time.Minute), true)

	all := waitOutboxSent(t, st, 20*time.Second)
	checkDeliveredOnce(t, all, box)
	t.Logf("%d messages delivered after the restart; whole test %v", len(all), time.Since(started).Round(time.Millisecond))
}

// checkLedgers compares the sessions' ledgers and the room and escort
// reservations with the approved visits: every approved visit holds its
// own. With exact, nothing else may be held; it is used after the
// reconciliation, so the leftovers of cut writes are allowed before it.
func checkLedgers(t *testing.T, st *models.Store, now time.Time, exact bool) {
	t.Helper()
	ctx := t.Context()
	loc := mustLoc(t)
	visits, err := st.RecentVisits(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{} // "visit date/session"
	keys := map[string]bson.ObjectID{}
	for _, v := range visits {
		if v.Status != models.StatusApproved {
			continue
		}
		date := models.DateKey(v.Start.In(loc))
		want[v.ID.Hex()+" "+date+"/"+v.SessionID] = true
		keys["room:"+v.RoomID+":"+date+"/"+v.SessionID] = v.ID
		for _, e := range v.EscortIDs {
			keys["escort:"+e.Hex()+":"+date+"/"+v.SessionID] = v.ID
		}
	}
	bookings, err := st.Bookings(ctx, time.Now().AddDate(0, 0, -1), time.Now().AddDate(1, 0, 0), now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, b := range bookings {
		got[b.VisitID.Hex()+" "+b.Date+"/"+b.SessionID] = true
	}
	held, err := st.ReservationKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if !got[k] {
			t.Errorf("approved visit missing from its ledger: %s", k)
		}
	}
	for k, id := range keys {
		if held[k] != id {
			t.Errorf("reservation %s: held by %v, want %s", k, held[k], id.Hex())
		}
	}
	if exact {
		for k := range got {
			if !want[k] {
				t.Errorf("ledger entry of no approved visit: %s", k)
			}
		}
		for k := range held {
			if _, ok := keys[k]; !ok {
				t.Errorf("reservation of no approved visit: %s", k)
			}
		}
	}
}

func mustLoc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestTwoInstancesShareOneStore: a second instance uses the first one's
// embedded engine (MONGODB_URI on its socket), as several instances share
// a MongoDB. A session made on one works on the other; approvals of eight
// requests for one session, sent at once through both, book it once (its
// capacity is one delegation) although they alternate between two rooms
// and two escorts, so only the session's ledger can refuse them; both
// instances run the reminder job every second, yet each reminder is
// queued once; and every email arrives exactly once.
func TestTwoInstancesShareOneStore(t *testing.T) {
	skipWithoutProcesses(t)
	started := time.Now()
	dir := shortTempDir(t)
	box := smtptest.Start(t, smtptest.Options{})
	withMail := func(env map[string]string) map[string]string {
		env["SMTP_URL"], env["MAIL_FROM"], env["WORKER_INTERVAL"] = box.URL(true).String(), procMailFrom, "1s"
		return env
	}
	a := startProc(t, withMail(map[string]string{"DATA_DIR": dir}))
	b := startProc(t, withMail(map[string]string{"DATA_DIR": filepath.Join(dir, "b"), "MONGODB_URI": socketURI(dir)}))
	both := []*proc{a, b}
	st := openShared(t, dir)
	ctx := t.Context()
	loc := mustLoc(t)
	wirawan, sari := newEscort(t, st, "I Made Wirawan"), newEscort(t, st, "Ni Kadek Sari")
	target := freeSlots(t, st, 1)[0]

	var visits []*models.Visit
	for i := range 8 {
		p := both[i%2]
		status, location, err := newBrowser(t, p.base, fmt.Sprintf("10.5.0.%d", i)).
			submit(p.base, requestForm(fmt.Sprintf("Pemerintah Kota Uji %d", i), target))
		if err != nil || status != http.StatusSeeOther {
			t.Fatalf("request %d: %d %v", i, status, err)
		}
		v, err := st.VisitByTrackingToken(ctx, trackingToken(location))
		if err != nil {
			t.Fatal(err)
		}
		visits = append(visits, v)
	}

	// Signed in on A, the same browser is signed in on B, and the form
	// token made on A is valid there (the CSRF key is in the store).
	staff := newBrowser(t, a.base, "10.6.0.1")
	staff.signIn(a.base)
	if status, page, err := staff.get(b.base + "/staf/permohonan"); err != nil || status != http.StatusOK || !strings.Contains(page, "Pemerintah Kota Uji 5") {
		t.Fatalf("A's session on B: %d %v", status, err)
	}

	go8 := make(chan struct{})
	results := make([]int, len(visits))
	var wg sync.WaitGroup
	for i, v := range visits {
		wg.Go(func() {
			room, escort := "aula", wirawan.ID
			if i%2 == 1 {
				room, escort = "rapat", sari.ID
			}
			p := both[(i/2)%2]
			<-go8
			status, _, err := staff.post(p.base+"/staf/permohonan/"+v.ID.Hex()+"/setujui", approvalForm(v, target, room, escort))
			if err != nil {
				t.Errorf("approval %d: %v", i, err)
			}
			results[i] = status
		})
	}
	close(go8)
	wg.Wait()
	won := 0
	for i, status := range results {
		switch status {
		case http.StatusSeeOther:
			won++
		case http.StatusConflict, http.StatusUnprocessableEntity: // full, taken, or changed meanwhile
		default:
			t.Errorf("approval %d: %d", i, status)
		}
	}
	approved := 0
	for _, v := range visits {
		fresh, err := st.VisitByID(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fresh.Status == models.StatusApproved {
			approved++
		}
	}
	if won != 1 || approved != 1 {
		t.Errorf("%d approvals answered, %d visits approved in the one-delegation session %v: want 1 and 1 (%v)", won, approved, target, results)
	}
	bookings, err := st.Bookings(ctx, time.Now().AddDate(0, 0, -1), time.Now().AddDate(1, 0, 0), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(bookings); n != 1 || bookings[0].Date != target.date || bookings[0].SessionID != target.session {
		t.Errorf("ledger: %+v, want one booking of %v", bookings, target)
	}
	checkLedgers(t, st, time.Now(), true)

	// A visit tomorrow: both instances' jobs find it due for reminders.
	start := time.Now().In(loc).AddDate(0, 0, 1)
	start = time.Date(start.Year(), start.Month(), start.Day(), 9, 0, 0, 0, loc)
	tomorrow := models.Visit{Status: models.StatusApproved, InstitutionName: "Pemerintah Kabupaten Muna Barat",
		Contact: models.Person{Name: "La Ode Hasan", Email: "hasan@munabaratkab.go.id"}, Participants: 2,
		Roster:    []models.RosterEntry{{Name: "La Ode Hasan", Position: "Asisten I", Gender: "L"}, {Name: "Wa Ode Sri", Position: "Staf", Gender: "P"}},
		SessionID: "pagi", Start: start.UTC(), End: start.Add(3 * time.Hour).UTC(), RoomID: "rapat", Room: "Ruang Rapat DPMPTSP",
		EscortIDs: []bson.ObjectID{wirawan.ID}, Escorts: []string{wirawan.Name}, Language: "id",
		SubmissionKey: models.NewToken(), TrackingHash: models.NewToken(), CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	if err := st.InsertVisitsBulk(ctx, []models.Visit{tomorrow}, time.Now(), loc); err != nil {
		t.Fatal(err)
	}
	visitID := func() bson.ObjectID {
		v, err := st.VisitBySubmissionKey(ctx, tomorrow.SubmissionKey)
		if err != nil {
			t.Fatal(err)
		}
		return v.ID
	}()
	kinds := func() map[string]int {
		mails, err := st.OutboxFor(ctx, visitID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, m := range mails {
			out[m.Kind]++
		}
		return out
	}
	deadline := time.Now().Add(15 * time.Second)
	for kinds()["reminder_day_escort"] == 0 || kinds()["reminder_day_delegation"] == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no reminders queued: %v\nA:\n%s\nB:\n%s", kinds(), a.logs, b.logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // three more runs of each instance's job
	if got := kinds(); got["reminder_day_escort"] != 1 || got["reminder_day_delegation"] != 1 || len(got) != 2 {
		t.Errorf("reminders queued for tomorrow's visit: %v, want each once", got)
	}

	all := waitOutboxSent(t, st, 20*time.Second)
	checkDeliveredOnce(t, all, box)
	var kindsSent []string
	reminders := map[string]int{}
	for _, m := range all {
		kindsSent = append(kindsSent, m.Kind)
		if strings.HasPrefix(m.Kind, "reminder_") {
			reminders[m.VisitID.Hex()+" "+m.Kind+" "+strings.Join(m.To, ",")]++
		}
	}
	for k, n := range reminders {
		if n != 1 {
			t.Errorf("reminder %s queued %d times", k, n)
		}
	}
	t.Logf("%d messages, each delivered once: %v; whole test %v", len(all), kindsSent, time.Since(started).Round(time.Millisecond))
}
