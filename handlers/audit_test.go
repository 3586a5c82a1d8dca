package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// auditEntries reads the whole log (newest first).
func (e *env) auditEntries(t *testing.T, f models.AuditFilter) []models.AuditEntry {
	t.Helper()
	var out []models.AuditEntry
	for page := 0; ; page++ {
		f.Page = page
		got, total, err := e.store.ListAudit(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got...)
		if int64(len(out)) >= total || len(got) == 0 {
			return out
		}
	}
}

// wantAudited fails unless the log holds at least one entry of each
// action: the tests that perform a staff action call it at their end.
func (e *env) wantAudited(t *testing.T, actions ...string) {
	t.Helper()
	for _, a := range actions {
		if len(e.auditEntries(t, models.AuditFilter{Action: a})) == 0 {
			t.Errorf("no audit entry %s", a)
		}
	}
}

func changeOf(entry models.AuditEntry, path string) (models.AuditChange, bool) {
	for _, c := range entry.Changes {
		if c.Path == path {
			return c, true
		}
	}
	return models.AuditChange{}, false
}

func TestStaffActionsAreAudited(t *testing.T) {
	e := newEnv(t)
	e.header = http.Header{"User-Agent": {"UjiPeramban/1.0"}}

	// A failed sign-in: nobody is the actor, the account is the target.
	res := e.post("/masuk", url.Values{"email": {"admin@badungkab.go.id"}, "password": {"salah-sekali-123"}}, "")
	if res.status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", res.status)
	}
	e.post("/masuk", url.Values{"email": {"tidak.ada@badungkab.go.id"}, "password": {"salah-sekali-123"}}, "")
	failed := e.auditEntries(t, models.AuditFilter{Action: models.AuditSignInFailed})
	if len(failed) != 2 || failed[1].Actor != (models.AuditActor{}) || failed[1].Target.ID != e.users[models.RoleAdmin].ID.Hex() ||
		failed[0].Target.Label != "tidak.ada@badungkab.go.id" || failed[0].UserAgent != "UjiPeramban/1.0" || failed[0].IP == "" {
		t.Fatalf("failed sign-ins: %+v", failed)
	}

	// A decision: who, what, and the fields before and after.
	_, v := submitted(t, e)
	coord := e.sessionFor(models.RoleCoordinator)
	res = e.post("/staf/permohonan/"+v.ID.Hex()+"/setujui", approvalForm(e, v, "2026-03-12", "pagi"), coord)
	if res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.status)
	}
	approvals := e.auditEntries(t, models.AuditFilter{Action: models.AuditVisitApprove})
	if len(approvals) != 1 {
		t.Fatalf("approvals logged: %d", len(approvals))
	}
	a := approvals[0]
	coordUser := e.users[models.RoleCoordinator]
	if a.Actor.ID != coordUser.ID || a.Actor.Name != coordUser.Name || a.Actor.Role != models.RoleCoordinator ||
		a.Target != (models.AuditTarget{Collection: "visits", ID: v.ID.Hex(), Label: v.Code}) || !a.At.Equal(e.clock.Now()) {
		t.Errorf("approval entry: %+v", a)
	}
	if c, ok := changeOf(a, "status"); !ok || c.Before != "diajukan" || c.After != "disetujui" {
		t.Errorf("status change: %+v (%+v)", c, a.Changes)
	}
	if c, ok := changeOf(a, "room"); !ok || c.After != "Aula MPP Lantai 2" {
		t.Errorf("room change: %+v", c)
	}
	for _, c := range a.Changes {
		if strings.HasPrefix(c.Path, "history") || c.Path == "version" {
			t.Errorf("noise in the diff: %+v", c)
		}
	}

	// A settings save: the field that changed.
	admin := e.sessionFor(models.RoleAdmin)
	capacity := url.Values{"version": {"0"}, "max_delegations": {"2"}, "max_participants": {"45"}, "nearly_full_at": {"10"},
		"min_notice_days": {"3"}, "horizon_days": {"120"}, "roster_deadline_days": {"2"}, "offer_hold_days": {"5"}}
	if res := e.post("/staf/pengaturan/kapasitas", capacity, admin); res.status != http.StatusSeeOther {
		t.Fatalf("save capacity: %d %.500s", res.status, res.body)
	}
	saves := e.auditEntries(t, models.AuditFilter{Action: models.AuditSettingsSave})
	if len(saves) != 1 || saves[0].Target.Label != "kapasitas" {
		t.Fatalf("settings saves: %+v", saves)
	}
	if c, _ := changeOf(saves[0], "max_participants"); c.Before != "60" || c.After != "45" {
		t.Errorf("settings change: %+v", saves[0].Changes)
	}
	// An invalid save changes nothing and logs nothing.
	capacity.Set("max_participants", "abc")
	e.post("/staf/pengaturan/kapasitas", capacity, admin)
	if n := len(e.auditEntries(t, models.AuditFilter{Action: models.AuditSettingsSave})); n != 1 {
		t.Errorf("a refused save was logged (%d entries)", n)
	}

	// A new user: their details, never their password.
	res = e.post("/staf/pengguna", url.Values{"email": {"baru@badungkab.go.id"}, "name": {"Kadek Baru"}, "role": {"coordinator"},
		"password": {"kata-sandi-awal-99"}}, admin)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create user: %d", res.status)
	}
	created := e.auditEntries(t, models.AuditFilter{Action: models.AuditUserCreate})
	if len(created) != 1 || created[0].Target.Label != "baru@badungkab.go.id" || created[0].Actor.Role != models.RoleAdmin {
		t.Fatalf("user created: %+v", created)
	}
	if c, _ := changeOf(created[0], "email"); c.After != "baru@badungkab.go.id" {
		t.Errorf("user change: %+v", created[0].Changes)
	}
	raw, _ := json.Marshal(e.auditEntries(t, models.AuditFilter{}))
	if strings.Contains(string(raw), "$2a$") || strings.Contains(string(raw), "kata-sandi-awal-99") || strings.Contains(string(raw), testPassword) {
		t.Error("a password or its hash is in the log")
	}
	// Successful sign-ins are there too.
	if n := len(e.auditEntries(t, models.AuditFilter{Action: models.AuditSignIn, Actor: e.users[models.RoleAdmin].ID.Hex()})); n == 0 {
		t.Error("sign-in not logged")
	}
}

func TestAuditPageIsForAdminsAndFilters(t *testing.T) {
	e := newEnv(t)
	_, v := submitted(t, e)
	_, other := submittedAs(t, e, "Pemerintah Kota Kendari")
	coord := e.sessionFor(models.RoleCoordinator)
	for _, x := range []*models.Visit{v, other} {
		if res := e.post("/staf/permohonan/"+x.ID.Hex()+"/revisi", url.Values{"version": {strconv.FormatInt(e.visit(t, x).Version, 10)}, "revision_reason": {"Surat belum ditandatangani."}}, coord); res.status != http.StatusSeeOther {
			t.Fatalf("revision: %d", res.status)
		}
	}
	admin := e.sessionFor(models.RoleAdmin)

	if res := e.do("GET", "/staf/audit", nil, coord); res.status != http.StatusForbidden {
		t.Errorf("coordinator: %d, want 403", res.status)
	}
	res := e.do("GET", "/staf/audit", nil, admin)
	for _, want := range []string{"Jejak Audit", `href="/staf/audit"`, "Meminta perbaikan permohonan", v.Code, other.Code,
		"Pengguna coordinator", "Petugas", "diajukan", "revisi", "Gagal masuk"} {
		if res.status != http.StatusOK || !strings.Contains(res.body, want) {
			t.Errorf("audit page (%d) lacks %q", res.status, want)
		}
	}
	entries := func(query string) []string {
		t.Helper()
		res := e.do("GET", "/staf/audit?"+query, nil, admin)
		if res.status != http.StatusOK {
			t.Fatalf("%s: %d", query, res.status)
		}
		var out []string
		for _, part := range strings.Split(res.body, `data-kind="`)[1:] {
			action, rest, _ := strings.Cut(part, `"`)
			_, rest, _ = strings.Cut(rest, `data-target="`)
			target, _, _ := strings.Cut(rest, `"`)
			out = append(out, action+" "+target)
		}
		return out
	}
	want := []string{"visit:revision " + v.Code}
	if got := entries("sasaran=" + strings.ToLower(v.Code)); !reflect.DeepEqual(got, want) {
		t.Errorf("by target: %v, want %v", got, want)
	}
	if got := entries("tindakan=visit"); len(got) != 2 {
		t.Errorf("by area: %v", got)
	}
	if got := entries("pelaku=" + e.users[models.RoleCoordinator].ID.Hex() + "&tindakan=auth:signin"); len(got) != 1 {
		t.Errorf("by actor and action: %v", got)
	}
	today := models.DateKey(e.clock.Now().In(e.loc))
	if got := entries("tindakan=visit&dari=" + today + "&sampai=" + today); len(got) != 2 {
		t.Errorf("today: %v", got)
	}
	if got := entries("tindakan=visit&dari=2026-03-06"); len(got) != 0 {
		t.Errorf("from tomorrow: %v", got)
	}
	if res := e.do("GET", "/staf/audit?dari=kemarin", nil, admin); !strings.Contains(res.body, `id="e-dari"`) {
		t.Error("a bad date is not pointed out")
	}
	// Each entry shows before → after.
	if res := e.do("GET", "/staf/audit?sasaran="+v.Code, nil, admin); !strings.Contains(res.body, `<code>status</code>`) ||
		!strings.Contains(res.body, `<span class="audit-before">diajukan</span>`) || !strings.Contains(res.body, `<span class="audit-after">revisi</span>`) {
		t.Errorf("before → after not shown: %.3000s", res.body)
	}
}

// TestNoRouteChangesTheAuditLog calls every POST route of the table as an
// administrator, with a form that fills the usual fields and IDs that name
// the log's own entries: afterwards every entry is still there, unchanged.
func TestNoRouteChangesTheAuditLog(t *testing.T) {
	e := newEnv(t)
	first := models.AuditEntry{At: e.clock.Now().Add(-time.Hour), Actor: models.AuditActor{Name: "Saksi"},
		Action: models.AuditVisitApprove, Target: models.AuditTarget{Collection: "visits", ID: bson.NewObjectID().Hex(), Label: "ST-2026-9999"},
		Changes: []models.AuditChange{{Path: "status", Before: "diajukan", After: "disetujui"}}, Note: "asli"}
	if err := e.store.InsertAudit(t.Context(), &first); err != nil {
		t.Fatal(err)
	}
	before := e.auditEntries(t, models.AuditFilter{})
	form := url.Values{"version": {"1"}, "q": {"admin@badungkab.go.id"}, "confirm": {"1"}, "roster": {"1"},
		"email": {"admin@badungkab.go.id"}, "name": {"Nama"}, "role": {"admin"}, "active": {"1"}, "password": {testPassword},
		"retention_months": {"12"}, "date": {"2026-12-25"}, "kind": {"libur_nasional"}, "pilih": {"2026-12-25"}}
	for _, r := range e.handlers.Routes() {
		if r.Method != "POST" {
			continue
		}
		path := strings.ReplaceAll(r.Path, ":id", first.ID.Hex())
		path = strings.ReplaceAll(path, ":date", "2026-12-25")
		path = strings.ReplaceAll(path, ":token", "token-yang-tidak-ada-sama-sekali")
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		e.post(path, f, e.sessionFor(models.RoleAdmin))
	}
	after := e.auditEntries(t, models.AuditFilter{})
	if len(after) < len(before) {
		t.Fatalf("entries went from %d to %d", len(before), len(after))
	}
	kept := map[bson.ObjectID]models.AuditEntry{}
	for _, a := range after {
		kept[a.ID] = a
	}
	for _, b := range before {
		if a, ok := kept[b.ID]; !ok || !reflect.DeepEqual(a, b) {
			t.Errorf("entry %s changed or went: %+v → %+v", b.ID.Hex(), b, a)
		}
	}
	if len(after) <= len(before)+10 {
		t.Errorf("only %d new entries: the routes did not run", len(after)-len(before))
	}
}
