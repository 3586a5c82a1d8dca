package models_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

func TestAuditDiff(t *testing.T) {
	at := time.Date(2026, 3, 12, 1, 0, 0, 0, time.UTC)
	id := bson.NewObjectID()
	base := func() *models.Visit {
		return &models.Visit{
			ID: id, Code: "ST-2026-0001", Status: models.StatusSubmitted,
			Contact: models.Person{Name: "Sri Wahyuni", Position: "Kasubbag", Email: "sri@blora.go.id", Phone: "+6281234567890"},
			Topics:  []string{"MPP digital"}, Participants: 24, Start: at, Version: 3,
			Roster: []models.RosterEntry{{Name: "A", Position: "Staf", Gender: "L"}},
		}
	}
	long := strings.Repeat("panjang ", 100)
	manyRoster := func(n int) []models.RosterEntry {
		var out []models.RosterEntry
		for i := range n {
			out = append(out, models.RosterEntry{Name: fmt.Sprintf("Peserta %d", i), Position: "Staf", Gender: "P"})
		}
		return out
	}
	cases := []struct {
		name   string
		before any
		after  func() any
		ignore []string
		want   []models.AuditChange
	}{
		{"unchanged", base(), func() any { return base() }, nil, nil},
		{"nested field and status, stamps ignored", base(), func() any {
			v := base()
			v.Status, v.Contact.Phone, v.Version, v.UpdatedAt = models.StatusApproved, "+6281111111111", 4, at
			return v
		}, nil, []models.AuditChange{
			{Path: "contact.phone", Before: "+6281234567890", After: "+6281111111111"},
			{Path: "status", Before: "diajukan", After: "disetujui"},
		}},
		{"array grows, time and number", base(), func() any {
			v := base()
			v.Topics = append(v.Topics, "Integrasi OSS")
			v.Start, v.Participants = at.Add(time.Hour), 30
			return v
		}, nil, []models.AuditChange{
			{Path: "participants", Before: "24", After: "30"},
			{Path: "start", Before: "2026-03-12T01:00:00Z", After: "2026-03-12T02:00:00Z"},
			{Path: "topics.1", After: "Integrasi OSS"},
		}},
		{"array shrinks", base(), func() any { v := base(); v.Roster = nil; return v }, nil, []models.AuditChange{
			{Path: "roster.0.gender", Before: "L"}, {Path: "roster.0.name", Before: "A"}, {Path: "roster.0.position", Before: "Staf"},
		}},
		{"ignored prefix", base(), func() any {
			v := base()
			v.History = append(v.History, models.Event{At: at, Actor: "Ayu", Action: "disetujui"})
			v.StaffNote = "Catatan"
			return v
		}, []string{"history"}, []models.AuditChange{{Path: "staff_note", After: "Catatan"}}},
		{"creation from nil", nil, func() any { return models.Room{ID: "aula", Name: "Aula", Capacity: 80} }, nil, []models.AuditChange{
			{Path: "capacity", After: "80"}, {Path: "id", After: "aula"}, {Path: "name", After: "Aula"},
		}},
		{"deletion to nil", models.Holiday{Date: "2026-12-25", Name: "Natal", Kind: models.HolidayNational}, func() any { return nil }, nil,
			[]models.AuditChange{{Path: "closed", Before: "false"}, {Path: "date", Before: "2026-12-25"}, {Path: "kind", Before: "libur_nasional"}, {Path: "name", Before: "Natal"}}},
		{"secrets are never written", &models.User{Name: "Ayu", PasswordHash: "$2a$old"}, func() any {
			return &models.User{Name: "Ayu", PasswordHash: "$2a$new", MustChangePassword: true}
		}, []string{"_id"}, []models.AuditChange{
			{Path: "must_change_password", Before: "false", After: "true"},
			{Path: "password_hash", Before: "[disamarkan]", After: "[disamarkan]"},
		}},
		{"long values are cut", base(), func() any { v := base(); v.Notes = long; return v }, nil,
			[]models.AuditChange{{Path: "notes", After: string([]rune(long)[:models.MaxAuditValue-1]) + "…"}}},
		{"indexes in numeric order", &models.Visit{Roster: manyRoster(11)}, func() any {
			v := &models.Visit{Roster: manyRoster(11)}
			v.Roster[10].Name, v.Roster[2].Name = "Sepuluh", "Dua"
			return v
		}, nil, []models.AuditChange{
			{Path: "roster.2.name", Before: "Peserta 2", After: "Dua"},
			{Path: "roster.10.name", Before: "Peserta 10", After: "Sepuluh"},
		}},
		{"host settings as stored (weekly by day)", models.DefaultHostSettings(), func() any {
			s := models.DefaultHostSettings()
			s.Weekly[time.Monday] = []models.VisitSession{{ID: "pagi", Start: "08.00", End: "12.00"}, s.Weekly[time.Monday][1]}
			return s
		}, nil, []models.AuditChange{{Path: "weekly.0.sessions.0.start", Before: "09.00", After: "08.00"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := models.AuditDiff(c.before, c.after(), c.ignore...)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("diff:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}

	// Very many changes: the list is cut, and the rest counted.
	got, err := models.AuditDiff(&models.Visit{}, &models.Visit{Roster: manyRoster(40)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != models.MaxAuditChanges+1 || got[models.MaxAuditChanges] != (models.AuditChange{Path: models.AuditMoreChanges, After: "+60"}) {
		t.Errorf("120 changes: %d entries, last %+v", len(got), got[len(got)-1])
	}
}

// TestAuditLogIsAppendOnly reads the models package: the audit collection
// is named only by InsertAudit and ListAudit (and the index list), and
// they only insert, find and count. A method that updated or deleted
// entries would have to name the collection somewhere else.
func TestAuditLogIsAppendOnly(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) < 20 {
		t.Fatalf("models sources: %v %d", err, len(files))
	}
	allowed := map[string]bool{"InsertAudit": true, "ListAudit": true}
	writes := map[string]bool{"UpdateOne": true, "UpdateMany": true, "ReplaceOne": true, "DeleteOne": true, "DeleteMany": true,
		"FindOneAndUpdate": true, "FindOneAndReplace": true, "FindOneAndDelete": true, "BulkWrite": true, "Drop": true,
		"updateVersioned": true}
	fset := token.NewFileSet()
	users := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			names, calls := false, []string{}
			ast.Inspect(fn, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.Ident:
					names = names || x.Name == "colAudit"
				case *ast.BasicLit:
					names = names || x.Value == `"audit"`
				case *ast.SelectorExpr:
					calls = append(calls, x.Sel.Name)
				}
				return true
			})
			if !names {
				continue
			}
			users[fn.Name.Name] = true
			if !allowed[fn.Name.Name] {
				t.Errorf("%s: %s names the audit collection; only InsertAudit and ListAudit may", f, fn.Name.Name)
			}
			for _, c := range calls {
				if writes[c] {
					t.Errorf("%s: %s calls %s on the audit log", f, fn.Name.Name, c)
				}
			}
		}
	}
	if !users["InsertAudit"] || !users["ListAudit"] {
		t.Errorf("the scan found %v; it is broken", users)
	}
}

func TestAuditListFilters(t *testing.T) {
	st := server.Open(t)
	ayu := models.AuditActor{ID: bson.NewObjectID(), Name: "Ni Luh Ayu", Role: models.RoleCoordinator}
	made := models.AuditActor{ID: bson.NewObjectID(), Name: "I Made", Role: models.RoleAdmin}
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	add := func(at time.Time, actor models.AuditActor, action, label string) {
		t.Helper()
		if err := st.InsertAudit(ctx(t), &models.AuditEntry{At: at, Actor: actor, Action: action,
			Target: models.AuditTarget{Collection: "visits", ID: bson.NewObjectID().Hex(), Label: label}}); err != nil {
			t.Fatal(err)
		}
	}
	add(day, ayu, models.AuditVisitApprove, "ST-2026-0001")
	add(day.Add(time.Hour), made, models.AuditSettingsSave, "host")
	add(day.AddDate(0, 0, 1), ayu, models.AuditVisitDecline, "ST-2026-0002")
	add(day.AddDate(0, 0, 2), models.SystemActor(), models.AuditPrivacyRetention, "ST-2024-0007")
	add(day.AddDate(0, 0, 3), models.AuditActor{}, models.AuditSignInFailed, "tamu@contoh.id")

	labels := func(f models.AuditFilter) []string {
		t.Helper()
		got, total, err := st.ListAudit(ctx(t), f)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, e := range got {
			out = append(out, e.Target.Label)
		}
		if int(total) != len(out) {
			t.Errorf("%+v: total %d, listed %d", f, total, len(out))
		}
		return out
	}
	for _, c := range []struct {
		f    models.AuditFilter
		want []string
	}{
		{models.AuditFilter{}, []string{"tamu@contoh.id", "ST-2024-0007", "ST-2026-0002", "host", "ST-2026-0001"}},
		{models.AuditFilter{Actor: ayu.ID.Hex()}, []string{"ST-2026-0002", "ST-2026-0001"}},
		{models.AuditFilter{Actor: models.SystemActorName}, []string{"ST-2024-0007"}},
		{models.AuditFilter{Actor: models.AnonymousActor}, []string{"tamu@contoh.id"}},
		{models.AuditFilter{Actor: "bukan-id"}, []string{}},
		{models.AuditFilter{Action: "visit"}, []string{"ST-2026-0002", "ST-2026-0001"}},
		{models.AuditFilter{Action: models.AuditVisitApprove}, []string{"ST-2026-0001"}},
		{models.AuditFilter{Target: "st-2026-0002"}, []string{"ST-2026-0002"}},
		{models.AuditFilter{Target: "TAMU@contoh.id"}, []string{"tamu@contoh.id"}},
		{models.AuditFilter{Target: "ST-2026"}, []string{}}, // whole labels only
		{models.AuditFilter{From: day.AddDate(0, 0, 1), To: day.AddDate(0, 0, 3)}, []string{"ST-2024-0007", "ST-2026-0002"}},
		{models.AuditFilter{Actor: ayu.ID.Hex(), Action: "visit", From: day.Add(time.Minute)}, []string{"ST-2026-0002"}},
	} {
		if got := labels(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%+v: got %v, want %v", c.f, got, c.want)
		}
	}

	// Paging: newest first, AuditPageSize per page.
	for i := range models.AuditPageSize + 3 {
		add(day.AddDate(0, 1, 0).Add(time.Duration(i)*time.Minute), made, models.AuditUserUpdate, fmt.Sprintf("u%02d", i))
	}
	first, total, err := st.ListAudit(ctx(t), models.AuditFilter{Action: models.AuditUserUpdate})
	if err != nil || total != models.AuditPageSize+3 || len(first) != models.AuditPageSize || first[0].Target.Label != fmt.Sprintf("u%02d", models.AuditPageSize+2) {
		t.Fatalf("first page: %v, total %d, %d entries", err, total, len(first))
	}
	second, _, _ := st.ListAudit(ctx(t), models.AuditFilter{Action: models.AuditUserUpdate, Page: 1})
	if len(second) != 3 || second[2].Target.Label != "u00" {
		t.Errorf("second page: %d entries", len(second))
	}
}
