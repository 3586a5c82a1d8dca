package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"studitiru/models"
)

func TestRetentionSettingIsSavedByAdmins(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	res := e.do("GET", "/staf/data-pribadi", nil, admin)
	if res.status != http.StatusOK || !strings.Contains(res.body, `name="retention_months"`) || !strings.Contains(res.body, `value="24"`) {
		t.Fatalf("page: %d", res.status)
	}
	if v, ok := inputValue(res.body, "retention_months"); !ok || v != "24" {
		t.Errorf("default months: %q", v)
	}
	res = e.post("/staf/data-pribadi/retensi", url.Values{"version": {"0"}, "retention_months": {"0"}}, admin)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "antara 1 dan 120") {
		t.Errorf("0 months: %d", res.status)
	}
	res = e.post("/staf/data-pribadi/retensi", url.Values{"version": {"0"}, "retention_months": {"36"}}, admin)
	if res.status != http.StatusSeeOther {
		t.Fatalf("save: %d %.500s", res.status, res.body)
	}
	if p, _ := e.store.PrivacySettings(t.Context()); p.RetentionMonths != 36 {
		t.Errorf("stored %+v", p)
	}
	// A form opened before that save is stale.
	if res := e.post("/staf/data-pribadi/retensi", url.Values{"version": {"0"}, "retention_months": {"12"}}, admin); res.status != http.StatusConflict {
		t.Errorf("stale save: %d", res.status)
	}
	log := e.auditEntries(t, models.AuditFilter{Action: models.AuditPrivacyRetentionSettings})
	if len(log) != 1 {
		t.Fatalf("logged: %+v", log)
	}
	if c, _ := changeOf(log[0], "retention_months"); c.Before != "24" || c.After != "36" {
		t.Errorf("change: %+v", log[0].Changes)
	}
	// Settings link to the page.
	if res := e.do("GET", "/staf/pengaturan", nil, admin); !strings.Contains(res.body, `href="/staf/data-pribadi"`) {
		t.Error("the settings page does not lead to personal data")
	}
}

func TestPersonalDataExportAndErasure(t *testing.T) {
	e := newEnv(t)
	token, v := submitted(t, e)
	// Another request, from someone else.
	f := validRequest()
	for k, val := range map[string]string{"institution_name": "Pemerintah Kota Kendari", "province": "74", "regency": "74.71",
		"institution_type": "kota", "slot1_date": "2026-03-25", "slot2_date": "2026-03-26", "contact_name": "Budi Santoso",
		"contact_email": "budi@kendarikota.go.id", "contact_phone": "0852-0000-0000",
		"roster_text": "Budi Santoso; Staf; L"} {
		f.Set(k, val)
	}
	res := e.submit(f, map[string][]byte{"letter": testPDF()})
	other, err := e.store.VisitByTrackingToken(t.Context(), strings.TrimSuffix(strings.TrimPrefix(res.location, "/lacak/"), "?baru=1"))
	if err != nil {
		t.Fatalf("second request: %v (%d %.300s)", err, res.status, res.body)
	}
	admin := e.sessionFor(models.RoleAdmin)

	// Found by phone in any usual form.
	res = e.do("GET", "/staf/data-pribadi?q="+url.QueryEscape("0812 3456 7890"), nil, admin)
	if res.status != http.StatusOK || !strings.Contains(res.body, `data-code="`+v.Code+`"`) || strings.Contains(res.body, other.Code) {
		t.Fatalf("search: %d", res.status)
	}
	if res := e.do("GET", "/staf/data-pribadi?q=bukan+apa-apa", nil, admin); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="e-q"`) {
		t.Errorf("bad query: %d", res.status)
	}
	if res := e.do("GET", "/staf/data-pribadi?q=tidak.ada@contoh.id", nil, admin); !strings.Contains(res.body, `id="tidak-ada"`) {
		t.Error("nobody found is not said")
	}

	// Export: a JSON file with their data and nobody else's.
	res = e.do("GET", "/staf/data-pribadi/ekspor?q=Dwi.Lestari@BloraKab.go.id", nil, admin)
	if res.status != http.StatusOK {
		t.Fatalf("export: %d %.300s", res.status, res.body)
	}
	var data models.PersonExport
	if err := json.Unmarshal([]byte(res.body), &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Visits) != 1 || data.Visits[0].Code != v.Code || data.Visits[0].Contact.Phone != "+6281234567890" ||
		len(data.Visits[0].Roster) != 2 || len(data.Messages) == 0 {
		t.Errorf("export: %+v", data)
	}
	if strings.Contains(res.body, "budi") || strings.Contains(res.body, other.Code) {
		t.Errorf("the export holds somebody else's data: %s", res.body)
	}

	// Erasure: a confirmation page first; without the tick nothing happens.
	form := e.do("GET", "/staf/data-pribadi/hapus?q=%2B6281234567890", nil, admin)
	if form.status != http.StatusOK || !strings.Contains(form.body, v.Code) || !strings.Contains(form.body, `id="masih-berjalan"`) ||
		!strings.Contains(form.body, `name="_csrf"`) {
		t.Fatalf("confirmation page: %d", form.status)
	}
	res = e.post("/staf/data-pribadi/hapus", url.Values{"q": {"+6281234567890"}, "reason": {"Surel 4 Maret 2026"}}, admin)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="e-confirm"`) || !strings.Contains(res.body, "Surel 4 Maret 2026") {
		t.Fatalf("without confirmation: %d", res.status)
	}
	if e.visit(t, v).Contact.Email == "" {
		t.Fatal("erased without confirmation")
	}
	stats, _ := e.store.Stats(t.Context(), e.clock.Now().AddDate(-1, 0, 0), e.clock.Now().AddDate(1, 0, 0), e.loc)
	res = e.post("/staf/data-pribadi/hapus", url.Values{"q": {"+6281234567890"}, "confirm": {"1"}, "roster": {"1"},
		"reason": {"Surel 4 Maret 2026"}}, admin)
	if res.status != http.StatusSeeOther {
		t.Fatalf("erase: %d %.500s", res.status, res.body)
	}
	done := e.do("GET", res.location, nil, admin)
	if !strings.Contains(done.body, `id="hasil-hapus"`) || !strings.Contains(done.body, "1 kunjungan, 2 entri peserta") {
		t.Errorf("result not shown: %s", res.location)
	}
	got := e.visit(t, v)
	if got.Contact.Email != "" || got.Contact.Phone != "" || got.Contact.Name != models.ErasedMarker ||
		got.Roster[0].Name != models.ErasedMarker || got.Roster[1].Gender != models.GenderFemale || got.Participants != 24 {
		t.Errorf("visit after erasure: %+v %+v", got.Contact, got.Roster)
	}
	mails, _ := e.store.OutboxFor(t.Context(), v.ID)
	for _, m := range mails {
		if strings.Contains(strings.Join(m.To, ",")+m.Text+m.HTML, "dwi.lestari@blorakab.go.id") {
			t.Errorf("mail %s still addressed: %v", m.Kind, m.To)
		}
	}
	if o2 := e.visit(t, other); o2.Contact.Email != "budi@kendarikota.go.id" || o2.Roster[0].Name == models.ErasedMarker {
		t.Error("the other visit changed")
	}
	if after, _ := e.store.Stats(t.Context(), e.clock.Now().AddDate(-1, 0, 0), e.clock.Now().AddDate(1, 0, 0), e.loc); after.Participants != stats.Participants ||
		after.Provinces != stats.Provinces || after.Delegations != stats.Delegations {
		t.Errorf("statistics changed: %+v → %+v", stats, after)
	}
	// The tracking page still opens (it shows the marker).
	if track := e.do("GET", "/lacak/"+token, nil, ""); track.status != http.StatusOK {
		t.Errorf("tracking page after erasure: %d", track.status)
	}
	log := e.auditEntries(t, models.AuditFilter{Action: "privacy"})
	if len(log) != 2 || log[0].Action != models.AuditPrivacyErase || log[1].Action != models.AuditPrivacyExport ||
		!strings.Contains(log[0].Note, "Surel 4 Maret 2026") || !strings.Contains(log[0].Note, v.Code) {
		t.Fatalf("audit: %+v", log)
	}
	if b, _ := json.Marshal(log); strings.Contains(string(b), "dwi.lestari") || strings.Contains(string(b), "81234567") {
		t.Errorf("the log keeps the erased identifiers: %s", b)
	}
}
