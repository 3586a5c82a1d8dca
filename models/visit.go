package models

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// VisitStatus is where a study-visit request stands. The values are stored
// and appear in URLs, so they are short Indonesian words.
type VisitStatus string

// The request life cycle (the request and staff issues add the transitions).
const (
	StatusSubmitted VisitStatus = "diajukan"
	StatusRevision  VisitStatus = "revisi"
	StatusOffered   VisitStatus = "ditawarkan"
	StatusApproved  VisitStatus = "disetujui"
	StatusDeclined  VisitStatus = "ditolak"
	StatusCancelled VisitStatus = "dibatalkan"
	StatusCompleted VisitStatus = "selesai"
)

// VisitStatuses lists the statuses in the order of the life cycle.
func VisitStatuses() []VisitStatus {
	return []VisitStatus{StatusSubmitted, StatusRevision, StatusOffered, StatusApproved, StatusCompleted, StatusDeclined, StatusCancelled}
}

// InstitutionType is the kind of government body a delegation comes from.
type InstitutionType string

// Institution types offered on the request form.
const (
	InstMinistry   InstitutionType = "kementerian"
	InstProvince   InstitutionType = "pemprov"
	InstRegency    InstitutionType = "kabupaten"
	InstCity       InstitutionType = "kota"
	InstDPRD       InstitutionType = "dprd"
	InstSOE        InstitutionType = "bumn"
	InstUniversity InstitutionType = "perguruan_tinggi"
	InstOther      InstitutionType = "lainnya"
)

// Person is somebody named on a request: a name with titles, as written.
type Person struct {
	Name     string `bson:"name"`
	Position string `bson:"position"`
	Email    string `bson:"email,omitempty"`
	Phone    string `bson:"phone,omitempty"` // +62…
}

// Event is one line of a visit's history: who did what, when.
type Event struct {
	At     time.Time `bson:"at"`
	Actor  string    `bson:"actor"`
	Action string    `bson:"action"`
	Note   string    `bson:"note,omitempty"`
}

// Visit is a delegation's request and, once approved, the visit itself.
type Visit struct {
	ID              bson.ObjectID   `bson:"_id"`
	Code            string          `bson:"code"` // ST-2026-0001
	Status          VisitStatus     `bson:"status"`
	InstitutionName string          `bson:"institution_name"`
	InstitutionType InstitutionType `bson:"institution_type"`
	ProvinceCode    string          `bson:"province_code"` // Kemendagri, e.g. "74"
	RegencyCode     string          `bson:"regency_code"`  // e.g. "74.02"
	Region          string          `bson:"region"`        // "Kabupaten Konawe, Sulawesi Tenggara"
	Leader          Person          `bson:"leader"`
	Contact         Person          `bson:"contact"`
	Participants    int             `bson:"participants"`
	Topics          []string        `bson:"topics"`
	TopicsOther     string          `bson:"topics_other,omitempty"`
	Protocol        string          `bson:"protocol"` // see ProtocolLevels
	// Requested holds the preferred session first, then up to two alternatives.
	Requested []RequestedSlot `bson:"requested"`
	// Offers are the host's counter-offer, while the status is ditawarkan.
	Offers []OfferedSlot `bson:"offers,omitempty"`
	// Set by staff on approval: shown on the tracking page. The IDs are
	// what reservations hold; the names are kept as they were at the time.
	RoomID    string          `bson:"room_id,omitempty"`
	Room      string          `bson:"room,omitempty"`
	EscortIDs []bson.ObjectID `bson:"escort_ids,omitempty"`
	Escorts   []string        `bson:"escorts,omitempty"` // names
	// ReplyNumber is the number of the host's reply letter (surat balasan).
	ReplyNumber string `bson:"reply_number,omitempty"`
	// Invited is set once the visit's calendar invitation went out;
	// InviteSeq is its iCalendar SEQUENCE, raised on every later change and
	// on cancellation (RFC 5546), so calendars apply them in order.
	Invited   bool     `bson:"invited,omitempty"`
	InviteSeq int      `bson:"invite_seq"`
	Agenda    []string `bson:"agenda,omitempty"`
	Receiver  string   `bson:"receiver,omitempty"`   // receiving official
	StaffNote string   `bson:"staff_note,omitempty"` // e.g. what to revise
	// SessionID, Start and End are the (requested or approved) session
	// and its time, in UTC.
	SessionID string        `bson:"session_id"`
	Start     time.Time     `bson:"start"`
	End       time.Time     `bson:"end"`
	Letter    Letter        `bson:"letter"`
	Roster    []RosterEntry `bson:"roster,omitempty"`
	Notes     string        `bson:"notes,omitempty"`
	Language  string        `bson:"language"`
	// TrackingHash is the SHA-256 of the secret tracking token; the token
	// itself is only ever in the delegation's link.
	TrackingHash string `bson:"tracking_hash"`
	// SubmissionKey is the form's one-time key: a second submission of the
	// same form (double click, refresh) finds the first request.
	SubmissionKey string    `bson:"submission_key"`
	History       []Event   `bson:"history"`
	Version       int64     `bson:"version"`
	CreatedAt     time.Time `bson:"created_at"`
	UpdatedAt     time.Time `bson:"updated_at"`
}

// RequestedSlot is one session a delegation asked for.
type RequestedSlot struct {
	Date      string `bson:"date"` // DateKey in the host zone
	SessionID string `bson:"session_id"`
}

// Letter is the official request letter (surat permohonan).
type Letter struct {
	Number   string        `bson:"number"`
	Date     string        `bson:"date"` // DateKey
	FileID   bson.ObjectID `bson:"file_id"`
	FileName string        `bson:"file_name"`
	Size     int64         `bson:"size"`
}

// NextVisitCode reserves the next reference code of the year of now in the
// host zone, e.g. ST-2026-0042. The counter gives a candidate; the code is
// then claimed, because on FerretDB two concurrent $inc may return the same
// number (see claims.go). The loser simply takes the next number.
func (s *Store) NextVisitCode(ctx context.Context, now time.Time, loc *time.Location) (string, error) {
	// One at a time in this process: many submissions at once would
	// otherwise all start from the same number and walk past each other,
	// a write each step (the claims below still decide between instances).
	s.codeMu.Lock()
	defer s.codeMu.Unlock()
	year := now.In(loc).Year()
	counter := bson.D{{Key: "_id", Value: fmt.Sprintf("visit:%d", year)}}
	var seq int64
	for attempt := 0; seq == 0; attempt++ {
		if attempt == 50 {
			return "", errClaimsExhausted
		}
		var c struct {
			Seq int64 `bson:"seq"`
		}
		err := s.db.Collection(colCounters).FindOneAndUpdate(ctx, counter,
			bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: 1}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
		if isDuplicateKey(err) {
			continue // two first-of-the-year upserts raced; the counter exists now
		}
		if err != nil {
			return "", fmt.Errorf("store: visit counter: %w", err)
		}
		seq = c.Seq
	}
	// The counter is where to start, not the number: on the embedded engine
	// two $inc can return the same value (claims.go). The claim decides;
	// a taken number sends us to the next one rather than back to the
	// counter, so that many submissions at once all get a number, in order.
	for step := 0; step < 1000; step, seq = step+1, seq+1 {
		code := fmt.Sprintf("ST-%d-%04d", year, seq)
		// Code claims are kept: they are the record that a number was given.
		err := s.Claim(ctx, "code:"+code, now)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return "", err
		}
		if step > 0 {
			// Bring the counter up to the number we walked to (best
			// effort: a lagging counter only costs the next caller steps).
			_, _ = s.db.Collection(colCounters).UpdateOne(ctx, counter,
				bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: seq}}}})
		}
		return code, nil
	}
	return "", errClaimsExhausted
}

// InsertVisit stores a new visit at version 1.
func (s *Store) InsertVisit(ctx context.Context, v *Visit) error {
	if v.ID.IsZero() {
		v.ID = bson.NewObjectID()
	}
	v.Version = 1
	if _, err := s.db.Collection(colVisits).InsertOne(ctx, v); err != nil {
		return err
	}
	s.visitSaved(ctx, v, v.CreatedAt)
	return nil
}

// CountVisits counts all visits; the demo seed only fills an empty store.
func (s *Store) CountVisits(ctx context.Context) (int64, error) {
	vw, err := s.syncView(ctx)
	if err != nil {
		return 0, err
	}
	vw.mu.RLock()
	defer vw.mu.RUnlock()
	return int64(len(vw.visits)), nil
}

// VisitCountsByStatus counts visits per status for the staff dashboard.
func (s *Store) VisitCountsByStatus(ctx context.Context) (map[VisitStatus]int, error) {
	vw, err := s.syncView(ctx)
	if err != nil {
		return nil, err
	}
	vw.mu.RLock()
	defer vw.mu.RUnlock()
	counts := map[VisitStatus]int{}
	for st, n := range vw.byStatus { // kept up to date by every change of the view
		if n > 0 {
			counts[st] = n
		}
	}
	return counts, nil
}

// RecentVisits returns the newest requests first, at most limit of them.
func (s *Store) RecentVisits(ctx context.Context, limit int64) ([]Visit, error) {
	visits, _, err := s.visitsSorted(ctx, func(*Visit) bool { return true }, func(a, b *Visit) int {
		return -cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
	}, 0, int(max(0, limit)))
	return visits, err
}
