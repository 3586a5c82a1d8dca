package handlers

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// TestGzipSpliceIsAValidGzipOfThePage: whatever the cut, the spliced
// member decodes (with its CRC and length checked) to the parts joined by
// the text.
func TestGzipSpliceIsAValidGzipOfThePage(t *testing.T) {
	page := strings.Repeat("<li class=\"cal-day\">Senin, 7 Desember 2026 · 09.00–12.00 · tersedia</li>\n", 300)
	long := strings.Repeat("x", 70_000) // more than one stored block
	cases := []struct {
		name  string
		parts []string
		text  string
	}{
		{"no placeholder", []string{page}, "token"},
		{"one in the middle", []string{page[:4000], page[4000:]}, "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo"},
		{"at both ends", []string{"", page, ""}, "tok"},
		{"two adjacent", []string{page[:10], "", page[10:]}, "tok"},
		{"empty text", []string{page[:100], page[100:]}, ""},
		{"long text", []string{page[:100], page[100:]}, long},
		{"empty page", []string{""}, "tok"},
	}
	for _, c := range cases {
		parts := make([][]byte, len(c.parts))
		for i, p := range c.parts {
			parts[i] = []byte(p)
		}
		g, err := gzipSplice(parts)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{c.text, c.text + "-second-visitor"} {
			r, err := gzip.NewReader(bytes.NewReader(g.join([]byte(text))))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if want := strings.Join(c.parts, text); string(got) != want {
				t.Errorf("%s: decoded %d bytes, want %d", c.name, len(got), len(want))
			}
		}
	}
	// And it is compressed: the page is repetitive.
	g, _ := gzipSplice([][]byte{[]byte(page[:4000]), []byte(page[4000:])})
	if n := len(g.join([]byte("tok"))); n > len(page)/5 {
		t.Errorf("spliced gzip is %d bytes for a %d-byte page", n, len(page))
	}
}
