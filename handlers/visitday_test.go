package handlers_test

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// dayVisit stores a visit of 22 participants with a roster of three, on
// Thursday 5 March 2026 09.00–12.00 WITA: the env's clock is 09.00 WITA
// that day, so the day of an approved one has come.
func dayVisit(t *testing.T, e *env, status models.VisitStatus, start time.Time) *models.Visit {
	t.Helper()
	v := &models.Visit{
		Code: "ST-2026-0" + bson.NewObjectID().Hex()[18:], Status: status,
		InstitutionName: "Pemerintah Kabupaten Konawe", InstitutionType: models.InstRegency,
		Participants: 22, Protocol: "biasa", SessionID: "pagi", Room: "Aula MPP Lantai 2",
		Start: start, End: start.Add(3 * time.Hour), Language: models.LangID,
		Roster: []models.RosterEntry{
			{Name: "Drs. Ketut Suta, M.Si.", Position: "Asisten Pemerintahan", Gender: models.GenderMale},
			{Name: "Ni Made Ayu Lestari, S.E.", Position: "Kepala Bidang Perizinan", Gender: models.GenderFemale},
			{Name: "Andi Rahman", Position: "Analis Kebijakan", Gender: models.GenderMale},
		},
		TrackingHash: models.NewToken(), SubmissionKey: models.NewToken(),
		CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now(),
	}
	if err := e.store.InsertVisit(t.Context(), v); err != nil {
		t.Fatal(err)
	}
	return v
}

var dayStart = time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)

func dayForm(version string) url.Values {
	return url.Values{
		"version": {version}, "arrival": {"09.20"}, "actual": {"24"},
		"attended": {"0", "2"}, "sppd_signed": {"1"}, "sppd_note": {"3 lembar SPPD"},
		"topics": {"MPP digital", "Integrasi OSS"}, "topics_other": {"Tata kelola parkir"},
		"notes": {"Rombongan tiba dengan dua bus."}, "follow_up": {"Meminta bahan paparan MPP digital"},
	}
}

func TestVisitDayIsRecordedAndShown(t *testing.T) {
	e := newEnv(t)
	v := dayVisit(t, e, models.StatusApproved, dayStart)
	coord := e.sessionFor(models.RoleCoordinator)
	page := "/staf/permohonan/" + v.ID.Hex()

	// The request page offers to record the day.
	res := e.do("GET", page, nil, coord)
	if res.status != http.StatusOK || !strings.Contains(res.body, `id="catat-hari-h"`) || !strings.Contains(res.body, "Hari kunjungan belum dicatat.") {
		t.Fatalf("request page: %d, no link to record the day", res.status)
	}
	res = e.do("GET", page+"/hari-h", nil, coord)
	if res.status != http.StatusOK || !strings.Contains(res.body, "Andi Rahman") || !strings.Contains(res.body, `value="MPP digital"`) {
		t.Fatalf("form: %d %.500s", res.status, res.body)
	}
	if got := hiddenValue(t, res.body, "version"); got != "0" {
		t.Errorf("version of a first record: %q", got)
	}

	res = e.post(page+"/hari-h", dayForm("0"), coord)
	if res.status != http.StatusSeeOther || res.location != page+"/hari-h?ok=1" {
		t.Fatalf("save: %d %q %.2000s", res.status, res.location, res.body)
	}
	d, err := e.store.VisitDayFor(t.Context(), v.ID)
	if err != nil || d.Arrival != "09.20" || d.Actual != 24 || len(d.Attended) != 2 || !d.SPPDSigned ||
		d.RecordedBy != e.users[models.RoleCoordinator].Name || !d.ArrivedAt.Equal(dayStart.Add(20*time.Minute)) {
		t.Fatalf("stored %+v (%v)", d, err)
	}

	// Leadership sees the summary on the request page, without the link.
	res = e.do("GET", page, nil, e.sessionFor(models.RoleLeadership))
	for _, want := range []string{"09.20 WITA", "Drs. Ketut Suta, M.Si., Andi Rahman", "Sudah ditandatangani dan dicap — 3 lembar SPPD",
		"MPP digital, Integrasi OSS, Tata kelola parkir", "Meminta bahan paparan MPP digital", "daftar-hadir.pdf"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("request page lacks %q", want)
		}
	}
	if strings.Contains(res.body, `id="catat-hari-h"`) {
		t.Error("leadership is offered to record the day")
	}

	// The form shows the record; a colleague's stale save is refused with
	// the typed values kept and the version moved on.
	res = e.do("GET", page+"/hari-h", nil, coord)
	if got, _ := inputValue(res.body, "arrival"); got != "09.20" || !strings.Contains(res.body, `value="2" checked`) {
		t.Errorf("form after saving: arrival %q", got)
	}
	stale := dayForm("0")
	stale.Set("notes", "Catatan rekan yang terlambat")
	res = e.post(page+"/hari-h", stale, coord)
	if res.status != http.StatusConflict || !strings.Contains(res.body, "Catatan rekan yang terlambat") || hiddenValue(t, res.body, "version") != "1" {
		t.Fatalf("stale save: %d version %q", res.status, hiddenValue(t, res.body, "version"))
	}
	res = e.post(page+"/hari-h", dayForm("1"), coord)
	if res.status != http.StatusSeeOther {
		t.Fatalf("second save: %d", res.status)
	}
	if d, _ := e.store.VisitDayFor(t.Context(), v.ID); d.Version != 2 {
		t.Errorf("version %d after two saves", d.Version)
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditVisitDaySave)
}

func TestVisitDayOnlyOnTheDay(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	for _, tc := range []struct {
		name   string
		status models.VisitStatus
		start  time.Time
		want   int
		says   string
	}{
		{"submitted", models.StatusSubmitted, dayStart, http.StatusConflict, "telah disetujui atau telah selesai"},
		{"approved, next week", models.StatusApproved, dayStart.AddDate(0, 0, 7), http.StatusConflict, "mulai tanggal kunjungan, yaitu Kamis, 12 Maret 2026"},
		{"approved, today", models.StatusApproved, dayStart.Add(5 * time.Hour), http.StatusOK, "Jam kedatangan"},
		{"completed last week", models.StatusCompleted, dayStart.AddDate(0, 0, -7), http.StatusOK, "Jam kedatangan"},
		{"cancelled", models.StatusCancelled, dayStart, http.StatusConflict, "telah disetujui atau telah selesai"},
	} {
		v := dayVisit(t, e, tc.status, tc.start)
		path := "/staf/permohonan/" + v.ID.Hex() + "/hari-h"
		res := e.do("GET", path, nil, coord)
		if res.status != tc.want || !strings.Contains(res.body, tc.says) {
			t.Errorf("%s: GET %d, want %d saying %q", tc.name, res.status, tc.want, tc.says)
		}
		if tc.want == http.StatusOK {
			continue
		}
		if res := e.post(path, dayForm("0"), coord); res.status != http.StatusConflict {
			t.Errorf("%s: POST %d, want 409", tc.name, res.status)
		}
		if _, err := e.store.VisitDayFor(t.Context(), v.ID); err == nil {
			t.Errorf("%s: a record was stored", tc.name)
		}
	}
}

func TestVisitDayInvalidInputIsShownAgain(t *testing.T) {
	e := newEnv(t)
	v := dayVisit(t, e, models.StatusApproved, dayStart)
	coord := e.sessionFor(models.RoleCoordinator)
	form := dayForm("0")
	form.Set("arrival", "jam 9")
	form.Set("actual", "dua puluh")
	form["attended"] = []string{"0", "7"}
	form.Set("notes", "Catatan yang <b>diketik</b>")
	res := e.post("/staf/permohonan/"+v.ID.Hex()+"/hari-h", form, coord)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid save: %d", res.status)
	}
	for _, want := range []string{`value="jam 9"`, `value="dua puluh"`, "Catatan yang &lt;b&gt;diketik&lt;/b&gt;",
		`id="e-arrival"`, "Isi jam dengan format JJ.MM", `id="e-actual"`, `id="e-attended"`, `value="MPP digital" id="f-topic-2" checked`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	if _, err := e.store.VisitDayFor(t.Context(), v.ID); err == nil {
		t.Error("an invalid record was stored")
	}
}

type upload struct {
	name string
	data []byte
}

// uploadPhotos posts files as "photos" of one multipart form.
func uploadPhotos(t *testing.T, e *env, path, session string, files ...upload) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", e.csrf)
	for _, f := range files {
		fw, _ := w.CreateFormFile("photos", f.name)
		_, _ = fw.Write(f.data)
	}
	w.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "st_csrf", Value: e.csrfCk})
	req.AddCookie(&http.Cookie{Name: "st_session", Value: session})
	res, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b)}
}

func pngOf(w, h int) []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)))
	return b.Bytes()
}

// photoResponse fetches a photo with its headers.
func photoResponse(t *testing.T, e *env, path, session string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "st_session", Value: session})
	}
	res, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestVisitPhotosAreCheckedAndServedToReaders(t *testing.T) {
	e := newEnv(t)
	v := dayVisit(t, e, models.StatusApproved, dayStart)
	coord := e.sessionFor(models.RoleCoordinator)
	path := "/staf/permohonan/" + v.ID.Hex() + "/foto"

	// A PDF renamed .jpg is refused by its content; the real photo is kept.
	res := uploadPhotos(t, e, path, coord,
		upload{"penyambutan.png", pngOf(4, 3)},
		upload{"surat.jpg", []byte("%PDF-1.7\n%%EOF\n")})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "<strong>surat.jpg</strong>: Berkas bukan foto JPEG, PNG, atau WebP.") ||
		!strings.Contains(res.body, "1 foto berhasil diunggah") {
		t.Fatalf("mixed upload: %d %.3000s", res.status, res.body)
	}
	if res := uploadPhotos(t, e, path, coord); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Pilih paling sedikit satu foto.") {
		t.Errorf("empty upload: %d", res.status)
	}
	res = uploadPhotos(t, e, path, coord, upload{"foto-bersama.png", pngOf(8, 6)})
	if res.status != http.StatusSeeOther || !strings.HasSuffix(res.location, "/hari-h?ok=foto") {
		t.Fatalf("upload: %d %q", res.status, res.location)
	}
	photos, err := e.store.VisitPhotos(t.Context(), v.ID)
	if err != nil || len(photos) != 2 {
		t.Fatalf("stored %d photos (%v)", len(photos), err)
	}
	photo := "/staf/foto/" + photos[0].ID.Hex()
	// Escorts cannot upload.
	if res := uploadPhotos(t, e, path, e.sessionFor(models.RoleEscort), upload{"x.png", pngOf(1, 1)}); res.status != http.StatusForbidden {
		t.Errorf("escort upload: %d", res.status)
	}

	// The request page shows the thumbnails.
	if res := e.do("GET", "/staf/permohonan/"+v.ID.Hex(), nil, coord); !strings.Contains(res.body, `src="`+photo+`"`) {
		t.Error("request page does not show the photo")
	}

	for role, want := range map[models.Role]int{
		models.RoleAdmin: 200, models.RoleCoordinator: 200, models.RoleLeadership: 200, models.RoleEscort: 403,
	} {
		res := photoResponse(t, e, photo, e.sessionFor(role))
		if res.StatusCode != want {
			t.Errorf("%s: %d, want %d", role, res.StatusCode, want)
			continue
		}
		if want != 200 {
			continue
		}
		b, _ := io.ReadAll(res.Body)
		if ct := res.Header.Get("Content-Type"); ct != "image/png" || !bytes.Equal(b, pngOf(4, 3)) {
			t.Errorf("%s: %s, %d bytes", role, ct, len(b))
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(res.Header.Get("Cache-Control"), "private") {
			t.Errorf("%s: headers %v", role, res.Header)
		}
	}
	if res := photoResponse(t, e, photo, ""); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/masuk?next="+url.QueryEscape(photo) {
		t.Errorf("anonymous: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}

	// Deleting: escorts cannot, coordinators can.
	if res := e.post(photo+"/hapus", nil, e.sessionFor(models.RoleEscort)); res.status != http.StatusForbidden {
		t.Errorf("escort delete: %d", res.status)
	}
	if res := e.post(photo+"/hapus", nil, coord); res.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.status)
	}
	if res := photoResponse(t, e, photo, coord); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleted photo: %d", res.StatusCode)
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditVisitPhotoAdd, models.AuditVisitPhotoDelete)
}

func TestAttendanceSheetPDF(t *testing.T) {
	e := newEnv(t)
	v := dayVisit(t, e, models.StatusApproved, dayStart)
	res := e.do("GET", "/staf/permohonan/"+v.ID.Hex()+"/daftar-hadir.pdf", nil, e.sessionFor(models.RoleLeadership))
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, "%PDF-") {
		t.Fatalf("sheet: %d %.200s", res.status, res.body)
	}
	r, err := pdf.NewReader(strings.NewReader(res.body), int64(len(res.body)))
	if err != nil {
		t.Fatal(err)
	}
	rd, err := r.GetPlainText()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(rd)
	text := strings.Join(strings.Fields(string(raw)), " ")
	for _, want := range []string{"DAFTAR HADIR KUNJUNGAN STUDI TIRU", "Kamis, 5 Maret 2026", "09.00 – 12.00 WITA",
		"Drs. Ketut Suta, M.Si.", "Ni Made Ayu Lestari, S.E.", "Andi Rahman", "22. ....", "Aula MPP Lantai 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	if strings.Contains(text, "23. ") {
		t.Error("more rows than participants")
	}
	sub := dayVisit(t, e, models.StatusSubmitted, dayStart)
	if res := e.do("GET", "/staf/permohonan/"+sub.ID.Hex()+"/daftar-hadir.pdf", nil, e.sessionFor(models.RoleCoordinator)); res.status != http.StatusNotFound {
		t.Errorf("sheet of a submitted request: %d", res.status)
	}
}
