package models

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// InstitutionTypes lists the choices of the request form, in order.
func InstitutionTypes() []InstitutionType {
	return []InstitutionType{InstMinistry, InstProvince, InstRegency, InstCity, InstDPRD, InstSOE, InstUniversity, InstOther}
}

// ProtocolLevels: who of rank attends, so the host can arrange the reception
// (the Kepala DPMPTSP, or the Sekda or Bupati for high-level guests).
func ProtocolLevels() []string {
	return []string{"standar", "kepala_daerah", "pimpinan_dprd", "menteri"}
}

// Limits of the request form.
const (
	MaxLetterBytes   = 5 << 20 // 5 MB
	MaxRequestedSlot = 3       // the preferred session and two alternatives
)

// RequestInput is the request form as typed, before validation.
type RequestInput struct {
	InstitutionName, InstitutionType string
	ProvinceCode, RegencyCode        string
	LeaderName, LeaderPosition       string
	Participants                     string
	Topics                           []string
	TopicsOther                      string
	Slots                            [MaxRequestedSlot]RequestedSlot
	Protocol                         string
	ContactName, ContactPosition     string
	ContactEmail, ContactPhone       string
	LetterNumber, LetterDate         string
	Letter                           []byte
	LetterName                       string
	// KeepLetter: a revision may keep the letter already on file.
	KeepLetter bool
	Roster     []RosterEntry
	Notes      string
	Language   string
}

// RequestRules is what validation needs to know about the world.
type RequestRules struct {
	Regions      *Regions
	Availability Availability
}

// Validate checks every field and returns all problems at once, keyed by
// form field name. It normalises what it accepts (trimmed text, +62 phone).
func (in *RequestInput) Validate(r RequestRules) error {
	v := &ValidationError{}
	text := func(field string, s *string, min, max int, required bool) {
		*s = strings.TrimSpace(*s)
		n := utf8.RuneCountInString(*s)
		switch {
		case n == 0 && required:
			v.Add(field, "err.required")
		case n > 0 && n < min:
			v.Add(field, "err.too_short")
		case n > max:
			v.Add(field, "err.too_long")
		}
	}
	text("institution_name", &in.InstitutionName, 3, 200, true)
	text("leader_name", &in.LeaderName, 3, 150, true)
	text("leader_position", &in.LeaderPosition, 3, 150, true)
	text("contact_name", &in.ContactName, 3, 150, true)
	text("contact_position", &in.ContactPosition, 2, 150, true)
	text("letter_number", &in.LetterNumber, 3, 100, true)
	text("topics_other", &in.TopicsOther, 3, 300, false)
	text("notes", &in.Notes, 0, 1000, false)

	typ := InstitutionType(in.InstitutionType)
	validType := false
	for _, t := range InstitutionTypes() {
		validType = validType || t == typ
	}
	if in.InstitutionType == "" {
		v.Add("institution_type", "err.required")
	} else if !validType {
		v.Add("institution_type", "err.choice")
	}

	// Regional governments name their region; others may.
	needsProvince := typ == InstProvince || typ == InstRegency || typ == InstCity || typ == InstDPRD
	needsRegency := typ == InstRegency || typ == InstCity
	prov, provOK := r.Regions.Province(in.ProvinceCode)
	switch {
	case in.ProvinceCode == "" && needsProvince:
		v.Add("province", "err.required")
	case in.ProvinceCode != "" && !provOK:
		v.Add("province", "err.choice")
	}
	reg, regOK := r.Regions.Regency(in.RegencyCode)
	switch {
	case in.RegencyCode == "" && needsRegency:
		v.Add("regency", "err.required")
	case in.RegencyCode != "" && (!regOK || (provOK && reg.ProvinceCode != prov.Code)):
		v.Add("regency", "err.regency_province")
	}

	maxP := r.Availability.Settings.MaxParticipants
	n, err := strconv.Atoi(strings.TrimSpace(in.Participants))
	switch {
	case strings.TrimSpace(in.Participants) == "":
		v.Add("participants", "err.required")
	case err != nil || n < 1:
		v.Add("participants", "err.number")
	case n > maxP:
		v.Add("participants", "err.participants_max")
	}

	known := map[string]bool{}
	for _, t := range r.Availability.Settings.Topics {
		known[t] = true
	}
	for _, t := range in.Topics {
		if !known[t] {
			v.Add("topics", "err.choice")
		}
	}
	if len(in.Topics) == 0 && in.TopicsOther == "" {
		v.Add("topics", "err.topics")
	}

	seen := map[RequestedSlot]bool{}
	for i := range in.Slots {
		s := &in.Slots[i]
		field := fmt.Sprintf("slot%d", i+1)
		s.Date, s.SessionID = strings.TrimSpace(s.Date), strings.TrimSpace(s.SessionID)
		if s.Date == "" && s.SessionID == "" {
			if i == 0 {
				v.Add(field, "err.slot_required")
			}
			continue
		}
		day, err := ParseDateKey(s.Date, r.Availability.Location)
		if err != nil {
			v.Add(field, "err.date")
			continue
		}
		if s.SessionID == "" {
			v.Add(field, "err.session_required")
			continue
		}
		if seen[*s] {
			v.Add(field, "err.slot_repeated")
			continue
		}
		seen[*s] = true
		if reason, _ := r.Availability.Check(day, s.SessionID, max(n, 1)); reason != "" {
			v.Add(field, reason)
		}
	}

	protocolOK := false
	for _, p := range ProtocolLevels() {
		protocolOK = protocolOK || p == in.Protocol
	}
	if in.Protocol == "" {
		v.Add("protocol", "err.required")
	} else if !protocolOK {
		v.Add("protocol", "err.choice")
	}

	in.ContactEmail = NormalizeEmail(in.ContactEmail)
	if in.ContactEmail == "" {
		v.Add("contact_email", "err.required")
	} else if !validEmail(in.ContactEmail) {
		v.Add("contact_email", "err.email")
	}
	if strings.TrimSpace(in.ContactPhone) == "" {
		v.Add("contact_phone", "err.required")
	} else if phone, ok := NormalizePhone(in.ContactPhone); ok {
		in.ContactPhone = phone
	} else {
		v.Add("contact_phone", "err.phone")
	}

	today := DateKey(r.Availability.Now.In(r.Availability.Location))
	if in.LetterDate = strings.TrimSpace(in.LetterDate); in.LetterDate == "" {
		v.Add("letter_date", "err.required")
	} else if _, err := ParseDateKey(in.LetterDate, r.Availability.Location); err != nil {
		v.Add("letter_date", "err.date")
	} else if in.LetterDate > today {
		v.Add("letter_date", "err.letter_future")
	}
	if msg := LetterProblem(in.Letter); msg != "" && !(in.KeepLetter && len(in.Letter) == 0) {
		v.Add("letter", msg)
	}

	if len(in.Roster) > 0 && err == nil && len(in.Roster) > n {
		v.Add("roster", "roster.more_than_participants")
	}
	return v.Err()
}

// LetterProblem checks the uploaded letter by its content, not its name: a
// PDF starts with "%PDF-" and has an end-of-file marker near its end.
func LetterProblem(b []byte) string {
	switch {
	case len(b) == 0:
		return "err.letter_required"
	case len(b) > MaxLetterBytes:
		return "err.letter_size"
	case !bytes.HasPrefix(b, []byte("%PDF-")):
		return "err.letter_pdf"
	}
	tail := b[max(0, len(b)-2048):]
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return "err.letter_pdf"
	}
	return ""
}

// TrackingToken derives the secret token of a submission from the form's
// one-time key and the server's key. Deriving it (instead of drawing a new
// random value) lets a repeated submission of the same form lead to the
// same tracking link; without the server key nobody can compute it.
func TrackingToken(serverKey []byte, submissionKey string) string {
	mac := hmac.New(sha256.New, serverKey)
	mac.Write([]byte("track:" + submissionKey))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18]) // 144 bits
}

// ErrDuplicateSubmission means the form was already submitted; the error
// carries nothing, the caller looks the request up by its submission key.
var ErrDuplicateSubmission = errors.New("permohonan ini sudah terkirim")

// NewRequest builds the visit document of a validated request.
func NewRequest(in *RequestInput, r RequestRules, submissionKey, token string, now time.Time) *Visit {
	n, _ := strconv.Atoi(strings.TrimSpace(in.Participants))
	v := &Visit{
		ID:              bson.NewObjectID(),
		Status:          StatusSubmitted,
		InstitutionName: in.InstitutionName,
		InstitutionType: InstitutionType(in.InstitutionType),
		ProvinceCode:    in.ProvinceCode,
		RegencyCode:     in.RegencyCode,
		Region:          r.Regions.Describe(in.ProvinceCode, in.RegencyCode),
		Leader:          Person{Name: in.LeaderName, Position: in.LeaderPosition},
		Contact:         Person{Name: in.ContactName, Position: in.ContactPosition, Email: in.ContactEmail, Phone: in.ContactPhone},
		Participants:    n,
		Topics:          in.Topics,
		TopicsOther:     in.TopicsOther,
		Protocol:        in.Protocol,
		Letter:          Letter{Number: in.LetterNumber, Date: in.LetterDate, FileName: in.LetterName, Size: int64(len(in.Letter))},
		Roster:          in.Roster,
		Notes:           in.Notes,
		Language:        SupportedLanguage(in.Language),
		TrackingHash:    hashToken(token),
		SubmissionKey:   submissionKey,
		CreatedAt:       now.UTC(),
		UpdatedAt:       now.UTC(),
		History:         []Event{{At: now.UTC(), Actor: in.ContactName, Action: string(StatusSubmitted)}},
	}
	for _, s := range in.Slots {
		if s.Date != "" {
			v.Requested = append(v.Requested, s)
		}
	}
	first := v.Requested[0]
	day, _ := ParseDateKey(first.Date, r.Availability.Location)
	if sess, ok := r.Availability.Settings.SessionByID(day, first.SessionID); ok {
		start, end := sess.On(day, r.Availability.Location)
		v.SessionID, v.Start, v.End = sess.ID, start.UTC(), end.UTC()
	}
	return v
}

// SubmitRequest stores a new request: the letter in GridFS, a reference
// code, the visit, and the acknowledgement in the outbox. A second call
// with the same submission key returns ErrDuplicateSubmission and stores
// nothing new.
// ack builds the acknowledgement once the visit has its code.
func (s *Store) SubmitRequest(ctx context.Context, v *Visit, letter []byte, ack func(*Visit) *OutboxMessage, loc *time.Location, now time.Time) error {
	if _, err := s.VisitBySubmissionKey(ctx, v.SubmissionKey); err == nil {
		return ErrDuplicateSubmission
	}
	// The form's key is claimed first, so that of two simultaneous
	// submissions of one form only one uploads, numbers and inserts.
	if err := s.Claim(ctx, "submit:"+v.SubmissionKey, now); err != nil {
		if errors.Is(err, ErrConflict) {
			return ErrDuplicateSubmission
		}
		return err
	}
	fileID, err := s.UploadLetter(ctx, v.ID, v.Letter.FileName, letter)
	if err != nil {
		return err
	}
	v.Letter.FileID = fileID
	if v.Code, err = s.NextVisitCode(ctx, now, loc); err != nil {
		return err
	}
	if err := s.InsertVisit(ctx, v); err != nil {
		_ = s.DeleteLetter(context.WithoutCancel(ctx), fileID)
		if isDuplicateKey(err) {
			return ErrDuplicateSubmission
		}
		return err
	}
	if ack != nil {
		m := ack(v)
		m.VisitID = v.ID
		if err := s.Enqueue(ctx, m, now); err != nil {
			return err
		}
	}
	return nil
}

// VisitBySubmissionKey finds the request a form produced.
func (s *Store) VisitBySubmissionKey(ctx context.Context, key string) (*Visit, error) {
	id, err := s.visitIDBy(ctx, func(vw *memView) map[string]bson.ObjectID { return vw.bySubmission }, key)
	if err != nil {
		return nil, err
	}
	return s.VisitByID(ctx, id)
}

// VisitByTrackingToken finds the request of a tracking link. The token is
// hashed before the lookup, so the comparison happens on a hash the caller
// cannot steer, and an unknown token is simply ErrNotFound.
func (s *Store) VisitByTrackingToken(ctx context.Context, token string) (*Visit, error) {
	if len(token) < 20 || len(token) > 64 {
		return nil, ErrNotFound
	}
	id, err := s.visitIDBy(ctx, func(vw *memView) map[string]bson.ObjectID { return vw.byTracking }, hashToken(token))
	if err != nil {
		return nil, err
	}
	return s.VisitByID(ctx, id)
}

// VisitByID finds a visit for staff pages.
func (s *Store) VisitByID(ctx context.Context, id bson.ObjectID) (*Visit, error) {
	return s.visitDoc(ctx, id)
}

func (s *Store) findVisit(ctx context.Context, filter bson.D) (*Visit, error) {
	var v Visit
	if err := s.db.Collection(colVisits).FindOne(ctx, filter).Decode(&v); err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

// UploadLetter stores a request letter (already checked to be a PDF).
func (s *Store) UploadLetter(ctx context.Context, visitID bson.ObjectID, name string, pdf []byte) (bson.ObjectID, error) {
	bucket := s.db.GridFSBucket(options.GridFSBucket().SetName(bucketLetters))
	id, err := bucket.UploadFromStream(ctx, name, bytes.NewReader(pdf),
		options.GridFSUpload().SetMetadata(bson.D{{Key: "content_type", Value: "application/pdf"}, {Key: "visit_id", Value: visitID}}))
	if err != nil {
		return bson.ObjectID{}, fmt.Errorf("store: letter: %w", err)
	}
	return id, nil
}

// DeleteLetter removes a stored letter (a replaced or orphaned one).
func (s *Store) DeleteLetter(ctx context.Context, id bson.ObjectID) error {
	return s.db.GridFSBucket(options.GridFSBucket().SetName(bucketLetters)).Delete(ctx, id)
}

// OpenLetter streams a stored letter.
func (s *Store) OpenLetter(ctx context.Context, id bson.ObjectID) (*mongo.GridFSDownloadStream, error) {
	bucket := s.db.GridFSBucket(options.GridFSBucket().SetName(bucketLetters))
	st, err := bucket.OpenDownloadStream(ctx, id)
	if errors.Is(err, mongo.ErrFileNotFound) {
		return nil, ErrNotFound
	}
	return st, err
}
