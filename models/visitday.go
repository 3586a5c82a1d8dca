package models

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // register the decoders DecodeConfig reads headers with
	_ "image/png"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	_ "golang.org/x/image/webp"
)

// The visit day record (catatan hari kunjungan) is what the coordinator
// writes down on the day of an approved visit: when the delegation came, how
// many, who of the roster attended, whether their SPPD was signed and
// stamped, what was covered and what they asked for afterwards.
//
// It lives in its own collection with _id = the visit's id instead of on the
// visit document: the visit is written by the decision flow (and its
// version moves with every decision), while the record is written on the
// spot from a phone; keeping them apart means neither write conflicts with
// the other.
const (
	colVisitDays = "visit_days"
	bucketPhotos = "photos"
)

// Limits of the record. A delegation is at most 60 officials by the host's
// rules, but the actual number may exceed the announced one (drivers,
// protocol staff), hence the looser bound.
const (
	MaxActualParticipants = 500
	MaxVisitDayNotes      = 2000
	MaxVisitDayFollowUp   = 2000
	MaxVisitDayShort      = 300 // SPPD note, other topics
	// Photos: a phone photo is 2–4 MB; 10 of them document a visit.
	MaxPhotoBytes   = 5 << 20
	MaxVisitPhotos  = 10
	MaxPhotoPixels  = 12000 // per side: a 48 MP phone photo is 8000×6000
	MaxPhotoArea    = 50_000_000
	MaxPhotoNameLen = 120
)

// VisitDay is the record of one visit's day. Arrival is the clock time
// ("HH.MM") in the host zone on the visit's date; Attended holds indices into
// the visit's roster.
type VisitDay struct {
	VisitID     bson.ObjectID `bson:"_id"`
	Arrival     string        `bson:"arrival"`
	ArrivedAt   time.Time     `bson:"arrived_at"` // UTC, from Arrival on the visit's date
	Actual      int           `bson:"actual"`
	Attended    []int         `bson:"attended"`
	SPPDSigned  bool          `bson:"sppd_signed"`
	SPPDNote    string        `bson:"sppd_note,omitempty"`
	Notes       string        `bson:"notes,omitempty"`
	Topics      []string      `bson:"topics"`
	TopicsOther string        `bson:"topics_other,omitempty"`
	FollowUp    string        `bson:"follow_up,omitempty"`
	RecordedBy  string        `bson:"recorded_by"`
	Version     int64         `bson:"version"` // 0: not saved yet
	CreatedAt   time.Time     `bson:"created_at"`
	UpdatedAt   time.Time     `bson:"updated_at"`
}

// arrivalClock reads the arrival "HH.MM" (the Indonesian way of writing
// times); "HH:MM", as phones' time pickers send it, is accepted too.
func arrivalClock(s string) (int, int, bool) {
	m, ok := ParseClock(strings.ReplaceAll(strings.TrimSpace(s), ":", "."))
	return m / 60, m % 60, ok
}

// Validate checks the record against the visit it belongs to and the
// host's topics. It normalises the arrival to "HH.MM", sorts the attended
// indices and drops duplicates.
func (d *VisitDay) Validate(v *Visit, topics []string) error {
	var ve ValidationError
	if strings.TrimSpace(d.Arrival) == "" {
		ve.Add("arrival", "err.required")
	} else if h, m, ok := arrivalClock(d.Arrival); !ok {
		ve.Add("arrival", "visitday.err.arrival")
	} else {
		d.Arrival = fmt.Sprintf("%02d.%02d", h, m)
	}
	switch {
	case d.Actual == 0:
		ve.Add("actual", "err.required")
	case d.Actual < 1 || d.Actual > MaxActualParticipants:
		ve.Add("actual", "visitday.err.actual")
	}
	slices.Sort(d.Attended)
	d.Attended = slices.Compact(d.Attended)
	for _, i := range d.Attended {
		if v == nil || i < 0 || i >= len(v.Roster) {
			ve.Add("attended", "visitday.err.attended")
			break
		}
	}
	if len(d.Attended) > d.Actual && d.Actual > 0 {
		ve.Add("attended", "visitday.err.attended_more")
	}
	for _, t := range d.Topics {
		if !slices.Contains(topics, t) {
			ve.Add("topics", "visitday.err.topic")
			break
		}
	}
	for _, f := range []struct {
		field, value string
		max          int
	}{
		{"sppd_note", d.SPPDNote, MaxVisitDayShort},
		{"topics_other", d.TopicsOther, MaxVisitDayShort},
		{"notes", d.Notes, MaxVisitDayNotes},
		{"follow_up", d.FollowUp, MaxVisitDayFollowUp},
	} {
		if !utf8.ValidString(f.value) || utf8.RuneCountInString(f.value) > f.max {
			ve.Add(f.field, "err.too_long")
		}
	}
	return ve.Err()
}

// ArrivalOn is the arrival time on the civil date date (a DateKey) in loc.
func ArrivalOn(date, clock string, loc *time.Location) (time.Time, bool) {
	day, err := ParseDateKey(date, loc)
	h, m, ok := arrivalClock(clock)
	if err != nil || !ok {
		return time.Time{}, false
	}
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc), true
}

// VisitDayOpen tells whether the day of the visit can be recorded at now:
// an approved visit from the start of its day in loc, or a completed one.
func VisitDayOpen(v *Visit, now time.Time, loc *time.Location) bool {
	switch v.Status {
	case StatusCompleted:
		return true
	case StatusApproved:
		return !v.Start.IsZero() && DateKey(now.In(loc)) >= DateKey(v.Start.In(loc))
	}
	return false
}

// VisitDayFor is the record of a visit; ErrNotFound when nothing was
// recorded yet.
func (s *Store) VisitDayFor(ctx context.Context, visitID bson.ObjectID) (*VisitDay, error) {
	var d VisitDay
	err := s.db.Collection(colVisitDays).FindOne(ctx, bson.D{{Key: "_id", Value: visitID}}).Decode(&d)
	if err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// SaveVisitDay stores a validated record. d.Version is the version the
// writer read (0 for a first record): the first save inserts, and a second
// concurrent first save gets ErrConflict from the unique _id; later saves go
// through updateVersioned. On success d.Version is the new version.
func (s *Store) SaveVisitDay(ctx context.Context, d *VisitDay, now time.Time) error {
	now = now.UTC()
	d.ArrivedAt = d.ArrivedAt.UTC()
	if d.Attended == nil {
		d.Attended = []int{}
	}
	if d.Topics == nil {
		d.Topics = []string{}
	}
	if d.Version == 0 {
		d.Version, d.CreatedAt, d.UpdatedAt = 1, now, now
		_, err := s.db.Collection(colVisitDays).InsertOne(ctx, d)
		if isDuplicateKey(err) {
			d.Version = 0
			return ErrConflict
		}
		if err != nil {
			d.Version = 0
			return fmt.Errorf("store: visit day: %w", err)
		}
		return nil
	}
	err := s.updateVersioned(ctx, colVisitDays, d.VisitID, d.Version, bson.D{
		{Key: "arrival", Value: d.Arrival},
		{Key: "arrived_at", Value: d.ArrivedAt},
		{Key: "actual", Value: d.Actual},
		{Key: "attended", Value: d.Attended},
		{Key: "sppd_signed", Value: d.SPPDSigned},
		{Key: "sppd_note", Value: d.SPPDNote},
		{Key: "notes", Value: d.Notes},
		{Key: "topics", Value: d.Topics},
		{Key: "topics_other", Value: d.TopicsOther},
		{Key: "follow_up", Value: d.FollowUp},
		{Key: "recorded_by", Value: d.RecordedBy},
		{Key: "updated_at", Value: now},
	}, now)
	if errors.Is(err, ErrNotFound) {
		// The writer read a record that has since gone: somebody else's change.
		return ErrConflict
	}
	if err != nil {
		return err
	}
	d.Version++
	d.UpdatedAt = now
	return nil
}

// VisitPhoto is one stored photo of a visit (the GridFS file's particulars).
type VisitPhoto struct {
	ID          bson.ObjectID
	VisitID     bson.ObjectID
	Name        string
	ContentType string
	Size        int64
	Width       int
	Height      int
	UploadedAt  time.Time
}

// photoTypes are the accepted photo formats, by detected content type and
// by the name image.DecodeConfig gives the format.
var photoTypes = map[string]string{"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}

// PhotoProblem checks an uploaded photo by its content, never its name:
// the sniffed type must be JPEG, PNG or WebP, the image header must decode
// as that same format and its pixel size must be bounded (a small file can
// announce a huge image, which would cost memory to show). It returns a
// catalogue key, or "" when the photo is acceptable.
func PhotoProblem(b []byte) string {
	_, _, _, problem := photoInfo(b)
	return problem
}

// photoInfo is PhotoProblem with the detected type and size.
func photoInfo(b []byte) (string, int, int, string) {
	switch {
	case len(b) == 0:
		return "", 0, 0, "visitday.err.photo_empty"
	case len(b) > MaxPhotoBytes:
		return "", 0, 0, "visitday.err.photo_size"
	}
	ct := http.DetectContentType(b)
	format, ok := photoTypes[ct]
	if !ok {
		return "", 0, 0, "visitday.err.photo_type"
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || got != format {
		return "", 0, 0, "visitday.err.photo_type"
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxPhotoPixels || cfg.Height > MaxPhotoPixels ||
		cfg.Width*cfg.Height > MaxPhotoArea {
		return "", 0, 0, "visitday.err.photo_pixels"
	}
	return ct, cfg.Width, cfg.Height, ""
}

// photoName keeps an uploaded file's name short and printable; it is only
// shown, never used as a path.
func photoName(name string) string {
	name = letterText(name)
	if r := []rune(name); len(r) > MaxPhotoNameLen {
		name = string(r[:MaxPhotoNameLen])
	}
	if name == "" {
		name = "foto"
	}
	return name
}

func (s *Store) photoBucket() *mongo.GridFSBucket {
	return s.db.GridFSBucket(options.GridFSBucket().SetName(bucketPhotos))
}

// AddVisitPhoto checks and stores one photo of a visit. It returns a
// *ValidationError on the field "photos" when the photo is refused or the
// visit already has MaxVisitPhotos. The count is checked before the upload,
// so two simultaneous uploads may end one or two photos above the limit;
// the limit is about clutter, not safety, and that is acceptable.
func (s *Store) AddVisitPhoto(ctx context.Context, visitID bson.ObjectID, name string, data []byte) (*VisitPhoto, error) {
	ct, w, h, problem := photoInfo(data)
	if problem != "" {
		var ve ValidationError
		ve.Add("photos", problem)
		return nil, &ve
	}
	n, err := s.db.Collection(bucketPhotos+".files").CountDocuments(ctx, bson.D{{Key: "metadata.visit_id", Value: visitID}})
	if err != nil {
		return nil, fmt.Errorf("store: photos: %w", err)
	}
	if n >= MaxVisitPhotos {
		var ve ValidationError
		ve.Add("photos", "visitday.err.photo_count")
		return nil, &ve
	}
	name = photoName(name)
	id, err := s.photoBucket().UploadFromStream(ctx, name, bytes.NewReader(data),
		options.GridFSUpload().SetMetadata(bson.D{
			{Key: "content_type", Value: ct},
			{Key: "visit_id", Value: visitID},
			{Key: "width", Value: w},
			{Key: "height", Value: h},
		}))
	if err != nil {
		return nil, fmt.Errorf("store: photo: %w", err)
	}
	return &VisitPhoto{ID: id, VisitID: visitID, Name: name, ContentType: ct, Size: int64(len(data)), Width: w, Height: h}, nil
}

// photoFile is a document of the bucket's files collection.
type photoFile struct {
	ID         bson.ObjectID `bson:"_id"`
	Length     int64         `bson:"length"`
	UploadDate time.Time     `bson:"uploadDate"`
	Filename   string        `bson:"filename"`
	Metadata   struct {
		ContentType string        `bson:"content_type"`
		VisitID     bson.ObjectID `bson:"visit_id"`
		Width       int           `bson:"width"`
		Height      int           `bson:"height"`
	} `bson:"metadata"`
}

func (f photoFile) photo() VisitPhoto {
	return VisitPhoto{ID: f.ID, VisitID: f.Metadata.VisitID, Name: f.Filename, ContentType: f.Metadata.ContentType,
		Size: f.Length, Width: f.Metadata.Width, Height: f.Metadata.Height, UploadedAt: f.UploadDate}
}

// VisitPhotos lists a visit's photos, oldest first.
func (s *Store) VisitPhotos(ctx context.Context, visitID bson.ObjectID) ([]VisitPhoto, error) {
	cur, err := s.db.Collection(bucketPhotos+".files").Find(ctx, bson.D{{Key: "metadata.visit_id", Value: visitID}},
		options.Find().SetSort(bson.D{{Key: "uploadDate", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("store: photos: %w", err)
	}
	var files []photoFile
	if err := cur.All(ctx, &files); err != nil {
		return nil, fmt.Errorf("store: photos: %w", err)
	}
	out := make([]VisitPhoto, 0, len(files))
	for _, f := range files {
		out = append(out, f.photo())
	}
	return out, nil
}

// VisitPhotoByID is one photo's particulars (for authorising and serving it).
func (s *Store) VisitPhotoByID(ctx context.Context, id bson.ObjectID) (*VisitPhoto, error) {
	var f photoFile
	if err := s.db.Collection(bucketPhotos+".files").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&f); err != nil {
		return nil, notFound(err)
	}
	p := f.photo()
	return &p, nil
}

// OpenVisitPhoto returns a stored photo's particulars and its bytes (at most
// MaxPhotoBytes, checked on upload).
func (s *Store) OpenVisitPhoto(ctx context.Context, id bson.ObjectID) (*VisitPhoto, []byte, error) {
	p, err := s.VisitPhotoByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.photoBucket().OpenDownloadStream(ctx, id)
	if errors.Is(err, mongo.ErrFileNotFound) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	b, err := io.ReadAll(io.LimitReader(st, MaxPhotoBytes+1))
	if err != nil {
		return nil, nil, err
	}
	return p, b, nil
}

// DeleteVisitPhoto removes a photo; ErrNotFound when it does not exist.
func (s *Store) DeleteVisitPhoto(ctx context.Context, id bson.ObjectID) error {
	err := s.photoBucket().Delete(ctx, id)
	if errors.Is(err, mongo.ErrFileNotFound) {
		return ErrNotFound
	}
	return err
}
