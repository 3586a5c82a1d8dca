package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"studitiru/models"
)

// dashVisits stores held visits directly: n in March 2025, m in March 2026.
func dashVisits(t *testing.T, e *env, n, m int) {
	t.Helper()
	var vs []models.Visit
	add := func(year, i int, prov, reg string, typ models.InstitutionType) {
		start := time.Date(year, 3, 3+i, 1, 0, 0, 0, time.UTC)
		vs = append(vs, models.Visit{
			Status: models.StatusCompleted, InstitutionName: fmt.Sprintf("Pemerintah Kabupaten Uji %d-%d", year, i),
			InstitutionType: typ, ProvinceCode: prov, RegencyCode: reg, Participants: 10,
			Topics: []string{"MPP digital"}, Escorts: []string{"Pendamping Uji"}, Start: start, End: start.Add(3 * time.Hour),
			CreatedAt: start.AddDate(0, 0, -20), TrackingHash: fmt.Sprintf("th-%d-%d", year, i), SubmissionKey: fmt.Sprintf("sk-%d-%d", year, i),
			History: []models.Event{{At: start.AddDate(0, 0, -20), Action: "diajukan"}, {At: start.AddDate(0, 0, -18), Action: "disetujui"}},
		})
	}
	for i := 0; i < n; i++ {
		add(2025, i, "73", "73.06", models.InstRegency)
	}
	for i := 0; i < m; i++ {
		add(2026, i, "52", "52.03", models.InstDPRD)
	}
	if err := e.store.InsertVisitsBulk(context.Background(), vs, e.clock.Now(), e.loc); err != nil {
		t.Fatal(err)
	}
}

func TestDashboardPageForLeadership(t *testing.T) {
	e := newEnv(t)
	dashVisits(t, e, 3, 2)
	for _, sc := range []models.SKMScores{{4, 4, 4, 4, 4, 4, 4, 4, 4}, {3, 3, 3, 3, 3, 3, 3, 3, 3}} {
		r := &models.SurveyResponse{VisitStart: time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC), Scores: sc, At: time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC)}
		if err := e.store.InsertSurveyResponse(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	res := e.do("GET", "/staf/dasbor?periode=tahun_lalu", nil, e.sessionFor(models.RoleLeadership))
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %.400s", res.status, res.body)
	}
	for _, want := range []string{
		`id="angka-kunci"`, `id="tabel-bulanan"`, `id="tabel-jenis"`, `id="tabel-topik"`, `id="tabel-pendamping"`, `id="tabel-provinsi"`,
		`<th scope="row">Sulawesi Selatan</th><td class="text-end">3</td>`, // the province table
		`<th scope="row">Pendamping Uji</th><td class="text-end">3</td>`,   // escort workload
		`<th scope="row">Maret 2025</th><td class="text-end">3</td><td class="text-end">30</td>`,
		`data-src="/staf/dasbor.json?periode=tahun_lalu"`,
		`87,50 (B, baik)`, `100,0%`, `2,0 hari`, // IKM, acceptance, median answer time
		`/static/vendor/chartjs/chart.umd.min.js`, `href="/staf/dasbor"`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	if strings.Count(res.body, `class="dash-map-tile`) != 38 {
		t.Errorf("the tile map does not have 38 provinces")
	}

	// This year against last year: 2 visits against 3, down 33 %.
	res = e.do("GET", "/staf/dasbor", nil, e.sessionFor(models.RoleLeadership))
	if !strings.Contains(res.body, "▼</span> <span class=\"visually-hidden\">turun</span>33%") {
		t.Errorf("no ▼ 33%% change in this year's tiles")
	}

	// A custom range that ends before it starts: the page says so.
	res = e.do("GET", "/staf/dasbor?periode=khusus&dari=2026-02-01&sampai=2026-01-01", nil, e.sessionFor(models.RoleAdmin))
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Tanggal akhir tidak boleh sebelum tanggal awal.") {
		t.Errorf("inverted range: status %d", res.status)
	}
	res = e.do("GET", "/staf/dasbor?periode=khusus&dari=2025-03-01&sampai=2025-03-31", nil, e.sessionFor(models.RoleCoordinator))
	if res.status != http.StatusOK || !strings.Contains(res.body, `<th scope="row">Sulawesi Selatan</th><td class="text-end">3</td>`) {
		t.Errorf("custom range: status %d", res.status)
	}
}

func TestDashboardForbiddenToEscorts(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/staf/dasbor", "/staf/dasbor.json"} {
		if res := e.do("GET", path, nil, e.sessionFor(models.RoleEscort)); res.status != http.StatusForbidden {
			t.Errorf("escort GET %s: %d", path, res.status)
		}
	}
	if res := e.do("GET", "/staf", nil, e.sessionFor(models.RoleEscort)); strings.Contains(res.body, `href="/staf/dasbor"`) {
		t.Error("escort's menu links to the dashboard")
	}
}

func TestDashboardJSON(t *testing.T) {
	e := newEnv(t)
	dashVisits(t, e, 3, 2)
	res := e.do("GET", "/staf/dasbor.json?periode=tahun_lalu", nil, e.sessionFor(models.RoleLeadership))
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	var d struct {
		Months struct {
			Labels         []string
			Values, Second []int
		}
		Types, Topics, Escorts struct {
			Labels []string
			Values []int
		}
	}
	if err := json.Unmarshal([]byte(res.body), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Months.Labels) != 12 || d.Months.Values[2] != 3 || d.Months.Second[2] != 30 || d.Months.Labels[2] != "Maret 2025" {
		t.Errorf("months: %+v", d.Months)
	}
	if len(d.Types.Labels) != 1 || d.Types.Labels[0] != "Pemerintah kabupaten" || d.Types.Values[0] != 3 {
		t.Errorf("types: %+v", d.Types)
	}
	if len(d.Topics.Values) != 1 || d.Escorts.Values[0] != 3 {
		t.Errorf("topics %+v escorts %+v", d.Topics, d.Escorts)
	}
	if res := e.do("GET", "/staf/dasbor.json?periode=khusus&dari=x", nil, e.sessionFor(models.RoleLeadership)); res.status != http.StatusBadRequest {
		t.Errorf("bad period: %d", res.status)
	}
}
