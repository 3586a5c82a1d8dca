package models_test

import (
	"fmt"
	"strings"
	"testing"

	"studitiru/models"
)

func TestAttendancePDFListsTheRoster(t *testing.T) {
	loc := wita(t)
	v := approvedVisit() // Thursday 5 March 2026, 27 participants
	for i := 0; i < 25; i++ {
		g := models.GenderMale
		if i%2 == 1 {
			g = models.GenderFemale
		}
		v.Roster = append(v.Roster, models.RosterEntry{Name: fmt.Sprintf("Peserta Nomor %02d", i+1), Position: "Kepala Bidang Perizinan", Gender: g})
	}
	v.Roster[3].Name = "Dr. Şahin Ōtsuka, M.Si."
	b, err := models.AttendancePDF(v, letterHost(), loc, letterIssued)
	if err != nil {
		t.Fatal(err)
	}
	keepPDF(t, "daftar-hadir.pdf", b)
	text := pdfText(t, b)
	for _, want := range []string{
		"DAFTAR HADIR KUNJUNGAN STUDI TIRU",
		"Pemerintah Kabupaten Konawe",
		"Kamis, 5 Maret 2026",
		"09.00 – 12.00 WITA",
		"Ruang Rapat Lantai 2",
		"Dr. Şahin Ōtsuka, M.Si.",
		"Peserta Nomor 25",
		"27. ....",
		"Dr. I Made Agus Aryawan, S.T., M.T.",
		"NIP. 19700101 199503 1 001",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the sheet does not say %q", want)
		}
	}
	for i := 1; i <= 25; i++ {
		if i == 4 {
			continue
		}
		if !strings.Contains(text, fmt.Sprintf("Peserta Nomor %02d", i)) {
			t.Errorf("row %d missing", i)
		}
	}
	if strings.Contains(text, "28. ") {
		t.Error("more rows than participants")
	}
	// 27 rows do not fit on one page: the header is repeated.
	if n := strings.Count(text, "Tanda Tangan"); n < 2 {
		t.Errorf("table header printed %d times, want it on every page", n)
	}
}

func TestAttendancePDFNeedsASchedule(t *testing.T) {
	var zero models.Visit
	if _, err := models.AttendancePDF(&zero, letterHost(), wita(t), letterIssued); err == nil {
		t.Error("a visit without a schedule gave a sheet")
	}
}
