package models

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Exports of the visit history: CSV for any spreadsheet, XLSX for Excel.
// Both have the same columns, built from the same record.

// HistoryColumns are the export's column headings, in order.
var historyColumns = []string{
	"Kode", "Status", "Tanggal kunjungan", "Waktu", "Instansi", "Jenis instansi",
	"Provinsi", "Kabupaten/Kota", "Ketua rombongan", "Jabatan", "Jumlah peserta",
	"Topik", "Ruang", "Pendamping", "Narahubung", "Surel", "Telepon", "Diajukan",
}

// HistoryColumns returns the export's column headings.
func HistoryColumns() []string { return append([]string(nil), historyColumns...) }

// Indexes of the typed columns (XLSX writes them as dates and numbers).
const (
	xlsxColDate         = 2
	xlsxColParticipants = 10
	xlsxColSubmitted    = 17
)

// LabelFunc translates a catalogue key ("status.selesai", "inst.kota") for an
// export; the handler passes its catalogue.
type LabelFunc func(key string) string

// historyRecord is one visit as export cells, all text. Times are in loc.
func historyRecord(v *Visit, regions *Regions, loc *time.Location, label LabelFunc) []string {
	var date, clock string
	if !v.Start.IsZero() {
		start, end := v.Start.In(loc), v.End.In(loc)
		date = DateKey(start)
		clock = start.Format("15.04") + "–" + end.Format("15.04") + " " + IndonesianZone(start)
	}
	province, regency := v.ProvinceCode, v.RegencyCode
	if regions != nil {
		if p, ok := regions.Province(v.ProvinceCode); ok {
			province = p.Name
		}
		if r, ok := regions.Regency(v.RegencyCode); ok {
			regency = r.Name
		}
	}
	topics := append([]string(nil), v.Topics...)
	if other := strings.TrimSpace(v.TopicsOther); other != "" {
		topics = append(topics, other)
	}
	var submitted string
	if !v.CreatedAt.IsZero() {
		submitted = v.CreatedAt.In(loc).Format("2006-01-02 15:04")
	}
	return []string{
		v.Code, label("status." + string(v.Status)), date, clock,
		v.InstitutionName, label("inst." + string(v.InstitutionType)),
		province, regency, v.Leader.Name, v.Leader.Position, fmt.Sprint(v.Participants),
		strings.Join(topics, ", "), v.Room, strings.Join(v.Escorts, ", "),
		v.Contact.Name, v.Contact.Email, v.Contact.Phone, submitted,
	}
}

// CSVSafe neutralises a cell that a spreadsheet would read as a formula
// (OWASP "CSV injection"): text starting with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe, which spreadsheets show as
// text. A phone number "+62…" is prefixed too: safety over looks.
func CSVSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// CSVSeparator is the export's field separator. Indonesian Excel (Windows
// regional format id-ID) writes decimals with a comma and so splits CSV on
// semicolons: with ";" a double-click opens the file in columns there,
// and LibreOffice and Google Sheets detect it too.
const CSVSeparator = ';'

// WriteHistoryCSV writes visits as UTF-8 CSV with a byte-order mark (so
// Excel reads the names as UTF-8, not as the ANSI code page), ";"-separated,
// CRLF line ends, every cell neutralised by CSVSafe.
func WriteHistoryCSV(w io.Writer, visits []Visit, regions *Regions, loc *time.Location, label LabelFunc) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = CSVSeparator
	cw.UseCRLF = true
	if err := cw.Write(historyColumns); err != nil {
		return err
	}
	for i := range visits {
		rec := historyRecord(&visits[i], regions, loc, label)
		for j := range rec {
			rec[j] = CSVSafe(rec[j])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// historyColumnWidths are the XLSX column widths, in characters.
var historyColumnWidths = []float64{14, 12, 12, 18, 40, 18, 20, 26, 28, 28, 10, 40, 18, 28, 24, 28, 16, 17}

// HistorySheet is the name of the XLSX worksheet.
const HistorySheet = "Riwayat kunjungan"

// HistoryXLSX builds the visits as an Excel workbook: one sheet, a bold
// frozen header row, set column widths. Text cells are written as strings,
// never as formulas, so a name starting with "=" stays text; the visit date
// and the submission time are real dates, the participants a number.
func HistoryXLSX(visits []Visit, regions *Regions, loc *time.Location, label LabelFunc) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", HistorySheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(HistorySheet)
	if err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E9ECEF"}}})
	if err != nil {
		return nil, err
	}
	dateFmt, dateTimeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return nil, err
	}
	dateTimeStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateTimeFmt})
	if err != nil {
		return nil, err
	}
	for i, w := range historyColumnWidths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	header := make([]any, len(historyColumns))
	for i, h := range historyColumns {
		header[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, err
	}
	for i := range visits {
		v := &visits[i]
		rec := historyRecord(v, regions, loc, label)
		row := make([]any, len(rec))
		for j, s := range rec {
			row[j] = s
		}
		// Excel has no time zones: dates are written as the host's wall clock.
		if !v.Start.IsZero() {
			d := v.Start.In(loc)
			row[xlsxColDate] = excelize.Cell{StyleID: dateStyle, Value: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)}
		}
		row[xlsxColParticipants] = v.Participants
		if !v.CreatedAt.IsZero() {
			t := v.CreatedAt.In(loc)
			row[xlsxColSubmitted] = excelize.Cell{StyleID: dateTimeStyle, Value: time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return nil, err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
