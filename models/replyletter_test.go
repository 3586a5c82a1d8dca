package models_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/ledongthuc/pdf"

	"studitiru/models"
)

// approvedVisit is a visit on Thursday 5 March 2026, 09.00–12.00 WITA.
func approvedVisit() *models.Visit {
	return &models.Visit{
		Code:            "ST-2026-0001",
		Status:          models.StatusApproved,
		InstitutionName: "Pemerintah Kabupaten Konawe",
		InstitutionType: models.InstRegency,
		Leader:          models.Person{Name: "Dr. Ir. Nyoman Suarta, M.Si.", Position: "Sekretaris Daerah Kabupaten Konawe"},
		Participants:    27,
		Room:            "Ruang Rapat Lantai 2",
		Receiver:        "Kepala DPMPTSP Kabupaten Badung",
		ReplyNumber:     "500.16/123/DPMPTSP",
		Agenda:          []string{"Paparan penyelenggaraan MPP", "Diskusi dan tanya jawab", "Peninjauan loket layanan"},
		Start:           time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC),
		End:             time.Date(2026, 3, 5, 4, 0, 0, 0, time.UTC),
		Letter:          models.Letter{Number: "000.1.2.3/456/Setda", Date: "2026-02-02"},
	}
}

func letterHost() models.HostProfile {
	h := models.DefaultHostProfile()
	h.Phone = "+623614561234"
	h.SignatoryName = "Dr. I Made Agus Aryawan, S.T., M.T."
	h.SignatoryNIP = "19700101 199503 1 001"
	return h
}

func wita(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

var letterIssued = time.Date(2026, 2, 10, 2, 30, 0, 0, time.UTC)

// pdfText extracts the text of a PDF as a real reader sees it, with white
// space collapsed: wrapped lines come back as separate text objects.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", b)
	}
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("PDF does not open: %v", err)
	}
	rd, err := r.GetPlainText()
	if err != nil {
		t.Fatalf("PDF text does not extract: %v", err)
	}
	raw, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(raw)), " ")
}

// keepPDF saves the letter for a look when REPLY_LETTER_OUT names a folder.
func keepPDF(t *testing.T, name string, b []byte) {
	if dir := os.Getenv("REPLY_LETTER_OUT"); dir != "" {
		if err := os.WriteFile(dir+"/"+name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReplyLetterStatesTheSchedule(t *testing.T) {
	loc := wita(t)
	b, err := models.ReplyLetterPDF(approvedVisit(), letterHost(), loc, letterIssued)
	if err != nil {
		t.Fatal(err)
	}
	keepPDF(t, "surat-balasan.pdf", b)
	text := pdfText(t, b)
	for _, want := range []string{
		"PEMERINTAH KABUPATEN BADUNG",
		"DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU",
		"Telepon +62 361-4561-234", "dpmptsp@badungkab.go.id",
		"Mangupraja Mandala, 10 Februari 2026",
		"500.16/123/DPMPTSP",
		"Sifat", "Biasa", "Balasan Permohonan Kunjungan Studi Tiru",
		"Yth. Sekretaris Daerah Kabupaten Konawe di Tempat",
		"Nomor 000.1.2.3/456/Setda tanggal 2 Februari 2026",
		"Pemerintah Kabupaten Konawe",
		"Kamis, 5 Maret 2026",
		"09.00 – 12.00 WITA",
		"Ruang Rapat Lantai 2, Mal Pelayanan Publik Kabupaten Badung",
		"Kepala DPMPTSP Kabupaten Badung",
		"27 orang",
		"1. Paparan penyelenggaraan MPP", "3. Peninjauan loket layanan",
		"ST-2026-0001",
		"Dr. I Made Agus Aryawan, S.T., M.T.",
		"NIP. 19700101 199503 1 001",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("letter lacks %q\n%s", want, text)
		}
	}
	if strings.Contains(text, "Yth. Sekretaris Daerah Kabupaten Konawe Pemerintah") {
		t.Error("the addressee names the institution twice")
	}
	if r, _ := pdf.NewReader(bytes.NewReader(b), int64(len(b))); r.NumPage() != 1 {
		t.Errorf("an ordinary reply letter takes %d pages, want 1", r.NumPage())
	}
}

func TestReplyLetterWithoutNumberHasAPlaceholder(t *testing.T) {
	v := approvedVisit()
	v.ReplyNumber = ""
	host := models.DefaultHostProfile() // no phone, no signatory name yet
	b, err := models.ReplyLetterPDF(v, host, wita(t), letterIssued)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	for _, want := range []string{"Nomor : " + models.ReplyNumberPlaceholder, "melalui pos-el dpmptsp@badungkab.go.id dengan"} {
		if !strings.Contains(text, want) {
			t.Errorf("letter lacks %q\n%s", want, text)
		}
	}
	if strings.Contains(text, "Telepon") || strings.Contains(text, "NIP.") {
		t.Errorf("empty contact or NIP shown:\n%s", text)
	}
}

func TestReplyLetterKeepsHostileTextLiteral(t *testing.T) {
	v := approvedVisit()
	long := strings.Repeat("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu ", 12) + "Kabupaten Muna Barat (Laworo)"
	v.InstitutionName = long
	v.Leader.Position = `Kepala "Bidang" \ Pelayanan`
	v.Room = `Aula (Utama) \ Lt. 3 <script>alert(1)</script>`
	v.Receiver = "Dr. Ir. Nyoman Suarta, M.Si. — Ōtsuka Şahin Ελένη Иван"
	v.Agenda = []string{`Tanya jawab: "Bagaimana (SOP) \n berjalan?"`, strings.Repeat("X", 300)}
	v.Letter.Number = `045.2/(12)\Setda`
	v.Code = "ST-2026-0002"
	b, err := models.ReplyLetterPDF(v, letterHost(), wita(t), letterIssued)
	if err != nil {
		t.Fatal(err)
	}
	keepPDF(t, "surat-balasan-hostile.pdf", b)
	text := pdfText(t, b)
	for _, want := range []string{
		long,
		`Kepala "Bidang" \ Pelayanan`,
		`Aula (Utama) \ Lt. 3 <script>alert(1)</script>`,
		"Dr. Ir. Nyoman Suarta, M.Si. — Ōtsuka Şahin Ελένη Иван",
		`"Bagaimana (SOP) \n berjalan?"`,
		`Nomor 045.2/(12)\Setda tanggal`,
		"Kamis, 5 Maret 2026",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("letter lacks %q\n%s", want, text)
		}
	}
	// A word longer than a line is broken, not pushed off the page.
	if got := strings.Count(text, "X"); got != 300 {
		t.Errorf("the 300-letter word came back with %d letters", got)
	}
	r, _ := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if r.NumPage() < 2 {
		t.Errorf("a letter this long should run onto a second page, got %d", r.NumPage())
	}
}

func TestReplyLetterIsReproducible(t *testing.T) {
	loc := wita(t)
	a, err := models.ReplyLetterPDF(approvedVisit(), letterHost(), loc, letterIssued)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b, err := models.ReplyLetterPDF(approvedVisit(), letterHost(), loc, letterIssued)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatal("the same visit gave two different files")
		}
	}
	later, err := models.ReplyLetterPDF(approvedVisit(), letterHost(), loc, letterIssued.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, later) {
		t.Error("a letter issued another day is the same file")
	}
	if !bytes.Contains(a, []byte("D:20260210103000")) {
		t.Error("the document date is not the issue time in the host zone")
	}
}

func TestReplyLetterNeedsASchedule(t *testing.T) {
	v := approvedVisit()
	v.Start, v.End = time.Time{}, time.Time{}
	if _, err := models.ReplyLetterPDF(v, letterHost(), wita(t), letterIssued); err == nil {
		t.Error("a letter without a date was written")
	}
}

func TestReplyAddressee(t *testing.T) {
	tests := []struct{ position, institution, want string }{
		{"Sekretaris Daerah Kabupaten Konawe", "Pemerintah Kabupaten Konawe", "Sekretaris Daerah Kabupaten Konawe"},
		{"Bupati Blora", "Pemerintah Kabupaten Blora", "Bupati Blora"},
		{"Wali Kota Makassar", "Pemerintah Kota Makassar", "Wali Kota Makassar"},
		{"Kepala Bagian Organisasi", "Pemerintah Kabupaten Blora", "Kepala Bagian Organisasi Kabupaten Blora"},
		{"Sekretaris Daerah Kabupaten Muna Barat", "Pemerintah Kabupaten Muna Barat (Laworo)", "Sekretaris Daerah Kabupaten Muna Barat"},
		{"Kepala Bagian Umum", "Pemerintah Kabupaten Muna Barat (Laworo)", "Kepala Bagian Umum Kabupaten Muna Barat (Laworo)"},
		{"Kepala Dinas", "DPMPTSP Kabupaten Muna Barat (Laworo)", "Kepala Dinas DPMPTSP Kabupaten Muna Barat (Laworo)"},
		{"Rektor Universitas Udayana", "universitas udayana", "Rektor Universitas Udayana"},
		{"", "Pemerintah Provinsi Sulawesi Tenggara", "Pimpinan Provinsi Sulawesi Tenggara"},
		{"Sekretaris  Jenderal\n", "", "Sekretaris Jenderal"},
	}
	for _, tc := range tests {
		if got := models.ReplyAddressee(tc.position, tc.institution); got != tc.want {
			t.Errorf("ReplyAddressee(%q, %q) = %q, want %q", tc.position, tc.institution, got, tc.want)
		}
	}
}

func TestIndonesianZone(t *testing.T) {
	at := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		loc  *time.Location
		want string
	}{
		{time.FixedZone("", 7*3600), "WIB"},
		{wita(t), "WITA"},
		{time.FixedZone("+09", 9*3600), "WIT"},
		{time.UTC, "UTC"},
		{time.FixedZone("", 5*3600+1800), "UTC+05:30"},
	} {
		if got := models.IndonesianZone(at.In(tc.loc)); got != tc.want {
			t.Errorf("zone at offset of %v: %q, want %q", tc.loc, got, tc.want)
		}
	}
}

// TestReplyLetterCrossReferencesHold: every object is where the
// cross-reference table says, after the ToUnicode maps were replaced.
func TestReplyLetterCrossReferencesHold(t *testing.T) {
	b, err := models.ReplyLetterPDF(approvedVisit(), letterHost(), wita(t), letterIssued)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	var xref int
	if _, err := fmt.Sscanf(s[strings.LastIndex(s, "startxref\n"):], "startxref\n%d", &xref); err != nil {
		t.Fatal(err)
	}
	var first, count int
	if _, err := fmt.Sscanf(s[xref:], "xref\n%d %d\n", &first, &count); err != nil || count < 10 {
		t.Fatalf("no cross-reference table at %d: %v", xref, err)
	}
	entries := s[xref+strings.Index(s[xref:], "\n0000000000 65535 f")+1:]
	for i := 1; i < count; i++ {
		var off int
		if _, err := fmt.Sscanf(entries[i*20:i*20+10], "%d", &off); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%d 0 obj", i); !strings.HasPrefix(s[off:], want) {
			t.Errorf("object %d: offset %d holds %.12q", i, off, s[off:])
		}
	}
	if strings.Contains(s, "<0000> <FFFF> <0000>") {
		t.Error("a ToUnicode range past 256 codes is left")
	}
}

func TestReplyLetterOnlyOnceApproved(t *testing.T) {
	for _, st := range models.VisitStatuses() {
		v := &models.Visit{Status: st}
		want := st == models.StatusApproved || st == models.StatusCompleted
		if got := v.ReplyLetterReady(); got != want {
			t.Errorf("%s: reply letter ready %v, want %v", st, got, want)
		}
	}
}

func TestReplyLetterDateIsTheLastApproval(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 2, d, 2, 0, 0, 0, time.UTC) }
	v := &models.Visit{UpdatedAt: day(20), History: []models.Event{
		{At: day(1), Action: string(models.StatusSubmitted)},
		{At: day(3), Action: string(models.StatusApproved)},
		{At: day(5), Action: models.ActionRescheduleAsked},
		{At: day(9), Action: models.ActionOfferChosen},
		{At: day(12), Action: models.ActionRosterUpdated},
	}}
	if got := models.ReplyLetterDate(v); !got.Equal(day(9)) {
		t.Errorf("letter dated %v, want the chosen offer's %v", got, day(9))
	}
	v.History = v.History[:1]
	if got := models.ReplyLetterDate(v); !got.Equal(day(20)) {
		t.Errorf("without an approval on record: %v, want the last update %v", got, day(20))
	}
}
