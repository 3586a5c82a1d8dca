package models_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"studitiru/models"
)

func loadRegions(t testing.TB) *models.Regions {
	t.Helper()
	r, err := models.LoadRegions()
	if err != nil {
		t.Fatalf("LoadRegions: %v", err)
	}
	return r
}

func allRegencies(r *models.Regions) []models.Regency {
	var all []models.Regency
	for _, p := range r.Provinces() {
		all = append(all, r.Regencies(p.Code)...)
	}
	return all
}

func TestRegionsCounts(t *testing.T) {
	r := loadRegions(t)
	provinces := r.Provinces()
	regencies := allRegencies(r)
	tests := []struct {
		what      string
		got, want int
	}{
		{"provinces", len(provinces), 38},
		{"regencies", len(regencies), 514},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.what, tt.got, tt.want)
		}
	}
	if first, last := provinces[0], provinces[len(provinces)-1]; first != (models.Province{Code: "11", Name: "Aceh"}) ||
		last != (models.Province{Code: "96", Name: "Papua Barat Daya"}) {
		t.Errorf("first/last province = %+v … %+v, want 11 Aceh … 96 Papua Barat Daya", first, last)
	}
}

func TestRegionsIntegrity(t *testing.T) {
	r := loadRegions(t)
	provinces := r.Provinces()
	if !slices.IsSortedFunc(provinces, func(a, b models.Province) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("Provinces() is not sorted by code")
	}
	seen := map[string]bool{}
	for _, p := range provinces {
		if seen[p.Code] {
			t.Errorf("duplicate province code %s", p.Code)
		}
		seen[p.Code] = true
		if len(p.Code) != 2 || p.Name == "" {
			t.Errorf("malformed province %+v", p)
		}
		if got, ok := r.Province(p.Code); !ok || got != p {
			t.Errorf("Province(%q) = %+v, %v; want %+v", p.Code, got, ok, p)
		}
		regs := r.Regencies(p.Code)
		if len(regs) == 0 {
			t.Errorf("province %s %s has no regencies", p.Code, p.Name)
		}
		if !slices.IsSortedFunc(regs, func(a, b models.Regency) int { return strings.Compare(a.Code, b.Code) }) {
			t.Errorf("Regencies(%q) is not sorted by code", p.Code)
		}
	}
	for _, g := range allRegencies(r) {
		if seen[g.Code] {
			t.Errorf("duplicate regency code %s", g.Code)
		}
		seen[g.Code] = true
		if _, ok := r.Province(g.ProvinceCode); !ok {
			t.Errorf("regency %s %s: province %q does not exist", g.Code, g.Name, g.ProvinceCode)
		}
		if len(g.Code) != 5 || g.Code[2] != '.' || !strings.HasPrefix(g.Code, g.ProvinceCode+".") {
			t.Errorf("regency code %q is not dotted under its province %q", g.Code, g.ProvinceCode)
		}
		if !strings.HasPrefix(g.Name, "Kabupaten ") && !strings.HasPrefix(g.Name, "Kota ") {
			t.Errorf("regency %s name %q is neither Kabupaten nor Kota", g.Code, g.Name)
		}
		if got, ok := r.Regency(g.Code); !ok || got != g {
			t.Errorf("Regency(%q) = %+v, %v; want %+v", g.Code, got, ok, g)
		}
	}
}

// TestRegencyCodesOfDemoPlaces pins the codes of places the demo data and
// the design's seed reports use.
func TestRegencyCodesOfDemoPlaces(t *testing.T) {
	r := loadRegions(t)
	byName := map[string]models.Regency{}
	for _, g := range allRegencies(r) {
		key := g.Name + ", " + g.ProvinceCode
		if _, dup := byName[key]; dup {
			t.Fatalf("two regencies called %q", key)
		}
		byName[key] = g
	}
	tests := []struct {
		name, province, wantCode string
	}{
		{"Kabupaten Badung", "Bali", "51.03"},
		{"Kabupaten Konawe", "Sulawesi Tenggara", "74.02"},
		{"Kabupaten Muna Barat", "Sulawesi Tenggara", "74.13"},
		{"Kabupaten Blora", "Jawa Tengah", "33.16"},
		{"Kabupaten Soppeng", "Sulawesi Selatan", "73.12"},
		{"Kota Kupang", "Nusa Tenggara Timur", "53.71"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prov models.Province
			for _, p := range r.Provinces() {
				if p.Name == tt.province {
					prov = p
				}
			}
			if prov.Code == "" {
				t.Fatalf("no province %q", tt.province)
			}
			g, ok := byName[tt.name+", "+prov.Code]
			if !ok {
				t.Fatalf("no %q in %s %s", tt.name, prov.Code, prov.Name)
			}
			t.Logf("%s = %s (province %s %s)", tt.name, g.Code, prov.Code, prov.Name)
			if g.Code != tt.wantCode {
				t.Errorf("%s: code %s, want %s", tt.name, g.Code, tt.wantCode)
			}
			if d, want := r.Describe(prov.Code, g.Code), tt.name+", "+tt.province; d != want {
				t.Errorf("Describe = %q, want %q", d, want)
			}
		})
	}
}

// TestRegionsProperNames covers names upstream writes in capitals that do
// not title-case naïvely: acronyms, the particle "dan", and Jakarta's
// administrative cities.
func TestRegionsProperNames(t *testing.T) {
	r := loadRegions(t)
	tests := []struct{ code, want string }{
		{"11", "Aceh"},
		{"19", "Kepulauan Bangka Belitung"},
		{"31", "DKI Jakarta"},
		{"34", "Daerah Istimewa Yogyakarta"},
		{"53", "Nusa Tenggara Timur"},
		{"96", "Papua Barat Daya"},
		{"31.01", "Kabupaten Administrasi Kepulauan Seribu"},
		{"31.71", "Kota Administrasi Jakarta Pusat"},
		{"34.71", "Kota Yogyakarta"},
		{"73.10", "Kabupaten Pangkajene dan Kepulauan"},
		{"12.15", "Kabupaten Pakpak Bharat"},
		{"16.12", "Kabupaten Penukal Abab Lematang Ilir"},
		// Upstream writes these reduplicated names without a hyphen
		// (officially Toli-Toli, Tojo Una-Una, Baubau, Fakfak); kept as given.
		{"72.04", "Kabupaten Toli Toli"},
		{"72.09", "Kabupaten Tojo Una Una"},
		{"74.72", "Kota Bau Bau"},
		{"92.03", "Kabupaten Fak Fak"},
		{"53.71", "Kota Kupang"},
		{"53.01", "Kabupaten Kupang"},
	}
	for _, tt := range tests {
		var got string
		if len(tt.code) == 2 {
			p, _ := r.Province(tt.code)
			got = p.Name
		} else {
			g, _ := r.Regency(tt.code)
			got = g.Name
		}
		if got != tt.want {
			t.Errorf("name of %s = %q, want %q", tt.code, got, tt.want)
		}
	}

	// No name may be left in capitals: every word is capitalised and then
	// small, except the acronym DKI and the conjunction "dan".
	check := func(code, name string) {
		for _, w := range strings.Fields(name) {
			if w == "DKI" || w == "dan" {
				continue
			}
			rs := []rune(w)
			if !unicode.IsUpper(rs[0]) || strings.ContainsFunc(string(rs[1:]), unicode.IsUpper) {
				t.Errorf("%s %q: word %q is not in proper case", code, name, w)
			}
		}
	}
	for _, p := range r.Provinces() {
		check(p.Code, p.Name)
	}
	for _, g := range allRegencies(r) {
		check(g.Code, g.Name)
	}
}

func TestRegionsLookupAndDescribe(t *testing.T) {
	r := loadRegions(t)
	tests := []struct {
		name             string
		province, regncy string
		want             string
	}{
		{"regency", "51", "51.03", "Kabupaten Badung, Bali"},
		{"regency without province", "", "51.03", "Kabupaten Badung, Bali"},
		{"undotted regency code", "51", "5103", "Kabupaten Badung, Bali"},
		{"spaces around codes", " 51 ", " 51.03 ", "Kabupaten Badung, Bali"},
		{"province only", "51", "", "Bali"},
		{"province only, DKI", "31", "", "DKI Jakarta"},
		{"regency in another province", "53", "51.03", ""},
		{"unknown regency", "51", "51.99", ""},
		{"unknown province", "99", "", ""},
		{"malformed province", "5", "", ""},
		{"malformed regency", "51", "51.3", ""},
		{"nothing", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Describe(tt.province, tt.regncy); got != tt.want {
				t.Errorf("Describe(%q, %q) = %q, want %q", tt.province, tt.regncy, got, tt.want)
			}
		})
	}

	g, ok := r.Regency("51.03")
	if want := (models.Regency{Code: "51.03", ProvinceCode: "51", Name: "Kabupaten Badung"}); !ok || g != want {
		t.Errorf("Regency(51.03) = %+v, %v; want %+v", g, ok, want)
	}
	if g2, ok := r.Regency("5103"); !ok || g2 != g {
		t.Errorf("Regency(5103) = %+v, %v; want it equal to Regency(51.03)", g2, ok)
	}
	if p, ok := r.Province("51"); !ok || p != (models.Province{Code: "51", Name: "Bali"}) {
		t.Errorf("Province(51) = %+v, %v", p, ok)
	}
	for _, code := range []string{"", "5", "511", "99", "51.03"} {
		if p, ok := r.Province(code); ok {
			t.Errorf("Province(%q) = %+v, want not found", code, p)
		}
	}
	for _, code := range []string{"", "51", "51.3", "51-03", "51.99", "510.3"} {
		if g, ok := r.Regency(code); ok {
			t.Errorf("Regency(%q) = %+v, want not found", code, g)
		}
	}
	if regs := r.Regencies("99"); regs != nil {
		t.Errorf("Regencies(99) = %v, want nil", regs)
	}
	bali := r.Regencies("51")
	if len(bali) != 9 || bali[0].Name != "Kabupaten Jembrana" || bali[8].Name != "Kota Denpasar" {
		t.Errorf("Regencies(51) = %v, want the 9 of Bali from Jembrana to Denpasar", bali)
	}
}

func TestRegionsResultsAreCopies(t *testing.T) {
	r := loadRegions(t)
	ps := r.Provinces()
	ps[0].Name = "changed"
	gs := r.Regencies("51")
	gs[0].Name = "changed"
	if p, _ := r.Province(ps[0].Code); p.Name == "changed" || r.Provinces()[0].Name == "changed" {
		t.Error("changing the Provinces() result changed Regions")
	}
	if r.Regencies("51")[0].Name == "changed" {
		t.Error("changing the Regencies() result changed Regions")
	}
}

func BenchmarkLoadRegions(b *testing.B) {
	for b.Loop() {
		if _, err := models.LoadRegions(); err != nil {
			b.Fatal(err)
		}
	}
}
