package models

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
)

// The letter is set in Liberation Sans, which has Arial's metrics (the
// typeface regional-government letters are usually written in) and covers
// Latin, Greek and Cyrillic. The PDF core fonts only know cp1252, which would
// garble names such as "Ōtsuka" or "Şahin"; embedding a TrueType font lets
// fpdf write the text as Unicode with a ToUnicode map, so it can be copied
// and searched. Licence: models/fonts/LICENSE (SIL OFL 1.1).
var (
	//go:embed fonts/LiberationSans-Regular.ttf
	letterFontRegular []byte
	//go:embed fonts/LiberationSans-Bold.ttf
	letterFontBold []byte
)

// Page geometry of the letter, in millimetres (A4 portrait), close to the
// margins of the Tata Naskah Dinas: a wider left margin for filing.
const (
	letterFont       = "LiberationSans"
	letterMarginL    = 25.0
	letterMarginR    = 20.0
	letterMarginTop  = 15.0
	letterMarginBot  = 20.0
	letterBodySize   = 11.0 // pt: 12 pt pushes the signature of an ordinary letter onto a second page
	letterLine       = 5.2  // line height of the body
	letterLabelWidth = 25.0 // "Lampiran"
	letterSchedLabel = 36.0 // "Jumlah peserta"
	letterSchedInset = 8.0
	letterColon      = 4.0
	letterSignGap    = 22.0 // room for the signature and stamp
)

// newHostDocument starts an A4 document of the host (reply letter,
// attendance sheet, report): its fonts, margins and metadata. The document
// dates are issued and the object order fixed, so the same input gives the
// same bytes (cacheable, testable).
func newHostDocument(title, subject string, host HostProfile, issued time.Time) *fpdf.Fpdf {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.SetLang("id-ID")
	pdf.SetTitle(title, true)
	pdf.SetSubject(subject, true)
	pdf.SetAuthor(letterText(host.Agency), true)
	pdf.SetCreator("Studi Tiru", true)
	pdf.AddUTF8FontFromBytes(letterFont, "", letterFontRegular)
	pdf.AddUTF8FontFromBytes(letterFont, "B", letterFontBold)
	pdf.SetMargins(letterMarginL, letterMarginTop, letterMarginR)
	pdf.SetAutoPageBreak(true, letterMarginBot)
	return pdf
}

// ReplyNumberPlaceholder stands for the reply letter's number until staff
// record it: the letter can be printed and numbered by hand.
const ReplyNumberPlaceholder = "…/…/…"

// ReplyLetterPDF writes the host's reply letter (surat balasan) to the
// delegation's request: a one- or two-page A4 letter with the host's
// letterhead, the confirmed schedule and the signatory block. Times are shown
// in loc. The output depends only on its arguments: the document dates are
// issued, so the same visit gives byte-identical files (cacheable, testable).
func ReplyLetterPDF(v *Visit, host HostProfile, loc *time.Location, issued time.Time) ([]byte, error) {
	if v == nil || v.Start.IsZero() {
		return nil, errors.New("reply letter: the visit has no schedule")
	}
	if loc == nil {
		loc = time.UTC
	}
	issued = issued.In(loc)

	pdf := newHostDocument("Surat Balasan "+letterText(v.Code), "Balasan Permohonan Kunjungan Studi Tiru", host, issued)
	pdf.SetCellMargin(0)
	// Later pages carry their number at the top, as official letters do.
	pdf.SetHeaderFunc(func() {
		if pdf.PageNo() > 1 {
			pdf.SetFont(letterFont, "", 10)
			pdf.CellFormat(0, 5, fmt.Sprintf("- %d -", pdf.PageNo()), "", 1, "C", false, 0, "")
			pdf.Ln(4)
			pdf.SetFont(letterFont, "", letterBodySize)
		}
	})
	pdf.AddPage()

	w := &letterWriter{pdf: pdf}
	w.letterhead(host)
	w.heading(v, host, issued)
	w.body(v, host, loc)
	w.signature(host)

	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("reply letter: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("reply letter: %w", err)
	}
	return conformToUnicode(buf.Bytes())
}

// ReplyLetterReady tells whether the visit has a reply letter: once it is
// approved, and afterwards as the record of the visit.
func (v *Visit) ReplyLetterReady() bool {
	return v.Status == StatusApproved || v.Status == StatusCompleted
}

// ReplyLetterDate is the date the letter bears: when the visit was last
// approved (by staff, or by the delegation choosing an offered session), so
// the letter keeps its date however often it is downloaded. Zero when the
// history records no approval and the visit no update.
func ReplyLetterDate(v *Visit) time.Time {
	for i := len(v.History) - 1; i >= 0; i-- {
		if a := v.History[i].Action; a == string(StatusApproved) || a == ActionOfferChosen {
			return v.History[i].At
		}
	}
	return v.UpdatedAt
}

// letterWriter lays out the parts of the letter on one fpdf document.
type letterWriter struct {
	pdf *fpdf.Fpdf
}

// width is the width of the text block.
func (w *letterWriter) width() float64 {
	pw, _ := w.pdf.GetPageSize()
	return pw - letterMarginL - letterMarginR
}

// letterhead is the KOP: government, agency, address and contacts, centred,
// closed by the customary thick-and-thin double rule.
func (w *letterWriter) letterhead(host HostProfile) {
	p := w.pdf
	width := w.width()
	if gov := governmentLine(host.Regency); gov != "" {
		p.SetFont(letterFont, "B", 14)
		p.MultiCell(width, 6.2, gov, "", "C", false)
	}
	if agency := letterText(host.Agency); agency != "" {
		p.SetFont(letterFont, "B", 15)
		p.MultiCell(width, 6.8, strings.ToUpper(agency), "", "C", false)
	}
	p.SetFont(letterFont, "", 9.5)
	if addr := letterText(host.Address); addr != "" {
		p.MultiCell(width, 4.4, addr, "", "C", false)
	}
	var contacts []string
	if phone := letterText(host.Phone); phone != "" {
		contacts = append(contacts, "Telepon "+unbroken(FormatPhone(phone)))
	}
	if email := letterText(host.Email); email != "" {
		contacts = append(contacts, "Pos-el "+email)
	}
	if len(contacts) > 0 {
		p.MultiCell(width, 4.4, strings.Join(contacts, "  ·  "), "", "C", false)
	}
	y := p.GetY() + 2
	p.SetLineWidth(0.8)
	p.Line(letterMarginL, y, letterMarginL+width, y)
	p.SetLineWidth(0.2)
	p.Line(letterMarginL, y+1.2, letterMarginL+width, y+1.2)
	p.SetY(y + 7)
}

// governmentLine is the first line of the KOP: "PEMERINTAH KABUPATEN BADUNG".
func governmentLine(regency string) string {
	r := strings.ToUpper(letterText(regency))
	if r == "" || strings.HasPrefix(r, "PEMERINTAH") {
		return r
	}
	return "PEMERINTAH " + r
}

// heading is the place and date, the letter's particulars (nomor, sifat,
// lampiran, hal) and the addressee.
func (w *letterWriter) heading(v *Visit, host HostProfile, issued time.Time) {
	p := w.pdf
	width := w.width()
	p.SetFont(letterFont, "", letterBodySize)
	date := FormatShortDate(issued, LangID)
	if city := letterText(host.LetterCity); city != "" {
		date = city + ", " + date
	}
	p.MultiCell(width, letterLine, date, "", "R", false)
	p.Ln(3)

	number := letterText(v.ReplyNumber)
	if number == "" {
		number = ReplyNumberPlaceholder
	}
	for _, row := range [][2]string{
		{"Nomor", number},
		{"Sifat", "Biasa"},
		{"Lampiran", "–"},
		{"Hal", "Balasan Permohonan Kunjungan Studi Tiru"},
	} {
		w.labelled(0, letterLabelWidth, row[0], row[1])
	}
	p.Ln(6)
	p.MultiCell(width, letterLine, "Yth. "+ReplyAddressee(v.Leader.Position, v.InstitutionName), "", "L", false)
	p.MultiCell(width, letterLine, "di Tempat", "", "L", false)
	p.Ln(6)
}

// labelled writes "label : value" with the value wrapping in its own column,
// inset from the left margin.
func (w *letterWriter) labelled(inset, labelWidth float64, label, value string) {
	p := w.pdf
	x := letterMarginL + inset
	valueX := x + labelWidth + letterColon
	// A row is never split from its first line: start it on a new page when
	// not even one line fits.
	w.keep(letterLine)
	y := p.GetY()
	p.SetXY(x, y)
	p.CellFormat(labelWidth, letterLine, label, "", 0, "L", false, 0, "")
	p.CellFormat(letterColon, letterLine, ":", "", 0, "L", false, 0, "")
	p.SetXY(valueX, y)
	p.MultiCell(letterMarginL+w.width()-valueX, letterLine, value, "", "L", false)
}

// keep starts a new page unless h millimetres still fit on this one.
func (w *letterWriter) keep(h float64) {
	p := w.pdf
	_, ph := p.GetPageSize()
	if p.GetY()+h > ph-letterMarginBot {
		p.AddPage()
	}
}

// paragraph writes a justified body paragraph.
func (w *letterWriter) paragraph(text string) {
	w.pdf.MultiCell(w.width(), letterLine, text, "", "J", false)
	w.pdf.Ln(2.5)
}

// body is the reference to the request, the schedule, the contact for
// coordination and the closing sentence.
func (w *letterWriter) body(v *Visit, host HostProfile, loc *time.Location) {
	p := w.pdf
	p.SetFont(letterFont, "", letterBodySize)
	institution := letterText(v.InstitutionName)
	hostName := letterText(host.Name)
	if hostName == "" {
		hostName = "kantor kami"
	}
	w.paragraph(fmt.Sprintf("%s, dengan hormat kami sampaikan bahwa kami menerima dengan senang hati "+
		"rencana kunjungan studi tiru %s ke %s, yang akan dilaksanakan pada:",
		requestReference(v.Letter, loc), institution, hostName))

	start, end := v.Start.In(loc), v.End.In(loc)
	hours := start.Format("15.04") + " – " + end.Format("15.04")
	if !end.After(start) {
		hours = start.Format("15.04") + " – selesai"
	}
	rows := [][2]string{
		{"Hari/tanggal", FormatDate(start, LangID)},
		{"Pukul", hours + " " + IndonesianZone(start)},
		{"Tempat", joinNonEmpty(", ", letterText(v.Room), letterText(host.Name), letterText(host.Address))},
	}
	if r := letterText(v.Receiver); r != "" {
		rows = append(rows, [2]string{"Diterima oleh", r})
	}
	if v.Participants > 0 {
		rows = append(rows, [2]string{"Jumlah peserta", FormatNumber(v.Participants, LangID) + " orang"})
	}
	for _, row := range rows {
		w.labelled(letterSchedInset, letterSchedLabel, row[0], row[1])
	}
	w.agenda(v.Agenda)
	p.Ln(3)

	w.paragraph(contactSentence(host, letterText(v.Code)))
	w.paragraph("Demikian kami sampaikan. Atas perhatian dan kerja sama Saudara, kami ucapkan terima kasih.")
}

// agenda writes the numbered programme under the schedule, if any.
func (w *letterWriter) agenda(items []string) {
	var list []string
	for _, a := range items {
		if a = letterText(a); a != "" {
			list = append(list, a)
		}
	}
	if len(list) == 0 {
		return
	}
	p := w.pdf
	x := letterMarginL + letterSchedInset
	numX := x + letterSchedLabel + letterColon
	const numWidth = 7.0
	for i, item := range list {
		w.keep(letterLine)
		y := p.GetY()
		if i == 0 {
			p.SetXY(x, y)
			p.CellFormat(letterSchedLabel, letterLine, "Acara", "", 0, "L", false, 0, "")
			p.CellFormat(letterColon, letterLine, ":", "", 0, "L", false, 0, "")
		}
		p.SetXY(numX, y)
		p.CellFormat(numWidth, letterLine, fmt.Sprintf("%d.", i+1), "", 0, "L", false, 0, "")
		p.SetXY(numX+numWidth, y)
		p.MultiCell(letterMarginL+w.width()-numX-numWidth, letterLine, item, "", "L", false)
	}
}

// requestReference opens the letter by citing the delegation's own letter.
func requestReference(l Letter, loc *time.Location) string {
	ref := "Menindaklanjuti surat Saudara"
	if n := letterText(l.Number); n != "" {
		ref += " Nomor " + n
	}
	if d, err := ParseDateKey(l.Date, loc); err == nil {
		ref += " tanggal " + FormatShortDate(d, LangID)
	}
	return ref + " hal Permohonan Kunjungan Studi Tiru"
}

// contactSentence tells the delegation whom to contact and which reference
// code to quote; it names only the channels the host has filled in.
func contactSentence(host HostProfile, code string) string {
	var ways []string
	if phone := letterText(host.Phone); phone != "" {
		ways = append(ways, "telepon "+unbroken(FormatPhone(phone)))
	}
	if email := letterText(host.Email); email != "" {
		ways = append(ways, "pos-el "+email)
	}
	s := "Untuk koordinasi lebih lanjut"
	if len(ways) > 0 {
		s += ", Saudara dapat menghubungi kami melalui " + strings.Join(ways, " atau ")
	}
	s += " dengan menyebutkan kode kunjungan " + code + ". Daftar peserta dan perubahannya " +
		"dapat disampaikan melalui tautan pelacakan permohonan Saudara."
	return s
}

// signature is the signatory block on the right half: title, room for the
// signature, the name in bold and underlined, and the NIP when known. It is
// kept whole on one page.
func (w *letterWriter) signature(host HostProfile) {
	p := w.pdf
	width := w.width()
	colX := letterMarginL + width/2 + 5
	colW := width/2 - 5
	title := letterText(host.SignatoryTitle)
	name := letterText(host.SignatoryName)
	nip := letterText(host.SignatoryNIP)

	p.SetFont(letterFont, "", letterBodySize)
	lines := len(p.SplitText(title, colW))
	p.SetFont(letterFont, "B", letterBodySize)
	lines += len(p.SplitText(name, colW))
	if nip != "" {
		lines++
	}
	w.keep(float64(lines+1)*letterLine + letterSignGap + 4)

	p.Ln(4)
	p.SetFont(letterFont, "", letterBodySize)
	if title != "" {
		p.SetX(colX)
		p.MultiCell(colW, letterLine, title+",", "", "C", false)
	}
	p.Ln(letterSignGap)
	p.SetX(colX)
	if name != "" {
		p.SetFont(letterFont, "BU", letterBodySize)
		p.MultiCell(colW, letterLine, name, "", "C", false)
	} else {
		// No name on record yet: a line to write it in by hand.
		p.MultiCell(colW, letterLine, "(....................................................)", "", "C", false)
	}
	if nip != "" {
		p.SetFont(letterFont, "", letterBodySize)
		p.SetX(colX)
		p.MultiCell(colW, letterLine, "NIP. "+nip, "", "C", false)
	}
}

// ReplyAddressee is whom the letter is addressed to, after "Yth.": the
// leader's position followed by the institution, without naming the
// institution twice ("Sekretaris Daerah Kabupaten Konawe", not "… Kabupaten
// Konawe Pemerintah Kabupaten Konawe"). A Pemerintah is addressed through
// its region: "Kepala Bagian Organisasi Kabupaten Blora".
func ReplyAddressee(position, institution string) string {
	position, institution = letterText(position), letterText(institution)
	if position == "" {
		position = "Pimpinan"
	}
	if institution == "" {
		return position
	}
	lowerPos := strings.ToLower(position)
	region := institution
	if rest, ok := cutPrefixFold(institution, "Pemerintah "); ok && rest != "" {
		region = rest
	}
	if strings.Contains(lowerPos, strings.ToLower(institution)) || strings.Contains(lowerPos, strings.ToLower(region)) {
		return position
	}
	if region != institution {
		// "Bupati Blora" already names the Kabupaten Blora it heads.
		place := region
		for _, kind := range []string{"Kabupaten ", "Kota ", "Provinsi "} {
			if rest, ok := cutPrefixFold(region, kind); ok && rest != "" {
				place = rest
				break
			}
		}
		// "Muna Barat (Laworo)": the seat in brackets is not part of the name.
		if i := strings.Index(place, " ("); i > 0 && strings.HasSuffix(place, ")") {
			place = place[:i]
		}
		if strings.Contains(lowerPos, strings.ToLower(place)) {
			return position
		}
	}
	return position + " " + region
}

// cutPrefixFold is strings.CutPrefix ignoring case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// IndonesianZone names Indonesia's three time zones by their UTC offset
// (WIB, WITA, WIT), so the letter does not depend on the abbreviations of
// the zone database; other zones keep their own name.
func IndonesianZone(t time.Time) string {
	name, offset := t.Zone()
	switch offset {
	case 7 * 3600:
		return "WIB"
	case 8 * 3600:
		return "WITA"
	case 9 * 3600:
		return "WIT"
	}
	if name != "" && unicode.IsLetter(rune(name[0])) {
		return name
	}
	return "UTC" + t.Format("-07:00")
}

// letterText makes user-entered text safe to set on one line of the letter:
// valid UTF-8, control characters and runs of white space turned into single
// spaces, and characters outside the Basic Multilingual Plane (which the
// embedded font cannot address) replaced. Everything else is kept as typed.
func letterText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r > 0xFFFF:
			return '\uFFFD'
		case unicode.IsControl(r) || unicode.IsSpace(r):
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// unbroken keeps a phone number on one line: its spaces become no-break
// spaces, where fpdf never wraps.
func unbroken(s string) string { return strings.ReplaceAll(s, " ", "\u00a0") }

// joinNonEmpty joins the parts that are not empty.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
