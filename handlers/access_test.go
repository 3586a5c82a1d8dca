package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"studitiru/models"
)

// accessPolicy is the policy, written out independently of the route table:
// which roles may call each staff route. A route added to the table without
// a line here fails TestEveryRouteHasAPolicy.
var accessPolicy = map[string][]models.Role{
	"POST /keluar":                       {models.RoleAdmin, models.RoleCoordinator, models.RoleEscort, models.RoleLeadership},
	"GET /staf":                          {models.RoleAdmin, models.RoleCoordinator, models.RoleEscort, models.RoleLeadership},
	"GET /staf/profil":                   {models.RoleAdmin, models.RoleCoordinator, models.RoleEscort, models.RoleLeadership},
	"POST /staf/profil/sandi":            {models.RoleAdmin, models.RoleCoordinator, models.RoleEscort, models.RoleLeadership},
	"GET /staf/permohonan":               {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"GET /staf/dasbor":                   {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"GET /staf/dasbor.json":              {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"GET /staf/permohonan/:id":           {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"GET /staf/permohonan/:id/surat":     {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"POST /staf/permohonan/:id/setujui":  {models.RoleAdmin, models.RoleCoordinator},
	"POST /staf/permohonan/:id/ubah":     {models.RoleAdmin, models.RoleCoordinator},
	"POST /staf/permohonan/:id/tawarkan": {models.RoleAdmin, models.RoleCoordinator},
	"POST /staf/permohonan/:id/revisi":   {models.RoleAdmin, models.RoleCoordinator},
	"POST /staf/permohonan/:id/tolak":    {models.RoleAdmin, models.RoleCoordinator},
	"POST /staf/permohonan/:id/batal":    {models.RoleAdmin, models.RoleCoordinator},
	"POST /staf/permohonan/:id/selesai":  {models.RoleAdmin, models.RoleCoordinator},
	"GET /staf/pengguna":                 {models.RoleAdmin},
	"GET /staf/pengguna/baru":            {models.RoleAdmin},
	"POST /staf/pengguna":                {models.RoleAdmin},
	"GET /staf/pengguna/:id":             {models.RoleAdmin},
	"POST /staf/pengguna/:id":            {models.RoleAdmin},
	"POST /staf/pengguna/:id/sandi":      {models.RoleAdmin},
	"GET /staf/pendamping":               {models.RoleAdmin, models.RoleCoordinator},
	"GET /staf/pendamping/saya":          {models.RoleEscort, models.RoleAdmin, models.RoleCoordinator},
	"POST /staf/pendamping/saya/cuti":    {models.RoleEscort},
	"GET /staf/pendamping/:id":           {models.RoleAdmin, models.RoleCoordinator},
	"POST /staf/pendamping/:id":          {models.RoleAdmin, models.RoleCoordinator},

	// Visits.
	"GET /staf/kunjungan/:id/surat-balasan.pdf": {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	// The visit day record, its photos and the attendance sheet.
	"GET /staf/permohonan/:id/hari-h":              {models.RoleAdmin, models.RoleCoordinator},
	"POST /staf/permohonan/:id/hari-h":             {models.RoleAdmin, models.RoleCoordinator},
	"POST /staf/permohonan/:id/foto":               {models.RoleAdmin, models.RoleCoordinator},
	"GET /staf/foto/:id":                           {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"POST /staf/foto/:id/hapus":                    {models.RoleAdmin, models.RoleCoordinator},
	"GET /staf/permohonan/:id/daftar-hadir.pdf":    {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"GET /staf/riwayat":                            {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"GET /staf/riwayat.csv":                        {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"GET /staf/riwayat.xlsx":                       {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"GET /staf/laporan.pdf":                        {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"GET /staf/surel":                              {models.RoleAdmin, models.RoleCoordinator},
	"GET /staf/surel/:id":                          {models.RoleAdmin, models.RoleCoordinator},
	"GET /staf/surel/:id/eml":                      {models.RoleAdmin, models.RoleCoordinator},
	"GET /staf/surel/:id/ics":                      {models.RoleAdmin, models.RoleCoordinator},
	"POST /staf/surel/:id/kirim-ulang":             {models.RoleAdmin, models.RoleCoordinator},
	"GET /staf/kalender":                           {models.RoleAdmin, models.RoleCoordinator, models.RoleEscort, models.RoleLeadership},
	"GET /staf/api/kalender":                       {models.RoleAdmin, models.RoleCoordinator, models.RoleEscort, models.RoleLeadership},
	"POST /staf/kalender/langganan/ganti":          {models.RoleAdmin, models.RoleCoordinator, models.RoleEscort, models.RoleLeadership},
	"GET /staf/kunjungan/:id/undangan.ics":         {models.RoleAdmin, models.RoleCoordinator, models.RoleLeadership},
	"GET /staf/pengaturan":                         {models.RoleAdmin},
	"POST /staf/pengaturan/profil":                 {models.RoleAdmin},
	"POST /staf/pengaturan/sesi":                   {models.RoleAdmin},
	"POST /staf/pengaturan/kapasitas":              {models.RoleAdmin},
	"POST /staf/pengaturan/ruangan":                {models.RoleAdmin},
	"POST /staf/pengaturan/topik":                  {models.RoleAdmin},
	"POST /staf/pengaturan/penutupan":              {models.RoleAdmin},
	"POST /staf/pengaturan/libur":                  {models.RoleAdmin},
	"POST /staf/pengaturan/libur/impor":            {models.RoleAdmin},
	"POST /staf/pengaturan/libur/impor/konfirmasi": {models.RoleAdmin},
	"POST /staf/pengaturan/libur/:date":            {models.RoleAdmin},
	"POST /staf/pengaturan/libur/:date/hapus":      {models.RoleAdmin},
	// The audit log and personal data.
	"GET /staf/audit":                 {models.RoleAdmin},
	"GET /staf/data-pribadi":          {models.RoleAdmin},
	"POST /staf/data-pribadi/retensi": {models.RoleAdmin},
	"GET /staf/data-pribadi/ekspor":   {models.RoleAdmin},
	"GET /staf/data-pribadi/hapus":    {models.RoleAdmin},
	"POST /staf/data-pribadi/hapus":   {models.RoleAdmin},
}

// publicRoutes are open to anonymous visitors on purpose.
var publicRoutes = map[string]bool{
	"GET /": true, "GET /masuk": true, "POST /masuk": true, "POST /bahasa": true,
	"GET /healthz": true, "GET /readyz": true, "GET /static/*": true,
	"GET /jadwal": true, "GET /api/ketersediaan": true, "GET /api/wilayah/:province": true,
	"GET /ajukan": true, "POST /ajukan": true, "GET /ajukan/templat-peserta.csv": true,
	"GET /lacak/:token": true, "GET /lacak/:token/surat": true, "GET /lacak/:token/surat-balasan.pdf": true,
	"POST /lacak/:token/batal": true, "POST /lacak/:token/jadwal-ulang": true, "POST /lacak/:token/peserta": true,
	"POST /lacak/:token/pilih": true, "GET /lacak/:token/perbaiki": true, "POST /lacak/:token/perbaiki": true,
	"GET /lacak/:token/undangan.ics": true, "GET /kalender/:token.ics": true,
	"GET /survei/:token": true, "POST /survei/:token": true,
	// No session: METRICS_TOKEN as bearer, else only from this machine
	// (TestMetricsAreGuarded).
	"GET /metrics": true,
}

// TestEveryRouteHasAPolicy walks the route table (Routes()): every route
// is either public in publicRoutes and in the table, or has a line in
// accessPolicy and roles in the table; no policy line names a route the
// table lacks, and no /staf route is public. With it,
// TestEachRoleReachesExactlyItsRoutes (which walks accessPolicy) covers
// every staff route of the table.
func TestEveryRouteHasAPolicy(t *testing.T) {
	e := newEnv(t)
	seen := map[string]bool{}
	for _, r := range e.handlers.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		// Whatever the two lists say, staff pages and sign-out are never public.
		if r.Roles == nil && (r.Path == "/keluar" || r.Path == "/staf" || strings.HasPrefix(r.Path, "/staf/")) {
			t.Errorf("%s is a staff route without roles in the table", key)
		}
		switch {
		case publicRoutes[key]:
			if r.Roles != nil {
				t.Errorf("%s is listed as public but the table requires roles %v", key, r.Roles)
			}
		case accessPolicy[key] != nil:
			if r.Roles == nil {
				t.Errorf("%s is a staff route but the table makes it public", key)
			}
		default:
			t.Errorf("%s has no line in accessPolicy or publicRoutes", key)
		}
	}
	for key := range accessPolicy {
		if !seen[key] {
			t.Errorf("policy names %s, which is not in the route table", key)
		}
	}
}

// concrete turns a route pattern into a URL the test can call.
func concrete(e *env, path string) string {
	path = strings.ReplaceAll(path, ":date", "2026-12-25") // a seeded holiday
	return strings.ReplaceAll(path, ":id", e.subject.ID.Hex())
}

func TestAnonymousIsSentToSignIn(t *testing.T) {
	e := newEnv(t)
	for key := range accessPolicy {
		method, path, _ := strings.Cut(key, " ")
		target := concrete(e, path)
		var res response
		if method == "GET" {
			res = e.do("GET", target, nil, "")
			want := "/masuk?next=" + url.QueryEscape(target)
			if res.status != http.StatusSeeOther || res.location != want {
				t.Errorf("anonymous %s %s: %d → %q, want 303 → %q", method, target, res.status, res.location, want)
			}
			continue
		}
		res = e.post(target, url.Values{}, "")
		if res.status != http.StatusUnauthorized {
			t.Errorf("anonymous %s %s: %d, want 401", method, target, res.status)
		}
	}
}

func TestEachRoleReachesExactlyItsRoutes(t *testing.T) {
	e := newEnv(t)
	for _, role := range models.Roles() {
		for key, allowed := range accessPolicy {
			method, path, _ := strings.Cut(key, " ")
			// A fresh session per call: sign-out and password changes end sessions.
			session := e.sessionFor(role)
			target := concrete(e, path)
			var res response
			if method == "GET" {
				res = e.do("GET", target, nil, session)
			} else {
				res = e.post(target, url.Values{}, session)
			}
			may := false
			for _, r := range allowed {
				may = may || r == role
			}
			refused := res.status == http.StatusForbidden || res.status == http.StatusUnauthorized ||
				strings.HasPrefix(res.location, "/masuk?next=")
			if may && refused {
				t.Errorf("%s %s as %s: refused (%d %s), policy allows it", method, target, role, res.status, res.location)
			}
			if !may && res.status != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d, want 403", method, target, role, res.status)
			}
			if !may && !strings.Contains(res.body, "Akses ditolak") {
				t.Errorf("%s %s as %s: the 403 page does not say Akses ditolak", method, target, role)
			}
		}
	}
}

func TestPostWithoutValidCSRFIsRefused(t *testing.T) {
	e := newEnv(t)
	admin := e.sessionFor(models.RoleAdmin)
	for _, r := range e.handlers.Routes() {
		if r.Method != "POST" {
			continue
		}
		target := concrete(e, r.Path)
		for name, token := range map[string]string{"missing": "", "forged": "AAAA" + e.csrf[4:]} {
			form := url.Values{"email": {"admin@badungkab.go.id"}, "password": {testPassword}, "lang": {"en"}}
			if token != "" {
				form.Set("_csrf", token)
			}
			res := e.do("POST", target, form, admin)
			if res.status != http.StatusForbidden {
				t.Errorf("POST %s with %s token: %d, want 403", target, name, res.status)
			}
			if !strings.Contains(res.body, "Formulir kedaluwarsa") {
				t.Errorf("POST %s with %s token: page does not explain the expired form", target, name)
			}
		}
	}
	// A token is bound to its cookie: another browser's token does not fit.
	other := e.do("POST", "/bahasa", url.Values{"_csrf": {e.csrf}, "lang": {"en"}}, "",
		&http.Cookie{Name: "st_csrf", Value: "another-browser-cookie-0123456789abcdef"})
	if other.status != http.StatusForbidden {
		t.Errorf("token replayed with another cookie: %d, want 403", other.status)
	}
}
