package handlers

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"html/template"

	"github.com/gofiber/fiber/v2"
)

// Prepared answers for the public availability month.
//
// The month page and its JSON are what hundreds of regions open on the
// same morning. Rendering the calendar template and compressing it cost
// about a millisecond of CPU per request; the month itself changes at most
// once a second (monthCache). So both are rendered and compressed once per
// cached month and sent as bytes. The page holds one thing that differs
// per visitor, the CSRF token of the language form: it is rendered with a
// placeholder, and each answer splices the visitor's token in — into the
// compressed bytes too (gzipSplice), so that a phone on a slow link still
// gets a compressed page.

// preparedBody is an answer body kept with its gzip form.
type preparedBody struct {
	raw, gz     []byte
	contentType string
}

func prepareBody(raw []byte, contentType string) (*preparedBody, error) {
	gz, err := gzipSplice([][]byte{raw})
	if err != nil {
		return nil, err
	}
	return &preparedBody{raw: raw, gz: gz.join(nil), contentType: contentType}, nil
}

// send writes the body, compressed when the client accepts gzip.
func (b *preparedBody) send(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, b.contentType)
	c.Vary(fiber.HeaderAcceptEncoding)
	if acceptsGzip(c) {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(b.gz)
	}
	return c.Send(b.raw)
}

// acceptsGzip reads Accept-Encoding as fasthttp's own compression does.
func acceptsGzip(c *fiber.Ctx) bool {
	return c.Context().Request.Header.HasAcceptEncoding("gzip")
}

// splicedPage is a rendered page cut at its token placeholder.
type splicedPage struct {
	parts [][]byte // the page between the placeholders
	gz    *splicedGzip
}

// prepareSpliced cuts html at every placeholder and compresses the parts.
func prepareSpliced(html []byte, placeholder string) (*splicedPage, error) {
	if placeholder == "" {
		return nil, errors.New("prepared page: empty placeholder")
	}
	parts := bytes.Split(html, []byte(placeholder))
	gz, err := gzipSplice(parts)
	if err != nil {
		return nil, err
	}
	return &splicedPage{parts: parts, gz: gz}, nil
}

// send writes the page with token in place of each placeholder.
func (p *splicedPage) send(c *fiber.Ctx, token string) error {
	t := []byte(template.HTMLEscapeString(token))
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Vary(fiber.HeaderAcceptEncoding)
	if acceptsGzip(c) {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(p.gz.join(t))
	}
	return c.Send(bytes.Join(p.parts, t))
}

// splicedGzip is a gzip member whose deflate stream is built from
// separately compressed parts with room between them for a short text.
// Every part but the last ends with a sync flush, which leaves the stream
// on a byte boundary; the text goes in between as a stored (uncompressed)
// block; a part never refers back to earlier parts, so the decoder's
// window makes no difference. The trailer's CRC-32 and length are of the
// whole page and are computed per answer.
type splicedGzip struct {
	parts    [][]byte // the uncompressed parts, for the CRC
	deflated [][]byte
}

func gzipSplice(parts [][]byte) (*splicedGzip, error) {
	g := &splicedGzip{parts: parts}
	var w *flate.Writer // one compressor, reset for each part (it holds ~1 MB of tables)
	for i, part := range parts {
		var buf bytes.Buffer
		if w == nil {
			var err error
			if w, err = flate.NewWriter(&buf, flate.DefaultCompression); err != nil {
				return nil, err
			}
		} else {
			w.Reset(&buf)
		}
		if _, err := w.Write(part); err != nil {
			return nil, err
		}
		end := w.Flush
		if i == len(parts)-1 {
			end = w.Close
		}
		if err := end(); err != nil {
			return nil, err
		}
		g.deflated = append(g.deflated, buf.Bytes())
	}
	return g, nil
}

// gzipHeader: magic, deflate, no flags, no time, no extra flags, unknown OS.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

// join returns the gzip member of the parts joined by text.
func (g *splicedGzip) join(text []byte) []byte {
	size, crc := 0, uint32(0)
	n := len(gzipHeader) + 8
	for i, d := range g.deflated {
		n += len(d)
		if i > 0 {
			n += 5*(len(text)/0xffff+1) + len(text)
		}
	}
	out := make([]byte, 0, n)
	out = append(out, gzipHeader...)
	for i, d := range g.deflated {
		if i > 0 {
			out = appendStored(out, text)
			crc = crc32.Update(crc, crc32.IEEETable, text)
			size += len(text)
		}
		out = append(out, d...)
		crc = crc32.Update(crc, crc32.IEEETable, g.parts[i])
		size += len(g.parts[i])
	}
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(size))
}

// appendStored appends text as stored deflate blocks, none of them the
// last: header bits 000 padded to a byte, LEN and its one's complement,
// then at most 65,535 bytes.
func appendStored(out, text []byte) []byte {
	for {
		n := min(len(text), 0xffff)
		out = append(out, 0)
		out = binary.LittleEndian.AppendUint16(out, uint16(n))
		out = binary.LittleEndian.AppendUint16(out, ^uint16(n))
		out = append(out, text[:n]...)
		text = text[n:]
		if len(text) == 0 {
			return out
		}
	}
}
