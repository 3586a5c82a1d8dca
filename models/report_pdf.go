package models

import (
	"bytes"
	"fmt"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// The period report as an A4 PDF, set like the reply letter (replyletter.go):
// the same embedded Liberation fonts, letterhead and signatory block.

// skmElementNames are the nine elements of Permenpan RB 14/2017 as the
// report names them (in the order of SKMElementKeys).
var skmElementNames = [SKMElements]string{
	"Persyaratan", "Sistem, mekanisme, dan prosedur", "Waktu penyelesaian",
	"Biaya/tarif", "Produk spesifikasi jenis pelayanan", "Kompetensi pelaksana",
	"Perilaku pelaksana", "Penanganan pengaduan, saran, dan masukan", "Sarana dan prasarana",
}

// ikmQuality is the meaning of each grade (mutu pelayanan).
var ikmQuality = map[string]string{"A": "Sangat Baik", "B": "Baik", "C": "Kurang Baik", "D": "Tidak Baik"}

const (
	reportLine   = 5.6 // row height of the tables
	reportSmall  = 9.5
	reportHeadGr = 233 // grey of table headers
	// reportKeepRows: tables up to this many rows are not split.
	reportKeepRows = 12
)

// ReportPDF writes the report. The output depends only on its arguments
// (the document dates are r.Issued), like the reply letter.
func ReportPDF(r ReportData, host HostProfile) ([]byte, error) {
	pdf := newHostDocument("Laporan Kunjungan Studi Tiru "+r.PeriodText(), "Laporan Kunjungan Studi Tiru", host, r.Issued)
	pdf.SetCellMargin(1)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont(letterFont, "", 8)
		pdf.CellFormat(0, 4, fmt.Sprintf("Laporan Kunjungan Studi Tiru · %s · halaman %d", r.PeriodText(), pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()

	w := &letterWriter{pdf: pdf}
	width := w.width()
	w.letterhead(host)
	pdf.SetFont(letterFont, "B", 13)
	pdf.MultiCell(width, 6.5, "LAPORAN KUNJUNGAN STUDI TIRU", "", "C", false)
	if name := letterText(host.Name); name != "" {
		pdf.SetFont(letterFont, "B", 11)
		pdf.MultiCell(width, 5.5, name, "", "C", false)
	}
	pdf.SetFont(letterFont, "", 11)
	pdf.MultiCell(width, 5.5, "Periode "+r.PeriodText(), "", "C", false)
	pdf.Ln(5)

	n := func(i int) string { return FormatNumber(i, LangID) }
	w.section("A. Angka Utama", 10)
	acceptance := "–"
	if r.Completed+r.Approved+r.Declined > 0 {
		acceptance = FormatDecimal(r.Acceptance, 1, LangID) + "%"
	}
	w.table([]float64{width * 0.7, width * 0.3}, []string{"Uraian", "Jumlah"}, "LR", [][]string{
		{"Kunjungan terlaksana (selesai)", n(r.Completed)},
		{"Kunjungan disetujui (terjadwal)", n(r.Approved)},
		{"Instansi/delegasi", n(r.Delegations)},
		{"Jumlah peserta", n(r.Participants)},
		{"Provinsi asal", n(r.Provinces)},
		{"Kabupaten/kota asal", n(r.Regencies)},
		{"Permohonan dengan tanggal kunjungan dalam periode", n(r.Requests)},
		{"Permohonan ditolak", n(r.Declined)},
		{"Permohonan dibatalkan", n(r.Cancelled)},
		{"Tingkat penerimaan (disetujui ÷ diputuskan)", acceptance},
	})

	counts := func(list []ReportCount) [][]string {
		rows := make([][]string, 0, len(list)+1)
		for _, c := range list {
			rows = append(rows, []string{letterText(c.Label), n(c.Visits), n(c.Participants)})
		}
		if len(rows) == 0 {
			rows = append(rows, []string{"Tidak ada kunjungan", "0", "0"})
		}
		return rows
	}
	cols := []float64{width * 0.56, width * 0.22, width * 0.22}
	for _, t := range []struct {
		title, column string
		rows          [][]string
	}{
		{"B. Kunjungan per Bulan", "Bulan", counts(r.Months)},
		{"C. Kunjungan menurut Jenis Instansi", "Jenis instansi", counts(r.Types)},
		{fmt.Sprintf("D. %d Topik Terbanyak", ReportTopTopics), "Topik", counts(r.Topics)},
	} {
		w.section(t.title, len(t.rows))
		w.table(cols, []string{t.column, "Kunjungan", "Peserta"}, "LRR", t.rows)
	}

	w.section("E. Survei Kepuasan Masyarakat (SKM)", 3)
	pdf.SetFont(letterFont, "", reportSmall)
	if r.IKM.Respondents == 0 {
		w.paragraph("Belum ada responden survei untuk kunjungan dalam periode ini.")
	} else {
		w.table([]float64{width * 0.7, width * 0.3}, []string{"Uraian", "Nilai"}, "LR", [][]string{
			{"Jumlah responden", n(r.IKM.Respondents)},
			{"Nilai IKM unit pelayanan", FormatDecimal(r.IKM.Unit, 2, LangID)},
			{"Mutu pelayanan", r.IKM.Grade + " (" + ikmQuality[r.IKM.Grade] + ")"},
		})
		var rows [][]string
		for i, name := range skmElementNames {
			nrr := "–"
			if r.IKM.Answered[i] > 0 {
				nrr = FormatDecimal(r.IKM.NRR[i], 2, LangID)
			}
			rows = append(rows, []string{fmt.Sprintf("U%d. %s", i+1, name), n(r.IKM.Answered[i]), nrr})
		}
		w.table(cols, []string{"Unsur pelayanan", "Responden", "NRR"}, "LRR", rows)
		pdf.SetFont(letterFont, "", 8.5)
		w.paragraph("IKM dihitung menurut Peraturan Menteri PANRB Nomor 14 Tahun 2017: rata-rata tertimbang NRR " +
			"per unsur (skala 1–4) dikalikan 25. Mutu A: 88,31–100; B: 76,61–88,30; C: 65,00–76,60; D: 25,00–64,99.")
	}

	// Place and date, then the signatory block.
	pdf.SetFont(letterFont, "", letterBodySize)
	w.keep(2*letterLine + letterSignGap + 12)
	pdf.Ln(4)
	date := FormatShortDate(r.Issued, LangID)
	if city := letterText(host.LetterCity); city != "" {
		date = city + ", " + date
	}
	pdf.SetX(letterMarginL + width/2 + 5)
	pdf.MultiCell(width/2-5, letterLine, date, "", "C", false)
	w.signature(host)

	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return conformToUnicode(buf.Bytes())
}

// section writes a section heading, kept on one page with the table of
// rows lines below it (as much of it as table keeps together).
func (w *letterWriter) section(title string, rows int) {
	w.keep(float64(min(rows, reportKeepRows)+1)*reportLine + 10)
	w.pdf.Ln(2)
	w.pdf.SetFont(letterFont, "B", letterBodySize)
	w.pdf.MultiCell(w.width(), 6, title, "", "L", false)
	w.pdf.Ln(1)
}

// table writes a bordered table: a grey bold header, then one line per row
// (long labels are shortened to fit; align holds one letter per column).
// A short table is kept on one page; a long one repeats its header when it
// runs onto the next.
func (w *letterWriter) table(widths []float64, header []string, align string, rows [][]string) {
	p := w.pdf
	head := func() {
		p.SetFont(letterFont, "B", reportSmall)
		p.SetFillColor(reportHeadGr, reportHeadGr, reportHeadGr)
		for i, h := range header {
			p.CellFormat(widths[i], reportLine+0.6, h, "1", 0, string(align[i]), true, 0, "")
		}
		p.Ln(-1)
		p.SetFont(letterFont, "", reportSmall)
	}
	w.keep(float64(min(len(rows), reportKeepRows)+1)*reportLine + 1)
	head()
	for _, row := range rows {
		_, ph := p.GetPageSize()
		if p.GetY()+reportLine > ph-letterMarginBot {
			p.AddPage()
			head()
		}
		for i, cell := range row {
			p.CellFormat(widths[i], reportLine, fitText(p, cell, widths[i]-2), "1", 0, string(align[i]), false, 0, "")
		}
		p.Ln(-1)
	}
	p.Ln(3)
}

// fitText shortens s with an ellipsis until it fits width millimetres.
func fitText(p *fpdf.Fpdf, s string, width float64) string {
	if p.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && p.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}
