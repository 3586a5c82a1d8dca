package handlers_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// visitWithLink stores a visit with the given code and status, scheduled
// for Thursday 5 March 2026 09.00–12.00 WITA, and returns it with its
// tracking token.
func visitWithLink(t *testing.T, e *env, code string, status models.VisitStatus) (*models.Visit, string) {
	t.Helper()
	token := models.NewToken()
	sum := sha256.Sum256([]byte(token)) // as the store hashes tracking tokens
	now := e.clock.Now()
	v := &models.Visit{
		Code: code, Status: status,
		InstitutionName: "Pemerintah Kabupaten Muna Barat (Laworo)", InstitutionType: models.InstRegency,
		Leader:       models.Person{Name: "Dr. Ir. Nyoman Suarta, M.Si.", Position: "Sekretaris Daerah Kabupaten Muna Barat"},
		Contact:      models.Person{Name: "Wa Ode Sitti", Position: "Analis Kebijakan", Email: "wa.ode@munabaratkab.go.id"},
		Participants: 24, Topics: []string{"mpp"}, Protocol: "biasa",
		Room: "Ruang Rapat Lantai 2", Receiver: "Kepala DPMPTSP Kabupaten Badung",
		ReplyNumber: "500.16/0421/DPMPTSP", Agenda: []string{"Paparan", "Peninjauan loket"},
		SessionID: "pagi",
		Start:     time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC),
		End:       time.Date(2026, 3, 5, 4, 0, 0, 0, time.UTC),
		Letter:    models.Letter{Number: "000.1.2.3/77/Setda", Date: "2026-02-16", FileID: bson.NewObjectID(), FileName: "surat.pdf"},
		Language:  models.LangID, TrackingHash: hex.EncodeToString(sum[:]), SubmissionKey: models.NewToken(),
		History: []models.Event{
			{At: now.Add(-72 * time.Hour), Actor: "Wa Ode Sitti", Action: string(models.StatusSubmitted)},
			{At: time.Date(2026, 2, 23, 2, 0, 0, 0, time.UTC), Actor: "Petugas", Action: string(models.StatusApproved)},
		},
		CreatedAt: now.Add(-72 * time.Hour), UpdatedAt: now,
	}
	if err := e.store.InsertVisit(t.Context(), v); err != nil {
		t.Fatal(err)
	}
	return v, token
}

// letterText checks the response is the PDF reply letter and returns its text.
func letterText(t *testing.T, res response) string {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("reply letter: %d %.300s", res.status, res.body)
	}
	b := []byte(res.body)
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.40q", b)
	}
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	rd, err := r.GetPlainText()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(rd)
	return strings.Join(strings.Fields(string(raw)), " ")
}

func TestStaffDownloadsTheReplyLetter(t *testing.T) {
	e := newEnv(t)
	v, _ := visitWithLink(t, e, "ST-2026-0001", models.StatusApproved)
	path := "/staf/kunjungan/" + v.ID.Hex() + "/surat-balasan.pdf"

	req, _ := http.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: "st_session", Value: e.sessionFor(models.RoleCoordinator)})
	raw, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	for h, want := range map[string]string{
		"Content-Type":        "application/pdf",
		"Content-Disposition": `inline; filename="surat-balasan-ST-2026-0001.pdf"`,
		"Cache-Control":       "private, no-store",
	} {
		if got := raw.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	raw.Body.Close()

	text := letterText(t, e.do("GET", path, nil, e.sessionFor(models.RoleCoordinator)))
	for _, want := range []string{"500.16/0421/DPMPTSP", "Pemerintah Kabupaten Muna Barat (Laworo)",
		"Kamis, 5 Maret 2026", "09.00 – 12.00 WITA", "000.1.2.3/77/Setda", "Ruang Rapat Lantai 2",
		"Mangupraja Mandala, 23 Februari 2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("staff letter lacks %q\n%s", want, text)
		}
	}

	if res := e.do("GET", path, nil, e.sessionFor(models.RoleLeadership)); res.status != http.StatusOK {
		t.Errorf("leadership: %d, want 200", res.status)
	}
	if res := e.do("GET", path, nil, e.sessionFor(models.RoleEscort)); res.status != http.StatusForbidden {
		t.Errorf("escort: %d, want 403", res.status)
	}
	coordinator := e.sessionFor(models.RoleCoordinator)
	for _, bad := range []string{"/staf/kunjungan/bukan-id/surat-balasan.pdf",
		"/staf/kunjungan/" + bson.NewObjectID().Hex() + "/surat-balasan.pdf"} {
		if res := e.do("GET", bad, nil, coordinator); res.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, res.status)
		}
	}
	pending, _ := visitWithLink(t, e, "ST-2026-0002", models.StatusSubmitted)
	if res := e.do("GET", "/staf/kunjungan/"+pending.ID.Hex()+"/surat-balasan.pdf", nil, coordinator); res.status != http.StatusNotFound {
		t.Errorf("letter of a pending request: %d, want 404", res.status)
	}
}

func TestDelegationDownloadsTheReplyLetter(t *testing.T) {
	e := newEnv(t)
	_, token := visitWithLink(t, e, "ST-2026-0001", models.StatusApproved)
	page := e.do("GET", "/lacak/"+token, nil, "")
	if page.status != http.StatusOK || !strings.Contains(page.body, `href="/lacak/`+token+`/surat-balasan.pdf"`) ||
		!strings.Contains(page.body, "Unduh surat balasan (PDF)") {
		t.Fatalf("tracking page of an approved visit offers no reply letter (%d)", page.status)
	}
	text := letterText(t, e.do("GET", "/lacak/"+token+"/surat-balasan.pdf", nil, ""))
	for _, want := range []string{"Yth. Sekretaris Daerah Kabupaten Muna Barat di Tempat", "Kamis, 5 Maret 2026", "ST-2026-0001"} {
		if !strings.Contains(text, want) {
			t.Errorf("delegation's letter lacks %q\n%s", want, text)
		}
	}

	_, pendingToken := visitWithLink(t, e, "ST-2026-0002", models.StatusSubmitted)
	page = e.do("GET", "/lacak/"+pendingToken, nil, "")
	if page.status != http.StatusOK || strings.Contains(page.body, "surat-balasan.pdf") {
		t.Errorf("tracking page of a pending request links a reply letter (%d)", page.status)
	}
	for name, path := range map[string]string{
		"pending":     "/lacak/" + pendingToken + "/surat-balasan.pdf",
		"wrong token": "/lacak/" + models.NewToken() + "/surat-balasan.pdf",
		"short token": "/lacak/abc/surat-balasan.pdf",
	} {
		if res := e.do("GET", path, nil, ""); res.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, res.status)
		}
	}

	_, doneToken := visitWithLink(t, e, "ST-2026-0003", models.StatusCompleted)
	if res := e.do("GET", "/lacak/"+doneToken+"/surat-balasan.pdf", nil, ""); res.status != http.StatusOK {
		t.Errorf("letter of a completed visit: %d, want 200", res.status)
	}
}

// TestSavedHostProfileReachesTheLetterAndThePages: what the admin saves in
// the settings is what the reply letter and the page footer show.
func TestSavedHostProfileReachesTheLetterAndThePages(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	form := e.settingsForm(admin, "profil", "form-profil")
	form.Set("signatory_name", "I Made Sutama, S.E., M.M.")
	form.Set("name", "MPP Badung Mangupraja")
	if res := e.post("/staf/pengaturan/profil", form, admin); res.status != http.StatusSeeOther {
		t.Fatalf("profile save: %d %s", res.status, errorsIn(res.body))
	}
	v, _ := visitWithLink(t, e, "ST-2026-0042", models.StatusApproved)
	res := e.do("GET", "/staf/kunjungan/"+v.ID.Hex()+"/surat-balasan.pdf", nil, admin)
	if text := letterText(t, res); !strings.Contains(text, "I Made Sutama, S.E., M.M.") {
		t.Errorf("the letter does not carry the saved signatory:\n%s", text)
	}
	if home := e.do("GET", "/", nil, ""); !strings.Contains(home.body, "MPP Badung Mangupraja") {
		t.Error("the public page does not show the saved host name")
	}
}
