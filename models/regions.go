package models

import (
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
)

// The Kemendagri province and regency (kabupaten/kota) lists, from the npm
// package idn-area-data (data under the ODbL; see regions/NOTICE.md).
//
//go:embed regions/*.csv
var regionFiles embed.FS

// Province is a Kemendagri province: Code "51", Name "Bali".
type Province struct {
	Code, Name string
}

// Regency is a Kemendagri kabupaten or kota: Code "51.03", ProvinceCode
// "51", Name "Kabupaten Badung".
type Regency struct {
	Code, ProvinceCode, Name string
}

// Regions is the loaded reference list. It is read-only after LoadRegions
// and safe for concurrent use; the slices it returns are copies.
type Regions struct {
	provinces []Province           // sorted by code
	regencies map[string][]Regency // by province code, each sorted by code
	province  map[string]Province
	regency   map[string]Regency
}

// LoadRegions parses the embedded provinces.csv and regencies.csv. It checks
// that codes are well formed and unique and that every regency belongs to a
// known province whose code prefixes its own.
func LoadRegions() (*Regions, error) {
	r := &Regions{
		regencies: make(map[string][]Regency),
		province:  make(map[string]Province),
		regency:   make(map[string]Regency),
	}
	err := readRegionCSV("regions/provinces.csv", []string{"code", "name"}, func(line int, f []string) error {
		code, ok := normaliseProvinceCode(f[0])
		if !ok {
			return fmt.Errorf("line %d: bad province code %q", line, f[0])
		}
		name := properName(f[1])
		if name == "" {
			return fmt.Errorf("line %d: province %s has no name", line, code)
		}
		if _, dup := r.province[code]; dup {
			return fmt.Errorf("line %d: duplicate province code %s", line, code)
		}
		p := Province{Code: code, Name: name}
		r.province[code] = p
		r.provinces = append(r.provinces, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readRegionCSV("regions/regencies.csv", []string{"code", "province_code", "name"}, func(line int, f []string) error {
		code, ok := normaliseRegencyCode(f[0])
		if !ok {
			return fmt.Errorf("line %d: bad regency code %q", line, f[0])
		}
		prov, ok := normaliseProvinceCode(f[1])
		if !ok {
			return fmt.Errorf("line %d: regency %s: bad province code %q", line, code, f[1])
		}
		if _, known := r.province[prov]; !known {
			return fmt.Errorf("line %d: regency %s: unknown province %s", line, code, prov)
		}
		if code[:2] != prov {
			return fmt.Errorf("line %d: regency %s does not belong to province %s", line, code, prov)
		}
		name := properName(f[2])
		if name == "" {
			return fmt.Errorf("line %d: regency %s has no name", line, code)
		}
		if _, dup := r.regency[code]; dup {
			return fmt.Errorf("line %d: duplicate regency code %s", line, code)
		}
		g := Regency{Code: code, ProvinceCode: prov, Name: name}
		r.regency[code] = g
		r.regencies[prov] = append(r.regencies[prov], g)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(r.provinces, func(a, b Province) int { return strings.Compare(a.Code, b.Code) })
	for _, list := range r.regencies {
		slices.SortFunc(list, func(a, b Regency) int { return strings.Compare(a.Code, b.Code) })
	}
	return r, nil
}

// readRegionCSV reads one embedded CSV whose header must contain the wanted
// columns (in any order, extra columns ignored) and calls row with the
// wanted fields, in the order asked, for each data line.
func readRegionCSV(name string, want []string, row func(line int, fields []string) error) error {
	f, err := regionFiles.Open(name)
	if err != nil {
		return fmt.Errorf("regions: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("regions: %s: header: %w", name, err)
	}
	idx := make([]int, len(want))
	for i, w := range want {
		idx[i] = slices.IndexFunc(header, func(h string) bool {
			return strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), w)
		})
		if idx[i] < 0 {
			return fmt.Errorf("regions: %s: no %q column in header %q", name, w, header)
		}
	}
	fields := make([]string, len(want))
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("regions: %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		for i, j := range idx {
			fields[i] = strings.TrimSpace(rec[j])
		}
		if err := row(line, fields); err != nil {
			return fmt.Errorf("regions: %s: %w", name, err)
		}
	}
}

// Provinces returns all provinces sorted by code.
func (r *Regions) Provinces() []Province {
	return slices.Clone(r.provinces)
}

// Regencies returns the kabupaten and kota of the province with the given
// code ("51"), sorted by code; nil for an unknown province.
func (r *Regions) Regencies(provinceCode string) []Regency {
	code, ok := normaliseProvinceCode(provinceCode)
	if !ok {
		return nil
	}
	return slices.Clone(r.regencies[code])
}

// Province looks a province up by code ("51").
func (r *Regions) Province(code string) (Province, bool) {
	c, ok := normaliseProvinceCode(code)
	if !ok {
		return Province{}, false
	}
	p, ok := r.province[c]
	return p, ok
}

// Regency looks a regency up by code; "51.03" and "5103" are the same.
func (r *Regions) Regency(code string) (Regency, bool) {
	c, ok := normaliseRegencyCode(code)
	if !ok {
		return Regency{}, false
	}
	g, ok := r.regency[c]
	return g, ok
}

// Describe names a place for people: "Kabupaten Badung, Bali" for a regency
// code, the province name ("Bali") when regencyCode is empty. It returns ""
// when a code is unknown or the regency is not in the given province
// (provinceCode may be empty when regencyCode is set).
func (r *Regions) Describe(provinceCode, regencyCode string) string {
	if strings.TrimSpace(regencyCode) == "" {
		p, ok := r.Province(provinceCode)
		if !ok {
			return ""
		}
		return p.Name
	}
	g, ok := r.Regency(regencyCode)
	if !ok {
		return ""
	}
	if strings.TrimSpace(provinceCode) != "" {
		if pc, ok := normaliseProvinceCode(provinceCode); !ok || pc != g.ProvinceCode {
			return ""
		}
	}
	return g.Name + ", " + r.province[g.ProvinceCode].Name
}

// normaliseProvinceCode accepts "51" (surrounding space ignored).
func normaliseProvinceCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 2 || !allDigits(s) {
		return "", false
	}
	return s, true
}

// normaliseRegencyCode accepts "51.03" or "5103" and returns "51.03".
func normaliseRegencyCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) == 5 && s[2] == '.' && allDigits(s[:2]) && allDigits(s[3:]):
		return s, true
	case len(s) == 4 && allDigits(s):
		return s[:2] + "." + s[2:], true
	}
	return "", false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// properName writes an all-capitals name the way people write it:
// "KABUPATEN BADUNG" → "Kabupaten Badung", "DKI JAKARTA" → "DKI Jakarta",
// "KABUPATEN PANGKAJENE DAN KEPULAUAN" → "Kabupaten Pangkajene dan
// Kepulauan". A name that already has small letters is kept as written.
// Runs of spaces collapse to one.
func properName(s string) string {
	words := strings.Fields(s)
	if !strings.ContainsFunc(s, unicode.IsLower) {
		for i, w := range words {
			words[i] = properWord(w, i == 0)
		}
	}
	return strings.Join(words, " ")
}

// properWord cases one upper-case word. Acronyms stay in capitals, the
// conjunction "dan" is small unless it starts the name, and otherwise each
// part after a hyphen, slash, dot or bracket starts with a capital
// ("TOLI-TOLI" → "Toli-Toli"); an apostrophe does not start a part
// ("MA'RANG" → "Ma'rang").
func properWord(w string, first bool) string {
	switch w {
	case "DKI": // Daerah Khusus Ibukota
		return w
	case "DAN":
		if !first {
			return "dan"
		}
	}
	var b strings.Builder
	b.Grow(len(w))
	prev := ' '
	for _, c := range w {
		if unicode.IsLetter(prev) || unicode.IsDigit(prev) || prev == '\'' || prev == '’' {
			b.WriteRune(unicode.ToLower(c))
		} else {
			b.WriteRune(unicode.ToUpper(c))
		}
		prev = c
	}
	return b.String()
}
