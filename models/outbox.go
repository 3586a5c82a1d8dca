package models

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// OutboxStatus is where a queued email stands.
type OutboxStatus string

// Outbox states. A message is pending until a worker claims it (sending,
// with a lease), then sent, pending again (a temporary failure, retried
// later) or failed (a permanent failure, or retries given up).
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSending OutboxStatus = "sending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed"
)

// OutboxStatuses lists the states in the order the staff pages show them.
func OutboxStatuses() []OutboxStatus {
	return []OutboxStatus{OutboxPending, OutboxSending, OutboxSent, OutboxFailed}
}

// OutboxMessage is an email stored before any attempt to send it: the
// database, not the SMTP server, is the source of truth (DESIGN.md §5).
// Every email the application sends goes through here.
type OutboxMessage struct {
	ID       bson.ObjectID `bson:"_id"`
	Kind     string        `bson:"kind"` // "request_received", …
	VisitID  bson.ObjectID `bson:"visit_id,omitempty"`
	To       []string      `bson:"to"`
	Subject  string        `bson:"subject"`
	Text     string        `bson:"text"`
	HTML     string        `bson:"html"`
	Language string        `bson:"language"`
	// ICS is an iCalendar object sent with the message (an invitation or
	// its cancellation); Method is its METHOD ("REQUEST", "CANCEL").
	ICS    []byte `bson:"ics,omitempty"`
	Method string `bson:"method,omitempty"`

	// MessageID is the Message-ID header, angle brackets included,
	// assigned once at Enqueue so that every attempt and every download
	// carries the same one.
	MessageID string `bson:"message_id"`
	// ThreadKey groups the messages of one conversation, e.g.
	// "visit:<id>:<recipient>"; every message after the first replies to
	// the first (In-Reply-To, References), so mail clients thread them.
	ThreadKey  string `bson:"thread_key,omitempty"`
	InReplyTo  string `bson:"in_reply_to,omitempty"`
	References string `bson:"references,omitempty"`

	Status        OutboxStatus `bson:"status"`
	Attempts      int          `bson:"attempts"`
	NextAttemptAt time.Time    `bson:"next_attempt_at"`
	// FirstAttemptAt starts the retry budget (MaxRetryAge): a message that
	// waited for days because no SMTP server was configured still gets
	// its full day of retries.
	FirstAttemptAt time.Time `bson:"first_attempt_at,omitempty"`
	LeaseOwner     string    `bson:"lease_owner,omitempty"`
	LeaseUntil     time.Time `bson:"lease_until,omitempty"`
	LastError      string    `bson:"last_error,omitempty"`
	SentAt         time.Time `bson:"sent_at,omitempty"`
	ServerReply    string    `bson:"server_reply,omitempty"`
	FailedAt       time.Time `bson:"failed_at,omitempty"`

	// A resent copy names its original; the original names the copy.
	ResendOf bson.ObjectID `bson:"resend_of,omitempty"`
	ResentAs bson.ObjectID `bson:"resent_as,omitempty"`

	CreatedAt time.Time `bson:"created_at"`
	Version   int64     `bson:"version"`
}

// HasICS reports whether the message carries a calendar object.
func (m *OutboxMessage) HasICS() bool { return len(m.ICS) > 0 }

// defaultMailDomain ends Message-IDs when the process did not set one.
const defaultMailDomain = "studitiru.localhost"

// SetMailDomain sets the right-hand side of new Message-IDs, e.g.
// "studitiru.badungkab.go.id"; app/ derives it from MAIL_FROM.
func (s *Store) SetMailDomain(domain string) { s.mailDomain = strings.TrimSpace(domain) }

// newMessageID is "<128 random bits in hex@studitiru.host-domain>".
func (s *Store) newMessageID() string {
	domain := s.mailDomain
	if domain == "" {
		domain = defaultMailDomain
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return "<" + hex.EncodeToString(b) + "@" + domain + ">"
}

// ICSMethod returns the METHOD property of an iCalendar object, upper
// case, or "" when there is none. Only the calendar's own METHOD line
// counts: it is a top-level property, so it is unfolded and never indented.
func ICSMethod(ics []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(ics))
	sc.Buffer(make([]byte, 0, 4096), len(ics)+1)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if n, _, _ := strings.Cut(name, ";"); strings.EqualFold(n, "METHOD") {
			return strings.ToUpper(strings.TrimSpace(value))
		}
		if strings.EqualFold(line, "BEGIN:VEVENT") {
			return "" // METHOD comes before the first component
		}
	}
	return ""
}

// errBadMethod is returned by Enqueue for an ICS whose METHOD is missing,
// unknown or different from the one the caller named: the text/calendar
// part's method= must equal the file's METHOD, or clients ignore it.
var errBadMethod = errors.New("outbox: the ICS needs METHOD:REQUEST or METHOD:CANCEL, equal to Method")

// Enqueue stores a message as pending, due now. It assigns the Message-ID
// and, when the message has a ThreadKey, threads it to the first message
// of that key. An ICS must carry METHOD REQUEST or CANCEL; Method is
// filled from it when empty.
func (s *Store) Enqueue(ctx context.Context, m *OutboxMessage, now time.Time) error {
	if m.ID.IsZero() {
		m.ID = bson.NewObjectID()
	}
	if m.MessageID == "" {
		m.MessageID = s.newMessageID()
	}
	if m.HasICS() {
		method := ICSMethod(m.ICS)
		if m.Method == "" {
			m.Method = method
		}
		m.Method = strings.ToUpper(m.Method)
		if (method != "REQUEST" && method != "CANCEL") || m.Method != method {
			return errBadMethod
		}
	} else {
		m.Method = ""
	}
	if m.ThreadKey != "" && m.InReplyTo == "" {
		first, err := s.threadStart(ctx, m.ThreadKey)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if first != nil && first.MessageID != "" && first.MessageID != m.MessageID {
			m.InReplyTo, m.References = first.MessageID, first.MessageID
		}
	}
	m.Status, m.CreatedAt, m.Version = OutboxPending, now.UTC(), 1
	m.Attempts, m.NextAttemptAt = 0, now.UTC()
	// The due entry first: a message never waits without one
	// (outbox_index.go).
	if err := s.markDue(ctx, m.ID, now, now); err != nil {
		return err
	}
	if _, err := s.db.Collection(colOutbox).InsertOne(ctx, m); err != nil {
		return err
	}
	if !m.VisitID.IsZero() {
		// Best effort: the message is queued whatever happens here; a
		// message missing from its visit's list still shows on the
		// outbox page, and an error would make the caller queue it twice.
		_ = s.listForVisit(context.WithoutCancel(ctx), m.VisitID, m.ID)
	}
	return nil
}

// threadStart is the oldest message of a thread. Threads of a visit
// ("visit:<id>:<address>") are found among the visit's messages; others
// by a query.
func (s *Store) threadStart(ctx context.Context, key string) (*OutboxMessage, error) {
	if visitID, ok := visitOfThread(key); ok {
		msgs, err := s.OutboxFor(ctx, visitID)
		if err != nil {
			return nil, err
		}
		for i := range msgs { // oldest first
			if msgs[i].ThreadKey == key {
				return &msgs[i], nil
			}
		}
		return nil, ErrNotFound
	}
	var first OutboxMessage
	err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "thread_key", Value: key}},
		options.FindOne().
			SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}).
			SetProjection(bson.D{{Key: "message_id", Value: 1}})).Decode(&first)
	if err != nil {
		return nil, notFound(err)
	}
	return &first, nil
}

// OutboxFor lists the messages queued for a visit, oldest first: by the
// visit's numbered list (outbox_index.go), each message by _id.
func (s *Store) OutboxFor(ctx context.Context, visitID bson.ObjectID) ([]OutboxMessage, error) {
	ids, err := s.messagesOfVisit(ctx, visitID)
	if err != nil {
		return nil, err
	}
	out := make([]OutboxMessage, 0, len(ids))
	for _, id := range ids {
		m, err := s.OutboxByID(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b OutboxMessage) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
	})
	return out, nil
}

// OutboxByID loads one message; ErrNotFound when there is none.
func (s *Store) OutboxByID(ctx context.Context, id bson.ObjectID) (*OutboxMessage, error) {
	var m OutboxMessage
	if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&m); err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// OutboxFilter selects a page of the outbox for the staff list.
type OutboxFilter struct {
	Status  OutboxStatus // "" = all
	Page    int          // from 0
	PerPage int
}

// ListOutbox returns one page of messages, newest first, without their
// bodies, and how many match in all.
func (s *Store) ListOutbox(ctx context.Context, f OutboxFilter) ([]OutboxMessage, int64, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	if f.Page < 0 {
		f.Page = 0
	}
	filter := bson.D{}
	if f.Status != "" {
		filter = bson.D{{Key: "status", Value: f.Status}}
	}
	col := s.db.Collection(colOutbox)
	total, err := col.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, err
	}
	cur, err := col.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetSkip(int64(f.Page*f.PerPage)).SetLimit(int64(f.PerPage)).
		SetProjection(bson.D{{Key: "text", Value: 0}, {Key: "html", Value: 0}, {Key: "ics", Value: 0}}))
	if err != nil {
		return nil, 0, err
	}
	var out []OutboxMessage
	err = cur.All(ctx, &out)
	return out, total, err
}

// OutboxCounts counts the messages in each state.
func (s *Store) OutboxCounts(ctx context.Context) (map[OutboxStatus]int, error) {
	cur, err := s.db.Collection(colOutbox).Aggregate(ctx, mongo.Pipeline{
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$status"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Status OutboxStatus `bson:"_id"`
		N      int          `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, err
	}
	out := map[OutboxStatus]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// ResendOutbox queues a message again, on the staff's request, and
// returns the message that will go out. version is the one the staff saw,
// so a double click sends once (the second gets ErrConflict).
//
//   - A failed message never reached anyone: it is queued again in place,
//     as pending with a fresh retry budget, keeping its Message-ID (so it
//     still threads) and its last error until the next attempt.
//   - A sent message is history: it stays as it was, and a copy (new
//     Message-ID, same thread, ResendOf = the original) is queued.
//
// Pending or sending messages are already on their way: ErrConflict.
func (s *Store) ResendOutbox(ctx context.Context, id bson.ObjectID, version int64, now time.Time) (*OutboxMessage, error) {
	m, err := s.OutboxByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Version != version {
		return nil, ErrConflict
	}
	switch m.Status {
	case OutboxFailed:
		if err := s.markDue(ctx, m.ID, now, now); err != nil { // before the message is pending
			return nil, err
		}
		err := s.updateVersioned(ctx, colOutbox, m.ID, m.Version, bson.D{
			{Key: "status", Value: OutboxPending},
			{Key: "attempts", Value: 0},
			{Key: "next_attempt_at", Value: now.UTC()},
			{Key: "first_attempt_at", Value: time.Time{}},
			{Key: "failed_at", Value: time.Time{}},
			{Key: "lease_owner", Value: ""},
			{Key: "lease_until", Value: time.Time{}},
		}, now)
		if err != nil {
			return nil, err
		}
		return s.OutboxByID(ctx, m.ID)
	case OutboxSent:
		cp := &OutboxMessage{
			ID: bson.NewObjectID(), Kind: m.Kind, VisitID: m.VisitID, To: m.To,
			Subject: m.Subject, Text: m.Text, HTML: m.HTML, Language: m.Language,
			ICS: m.ICS, Method: m.Method, ThreadKey: m.ThreadKey, ResendOf: m.ID,
		}
		if cp.ThreadKey == "" {
			// Without a thread the copy replies to the original.
			cp.InReplyTo, cp.References = m.MessageID, m.MessageID
		}
		// The versioned write on the original is what makes a double
		// click send one copy, not two.
		if err := s.updateVersioned(ctx, colOutbox, m.ID, m.Version, bson.D{{Key: "resent_as", Value: cp.ID}}, now); err != nil {
			return nil, err
		}
		if err := s.Enqueue(ctx, cp, now); err != nil {
			return nil, fmt.Errorf("outbox: queue the copy: %w", err)
		}
		return cp, nil
	default:
		return nil, ErrConflict
	}
}
