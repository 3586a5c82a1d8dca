package models

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// fpdfToUnicode is the ToUnicode map that fpdf (v0.12) writes for every
// embedded UTF-8 font. Its single range <0000> <FFFF> <0000> is undefined
// past the first 256 codes (PDF 32000-1 §9.10.3: a range only increments
// the last byte of its destination). Lenient readers guess right; strict
// ones, and the text extractors that search engines and archives use, read
// "–" (U+2013) as "\x13" and "…" as "&".
const fpdfToUnicode = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"

// identityToUnicode says the same as fpdfToUnicode (a code is its own
// Unicode code point: fpdf writes text as UTF-16BE of the Basic Multilingual
// Plane) in conforming ranges of at most 256 codes, at most 100 ranges per
// section. Surrogate codes never occur and are left out.
func identityToUnicode() string {
	var ranges []string
	for hi := 0; hi < 0x100; hi++ {
		if hi >= 0xD8 && hi <= 0xDF {
			continue
		}
		ranges = append(ranges, fmt.Sprintf("<%02X00> <%02XFF> <%02X00>", hi, hi, hi))
	}
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for len(ranges) > 0 {
		n := min(len(ranges), 100)
		fmt.Fprintf(&b, "%d beginbfrange\n%s\nendbfrange\n", n, strings.Join(ranges[:n], "\n"))
		ranges = ranges[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
	return b.String()
}

// conformToUnicode replaces fpdf's ToUnicode streams in doc with conforming
// ones and moves the cross-reference table's offsets to match. A document
// without them (a future fpdf that fixed this) is returned unchanged.
func conformToUnicode(doc []byte) ([]byte, error) {
	stream := func(cmap string) []byte {
		return fmt.Appendf(nil, "<</Length %d>>\nstream\n%s\nendstream", len(cmap), cmap)
	}
	old, repl := stream(fpdfToUnicode), stream(identityToUnicode())
	if !bytes.Contains(doc, old) {
		return doc, nil
	}
	delta := len(repl) - len(old)
	var moved []int // old offsets of the replaced streams
	out := make([]byte, 0, len(doc)+4*delta)
	for rest, at := doc, 0; ; {
		i := bytes.Index(rest, old)
		if i < 0 {
			out = append(out, rest...)
			break
		}
		moved = append(moved, at+i)
		out = append(append(out, rest[:i]...), repl...)
		rest, at = rest[i+len(old):], at+i+len(old)
	}
	shift := func(off int) int {
		n := 0
		for _, m := range moved {
			if m < off {
				n++
			}
		}
		return off + n*delta
	}

	// The trailer: "startxref\n<offset>\n%%EOF".
	sx := bytes.LastIndex(out, []byte("startxref\n"))
	if sx < 0 {
		return nil, errors.New("pdf: no startxref")
	}
	numStart := sx + len("startxref\n")
	numEnd := numStart + bytes.IndexByte(out[numStart:], '\n')
	if numEnd < numStart {
		return nil, errors.New("pdf: bad startxref")
	}
	xref, err := strconv.Atoi(string(out[numStart:numEnd]))
	if err != nil {
		return nil, fmt.Errorf("pdf: bad startxref: %w", err)
	}
	xref = shift(xref)
	if !bytes.HasPrefix(out[xref:], []byte("xref\n0 ")) {
		return nil, errors.New("pdf: cross-reference table not where expected")
	}
	// "0 <count>", then fixed-width entries: "0000012345 00000 n \n".
	head := xref + len("xref\n")
	headEnd := head + bytes.IndexByte(out[head:], '\n')
	var first, count int
	if _, err := fmt.Sscanf(string(out[head:headEnd]), "%d %d", &first, &count); err != nil || first != 0 {
		return nil, errors.New("pdf: bad cross-reference table")
	}
	for i, line := 0, headEnd+1; i < count; i, line = i+1, line+20 {
		if line+20 > len(out) {
			return nil, errors.New("pdf: cross-reference table cut short")
		}
		if out[line+17] != 'n' {
			continue // the free entry
		}
		off, err := strconv.Atoi(string(out[line : line+10]))
		if err != nil {
			return nil, fmt.Errorf("pdf: bad cross-reference entry: %w", err)
		}
		copy(out[line:line+10], fmt.Sprintf("%010d", shift(off)))
	}
	tail := fmt.Appendf(nil, "%d", xref)
	return append(append(out[:numStart:numStart], tail...), out[numEnd:]...), nil
}
