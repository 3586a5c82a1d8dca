package models

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Columns of the attendance table, in millimetres; they fill the 165 mm
// text block of the reply letter's page (A4, the same margins).
const (
	attNoW     = 10.0
	attNameW   = 55.0
	attPosW    = 48.0
	attGenderW = 10.0
	attSignW   = 42.0
	attLine    = 4.6  // line height inside a row
	attRowMin  = 11.0 // room to sign
	attHeadH   = 8.0
	attSize    = 10.0 // pt
)

// AttendancePDF writes the attendance sheet (daftar hadir) of a visit: the
// letterhead, the particulars of the visit, one numbered row per roster
// entry plus empty rows up to the announced number of participants, and the
// host's signatory block. The signature column alternates left and right
// from row to row, as Indonesian attendance sheets do, so that neighbouring
// signatures do not run into each other. The table header is repeated on
// every page. Like ReplyLetterPDF, the output depends only on its arguments.
func AttendancePDF(v *Visit, host HostProfile, loc *time.Location, issued time.Time) ([]byte, error) {
	if v == nil || v.Start.IsZero() {
		return nil, errors.New("attendance sheet: the visit has no schedule")
	}
	if loc == nil {
		loc = time.UTC
	}
	issued = issued.In(loc)

	pdf := newHostDocument("Daftar Hadir "+letterText(v.Code), "Daftar Hadir Kunjungan Studi Tiru", host, issued)
	pdf.SetCellMargin(0)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont(letterFont, "", 8)
		pdf.CellFormat(0, 4, fmt.Sprintf("%s · hlm. %d", letterText(v.Code), pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()

	w := &letterWriter{pdf: pdf}
	w.letterhead(host)
	width := w.width()
	pdf.SetFont(letterFont, "B", 13)
	pdf.MultiCell(width, 6.5, "DAFTAR HADIR KUNJUNGAN STUDI TIRU", "", "C", false)
	pdf.Ln(4)

	pdf.SetFont(letterFont, "", letterBodySize)
	start, end := v.Start.In(loc), v.End.In(loc)
	hours := start.Format("15.04") + " – " + end.Format("15.04")
	if !end.After(start) {
		hours = start.Format("15.04") + " – selesai"
	}
	for _, row := range [][2]string{
		{"Instansi", letterText(v.InstitutionName)},
		{"Hari/tanggal", FormatDate(start, LangID)},
		{"Pukul", hours + " " + IndonesianZone(start)},
		{"Tempat", joinNonEmpty(", ", letterText(v.Room), letterText(host.Name))},
	} {
		w.labelled(0, letterSchedLabel-8, row[0], row[1])
	}
	pdf.Ln(4)

	// The table breaks its pages itself, so that a row is never split and
	// the header comes first on every page.
	pdf.SetAutoPageBreak(false, letterMarginBot)
	a := &attendanceTable{pdf: pdf}
	a.header()
	rows := max(len(v.Roster), v.Participants)
	for i := 0; i < rows; i++ {
		var e RosterEntry
		if i < len(v.Roster) {
			e = v.Roster[i]
		}
		a.row(i, e)
	}
	pdf.SetAutoPageBreak(true, letterMarginBot)

	pdf.Ln(2)
	date := FormatShortDate(start, LangID)
	if city := letterText(host.LetterCity); city != "" {
		date = city + ", " + date
	}
	pdf.SetFont(letterFont, "", letterBodySize)
	w.keep(3 * letterLine)
	colX := letterMarginL + width/2 + 5
	pdf.SetX(colX)
	pdf.MultiCell(width/2-5, letterLine, date, "", "C", false)
	w.signature(host)

	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("attendance sheet: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("attendance sheet: %w", err)
	}
	return conformToUnicode(buf.Bytes())
}

// attendanceTable draws the rows of the sheet.
type attendanceTable struct {
	pdf *fpdf.Fpdf
}

func (a *attendanceTable) header() {
	p := a.pdf
	p.SetFont(letterFont, "B", attSize)
	p.SetFillColor(235, 235, 235)
	p.SetX(letterMarginL)
	for _, c := range []struct {
		w float64
		s string
	}{{attNoW, "No"}, {attNameW, "Nama"}, {attPosW, "Jabatan"}, {attGenderW, "L/P"}, {attSignW, "Tanda Tangan"}} {
		p.CellFormat(c.w, attHeadH, c.s, "1", 0, "C", true, 0, "")
	}
	p.Ln(attHeadH)
	p.SetFont(letterFont, "", attSize)
}

// row draws row i (numbered from 1) with entry e; an empty entry leaves
// the row to be filled in by hand.
func (a *attendanceTable) row(i int, e RosterEntry) {
	p := a.pdf
	name, pos := letterText(e.Name), letterText(e.Position)
	const pad = 1.2
	lines := max(len(p.SplitText(name, attNameW-2*pad)), len(p.SplitText(pos, attPosW-2*pad)), 1)
	h := max(attRowMin, float64(lines)*attLine+2*pad)
	_, ph := p.GetPageSize()
	if p.GetY()+h > ph-letterMarginBot {
		p.AddPage()
		a.header()
	}
	x, y := letterMarginL, p.GetY()
	cell := func(w float64, text, align string) {
		p.Rect(x, y, w, h, "D")
		if text != "" {
			p.SetXY(x+pad, y+pad)
			p.MultiCell(w-2*pad, attLine, text, "", align, false)
		}
		x += w
	}
	cell(attNoW, fmt.Sprintf("%d.", i+1), "C")
	cell(attNameW, name, "L")
	cell(attPosW, pos, "L")
	cell(attGenderW, string(e.Gender), "C")
	// Odd rows sign in the left half, even rows in the right half.
	p.Rect(x, y, attSignW, h, "D")
	half := attSignW / 2
	p.SetXY(x+pad+float64(i%2)*half, y+pad)
	p.CellFormat(half-pad, attLine, fmt.Sprintf("%d. %s", i+1, strings.Repeat(".", 12)), "", 0, "L", false, 0, "")
	p.SetXY(letterMarginL, y+h)
}
