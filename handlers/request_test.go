package handlers_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"studitiru/models"
)

// testPDF is a small but complete PDF document.
func testPDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
}

// validRequest is a complete request from Pemkab Blora. "Now" in the test
// env is Thursday 5 March 2026, 09.00 WITA; 12 March is 5 working days on.
func validRequest() url.Values {
	return url.Values{
		"institution_name": {"Pemerintah Kabupaten Blora"}, "institution_type": {"kabupaten"},
		"province": {"33"}, "regency": {"33.16"},
		"leader_name": {"Drs. Bambang Santoso, M.M."}, "leader_position": {"Sekretaris Daerah Kabupaten Blora"},
		"participants": {"24"}, "topics": {"MPP digital", "Integrasi OSS"}, "protocol": {"standar"},
		"slot1_date": {"2026-03-12"}, "slot1_session": {"pagi"},
		"slot2_date": {"2026-03-13"}, "slot2_session": {"pagi"},
		"contact_name": {"Dwi Lestari, S.Sos."}, "contact_position": {"Kepala Bidang Pelayanan"},
		"contact_email": {"dwi.lestari@bloraKab.go.id"}, "contact_phone": {"0812-3456-7890"},
		"letter_number": {"000.1.2.3/123/Setda"}, "letter_date": {"2026-03-02"},
		"roster_text": {"Drs. Bambang Santoso, M.M.; Sekretaris Daerah; L\nDwi Lestari, S.Sos.; Kepala Bidang; P; kursi roda"},
		"form_key":    {models.NewToken()},
	}
}

// submit posts the request form as a browser does (multipart, with files).
func (e *env) submit(form url.Values, files map[string][]byte) response {
	e.t.Helper()
	return e.submitTo("/ajukan", form, files)
}

// submitTo posts a multipart form to path.
func (e *env) submitTo(path string, form url.Values, files map[string][]byte) response {
	e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	form.Set("_csrf", e.csrf)
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for name, content := range files {
		fw, _ := w.CreateFormFile(name, name+".bin")
		_, _ = fw.Write(content)
	}
	w.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "st_csrf", Value: e.csrfCk})
	res, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b)}
}

func TestRequestIsSubmittedAndTracked(t *testing.T) {
	e := newEnv(t)
	res := e.submit(validRequest(), map[string][]byte{"letter": testPDF()})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/lacak/") {
		t.Fatalf("submit: %d %q\n%.3000s", res.status, res.location, res.body)
	}
	page := e.do("GET", res.location, nil, "")
	for _, want := range []string{"ST-2026-0001", "Permohonan diterima", "Diajukan", "Pemerintah Kabupaten Blora",
		"Kabupaten Blora, Jawa Tengah", "62 812-3456-7890", "Kamis, 12 Maret 2026", "kursi roda", "http://localhost:3000/lacak/"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("tracking page lacks %q", want)
		}
	}
	letter := e.do("GET", strings.TrimSuffix(res.location, "?baru=1")+"/surat", nil, "")
	if letter.status != 200 || letter.body != string(testPDF()) {
		t.Errorf("letter download: %d, %d bytes", letter.status, len(letter.body))
	}
	// Served as a PDF under a name made of the visit code, never the uploaded name.
	if ct, cd := letter.header.Get("Content-Type"), letter.header.Get("Content-Disposition"); ct != "application/pdf" || cd != `inline; filename="ST-2026-0001.pdf"` {
		t.Errorf("letter headers: %q, %q", ct, cd)
	}
	visits, _ := e.store.RecentVisits(t.Context(), 10)
	if len(visits) != 1 || visits[0].Status != models.StatusSubmitted {
		t.Fatalf("listed: %+v", visits)
	}
	if stored, err := e.store.VisitByID(t.Context(), visits[0].ID); err != nil || len(stored.Roster) != 2 {
		t.Fatalf("stored: %+v %v", stored, err)
	}
	mails, _ := e.store.OutboxFor(t.Context(), visits[0].ID)
	if len(mails) != 1 || mails[0].To[0] != "dwi.lestari@blorakab.go.id" || !strings.Contains(mails[0].Subject, "ST-2026-0001") ||
		!strings.Contains(mails[0].Text, "/lacak/") {
		t.Errorf("acknowledgement: %+v", mails)
	}
}

func TestInvalidRequestsAreExplainedAndNothingIsStored(t *testing.T) {
	e := newEnv(t)
	big := append(testPDF(), bytes.Repeat([]byte{' '}, models.MaxLetterBytes)...)
	tests := []struct {
		name   string
		change func(url.Values)
		letter []byte
		field  string
		msg    string
	}{
		{"missing institution", func(f url.Values) { f.Del("institution_name") }, testPDF(), "institution_name", "Wajib diisi."},
		{"letter is not a PDF", nil, []byte("PK\x03\x04 not a pdf"), "letter", "bukan PDF"},
		{"letter too large", nil, big, "letter", "maksimal 5 MB"},
		{"no letter", nil, nil, "letter", "Unggah surat permohonan"},
		{"too many participants", func(f url.Values) { f.Set("participants", "61") }, testPDF(), "participants", "melebihi batas"},
		{"date in the past", func(f url.Values) { f.Set("slot1_date", "2026-03-02") }, testPDF(), "slot1", "sudah lewat"},
		{"inside the minimum notice", func(f url.Values) { f.Set("slot1_date", "2026-03-06") }, testPDF(), "slot1", "Kurang dari 3 hari kerja"},
		{"Nyepi", func(f url.Values) { f.Set("slot1_date", "2026-03-19") }, testPDF(), "slot1", "Nyepi"},
		{"malformed email", func(f url.Values) { f.Set("contact_email", "dwi@") }, testPDF(), "contact_email", "Alamat email tidak valid"},
		{"malformed phone", func(f url.Values) { f.Set("contact_phone", "12345") }, testPDF(), "contact_phone", "Nomor WhatsApp tidak valid"},
		{"regency of another province", func(f url.Values) { f.Set("regency", "51.03") }, testPDF(), "regency", "tidak berada di provinsi"},
		{"roster with a bad row", func(f url.Values) { f.Set("roster_text", "Budi; Staf; X") }, testPDF(), "roster", "roster"},
	}
	for _, tc := range tests {
		form := validRequest()
		if tc.change != nil {
			tc.change(form)
		}
		files := map[string][]byte{}
		if tc.letter != nil {
			files["letter"] = tc.letter
		}
		res := e.submit(form, files)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", tc.name, res.status)
			continue
		}
		if tc.field == "roster" {
			if !strings.Contains(res.body, `id="e-roster"`) {
				t.Errorf("%s: no roster error shown", tc.name)
			}
		} else if !strings.Contains(res.body, `id="e-`+tc.field+`">`) || !strings.Contains(res.body, tc.msg) {
			t.Errorf("%s: no message %q for %s", tc.name, tc.msg, tc.field)
		}
		// What was typed is still there.
		if tc.name != "missing institution" {
			if v, _ := inputValue(res.body, "institution_name"); v != "Pemerintah Kabupaten Blora" {
				t.Errorf("%s: institution name lost: %q", tc.name, v)
			}
		}
		if v, _ := inputValue(res.body, "letter_number"); v != "000.1.2.3/123/Setda" {
			t.Errorf("%s: letter number lost: %q", tc.name, v)
		}
		if !strings.Contains(res.body, "Dwi Lestari, S.Sos.; Kepala Bidang; P; kursi roda") && tc.field != "roster" {
			t.Errorf("%s: typed roster lost", tc.name)
		}
	}
	if n, _ := e.store.CountVisits(t.Context()); n != 0 {
		t.Errorf("%d requests stored from invalid forms", n)
	}
}

func TestDoubleSubmitMakesOneRequestAndConcurrentOnesGetDistinctCodes(t *testing.T) {
	e := newEnv(t)
	form := validRequest()
	first := e.submit(form, map[string][]byte{"letter": testPDF()})
	second := e.submit(form, map[string][]byte{"letter": testPDF()})
	if first.location == "" || first.location != second.location {
		t.Fatalf("double submit: %q then %q", first.location, second.location)
	}
	if n, _ := e.store.CountVisits(t.Context()); n != 1 {
		t.Fatalf("double submit stored %d requests", n)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	locations := map[string]bool{}
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := validRequest()
			f.Set("institution_name", fmt.Sprintf("Pemerintah Kabupaten Uji %d", i))
			res := e.submit(f, map[string][]byte{"letter": testPDF()})
			mu.Lock()
			defer mu.Unlock()
			if res.status != http.StatusSeeOther {
				t.Errorf("concurrent submit %d: %d", i, res.status)
			}
			locations[res.location] = true
		}()
	}
	wg.Wait()
	visits, _ := e.store.RecentVisits(t.Context(), 50)
	codes := map[string]bool{}
	for _, v := range visits {
		codes[v.Code] = true
	}
	if len(visits) != 21 || len(codes) != 21 || len(locations) != 20 {
		t.Errorf("%d requests, %d distinct codes, %d links; want 21, 21, 20", len(visits), len(codes), len(locations))
	}
}

func TestTrackingLinkIsPrivate(t *testing.T) {
	e := newEnv(t)
	a := e.submit(validRequest(), map[string][]byte{"letter": testPDF()})
	other := validRequest()
	other.Set("institution_name", "Pemerintah Kabupaten Soppeng")
	other.Set("province", "73")
	other.Set("regency", "73.12")
	b := e.submit(other, map[string][]byte{"letter": testPDF()})
	tokenA := strings.TrimSuffix(strings.TrimPrefix(a.location, "/lacak/"), "?baru=1")

	for _, bad := range []string{tokenA[:len(tokenA)-1], tokenA[:10], "x" + tokenA[1:], strings.Repeat("A", len(tokenA))} {
		res := e.do("GET", "/lacak/"+bad, nil, "")
		if res.status != http.StatusNotFound || strings.Contains(res.body, "ST-2026") {
			t.Errorf("token %q: %d", bad, res.status)
		}
		if res := e.do("GET", "/lacak/"+bad+"/surat", nil, ""); res.status != http.StatusNotFound {
			t.Errorf("letter with token %q: %d", bad, res.status)
		}
	}
	pageA := e.do("GET", "/lacak/"+tokenA, nil, "")
	if !strings.Contains(pageA.body, "Pemerintah Kabupaten Blora") || strings.Contains(pageA.body, "Soppeng") {
		t.Error("request A's page shows the wrong request")
	}
	pageB := e.do("GET", strings.TrimSuffix(b.location, "?baru=1"), nil, "")
	if !strings.Contains(pageB.body, "Pemerintah Kabupaten Soppeng") || strings.Contains(pageB.body, "Pemerintah Kabupaten Blora") {
		t.Error("request B's page shows the wrong request")
	}
}

func TestHoneypotStoresNothing(t *testing.T) {
	e := newEnv(t)
	form := validRequest()
	form.Set("website", "http://spam.example")
	if res := e.submit(form, map[string][]byte{"letter": testPDF()}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("honeypot: %d", res.status)
	}
	if n, _ := e.store.CountVisits(t.Context()); n != 0 {
		t.Errorf("%d requests stored", n)
	}
}

// TestOversizedBodyIsRefused: the HTTP server refuses a request body over
// Fiber's BodyLimit (8 MB, handlers/routes.go) with 413 before reading it,
// over a real connection, and nothing is stored; a body under the limit is
// read (its 6 MB letter is then refused by the form).
func TestOversizedBodyIsRefused(t *testing.T) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	defer func() { _ = e.app.Shutdown() }()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	// The headers announce 9 MB; the server answers before the body comes.
	fmt.Fprintf(conn, "POST /ajukan HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\n"+
		"Cookie: st_csrf=%s\r\nContent-Length: %d\r\n\r\n", e.csrfCk, 9<<20)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a body of 9 MB: %d, want 413", res.StatusCode)
	}
	if n, _ := e.store.CountVisits(t.Context()); n != 0 {
		t.Errorf("%d requests stored", n)
	}
	letter := append(testPDF(), bytes.Repeat([]byte{' '}, 6<<20)...)
	if res := e.submit(validRequest(), map[string][]byte{"letter": letter}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("a body of 6 MB: %d, want 422", res.status)
	}
}

// TestSubmissionsAreThrottledPerAddress: one client address may post the
// request form 30 times an hour (models.SubmissionThrottle); the 30th post
// is refused with 429 even when valid, and stores nothing; once the hour
// has passed the address may post again.
func TestSubmissionsAreThrottledPerAddress(t *testing.T) {
	e := newEnv(t)
	p := models.SubmissionThrottle()
	for i := 1; i < p.Max; i++ {
		if res := e.submit(url.Values{}, nil); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("post %d of an empty form: %d, want 422", i, res.status)
		}
	}
	if res := e.submit(validRequest(), map[string][]byte{"letter": testPDF()}); res.status != http.StatusTooManyRequests {
		t.Errorf("post %d: %d, want 429", p.Max, res.status)
	}
	if n, _ := e.store.CountVisits(t.Context()); n != 0 {
		t.Errorf("%d requests stored", n)
	}
	e.clock.Advance(max(p.Lock, p.Window) + time.Minute)
	if res := e.submit(validRequest(), map[string][]byte{"letter": testPDF()}); res.status != http.StatusSeeOther {
		t.Errorf("an hour later: %d, want 303", res.status)
	}
}

func TestScheduleShowsClosedDaysWithReasons(t *testing.T) {
	e := newEnv(t)
	page := e.do("GET", "/jadwal?bulan=2026-03", nil, "")
	for _, want := range []string{"Maret 2026", "Nyepi", "Idul Fitri", `href="/ajukan?tanggal=2026-03-12&amp;sesi=pagi"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("schedule lacks %q", want)
		}
	}
	js := e.do("GET", "/api/ketersediaan?bulan=2026-03", nil, "")
	if js.status != 200 || !strings.Contains(js.body, `"date":"2026-03-19","state":"closed"`) {
		t.Errorf("JSON: %d %.300s", js.status, js.body)
	}
}
