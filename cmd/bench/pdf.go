package main

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"

	"codeberg.org/go-pdf/fpdf"
)

// scannedLetter makes a valid one-page PDF of about 1 MB, as a scanned
// request letter is: a heading and a grey-scale image of side×side pixels
// of noise, which no compression makes smaller (1024 → 1.0 MB).
func scannedLetter(side int) ([]byte, error) {
	img := image.NewGray(image.Rect(0, 0, side, side))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.Uint32())
	}
	var pngData bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.NoCompression}
	if err := enc.Encode(&pngData, img); err != nil {
		return nil, err
	}
	doc := fpdf.New("P", "mm", "A4", "")
	doc.AddPage()
	doc.SetFont("Helvetica", "B", 14)
	doc.Cell(0, 10, "Surat Permohonan Studi Tiru (uji beban)")
	doc.RegisterImageOptionsReader("scan", fpdf.ImageOptions{ImageType: "PNG"}, &pngData)
	doc.ImageOptions("scan", 20, 30, 170, 170, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	var out bytes.Buffer
	if err := doc.Output(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
