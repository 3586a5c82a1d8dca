package models_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// historyVisit is a visit on day (in March 2026, 09:00 WITA).
func historyVisit(code, name string, status models.VisitStatus, day, participants int, prov, reg string) models.Visit {
	start := time.Date(2026, 3, day, 9, 0, 0, 0, histZone)
	return models.Visit{
		ID: bson.NewObjectID(), Code: code, Status: status, InstitutionName: name,
		InstitutionType: models.InstRegency, ProvinceCode: prov, RegencyCode: reg,
		Region: "Kabupaten X", Participants: participants, Topics: []string{"Perizinan"},
		Leader:  models.Person{Name: "Ketua " + code, Position: "Sekda"},
		Contact: models.Person{Name: "Narahubung " + code, Email: strings.ToLower(code) + "@example.go.id", Phone: "+6281234567890"},
		Start:   start.UTC(), End: start.Add(2 * time.Hour).UTC(), CreatedAt: start.AddDate(0, 0, -20).UTC(),
		History: []models.Event{{At: start.UTC(), Action: "diajukan"}},
		Roster:  []models.RosterEntry{{}}, TrackingHash: "h-" + code, SubmissionKey: "k-" + code,
	}
}

var histZone = time.FixedZone("WITA", 8*3600)

func seedHistory(t *testing.T, st *models.Store, visits ...models.Visit) {
	t.Helper()
	for i := range visits {
		if err := st.InsertVisit(ctx(t), &visits[i]); err != nil {
			t.Fatal(err)
		}
	}
}

func histCodes(vs []models.Visit) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Code
	}
	return out
}

func TestHistoryFiltersSortAndPages(t *testing.T) {
	st := server.Open(t)
	escort := bson.NewObjectID()
	a := historyVisit("ST-2026-0001", "Pemerintah Kabupaten Konawe", models.StatusCompleted, 2, 20, "74", "74.02")
	a.EscortIDs, a.Escorts = []bson.ObjectID{escort}, []string{"Made"}
	b := historyVisit("ST-2026-0002", "Pemerintah Kota Kendari", models.StatusApproved, 10, 35, "74", "74.71")
	c := historyVisit("ST-2026-0003", "Pemerintah Kabupaten Blora", models.StatusDeclined, 20, 12, "33", "33.16")
	seedHistory(t, st, a, b, c)

	run := func(f models.HistoryFilter) []string {
		t.Helper()
		got, total, err := st.History(ctx(t), f, histZone)
		if err != nil {
			t.Fatal(err)
		}
		if int(total) < len(got) {
			t.Errorf("total %d < page %d", total, len(got))
		}
		for _, v := range got {
			if len(v.Roster) > 0 || len(v.History) > 0 {
				t.Errorf("%s: roster and history should be projected away", v.Code)
			}
		}
		return histCodes(got)
	}
	for _, tc := range []struct {
		name string
		f    models.HistoryFilter
		want []string
	}{
		{"default newest first", models.HistoryFilter{}, []string{"ST-2026-0003", "ST-2026-0002", "ST-2026-0001"}},
		{"date ascending", models.HistoryFilter{Asc: true}, []string{"ST-2026-0001", "ST-2026-0002", "ST-2026-0003"}},
		{"participants desc", models.HistoryFilter{Sort: models.HistoryByParticipants}, []string{"ST-2026-0002", "ST-2026-0001", "ST-2026-0003"}},
		{"institution asc", models.HistoryFilter{Sort: models.HistoryByInstitution, Asc: true}, []string{"ST-2026-0003", "ST-2026-0001", "ST-2026-0002"}},
		{"status asc", models.HistoryFilter{Sort: models.HistoryByStatus, Asc: true}, []string{"ST-2026-0002", "ST-2026-0003", "ST-2026-0001"}},
		{"province", models.HistoryFilter{InboxFilter: models.InboxFilter{Province: "74"}}, []string{"ST-2026-0002", "ST-2026-0001"}},
		{"regency", models.HistoryFilter{Regency: "74.71"}, []string{"ST-2026-0002"}},
		{"escort", models.HistoryFilter{Escort: escort}, []string{"ST-2026-0001"}},
		{"status", models.HistoryFilter{InboxFilter: models.InboxFilter{Status: models.StatusDeclined}}, []string{"ST-2026-0003"}},
		{"period inclusive", models.HistoryFilter{InboxFilter: models.InboxFilter{From: "2026-03-02", To: "2026-03-10"}}, []string{"ST-2026-0002", "ST-2026-0001"}},
		{"search", models.HistoryFilter{InboxFilter: models.InboxFilter{Query: "blora"}}, []string{"ST-2026-0003"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	all, err := st.HistoryAll(ctx(t), models.HistoryFilter{InboxFilter: models.InboxFilter{Province: "74", Page: 3}}, histZone, 0)
	if err != nil || len(all) != 2 {
		t.Fatalf("HistoryAll: %d visits, %v; want 2 whatever the page", len(all), err)
	}
	if one, _ := st.HistoryAll(ctx(t), models.HistoryFilter{}, histZone, 1); len(one) != 1 {
		t.Errorf("HistoryAll limit 1 gave %d", len(one))
	}
}

func TestHistoryPagesNeitherRepeatNorSkip(t *testing.T) {
	st := server.Open(t)
	var vs []models.Visit
	for i := range models.HistoryPageSize + 5 {
		// Equal dates: only the ID tiebreak keeps pages stable.
		vs = append(vs, historyVisit(fmt.Sprintf("ST-2026-%04d", i+1), "Sama", models.StatusCompleted, 5, 10, "51", "51.03"))
	}
	seedHistory(t, st, vs...)
	seen := map[string]bool{}
	for page := range 2 {
		got, total, err := st.History(ctx(t), models.HistoryFilter{InboxFilter: models.InboxFilter{Page: page}}, histZone)
		if err != nil || total != int64(len(vs)) {
			t.Fatalf("page %d: total %d, %v", page, total, err)
		}
		for _, v := range got {
			if seen[v.Code] {
				t.Errorf("%s on two pages", v.Code)
			}
			seen[v.Code] = true
		}
	}
	if len(seen) != len(vs) {
		t.Errorf("saw %d visits over the pages, want %d", len(seen), len(vs))
	}
}

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"Kabupaten Badung":     "Kabupaten Badung",
		"=HYPERLINK(\"x\")":    "'=HYPERLINK(\"x\")",
		"+6281234":             "'+6281234",
		"-2+3":                 "'-2+3",
		"@SUM(A1)":             "'@SUM(A1)",
		"\t=1":                 "'\t=1",
		"\r=1":                 "'\r=1",
		"a=1":                  "a=1",
		"'already":             "'already",
		"Ōtsuka = terhormat":   "Ōtsuka = terhormat",
		" =1 (space is plain)": " =1 (space is plain)",
	} {
		if got := models.CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func histLabel(key string) string { return "[" + key + "]" }

func TestHistoryExportsKeepFormulasText(t *testing.T) {
	regions, err := models.LoadRegions()
	if err != nil {
		t.Fatal(err)
	}
	v := historyVisit("ST-2026-0001", "=HYPERLINK(\"http://evil\",\"x\")", models.StatusCompleted, 5, 20, "74", "74.02")
	visits := []models.Visit{v}

	var buf bytes.Buffer
	if err := models.WriteHistoryCSV(&buf, visits, regions, histZone, histLabel); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")) {
		t.Error("CSV without a byte-order mark")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF"))))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("CSV: %d records, %v", len(recs), err)
	}
	if !slices.Equal(recs[0], models.HistoryColumns()) {
		t.Errorf("header %v", recs[0])
	}
	row := recs[1]
	if row[4] != "'"+v.InstitutionName {
		t.Errorf("CSV institution %q: not neutralised", row[4])
	}
	if row[2] != "2026-03-05" || row[3] != "09.00–11.00 WITA" || row[10] != "20" || row[1] != "[status.selesai]" {
		t.Errorf("CSV row %q", row)
	}
	if row[7] == "74.02" || row[7] == "" {
		t.Errorf("regency %q: want its name", row[7])
	}

	b, err := models.HistoryXLSX(visits, regions, histZone, histLabel)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	formula, err := f.GetCellFormula(models.HistorySheet, "E2")
	if err != nil || formula != "" {
		t.Errorf("E2 formula %q, %v: want none", formula, err)
	}
	if got, _ := f.GetCellValue(models.HistorySheet, "E2"); got != v.InstitutionName {
		t.Errorf("E2 = %q, want the name as typed", got)
	}
	if typ, _ := f.GetCellType(models.HistorySheet, "E2"); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		t.Errorf("E2 type %v, want a string", typ)
	}
	if got, _ := f.GetCellValue(models.HistorySheet, "C2"); got != "2026-03-05" {
		t.Errorf("visit date %q", got)
	}
	if got, _ := f.GetCellValue(models.HistorySheet, "K2"); got != "20" {
		t.Errorf("participants %q", got)
	}
	if got, _ := f.GetCellValue(models.HistorySheet, "A1"); got != "Kode" {
		t.Errorf("A1 = %q", got)
	}
	panes, err := f.GetPanes(models.HistorySheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", panes, err)
	}
}
