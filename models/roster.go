package models

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

// Gender as Indonesian forms ask for it: L(aki-laki) or P(erempuan).
type Gender string

// The two values of the "Jenis Kelamin (L/P)" column.
const (
	GenderMale   Gender = "L"
	GenderFemale Gender = "P"
)

// Valid reports whether g is one of the two stored values.
func (g Gender) Valid() bool { return g == GenderMale || g == GenderFemale }

// ParseGender reads a gender as people write it in a roster: L, P,
// laki-laki, perempuan, pria, wanita, male, female and common short forms,
// in any case.
func ParseGender(s string) (Gender, bool) {
	switch strings.Join(strings.Fields(strings.ToLower(s)), " ") {
	case "l", "lk", "laki-laki", "laki laki", "lakilaki", "laki", "pria", "male", "m":
		return GenderMale, true
	case "p", "pr", "perempuan", "wanita", "female", "f":
		// "P" is perempuan by convention (L/P), although "pria" starts with P too.
		return GenderFemale, true
	}
	return "", false
}

// RosterEntry is one member of a delegation.
type RosterEntry struct {
	Name     string `bson:"name"`            // with titles, as written
	Position string `bson:"position"`        // jabatan
	Gender   Gender `bson:"gender"`          // "L" or "P"
	Needs    string `bson:"needs,omitempty"` // accessibility, diet, …
}

// Roster limits. A delegation is 20–60 officials; the file limits are far
// above what 60 rows need (a few KB, an .xlsx with a logo in the letterhead
// some hundred KB) and keep a hostile upload from costing memory.
const (
	MaxRosterEntries        = 60
	MinRosterNameLength     = 2
	MaxRosterNameLength     = 120
	MaxRosterPositionLength = 120
	MaxRosterNeedsLength    = 200
	MaxRosterFileSize       = 1 << 20 // 1 MiB as uploaded
	// maxRosterUnzipped bounds what an .xlsx may unpack to, against zip
	// bombs. A real 60-row workbook unpacks to well under 1 MiB.
	maxRosterUnzipped = 8 << 20
	// maxRosterHeaderRows: the header may sit below a title ("DAFTAR
	// PESERTA STUDI TIRU …"), as in many government spreadsheets, but not
	// below this many non-empty rows.
	maxRosterHeaderRows = 10
)

// ErrRosterTooLarge means the file (or, for .xlsx, its unpacked content) is
// over the limits above; the caller asks for a smaller file.
var ErrRosterTooLarge = errors.New("file daftar peserta terlalu besar")

// RosterRowError says what is wrong with one row: the 1-based row number as
// the user sees it in their spreadsheet (the header is usually row 1), the
// column (a RosterEntry bson name: "name", "position", "gender", "needs")
// and a message catalogue key. Row 0 and Field "" mean the whole file.
type RosterRowError struct {
	Row     int
	Field   string
	Message string
}

// Catalogue keys of problems that concern the file or its header row. Row
// problems use the common keys "err.required", "err.too_short" and
// "err.too_long", plus "roster.gender" and "roster.example_row".
const (
	RosterErrFormat          = "roster.format"           // neither CSV nor .xlsx
	RosterErrEmpty           = "roster.empty"            // no participant rows
	RosterErrNoHeader        = "roster.no_header"        // no recognisable header row
	RosterErrMissingColumn   = "roster.missing_column"   // Field names the column
	RosterErrDuplicateColumn = "roster.duplicate_column" // Field names the column
	RosterErrTooMany         = "roster.too_many"         // more than MaxRosterEntries
	RosterErrGender          = "roster.gender"
	RosterErrExampleRow      = "roster.example_row" // the template's example left in
)

// NewRosterEntry validates and normalises one roster member as typed in a
// form or read from a file. The error is a *ValidationError keyed by the
// RosterEntry bson names. Text is trimmed, runs of spaces and line breaks
// become one space, and control characters are dropped; text that a
// spreadsheet would read as a formula ("=…", "+…", "-", "@…") is kept as
// typed, so whoever exports a roster to a spreadsheet must escape it.
func NewRosterEntry(name, position, gender, needs string) (RosterEntry, error) {
	v := &ValidationError{}
	e := RosterEntry{
		Name:     cleanRosterText(name),
		Position: cleanRosterText(position),
		Needs:    cleanRosterText(needs),
	}
	switch n := utf8.RuneCountInString(e.Name); {
	case n == 0:
		v.Add("name", "err.required")
	case n < MinRosterNameLength:
		v.Add("name", "err.too_short")
	case n > MaxRosterNameLength:
		v.Add("name", "err.too_long")
	default:
		for _, ex := range rosterTemplateRows() {
			if strings.EqualFold(e.Name, ex[0]) {
				v.Add("name", RosterErrExampleRow)
			}
		}
	}
	switch n := utf8.RuneCountInString(e.Position); {
	case n == 0:
		v.Add("position", "err.required")
	case n > MaxRosterPositionLength:
		v.Add("position", "err.too_long")
	}
	if g := cleanRosterText(gender); g == "" {
		v.Add("gender", "err.required")
	} else if e.Gender, _ = ParseGender(g); e.Gender == "" {
		v.Add("gender", RosterErrGender)
	}
	if utf8.RuneCountInString(e.Needs) > MaxRosterNeedsLength {
		v.Add("needs", "err.too_long")
	}
	if err := v.Err(); err != nil {
		return RosterEntry{}, err
	}
	return e, nil
}

// cleanRosterText normalises a cell: NFC (names typed on a Mac arrive
// decomposed), control characters and invisible spaces removed, whitespace
// trimmed and collapsed.
func cleanRosterText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\u200b' || r == '\ufeff':
			return -1
		case unicode.IsControl(r) && !unicode.IsSpace(r):
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// ParseRoster reads an uploaded roster, choosing the parser by content (an
// .xlsx file is a ZIP archive, which starts with "PK\x03\x04"), not by file
// name, since names and browsers' content types are unreliable.
//
// Like ParseRosterCSV and ParseRosterXLSX it returns the valid entries in
// file order and every problem found; a roster with any problem must not
// be saved. The error is only for input that cannot be read, or
// ErrRosterTooLarge.
func ParseRoster(r io.Reader) ([]RosterEntry, []RosterRowError, error) {
	data, err := readRosterFile(r)
	if err != nil {
		return nil, nil, err
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return parseRosterXLSX(data)
	}
	return parseRosterCSV(data)
}

// ParseRosterCSV reads a roster saved as CSV (see ParseRoster for the
// results). The header is the first row that names one of the columns (a
// title may come before it); its names are matched in Indonesian or
// English, in any case and order (see rosterColumn), and other columns such
// as "No." are ignored. Row numbers count every row, empty ones included.
//
// It accepts what spreadsheet programs write: comma, semicolon (Excel in
// an Indonesian locale) or tab separators, an optional "sep=;" first line,
// UTF-8 with or without a BOM, UTF-16 with a BOM ("Unicode text"), and
// Windows-1252 (Excel's plain "CSV") when the file is not valid UTF-8.
func ParseRosterCSV(r io.Reader) ([]RosterEntry, []RosterRowError, error) {
	data, err := readRosterFile(r)
	if err != nil {
		return nil, nil, err
	}
	return parseRosterCSV(data)
}

// ParseRosterXLSX reads the first sheet of an .xlsx workbook (see
// ParseRoster for the results and ParseRosterCSV for the header). Cells
// are read as displayed; formulas give their last computed value.
func ParseRosterXLSX(r io.Reader) ([]RosterEntry, []RosterRowError, error) {
	data, err := readRosterFile(r)
	if err != nil {
		return nil, nil, err
	}
	return parseRosterXLSX(data)
}

func readRosterFile(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxRosterFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("membaca daftar peserta: %w", err)
	}
	if len(data) > MaxRosterFileSize {
		return nil, ErrRosterTooLarge
	}
	return data, nil
}

func fileProblem(key string) []RosterRowError {
	return []RosterRowError{{Message: key}}
}

func parseRosterCSV(data []byte) ([]RosterEntry, []RosterRowError, error) {
	text, ok := decodeRosterText(data)
	if !ok {
		return nil, fileProblem(RosterErrFormat), nil
	}
	// One line-break convention, so that our line count agrees with the
	// CSV reader's (it counts "\n") and old Mac files ("\r") work too.
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")

	sep := rune(0)
	// Excel writes and honours a first line "sep=;" and does not show it as
	// a row, so it does not count in the row numbers either.
	if first, rest, _ := strings.Cut(text, "\n"); len(first) == 5 && strings.EqualFold(first[:4], "sep=") {
		if c := rune(first[4]); c == ',' || c == ';' || c == '\t' {
			sep, text = c, rest
		}
	}
	if sep == 0 {
		sep = guessSeparator(text)
	}

	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sep
	cr.LazyQuotes = true    // a stray quote in "Dr. H. "Ucok" S." is text
	cr.FieldsPerRecord = -1 // rows may be shorter or longer than the header
	b := &rosterBuilder{}
	// The reader skips blank lines, and a quoted cell may span lines; a
	// spreadsheet shows each blank line as a row and a multi-line cell as
	// one row. Subtracting the extra lines of multi-line records from the
	// physical line number gives the row number the user sees.
	extra, lines, counted := 0, 1, 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// Unreachable with LazyQuotes and a variable field count, but a
			// future reader version might be stricter.
			row := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				row = pe.StartLine - extra
			}
			b.errs = append(b.errs, RosterRowError{Row: row, Message: RosterErrFormat})
			break
		}
		start, _ := cr.FieldPos(0)
		end := int(cr.InputOffset()) - 1 // the record's last byte
		lines += strings.Count(text[counted:end], "\n")
		counted = end
		if !b.row(start-extra, rec) {
			break
		}
		extra += lines - start
	}
	entries, errs := b.result()
	return entries, errs, nil
}

// decodeRosterText returns the file as UTF-8, or ok=false when it is not
// text at all (an .xls, a PDF, an image).
func decodeRosterText(data []byte) (string, bool) {
	var text string
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		text = string(data[3:])
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		// The BOM tells the byte order; ExpectBOM makes the decoder use it.
		dec := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder()
		b, err := dec.Bytes(data)
		if err != nil {
			return "", false
		}
		text = string(b)
	case utf8.Valid(data):
		text = string(data)
	default:
		b, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return "", false
		}
		text = string(b)
	}
	if strings.ContainsRune(text, 0) {
		return "", false
	}
	return text, true
}

// guessSeparator picks the separator under which a header row, among the
// rows where it may be, names the most of our columns. Counting separators
// would mislead: a ';' file has more commas than semicolons on a line like
// "Dr. H. Ahmad, S.E., M.Si., M.Kes.;Kepala;L". On a tie ';' wins.
func guessSeparator(text string) rune {
	best, bestCols := ',', 0
	for _, sep := range []rune{';', ',', '\t'} {
		cr := csv.NewReader(strings.NewReader(text))
		cr.Comma = sep
		cr.LazyQuotes = true
		cr.FieldsPerRecord = -1
		for range maxRosterHeaderRows + 1 {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			cols := map[string]bool{}
			for _, c := range rec {
				if field := rosterColumn(c); field != "" {
					cols[field] = true
				}
			}
			if len(cols) > bestCols {
				best, bestCols = sep, len(cols)
			}
		}
	}
	return best
}

func parseRosterXLSX(data []byte) ([]RosterEntry, []RosterRowError, error) {
	// Check what the archive says it unpacks to before excelize allocates
	// anything; Go's zip reader refuses entries that unpack to more than
	// they declare, so the declared sizes can be trusted.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fileProblem(RosterErrFormat), nil
	}
	var unzipped uint64
	for _, f := range zr.File {
		unzipped += f.UncompressedSize64
		if unzipped > maxRosterUnzipped {
			return nil, nil, ErrRosterTooLarge
		}
	}
	// The same limits once more inside excelize; setting the XML limit to
	// the total also keeps excelize from spilling sheets to temporary files.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    maxRosterUnzipped,
		UnzipXMLSizeLimit: maxRosterUnzipped,
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return nil, nil, ErrRosterTooLarge
		}
		return nil, fileProblem(RosterErrFormat), nil // a .docx, a broken file
	}
	defer func() { _ = f.Close() }()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fileProblem(RosterErrFormat), nil
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fileProblem(RosterErrFormat), nil
	}
	defer func() { _ = rows.Close() }()
	b := &rosterBuilder{}
	// Next also stops at rows missing from the file (never typed in), so
	// counting calls gives the row number the user sees.
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			b.errs = append(b.errs, RosterRowError{Row: n, Message: RosterErrFormat})
			break
		}
		if !b.row(n, cells) {
			break
		}
	}
	if rows.Error() != nil {
		b.errs = append(b.errs, RosterRowError{Message: RosterErrFormat})
	}
	entries, errs := b.result()
	return entries, errs, nil
}

// rosterColumn maps a header cell to a RosterEntry field, or "" when the
// column is not ours. Words in parentheses and punctuation are ignored, so
// "Jenis Kelamin (L/P)", "NAMA*" and "Nama Lengkap:" all match.
func rosterColumn(header string) string {
	h := strings.ToLower(header)
	if stripped := dropParenthesised(h); strings.TrimSpace(stripped) != "" {
		h = stripped
	}
	h = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' {
			return r
		}
		return ' '
	}, h)
	h = strings.Join(strings.Fields(h), " ")
	h = strings.ReplaceAll(strings.ReplaceAll(h, " /", "/"), "/ ", "/")
	switch h {
	case "nama", "name", "nama lengkap", "nama peserta", "nama dan gelar", "nama lengkap dan gelar", "full name":
		return "name"
	case "jabatan", "position", "jabatan peserta", "job title":
		return "position"
	case "jenis kelamin", "kelamin", "gender", "jk", "l/p", "sex":
		return "gender"
	case "kebutuhan", "kebutuhan khusus", "catatan", "needs", "special needs", "notes":
		return "needs"
	}
	return ""
}

func dropParenthesised(s string) string {
	var out strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			out.WriteRune(r)
		}
	}
	return out.String()
}

// rosterFields lists the columns in the order problems are reported.
func rosterFields() []string { return []string{"name", "position", "gender", "needs"} }

// rosterBuilder turns spreadsheet rows into entries; the CSV and XLSX
// readers feed it the same way.
type rosterBuilder struct {
	cols    map[string]int // field → column index, once the header is found
	before  int            // non-empty rows before the header
	rows    int            // participant rows so far
	entries []RosterEntry
	errs    []RosterRowError
}

// row takes row number n; it returns false when reading should stop.
func (b *rosterBuilder) row(n int, cells []string) bool {
	if b.cols == nil {
		return b.header(n, cells)
	}
	cell := func(field string) string {
		if i, ok := b.cols[field]; ok && i < len(cells) {
			return cells[i]
		}
		return ""
	}
	// A row whose roster columns are all empty is skipped even if another
	// column is filled: templates often come with "No." pre-numbered 1–60.
	empty := true
	for _, field := range rosterFields() {
		empty = empty && cleanRosterText(cell(field)) == ""
	}
	if empty {
		return true
	}
	if b.rows++; b.rows > MaxRosterEntries {
		// One problem, not one per extra row: the user has to cut the list.
		b.errs = append(b.errs, RosterRowError{Row: n, Message: RosterErrTooMany})
		return false
	}
	e, err := NewRosterEntry(cell("name"), cell("position"), cell("gender"), cell("needs"))
	if v, ok := AsValidation(err); ok {
		for _, field := range rosterFields() {
			if msg, ok := v.Fields[field]; ok {
				b.errs = append(b.errs, RosterRowError{Row: n, Field: field, Message: msg})
			}
		}
		return true
	}
	b.entries = append(b.entries, e)
	return true
}

// header looks for the header row: the first row that names at least one
// of our columns. A few rows may come before it (a title, the
// institution's name); after maxRosterHeaderRows of them the file is not
// taken for a roster.
func (b *rosterBuilder) header(n int, cells []string) bool {
	cols := map[string]int{}
	nonEmpty, ok := false, true
	for i, c := range cells {
		nonEmpty = nonEmpty || cleanRosterText(c) != ""
		field := rosterColumn(c)
		if field == "" {
			continue
		}
		if _, dup := cols[field]; dup {
			b.errs = append(b.errs, RosterRowError{Row: n, Field: field, Message: RosterErrDuplicateColumn})
			ok = false
		}
		cols[field] = i
	}
	if len(cols) == 0 {
		if nonEmpty {
			b.before++
		}
		if b.before >= maxRosterHeaderRows {
			b.errs = append(b.errs, RosterRowError{Message: RosterErrNoHeader})
			return false
		}
		return true
	}
	b.cols = cols
	for _, field := range rosterFields()[:3] { // needs is optional
		if _, found := cols[field]; !found {
			b.errs = append(b.errs, RosterRowError{Row: n, Field: field, Message: RosterErrMissingColumn})
			ok = false
		}
	}
	return ok
}

// result ends reading. Entries read before a problem that stopped it (too
// many rows) are kept so that the page can show them.
func (b *rosterBuilder) result() ([]RosterEntry, []RosterRowError) {
	switch {
	case b.cols == nil && len(b.errs) > 0:
		return nil, b.errs
	case b.cols == nil && b.before > 0:
		return nil, fileProblem(RosterErrNoHeader)
	case len(b.errs) == 0 && b.rows == 0:
		return nil, fileProblem(RosterErrEmpty)
	}
	return b.entries, b.errs
}

// rosterTemplateRows are the template's example rows. Rows whose name is
// one of these are refused, so that examples are not uploaded as officials.
func rosterTemplateRows() [][]string {
	return [][]string{
		{"Drs. Ahmad Contoh, M.Si.", "Kepala Dinas Penanaman Modal dan PTSP", "L", ""},
		{"Siti Contoh, S.H., M.H.", "Analis Kebijakan Ahli Muda", "P", "Pengguna kursi roda; vegetarian"},
	}
}

// RosterTemplateCSV returns the template the request page offers for
// download: an Indonesian header and two example rows, separated by ';'
// and with a UTF-8 BOM, which is what Excel in an Indonesian locale opens
// into columns with the characters intact.
func RosterTemplateCSV() []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true
	_ = w.Write([]string{"Nama (dengan gelar)", "Jabatan", "Jenis Kelamin (L/P)", "Kebutuhan Khusus"})
	for _, row := range rosterTemplateRows() {
		_ = w.Write(row)
	}
	w.Flush() // writes to memory: no error to report
	return buf.Bytes()
}
