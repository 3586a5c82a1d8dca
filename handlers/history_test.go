package handlers_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// historySeed stores four visits of 2026 (09.00 WITA on the given day) and
// returns them by code.
func historySeed(t *testing.T, e *env) map[string]*models.Visit {
	t.Helper()
	escort := e.users[models.RoleEscort].ID
	mk := func(code, name string, status models.VisitStatus, month time.Month, day, people int, prov, reg string) *models.Visit {
		start := time.Date(2026, month, day, 9, 0, 0, 0, e.loc)
		v := &models.Visit{
			Code: code, Status: status, InstitutionName: name, InstitutionType: models.InstRegency,
			ProvinceCode: prov, RegencyCode: reg, Region: "Wilayah " + code, Participants: people,
			Topics: []string{"Perizinan"}, Leader: models.Person{Name: "Ketua " + code, Position: "Sekda"},
			Contact: models.Person{Name: "Narahubung " + code, Email: "kontak@example.go.id", Phone: "+6281234567890"},
			Start:   start.UTC(), End: start.Add(2 * time.Hour).UTC(), CreatedAt: start.AddDate(0, 0, -14).UTC(),
			TrackingHash: "hash-" + code, SubmissionKey: "key-" + code, Language: models.LangID,
		}
		return v
	}
	vs := []*models.Visit{
		mk("ST-2026-0001", "=HYPERLINK(\"http://jahat\")", models.StatusCompleted, time.January, 15, 20, "74", "74.02"),
		mk("ST-2026-0002", "Pemerintah Kota Kendari", models.StatusApproved, time.March, 10, 35, "74", "74.71"),
		mk("ST-2026-0003", "Pemerintah Kabupaten Blora", models.StatusDeclined, time.February, 3, 12, "33", "33.16"),
		mk("ST-2026-0004", "Pemerintah Kabupaten Konawe", models.StatusCompleted, time.April, 7, 25, "74", "74.02"),
	}
	vs[3].EscortIDs, vs[3].Escorts = []bson.ObjectID{escort}, []string{"Pengguna escort"}
	out := map[string]*models.Visit{}
	for _, v := range vs {
		if err := e.store.InsertVisit(t.Context(), v); err != nil {
			t.Fatal(err)
		}
		out[v.Code] = v
	}
	return out
}

// rowCodes are the codes of the history table's rows, in order.
func historyRowCodes(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `<tr data-code="`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	return out
}

func TestHistoryListsFiltersAndSorts(t *testing.T) {
	e := newEnv(t)
	vs := historySeed(t, e)
	lead := e.sessionFor(models.RoleLeadership)
	escortHex := e.users[models.RoleEscort].ID.Hex()
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"ST-2026-0004", "ST-2026-0002", "ST-2026-0003", "ST-2026-0001"}},
		{"?provinsi=74", []string{"ST-2026-0004", "ST-2026-0002", "ST-2026-0001"}},
		{"?provinsi=74&kota=74.02", []string{"ST-2026-0004", "ST-2026-0001"}},
		// A regency of another province is ignored, not an empty list.
		{"?provinsi=33&kota=74.02", []string{"ST-2026-0003"}},
		{"?status=selesai", []string{"ST-2026-0004", "ST-2026-0001"}},
		{"?dari=2026-02-01&sampai=2026-03-10", []string{"ST-2026-0002", "ST-2026-0003"}},
		{"?pendamping=" + escortHex, []string{"ST-2026-0004"}},
		{"?q=kendari", []string{"ST-2026-0002"}},
		{"?urut=peserta", []string{"ST-2026-0002", "ST-2026-0004", "ST-2026-0001", "ST-2026-0003"}},
		{"?urut=peserta&arah=naik", []string{"ST-2026-0003", "ST-2026-0001", "ST-2026-0004", "ST-2026-0002"}},
	} {
		res := e.do("GET", "/staf/riwayat"+tc.query, nil, lead)
		if res.status != http.StatusOK {
			t.Fatalf("%s: %d %.300s", tc.query, res.status, res.body)
		}
		if got := historyRowCodes(res.body); !slices.Equal(got, tc.want) {
			t.Errorf("%s: rows %v, want %v", tc.query, got, tc.want)
		}
	}

	res := e.do("GET", "/staf/riwayat?provinsi=74&urut=peserta", nil, lead)
	body := res.body
	// The regency select is filled for the chosen province.
	if !strings.Contains(body, `<option value="74.02"`) || strings.Contains(body, `<option value="33.16"`) {
		t.Error("the regency select does not list the province's regencies only")
	}
	if !strings.Contains(body, `aria-sort="descending"><a href="/staf/riwayat?arah=naik&amp;provinsi=74&amp;urut=peserta"`) {
		t.Errorf("participants header not marked sorted, or its link does not turn the order round:\n%s", body[strings.Index(body, "<thead>"):][:1500])
	}
	if strings.Count(body, "aria-sort=") != 1 {
		t.Error("exactly one column should carry aria-sort")
	}
	// Rows open the request page; the export links keep the filter.
	if !strings.Contains(body, `href="/staf/permohonan/`+vs["ST-2026-0002"].ID.Hex()+`"`) {
		t.Error("row does not link to the request page")
	}
	if !strings.Contains(body, `href="/staf/riwayat.csv?provinsi=74"`) || !strings.Contains(body, `href="/staf/riwayat.xlsx?provinsi=74"`) {
		t.Error("export links do not carry the filter")
	}
	if !strings.Contains(body, `action="/staf/laporan.pdf"`) {
		t.Error("no report form")
	}
	// Read-only: no decision forms.
	for _, action := range []string{"/setujui", "/tolak", "/batal", "/selesai", "/ubah"} {
		if strings.Contains(body, action) {
			t.Errorf("history page offers %s", action)
		}
	}
	if !strings.Contains(body, `href="/staf/riwayat"`) || !strings.Contains(body, "Riwayat") {
		t.Error("no nav entry for the history")
	}
}

func TestHistoryPages(t *testing.T) {
	e := newEnv(t)
	for i := range models.HistoryPageSize + 1 {
		start := time.Date(2026, 5, 1, 9, 0, 0, 0, e.loc).AddDate(0, 0, i)
		code := "ST-2026-" + string(rune('A'+i/26)) + string(rune('a'+i%26))
		v := &models.Visit{Code: code, Status: models.StatusCompleted, InstitutionName: "Instansi", Start: start.UTC(), End: start.UTC(),
			TrackingHash: "h" + code, SubmissionKey: "k" + code}
		if err := e.store.InsertVisit(t.Context(), v); err != nil {
			t.Fatal(err)
		}
	}
	lead := e.sessionFor(models.RoleCoordinator)
	first := e.do("GET", "/staf/riwayat", nil, lead)
	if n := len(historyRowCodes(first.body)); n != models.HistoryPageSize || !strings.Contains(first.body, `href="/staf/riwayat?hal=2" rel="next"`) {
		t.Fatalf("first page: %d rows, next link missing", n)
	}
	second := e.do("GET", "/staf/riwayat?hal=2", nil, lead)
	if got := historyRowCodes(second.body); len(got) != 1 || got[0] != "ST-2026-Aa" {
		t.Errorf("second page %v, want the oldest visit only", got)
	}
}

func TestHistoryExportsHoldTheFilteredRows(t *testing.T) {
	e := newEnv(t)
	historySeed(t, e)
	coord := e.sessionFor(models.RoleCoordinator)

	res := e.do("GET", "/staf/riwayat.csv?provinsi=74&urut=instansi&arah=naik", nil, coord)
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, "\uFEFF") {
		t.Fatalf("CSV: %d %.200q", res.status, res.body)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.body, "\uFEFF")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rec := range recs[1:] {
		got = append(got, rec[0])
	}
	// Sorted by institution: "=HYPERLINK…" before "Pemerintah…".
	if want := []string{"ST-2026-0001", "ST-2026-0004", "ST-2026-0002"}; !slices.Equal(got, want) {
		t.Errorf("CSV rows %v, want %v", got, want)
	}
	if recs[0][0] != "Kode" || recs[1][4] != `'=HYPERLINK("http://jahat")` || recs[1][1] != "Selesai" {
		t.Errorf("CSV: header %q, first row %q", recs[0], recs[1])
	}
	if recs[1][7] != "Kabupaten Konawe" && !strings.Contains(recs[1][7], "Konawe") {
		t.Errorf("regency %q", recs[1][7])
	}

	res = e.do("GET", "/staf/riwayat.xlsx?provinsi=74&kota=74.02", nil, coord)
	if res.status != http.StatusOK {
		t.Fatalf("XLSX: %d", res.status)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(res.body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(models.HistorySheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][0] != "ST-2026-0004" || rows[2][0] != "ST-2026-0001" {
		t.Fatalf("XLSX rows %q", rows)
	}
	if formula, _ := f.GetCellFormula(models.HistorySheet, "E3"); formula != "" {
		t.Errorf("E3 is a formula: %q", formula)
	}
	if v, _ := f.GetCellValue(models.HistorySheet, "E3"); v != `=HYPERLINK("http://jahat")` {
		t.Errorf("E3 = %q, want the name as typed", v)
	}
}

func TestExportFileNames(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	for path, want := range map[string]string{
		"/staf/riwayat.csv":  `attachment; filename="riwayat-kunjungan-2026-03-05.csv"`,
		"/staf/riwayat.xlsx": `attachment; filename="riwayat-kunjungan-2026-03-05.xlsx"`,
	} {
		req, _ := http.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: "st_session", Value: coord})
		raw, err := e.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		if got := raw.Header.Get("Content-Disposition"); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
		raw.Body.Close()
	}
}

func TestReportPDFStatesPeriodAndIKM(t *testing.T) {
	e := newEnv(t)
	vs := historySeed(t, e)
	scores := func(n int) (s models.SKMScores) {
		for i := range s {
			s[i] = n
		}
		return s
	}
	v := vs["ST-2026-0004"]
	for _, n := range []int{4, 4, 3} {
		if err := e.store.InsertSurveyResponse(t.Context(), &models.SurveyResponse{VisitID: v.ID, VisitStart: v.Start, Scores: scores(n), At: v.End}); err != nil {
			t.Fatal(err)
		}
	}
	res := e.do("GET", "/staf/laporan.pdf?"+url.Values{"dari": {"2026-01-01"}, "sampai": {"2026-12-31"}}.Encode(), nil, e.sessionFor(models.RoleLeadership))
	text := letterText(t, res)
	for _, want := range []string{"1 Januari 2026 – 31 Desember 2026", "91,67", "Sangat Baik", "Perizinan", "Kabupaten/kota"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if bad := e.do("GET", "/staf/laporan.pdf?dari=2026-12-31&sampai=2026-01-01", nil, e.sessionFor(models.RoleLeadership)); bad.status != http.StatusUnprocessableEntity {
		t.Errorf("reversed period: %d, want 422", bad.status)
	}
}

func TestHistoryIsNotForEscorts(t *testing.T) {
	e := newEnv(t)
	escort := e.sessionFor(models.RoleEscort)
	for _, path := range []string{"/staf/riwayat", "/staf/riwayat.csv", "/staf/riwayat.xlsx", "/staf/laporan.pdf?dari=2026-01-01&sampai=2026-12-31"} {
		if res := e.do("GET", path, nil, escort); res.status != http.StatusForbidden {
			t.Errorf("escort GET %s: %d, want 403", path, res.status)
		}
	}
	res := e.do("GET", "/staf", nil, escort)
	if strings.Contains(res.body, `href="/staf/riwayat"`) {
		t.Error("escorts see the history in the navigation")
	}
}
