package models_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

func visitDayVisit() *models.Visit {
	return &models.Visit{
		ID:     bson.NewObjectID(),
		Status: models.StatusApproved,
		Start:  time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC), // 09.00 WITA
		Roster: []models.RosterEntry{{Name: "Drs. I Ketut Suta"}, {Name: "Ni Made Ayu, S.E."}, {Name: "Andi Rahman"}},
	}
}

func TestVisitDayValidate(t *testing.T) {
	topics := models.DefaultHostSettings().Topics
	ok := func() models.VisitDay {
		return models.VisitDay{Arrival: "09.15", Actual: 3, Attended: []int{2, 0, 0}, Topics: []string{topics[0]}}
	}
	cases := []struct {
		name  string
		edit  func(d *models.VisitDay)
		field string // "" = valid
		key   string
	}{
		{"valid", func(d *models.VisitDay) {}, "", ""},
		{"one-digit hour refused", func(d *models.VisitDay) { d.Arrival = "9:15" }, "arrival", "visitday.err.arrival"},
		{"phone clock accepted", func(d *models.VisitDay) { d.Arrival = "09:15" }, "", ""},
		{"arrival missing", func(d *models.VisitDay) { d.Arrival = " " }, "arrival", "err.required"},
		{"arrival 24.00", func(d *models.VisitDay) { d.Arrival = "24.00" }, "arrival", "visitday.err.arrival"},
		{"arrival words", func(d *models.VisitDay) { d.Arrival = "pagi" }, "arrival", "visitday.err.arrival"},
		{"actual missing", func(d *models.VisitDay) { d.Actual = 0 }, "actual", "err.required"},
		{"actual negative", func(d *models.VisitDay) { d.Actual = -2 }, "actual", "visitday.err.actual"},
		{"actual 501", func(d *models.VisitDay) { d.Actual = 501 }, "actual", "visitday.err.actual"},
		{"actual 500", func(d *models.VisitDay) { d.Actual = 500 }, "", ""},
		{"attended beyond roster", func(d *models.VisitDay) { d.Attended = []int{3} }, "attended", "visitday.err.attended"},
		{"attended negative", func(d *models.VisitDay) { d.Attended = []int{-1} }, "attended", "visitday.err.attended"},
		{"attended more than actual", func(d *models.VisitDay) { d.Actual = 1; d.Attended = []int{0, 1} }, "attended", "visitday.err.attended_more"},
		{"unknown topic", func(d *models.VisitDay) { d.Topics = []string{"Pariwisata"} }, "topics", "visitday.err.topic"},
		{"notes too long", func(d *models.VisitDay) { d.Notes = strings.Repeat("a", models.MaxVisitDayNotes+1) }, "notes", "err.too_long"},
		{"notes at the limit", func(d *models.VisitDay) { d.Notes = strings.Repeat("é", models.MaxVisitDayNotes) }, "", ""},
		{"follow-up too long", func(d *models.VisitDay) { d.FollowUp = strings.Repeat("a", models.MaxVisitDayFollowUp+1) }, "follow_up", "err.too_long"},
		{"sppd note too long", func(d *models.VisitDay) { d.SPPDNote = strings.Repeat("a", models.MaxVisitDayShort+1) }, "sppd_note", "err.too_long"},
		{"other topics invalid utf-8", func(d *models.VisitDay) { d.TopicsOther = "\xff" }, "topics_other", "err.too_long"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := ok()
			tc.edit(&d)
			err := d.Validate(visitDayVisit(), topics)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			ve, isVE := models.AsValidation(err)
			if !isVE {
				t.Fatalf("want a validation error on %s, got %v", tc.field, err)
			}
			if got := ve.Fields[tc.field]; got != tc.key {
				t.Errorf("%s: got %q, want %q (all: %v)", tc.field, got, tc.key, ve.Fields)
			}
		})
	}
	d := ok()
	d.Arrival = "08:05"
	if err := d.Validate(visitDayVisit(), topics); err != nil || d.Arrival != "08.05" || len(d.Attended) != 2 || d.Attended[0] != 0 {
		t.Errorf("normalised to %q %v (%v), want 08.05 [0 2]", d.Arrival, d.Attended, err)
	}
}

func TestVisitDayOpen(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Makassar")
	v := visitDayVisit() // 5 March, 09.00 WITA
	// 4 March 23.30 WITA is still the day before; 5 March 00.10 WITA is the day.
	if models.VisitDayOpen(v, time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC), loc) {
		t.Error("open the evening before")
	}
	if !models.VisitDayOpen(v, time.Date(2026, 3, 4, 16, 10, 0, 0, time.UTC), loc) {
		t.Error("closed just after midnight of the day in the host zone")
	}
	v.Status = models.StatusOffered
	if models.VisitDayOpen(v, time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC), loc) {
		t.Error("open for an offered visit")
	}
	v.Status = models.StatusCompleted
	if !models.VisitDayOpen(v, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), loc) {
		t.Error("closed for a completed visit")
	}
}

func TestSaveVisitDayVersions(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC)
	id := bson.NewObjectID()
	if _, err := st.VisitDayFor(ctx(t), id); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("nothing recorded: got %v, want ErrNotFound", err)
	}
	first := &models.VisitDay{VisitID: id, Arrival: "09.10", Actual: 20, Notes: "pertama"}
	if err := st.SaveVisitDay(ctx(t), first, now); err != nil || first.Version != 1 {
		t.Fatalf("first save: %v v%d", err, first.Version)
	}
	// A colleague who also started from nothing loses.
	again := &models.VisitDay{VisitID: id, Arrival: "09.20", Actual: 21}
	if err := st.SaveVisitDay(ctx(t), again, now); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("second first save: got %v, want ErrConflict", err)
	}
	a, _ := st.VisitDayFor(ctx(t), id)
	b, _ := st.VisitDayFor(ctx(t), id)
	a.Notes, a.Attended = "kedua", []int{1}
	if err := st.SaveVisitDay(ctx(t), a, now.Add(time.Minute)); err != nil || a.Version != 2 {
		t.Fatalf("update: %v v%d", err, a.Version)
	}
	b.Notes = "basi"
	if err := st.SaveVisitDay(ctx(t), b, now.Add(2*time.Minute)); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("stale update: got %v, want ErrConflict", err)
	}
	got, err := st.VisitDayFor(ctx(t), id)
	if err != nil || got.Notes != "kedua" || got.Version != 2 || len(got.Attended) != 1 || got.Arrival != "09.10" {
		t.Errorf("stored %+v (%v), want the second writer's notes at version 2", got, err)
	}
}

// Test images, made here so that the test says what they are.
func testPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

func testJPEG(w, h int) []byte {
	var b bytes.Buffer
	_ = jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil)
	return b.Bytes()
}

// A minimal lossy WebP header: RIFF, WEBP, a VP8 chunk with a 16×16 frame.
func testWebP() []byte {
	vp8 := []byte{0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, 16, 0, 16, 0}
	vp8 = append(vp8, make([]byte, 8)...)
	chunk := append([]byte("VP8 "), byte(len(vp8)), 0, 0, 0)
	chunk = append(chunk, vp8...)
	body := append([]byte("WEBP"), chunk...)
	out := append([]byte("RIFF"), byte(len(body)), 0, 0, 0)
	return append(out, body...)
}

func TestPhotoProblem(t *testing.T) {
	pdf := []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n")
	bigPNG := append(testPNG(2, 2), make([]byte, 6<<20)...) // a valid header, 6 MB
	// A PNG header that announces 20000×20000 pixels on a few bytes.
	huge := testPNG(1, 1)
	copy(huge[16:24], []byte{0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20})
	binary.BigEndian.PutUint32(huge[29:33], crc32.ChecksumIEEE(huge[12:29]))
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"1×1 PNG", testPNG(1, 1), ""},
		{"JPEG", testJPEG(64, 48), ""},
		{"WebP", testWebP(), ""},
		{"empty", nil, "visitday.err.photo_empty"},
		{"PDF renamed .jpg", pdf, "visitday.err.photo_type"},
		{"6 MB", bigPNG, "visitday.err.photo_size"},
		{"GIF", gif, "visitday.err.photo_type"},
		{"HTML", []byte("<html><script>alert(1)</script></html>"), "visitday.err.photo_type"},
		{"PNG signature then garbage", append([]byte("\x89PNG\r\n\x1a\n"), []byte("not an image at all, really")...), "visitday.err.photo_type"},
		{"JPEG magic then garbage", []byte("\xff\xd8\xff\xe0garbage garbage garbage"), "visitday.err.photo_type"},
		{"pixel bomb", huge, "visitday.err.photo_pixels"},
	}
	for _, tc := range cases {
		if got := models.PhotoProblem(tc.b); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	// Fuzz-ish: truncations and single-byte corruptions of a good photo
	// never panic, and whatever is accepted still decodes as an image header.
	good := testJPEG(32, 32)
	for n := 0; n < len(good); n += 7 {
		b := good[:n]
		if models.PhotoProblem(b) == "" {
			if _, _, err := image.DecodeConfig(bytes.NewReader(b)); err != nil {
				t.Errorf("truncated to %d accepted but does not decode: %v", n, err)
			}
		}
	}
	for i := 0; i < len(good); i += 3 {
		b := bytes.Clone(good)
		b[i] ^= 0xa5
		_ = models.PhotoProblem(b)
	}
}

func TestVisitPhotosStore(t *testing.T) {
	st := server.Open(t)
	visit := bson.NewObjectID()
	p, err := st.AddVisitPhoto(ctx(t), visit, "../../etc/foto\x00.png", testPNG(3, 2))
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != "image/png" || p.Width != 3 || p.Height != 2 || strings.ContainsRune(p.Name, 0) {
		t.Errorf("stored %+v", p)
	}
	if _, err := st.AddVisitPhoto(ctx(t), visit, "surat.jpg", []byte("%PDF-1.4 …")); err == nil {
		t.Error("a PDF was stored as a photo")
	} else if ve, ok := models.AsValidation(err); !ok || ve.Fields["photos"] != "visitday.err.photo_type" {
		t.Errorf("PDF: got %v", err)
	}
	got, b, err := st.OpenVisitPhoto(ctx(t), p.ID)
	if err != nil || got.ContentType != "image/png" || got.VisitID != visit || !bytes.Equal(b, testPNG(3, 2)) {
		t.Fatalf("open: %+v %d bytes %v", got, len(b), err)
	}
	for i := 1; i < models.MaxVisitPhotos; i++ {
		if _, err := st.AddVisitPhoto(ctx(t), visit, "f.jpg", testJPEG(4, 4)); err != nil {
			t.Fatalf("photo %d: %v", i+1, err)
		}
	}
	if _, err := st.AddVisitPhoto(ctx(t), visit, "f.jpg", testJPEG(4, 4)); err == nil {
		t.Error("an eleventh photo was stored")
	}
	list, err := st.VisitPhotos(ctx(t), visit)
	if err != nil || len(list) != models.MaxVisitPhotos || list[0].ID != p.ID {
		t.Fatalf("list: %d photos, %v", len(list), err)
	}
	if err := st.DeleteVisitPhoto(ctx(t), p.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.OpenVisitPhoto(ctx(t), p.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("deleted photo: got %v, want ErrNotFound", err)
	}
	if err := st.DeleteVisitPhoto(ctx(t), p.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("second delete: got %v, want ErrNotFound", err)
	}
}
