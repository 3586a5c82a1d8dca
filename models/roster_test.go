package models_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"

	"studitiru/models"
)

type rowErr = models.RosterRowError

func lines(ls ...string) string { return strings.Join(ls, "\r\n") + "\r\n" }

// parseCSV runs ParseRosterCSV and ParseRoster on the same text; both must
// agree, since ParseRoster sends anything that is not a ZIP to the CSV parser.
func parseCSV(t *testing.T, text string) ([]models.RosterEntry, []models.RosterRowError) {
	t.Helper()
	entries, errs, err := models.ParseRosterCSV(strings.NewReader(text))
	if err != nil {
		t.Fatalf("ParseRosterCSV: %v", err)
	}
	e2, errs2, err := models.ParseRoster(strings.NewReader(text))
	if err != nil || !reflect.DeepEqual(e2, entries) || !reflect.DeepEqual(errs2, errs) {
		t.Fatalf("ParseRoster differs from ParseRosterCSV: %v, %v, %v", e2, errs2, err)
	}
	return entries, errs
}

func checkRoster(t *testing.T, gotEntries []models.RosterEntry, gotErrs []rowErr, wantEntries []models.RosterEntry, wantErrs []rowErr) {
	t.Helper()
	if !reflect.DeepEqual(gotEntries, wantEntries) {
		t.Errorf("entries:\n got %#v\nwant %#v", gotEntries, wantEntries)
	}
	if !reflect.DeepEqual(gotErrs, wantErrs) {
		t.Errorf("row errors:\n got %#v\nwant %#v", gotErrs, wantErrs)
	}
}

func TestParseRosterCSVGoodFiles(t *testing.T) {
	ahmad := models.RosterEntry{Name: "Dr. H. Ahmad Yani, S.E., M.Si.", Position: "Kepala Bappeda", Gender: models.GenderMale}
	sari := models.RosterEntry{Name: "Ni Made Sari, S.Sos.", Position: "Sekretaris Dinas", Gender: models.GenderFemale, Needs: "Pengguna kursi roda"}
	tests := []struct {
		name string
		text string
		want []models.RosterEntry
	}{
		{
			// What Excel in an Indonesian locale saves as "CSV UTF-8": BOM,
			// ';', a pre-numbered "No" column, a blank numbered row.
			name: "Indonesian Excel",
			text: "\ufeff" + lines(
				"No;Nama;Jabatan;Jenis Kelamin (L/P);Kebutuhan Khusus",
				"1;Dr. H. Ahmad Yani, S.E., M.Si.;Kepala Bappeda;L;",
				"2;  Ni  Made Sari, S.Sos. ;Sekretaris Dinas;perempuan;Pengguna kursi roda",
				";;;;",
				"3;;;;",
			),
			want: []models.RosterEntry{ahmad, sari},
		},
		{
			name: "English headers in another order, comma separator, LF",
			text: "Gender,Needs,Position,Name\n" +
				"male,,Kepala Bappeda,\"Dr. H. Ahmad Yani, S.E., M.Si.\"\n" +
				"FEMALE,Pengguna kursi roda,Sekretaris Dinas,\"Ni Made Sari, S.Sos.\"\n",
			want: []models.RosterEntry{ahmad, sari},
		},
		{
			name: "title rows above the header, sep= line, short header names",
			text: lines(
				"sep=;",
				"DAFTAR PESERTA STUDI TIRU;;;",
				"Pemerintah Kabupaten Contoh;;;",
				";;;",
				"NAMA*;JABATAN;JK;CATATAN",
				"Dr. H. Ahmad Yani, S.E., M.Si.;Kepala Bappeda;Pria;",
				"Ni Made Sari, S.Sos.;Sekretaris Dinas;Wanita;Pengguna kursi roda",
			),
			want: []models.RosterEntry{ahmad, sari},
		},
		{
			// More commas than semicolons on the data rows.
			name: "semicolons, names full of commas",
			text: lines(
				"Nama;Jabatan;JK",
				"Dr. H. Ahmad Yani, S.E., M.Si., M.Kes., M.H.;Kepala Bappeda;L",
				"\"Ni Made Sari, S.Sos.\";Sekretaris Dinas;P",
			),
			want: []models.RosterEntry{
				{Name: "Dr. H. Ahmad Yani, S.E., M.Si., M.Kes., M.H.", Position: "Kepala Bappeda", Gender: "L"},
				{Name: "Ni Made Sari, S.Sos.", Position: "Sekretaris Dinas", Gender: "P"},
			},
		},
		{
			name: "gender spellings",
			text: lines(
				"nama;jabatan;L/P",
				"Budi Santoso;Staf;laki-laki",
				"Budi Santosa;Staf;Laki Laki",
				"Ayu Lestari;Staf;p",
				"Ayu Lestary;Staf;Perempuan",
			),
			want: []models.RosterEntry{
				{Name: "Budi Santoso", Position: "Staf", Gender: "L"},
				{Name: "Budi Santosa", Position: "Staf", Gender: "L"},
				{Name: "Ayu Lestari", Position: "Staf", Gender: "P"},
				{Name: "Ayu Lestary", Position: "Staf", Gender: "P"},
			},
		},
		{
			// Text a spreadsheet would take for a formula is stored as typed;
			// escaping it is the exporter's job.
			name: "formula-like text kept",
			text: lines(
				"Nama;Jabatan;Jenis Kelamin;Kebutuhan",
				"@Budi Santoso;-;L;+ vegetarian",
				"=HYPERLINK(\"x\");=1+1;P;-",
			),
			want: []models.RosterEntry{
				{Name: "@Budi Santoso", Position: "-", Gender: "L", Needs: "+ vegetarian"},
				{Name: "=HYPERLINK(\"x\")", Position: "=1+1", Gender: "P", Needs: "-"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entries, errs := parseCSV(t, tc.text)
			checkRoster(t, entries, errs, tc.want, nil)
		})
	}
}

func TestParseRosterCSVEncodings(t *testing.T) {
	want := []models.RosterEntry{{Name: "José Rizal Situmorang", Position: "Kepala Bagian Umum", Gender: "L", Needs: "Tidak makan daging"}}
	text := lines("Nama;Jabatan;JK;Kebutuhan", "José Rizal Situmorang;Kepala Bagian Umum;L;Tidak makan daging")
	cp1252, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().String(strings.ReplaceAll(text, ";", "\t"))
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"UTF-8":                      text,
		"Windows-1252 (Excel CSV)":   cp1252,
		"UTF-16 tabs (Unicode text)": utf16,
		"old Mac line ends":          strings.ReplaceAll(text, "\r\n", "\r"),
		"NFD from a Mac":             strings.ReplaceAll(text, "é", "e\u0301"),
	} {
		t.Run(name, func(t *testing.T) {
			entries, errs := parseCSV(t, in)
			checkRoster(t, entries, errs, want, nil)
		})
	}
}

func TestParseRosterCSVBadRows(t *testing.T) {
	long := strings.Repeat("a", 121)
	text := lines(
		"Nama;Jabatan;Jenis Kelamin;Kebutuhan Khusus", // row 1
		"Budi Santoso;Kepala Dinas;L;",                // 2
		";Sekretaris;P;",                              // 3: no name
		"",                                            // 4: blank line, a row in the spreadsheet
		"Ayu Lestari;Staf;X;",                         // 5: unknown gender
		"\"Putu Wirawan,\nS.T.\";\"Kepala\nBidang\";L;", // 6: cells over two lines, still one row
		long+";"+long+";L;"+strings.Repeat("b", 201),    // 7: everything too long
		"A;Staf;;",      // 8: name too short, no gender
		"Made Yasa;;L;", // 9: no position
	)
	entries, errs := parseCSV(t, text)
	checkRoster(t, entries, errs,
		[]models.RosterEntry{
			{Name: "Budi Santoso", Position: "Kepala Dinas", Gender: "L"},
			{Name: "Putu Wirawan, S.T.", Position: "Kepala Bidang", Gender: "L"},
		},
		[]rowErr{
			{Row: 3, Field: "name", Message: "err.required"},
			{Row: 5, Field: "gender", Message: "roster.gender"},
			{Row: 7, Field: "name", Message: "err.too_long"},
			{Row: 7, Field: "position", Message: "err.too_long"},
			{Row: 7, Field: "needs", Message: "err.too_long"},
			{Row: 8, Field: "name", Message: "err.too_short"},
			{Row: 8, Field: "gender", Message: "err.required"},
			{Row: 9, Field: "position", Message: "err.required"},
		})
}

func TestParseRosterLimitsOfLength(t *testing.T) {
	// Exactly at the limits is fine; lengths count characters, not bytes.
	name := strings.Repeat("é", 120)
	needs := strings.Repeat("ü", 200)
	entries, errs := parseCSV(t, lines("Nama;Jabatan;JK;Kebutuhan", name+";"+strings.Repeat("x", 120)+";L;"+needs, "Al;Staf;P;"))
	checkRoster(t, entries, errs, []models.RosterEntry{
		{Name: name, Position: strings.Repeat("x", 120), Gender: "L", Needs: needs},
		{Name: "Al", Position: "Staf", Gender: "P"},
	}, nil)
}

func rosterRows(n int) []string {
	rows := []string{"Nama;Jabatan;JK"}
	for i := 1; i <= n; i++ {
		rows = append(rows, fmt.Sprintf("Peserta Nomor %d;Staf;L", i))
	}
	return rows
}

func TestParseRosterCSVCount(t *testing.T) {
	entries, errs := parseCSV(t, lines(rosterRows(models.MaxRosterEntries)...))
	if len(entries) != models.MaxRosterEntries || errs != nil {
		t.Errorf("%d rows: got %d entries, errors %v", models.MaxRosterEntries, len(entries), errs)
	}

	// One problem for the whole excess, at the first row too many.
	entries, errs = parseCSV(t, lines(rosterRows(models.MaxRosterEntries+15)...))
	if want := []rowErr{{Row: models.MaxRosterEntries + 2, Message: "roster.too_many"}}; !reflect.DeepEqual(errs, want) {
		t.Errorf("too many rows: got %v, want %v", errs, want)
	}
	if len(entries) != models.MaxRosterEntries {
		t.Errorf("too many rows: got %d entries, want the first %d", len(entries), models.MaxRosterEntries)
	}
}

func TestParseRosterFileProblems(t *testing.T) {
	fileErr := func(key string) []rowErr { return []rowErr{{Message: key}} }
	var otherZip bytes.Buffer
	zw := zip.NewWriter(&otherZip)
	w, _ := zw.Create("word/document.xml")
	_, _ = w.Write([]byte("<document/>"))
	_ = zw.Close()

	tests := []struct {
		name string
		in   string
		want []rowErr
	}{
		{"empty file", "", fileErr("roster.empty")},
		{"only a BOM and blank lines", "\ufeff\r\n\r\n  \r\n", fileErr("roster.empty")},
		{"header only", lines("Nama;Jabatan;Jenis Kelamin"), fileErr("roster.empty")},
		{"header and empty rows", lines("Nama;Jabatan;Jenis Kelamin", ";;", "; ;"), fileErr("roster.empty")},
		{"a letter, not a roster", lines("Nomor: 000/123/Bappeda", "Perihal: Permohonan studi tiru"), fileErr("roster.no_header")},
		{"rows without header", lines(rosterRows(20)[1:]...), fileErr("roster.no_header")},
		{"PNG image", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", fileErr("roster.format")},
		{"old .xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00", fileErr("roster.format")},
		{"UTF-16 without BOM", "N\x00a\x00m\x00a\x00", fileErr("roster.format")},
		{"a .docx", otherZip.String(), fileErr("roster.format")},
		{"broken ZIP", "PK\x03\x04 not really", fileErr("roster.format")},
		{"missing column", lines("Nama;Jabatan", "Budi Santoso;Staf"), []rowErr{{Row: 1, Field: "gender", Message: "roster.missing_column"}}},
		{"missing columns below a title", lines("Daftar Peserta", "", "No;Nama;Keterangan", "1;Budi Santoso;x"), []rowErr{
			{Row: 3, Field: "position", Message: "roster.missing_column"},
			{Row: 3, Field: "gender", Message: "roster.missing_column"},
		}},
		{"duplicate column", lines("Nama;Name;Jabatan;JK", "a;b;c;L"), []rowErr{{Row: 1, Field: "name", Message: "roster.duplicate_column"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entries, errs, err := models.ParseRoster(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			checkRoster(t, entries, errs, nil, tc.want)
		})
	}
}

func TestParseRosterSizeLimits(t *testing.T) {
	huge := lines("Nama;Jabatan;JK") + strings.Repeat(" ", models.MaxRosterFileSize)
	for name, parse := range map[string]func(string) error{
		"ParseRoster":    func(s string) error { _, _, err := models.ParseRoster(strings.NewReader(s)); return err },
		"ParseRosterCSV": func(s string) error { _, _, err := models.ParseRosterCSV(strings.NewReader(s)); return err },
		"ParseRosterXLSX": func(s string) error {
			_, _, err := models.ParseRosterXLSX(strings.NewReader(s))
			return err
		},
	} {
		if err := parse(huge); !errors.Is(err, models.ErrRosterTooLarge) {
			t.Errorf("%s of %d bytes: got %v, want ErrRosterTooLarge", name, len(huge), err)
		}
	}
	if _, _, err := models.ParseRosterCSV(strings.NewReader(huge[:models.MaxRosterFileSize])); err != nil {
		t.Errorf("exactly MaxRosterFileSize bytes: %v", err)
	}

	// A zip bomb: a small workbook whose sheet unpacks to 64 MiB.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte("<x/>"))
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	zeros := make([]byte, 1<<20)
	for range 64 {
		_, _ = w.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if bomb.Len() > models.MaxRosterFileSize {
		t.Fatalf("the bomb is %d bytes, over the upload limit", bomb.Len())
	}
	if _, _, err := models.ParseRoster(&bomb); !errors.Is(err, models.ErrRosterTooLarge) {
		t.Errorf("zip bomb: got %v, want ErrRosterTooLarge", err)
	}

	// A reader that fails is the only other error.
	if _, _, err := models.ParseRoster(iotest.ErrReader(errors.New("connection reset"))); err == nil || errors.Is(err, models.ErrRosterTooLarge) {
		t.Errorf("failing reader: got %v", err)
	}
}

// buildXLSX writes rows (nil = a row never typed in) to the first sheet
// of a new workbook, plus a second sheet that must be ignored.
func buildXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sheet := f.GetSheetName(0)
	for i, row := range rows {
		if row == nil {
			continue
		}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.NewSheet("Catatan"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Catatan", "A1", &[]any{"Nama", "Jabatan", "JK"}); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseRosterXLSX(t *testing.T) {
	data := buildXLSX(t, [][]any{
		{"DAFTAR PESERTA KUNJUNGAN STUDI TIRU"}, // 1: title
		nil,                                     // 2
		{"No.", "Nama Lengkap (dengan gelar)", "Jabatan", "L/P", "Kebutuhan khusus"}, // 3
		{1, "Dr. Ir. I Gusti Ngurah Rai, M.T.", "Kepala Dinas PUPR", "L", ""},        // 4
		{2, "Ni Komang Ayu", "Kepala Bidang", "Z", ""},                               // 5: bad gender
		nil,                 // 6: never typed
		{3, "", "", "", ""}, // 7: empty
		{4, "Siti Aminah, S.Kom.", "=A1", "Perempuan", "Alergi kacang"},                    // 8: formula-like text
		{5, "Yohanes Tefa", "", "L"},                                                       // 9: no position
		{6, strings.Repeat("Nama ", 30), "Staf", "L"},                                      // 10: name too long
		{7, "Andi Mappanyukki", "Kepala Seksi\nPelayanan", "pria", "Tidak makan daging  "}, // 11
	})
	want := []models.RosterEntry{
		{Name: "Dr. Ir. I Gusti Ngurah Rai, M.T.", Position: "Kepala Dinas PUPR", Gender: "L"},
		{Name: "Siti Aminah, S.Kom.", Position: "=A1", Gender: "P", Needs: "Alergi kacang"},
		{Name: "Andi Mappanyukki", Position: "Kepala Seksi Pelayanan", Gender: "L", Needs: "Tidak makan daging"},
	}
	wantErrs := []rowErr{
		{Row: 5, Field: "gender", Message: "roster.gender"},
		{Row: 9, Field: "position", Message: "err.required"},
		{Row: 10, Field: "name", Message: "err.too_long"},
	}
	for name, parse := range map[string]func(io.Reader) ([]models.RosterEntry, []rowErr, error){
		"ParseRoster":     models.ParseRoster,
		"ParseRosterXLSX": models.ParseRosterXLSX,
	} {
		t.Run(name, func(t *testing.T) {
			entries, errs, err := parse(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			checkRoster(t, entries, errs, want, wantErrs)
		})
	}
	t.Run("too many rows", func(t *testing.T) {
		rows := [][]any{{"Nama", "Jabatan", "JK"}}
		for i := range models.MaxRosterEntries + 1 {
			rows = append(rows, []any{fmt.Sprintf("Peserta %d", i+1), "Staf", "P"})
		}
		entries, errs, err := models.ParseRoster(bytes.NewReader(buildXLSX(t, rows)))
		if err != nil {
			t.Fatal(err)
		}
		if want := []rowErr{{Row: models.MaxRosterEntries + 2, Message: "roster.too_many"}}; len(entries) != models.MaxRosterEntries || !reflect.DeepEqual(errs, want) {
			t.Errorf("got %d entries, errors %v; want %d, %v", len(entries), errs, models.MaxRosterEntries, want)
		}
	})
	t.Run("empty workbook", func(t *testing.T) {
		entries, errs, err := models.ParseRoster(bytes.NewReader(buildXLSX(t, nil)))
		if err != nil {
			t.Fatal(err)
		}
		checkRoster(t, entries, errs, nil, []rowErr{{Message: "roster.empty"}})
	})
	t.Run("CSV given to ParseRosterXLSX", func(t *testing.T) {
		_, errs, err := models.ParseRosterXLSX(strings.NewReader(lines("Nama;Jabatan;JK", "Budi;Staf;L")))
		if err != nil || !reflect.DeepEqual(errs, []rowErr{{Message: "roster.format"}}) {
			t.Errorf("got %v, %v; want roster.format", errs, err)
		}
	})
}

func TestRosterTemplateCSV(t *testing.T) {
	tpl := models.RosterTemplateCSV()
	if !bytes.HasPrefix(tpl, []byte("\ufeff")) || !utf8.Valid(tpl) {
		t.Errorf("template should be UTF-8 with a BOM for Excel: %q", tpl)
	}
	// The examples are recognised, and refused so they are not uploaded
	// as officials by mistake.
	entries, errs := parseCSV(t, string(tpl))
	checkRoster(t, entries, errs, nil, []rowErr{
		{Row: 2, Field: "name", Message: "roster.example_row"},
		{Row: 3, Field: "name", Message: "roster.example_row"},
	})
	// Filled in with real names, the same file is a valid roster.
	filled := strings.NewReplacer("Drs. Ahmad Contoh, M.Si.", "Drs. Ahmad Subagja, M.Si.", "Siti Contoh, S.H., M.H.", "Siti Rahma, S.H., M.H.").Replace(string(tpl))
	entries, errs = parseCSV(t, filled)
	checkRoster(t, entries, errs, []models.RosterEntry{
		{Name: "Drs. Ahmad Subagja, M.Si.", Position: "Kepala Dinas Penanaman Modal dan PTSP", Gender: "L"},
		{Name: "Siti Rahma, S.H., M.H.", Position: "Analis Kebijakan Ahli Muda", Gender: "P", Needs: "Pengguna kursi roda; vegetarian"},
	}, nil)
}

func TestNewRosterEntry(t *testing.T) {
	e, err := models.NewRosterEntry("  Ir.\tWayan\u00a0Sudarma ", "Camat\u200b Kuta", "Laki-Laki", "\x07-")
	want := models.RosterEntry{Name: "Ir. Wayan Sudarma", Position: "Camat Kuta", Gender: "L", Needs: "-"}
	if err != nil || e != want {
		t.Errorf("got %#v, %v; want %#v", e, err, want)
	}
	_, err = models.NewRosterEntry("", "", "laki", strings.Repeat("x", 201))
	v, ok := models.AsValidation(err)
	wantFields := map[string]string{"name": "err.required", "position": "err.required", "needs": "err.too_long"}
	if !ok || !reflect.DeepEqual(v.Fields, wantFields) {
		t.Errorf("got %v, want fields %v", err, wantFields)
	}
}

func FuzzParseRosterCSV(f *testing.F) {
	for _, s := range []string{
		"",
		"\ufeffNama;Jabatan;Jenis Kelamin (L/P);Kebutuhan Khusus\r\nBudi Santoso;Staf;L;\r\n",
		"Gender,Needs,Position,Name\nF,,Staf,\"Ayu, S.E.\"\n",
		"sep=,\nname,position,gender\n\"a\nb\",c,L\n\n\"\"\"x\",y,P\n",
		"Nama;Jabatan;JK\n\"unterminated;Staf;L\n",
		"judul\n\n\nnama\tjabatan\tl/p\nA B\tC\tp\n",
		"Nama;Nama;Nama\n",
		"\xff\xfeN\x00a\x00m\x00a\x00",
		"Nama;Jabatan;JK\n=1+1;@x;L;-\n",
		string(models.RosterTemplateCSV()),
		lines(rosterRows(61)...),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, errs, err := models.ParseRosterCSV(bytes.NewReader(data))
		if err != nil {
			if len(data) > models.MaxRosterFileSize && errors.Is(err, models.ErrRosterTooLarge) {
				return
			}
			t.Fatalf("error for readable input: %v", err)
		}
		if len(entries) > models.MaxRosterEntries {
			t.Fatalf("%d entries", len(entries))
		}
		if len(entries) == 0 && len(errs) == 0 {
			t.Fatal("no entries and no problem reported")
		}
		prev := 0
		for _, e := range errs {
			if e.Row < 0 || e.Message == "" || (e.Row != 0 && e.Row < prev) {
				t.Fatalf("bad row error %+v in %v", e, errs)
			}
			if e.Row != 0 {
				prev = e.Row
			}
		}
		// Every entry is valid on its own and survives being written out
		// and read back unchanged.
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{"name", "position", "gender", "needs"})
		for _, e := range entries {
			if again, err := models.NewRosterEntry(e.Name, e.Position, string(e.Gender), e.Needs); err != nil || again != e {
				t.Fatalf("entry %#v does not validate to itself: %#v, %v", e, again, err)
			}
			_ = w.Write([]string{e.Name, e.Position, string(e.Gender), e.Needs})
		}
		w.Flush()
		if len(entries) == 0 {
			return
		}
		again, errs2, err := models.ParseRosterCSV(&buf)
		if err != nil || len(errs2) != 0 || !reflect.DeepEqual(again, entries) {
			t.Fatalf("round trip: got %#v, %v, %v; want %#v", again, errs2, err, entries)
		}
	})
}
