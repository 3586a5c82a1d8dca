package handlers_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"studitiru/models"
	"studitiru/templates"
)

func loadCatalogue(t *testing.T, lang string) map[string]string {
	t.Helper()
	files, err := fs.Glob(templates.FS, "locales/*."+lang+".toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s catalogue: %v", lang, err)
	}
	m := map[string]string{}
	for _, f := range files {
		b, err := fs.ReadFile(templates.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		part := map[string]string{}
		if err := toml.Unmarshal(b, &part); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				t.Errorf("%s repeats %q from another file", f, k)
			}
			m[k] = v
		}
	}
	return m
}

// TestCataloguesAreComplete: both languages have the same keys, and every
// key that a template or the Go code names literally exists.
func TestCataloguesAreComplete(t *testing.T) {
	id, en := loadCatalogue(t, models.LangID), loadCatalogue(t, models.LangEN)
	for k := range id {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is in the Indonesian catalogue but not the English one", k)
		}
	}
	for k := range en {
		if _, ok := id[k]; !ok {
			t.Errorf("%q is in the English catalogue but not the Indonesian one", k)
		}
	}

	used := map[string]string{} // key → where
	// Literal keys; a key after "print" is a prefix completed at run time.
	tmplKey := regexp.MustCompile(`(print )?(?:\.T "([a-z0-9_.]+)"|"(?:hint=)?([a-z]+\.[a-z0-9_.]+)")`)
	_ = fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, _ := fs.ReadFile(templates.FS, path)
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			if m[1] != "" {
				continue
			}
			key := m[2] + m[3]
			if strings.Contains(key, ".html") || strings.HasPrefix(key, "static.") {
				continue
			}
			used[key] = path
		}
		return nil
	})
	// Prefixes of catalogue keys named in Go code, one per line so that
	// areas added in parallel merge without conflicts.
	goPrefixes := []string{
		"err",
		"form",
		"signin",
		"users",
		"profile",
		"staff",
		"home",
		"error",
		"roster",
		"avail",
		"track",
		"mail",
		"request",
		"settings",
		"holiday",
		"escort",
		"inbox",
		"visit",
		"decision",
		"cal",
		"letter",
		"reminder",
		"ical",
		"outbox",
		"survey",
		"skm",
		"visitday",
		"riwayat",
		"report",
		"dash",
		"audit",
		"privacy",
	}
	goKey := regexp.MustCompile(`"((?:` + strings.Join(goPrefixes, "|") + `)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)"`)
	for _, dir := range []string{".", "../models"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, _ := os.ReadFile(f)
			for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = f
			}
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use; the scanner is broken", len(used))
	}
	for key, where := range used {
		_, title := id[key+".title"]
		_, body := id[key+".body"]
		if strings.HasPrefix(key, "error.") && title && body {
			continue // the error page appends .title and .body
		}
		if _, ok := id[key]; !ok {
			t.Errorf("%s uses %q, which the catalogue lacks", where, key)
		}
	}
	// Keys built at run time: roles, statuses and the error pages.
	for _, r := range models.Roles() {
		for _, k := range []string{"role." + string(r), "role." + string(r) + ".desc"} {
			if _, ok := id[k]; !ok {
				t.Errorf("catalogue lacks %q", k)
			}
		}
	}
	for _, s := range models.VisitStatuses() {
		if _, ok := id["status."+string(s)]; !ok {
			t.Errorf("catalogue lacks status.%s", s)
		}
	}
}
