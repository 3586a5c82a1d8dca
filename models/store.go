package models

import (
	"sync"

	"context"
	"errors"
	"fmt"
	"golang.org/x/crypto/bcrypt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Store persists every document of the application in one MongoDB database.
// It is safe for concurrent use; one Store (one client) per process.
//
// Only the subset of MongoDB that the embedded FerretDB v1 engine also
// supports is used (see shared DESIGN.md §3): no transactions, no TTL or
// partial indexes, no $lookup. Uniqueness under concurrency is expressed with
// scalar unique keys, and every mutable document carries a version.
type Store struct {
	client *mongo.Client
	db     *mongo.Database

	passwordCost int
	dummyOnce    sync.Once
	dummyHash    []byte
	mailDomain   string     // right-hand side of Message-IDs (SetMailDomain)
	codeMu       sync.Mutex // NextVisitCode, one caller at a time

	// view holds the visits and survey answers in memory (view.go);
	// docs keeps whole visits read by _id while current (visitdocs.go).
	view *memView
	docs visitDocs
	// caches holds reads kept for a moment, writes counts the writes
	// that make them stale (readcache.go).
	caches readCaches
	writes writeCounts
}

// Collection names, in one place so indexes and queries agree.
const (
	colUsers      = "users"
	colSessions   = "sessions"
	colFailures   = "login_failures"
	colClaims     = "claims"
	colLocks      = "locks" // version claims, short-lived (claims.go)
	colSettings   = "settings"
	colOutbox     = "outbox"
	bucketLetters = "letters"
	colCounters   = "counters"
	colVisits     = "visits"
	colSecrets    = "secrets"
	colEscorts    = "escorts"  // escort profiles, _id = the user's
	colHolidays   = "holidays" // _id = DateKey: one holiday per date
	colFeeds      = "feeds"    // calendar subscriptions, _id = SHA-256 of the token
	colAudit      = "audit"    // the append-only audit log (audit.go)
)

// Open connects to uri, checks the connection with a ping bounded by the
// context and ensures indexes. The caller must Close the store.
func Open(ctx context.Context, uri, database string) (*Store, error) {
	return open(ctx, uri, database, nil)
}

// OpenMonitored is Open with a command monitor on the client: a test lists
// the queries the pages make and checks each against the indexes.
func OpenMonitored(ctx context.Context, uri, database string, monitor *event.CommandMonitor) (*Store, error) {
	return open(ctx, uri, database, monitor)
}

func open(ctx context.Context, uri, database string, monitor *event.CommandMonitor) (*Store, error) {
	opts := options.Client().
		ApplyURI(uri).
		SetAppName("studitiru").
		SetServerSelectionTimeout(10 * time.Second).
		SetTimeout(30 * time.Second)
	if monitor != nil {
		opts.SetMonitor(monitor)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	s := &Store{client: client, db: client.Database(database), passwordCost: DefaultPasswordCost, view: newMemView()}
	if err := s.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store: ping: %w", err)
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if err := s.SeedHolidays(ctx, time.Now()); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if err := s.indexOutboxOnce(ctx, time.Now()); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store: outbox index: %w", err)
	}
	return s, nil
}

// Close disconnects the client, waiting for in-flight operations up to the
// context's deadline.
func (s *Store) Close(ctx context.Context) error {
	return s.client.Disconnect(ctx)
}

// Ping checks that the store answers; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
}

// Drop deletes the whole database. Tests use it to clean up after themselves.
func (s *Store) Drop(ctx context.Context) error {
	s.view.reset()
	return s.db.Drop(ctx)
}

// SetPasswordCost changes bcrypt's work factor for new hashes. Tests use
// bcrypt.MinCost so that hundreds of sign-ins stay fast under -race.
func (s *Store) SetPasswordCost(cost int) { s.passwordCost = cost }

// hashPassword hashes a password with bcrypt at the store's cost.
func (s *Store) hashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), s.passwordCost)
	return string(h), err
}

// CheckDummyPassword spends the time of a real password check when the
// account does not exist, so that sign-in takes as long whether or not an
// address is registered (no account enumeration by timing).
func (s *Store) CheckDummyPassword(password string) {
	s.dummyOnce.Do(func() {
		s.dummyHash, _ = bcrypt.GenerateFromPassword([]byte(NewToken()), s.passwordCost)
	})
	_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
}

// DatabaseName is the name of the database the store writes to.
func (s *Store) DatabaseName() string { return s.db.Name() }

// index describes one index the application relies on.
type index struct {
	collection string
	keys       bson.D
	unique     bool
}

// indexes lists every index the queries need. Creating an index that already
// exists with the same keys and options is a no-op on both engines, so
// EnsureIndexes runs at every start.
var indexes = []index{
	{colUsers, bson.D{{Key: "email", Value: 1}}, true},
	{colSessions, bson.D{{Key: "user_id", Value: 1}}, false},
	{colSessions, bson.D{{Key: "expires_at", Value: 1}}, false},
	{colFailures, bson.D{{Key: "key", Value: 1}, {Key: "at", Value: -1}}, false},
	{colFailures, bson.D{{Key: "expires_at", Value: 1}}, false},
	{colClaims, bson.D{{Key: "at", Value: 1}}, false},
	{colLocks, bson.D{{Key: "at", Value: 1}}, false},
	// Visits and survey answers are listed from the in-memory view
	// (view.go) and read by _id; their indexes keep keys unique.
	{colVisits, bson.D{{Key: "code", Value: 1}}, true},
	{colVisits, bson.D{{Key: "tracking_hash", Value: 1}}, true},
	{colVisits, bson.D{{Key: "submission_key", Value: 1}}, true},
	{colOutbox, bson.D{{Key: "status", Value: 1}, {Key: "created_at", Value: 1}}, false},
	{colOutbox, bson.D{{Key: "visit_id", Value: 1}}, false},
	// The staff outbox page: newest first, a page at a time.
	{colOutbox, bson.D{{Key: "created_at", Value: -1}}, false},
	// The worker's query (due messages) and threading (first of a thread).
	{colOutbox, bson.D{{Key: "status", Value: 1}, {Key: "next_attempt_at", Value: 1}}, false},
	{colOutbox, bson.D{{Key: "thread_key", Value: 1}, {Key: "created_at", Value: 1}}, false},
	{colSlots, bson.D{{Key: "date", Value: 1}}, false},
	{colReservations, bson.D{{Key: "at", Value: 1}}, false},
	{colReservations, bson.D{{Key: "slot", Value: 1}}, false},
	// Escorts: the active accounts of one role, by name.
	{colUsers, bson.D{{Key: "role", Value: 1}, {Key: "name", Value: 1}}, false},
	// Calendar feeds: one live token per user and kind.
	{colFeeds, bson.D{{Key: "owner", Value: 1}}, true},
	// Visit day photos, listed per visit (GridFS keeps its own indexes).
	{bucketPhotos + ".files", bson.D{{Key: "metadata.visit_id", Value: 1}}, false},
	// The audit log: newest first, by actor, action or target (audit.go).
	{colAudit, bson.D{{Key: "at", Value: -1}}, false},
	{colAudit, bson.D{{Key: "actor.id", Value: 1}, {Key: "at", Value: -1}}, false},
	{colAudit, bson.D{{Key: "action", Value: 1}, {Key: "at", Value: -1}}, false},
	{colAudit, bson.D{{Key: "target.label", Value: 1}}, false},
	{colAudit, bson.D{{Key: "target.id", Value: 1}}, false},
	// Personal data (privacy.go): visits past retention, a person's
	// visits and the mail addressed to them.
	{colVisits, bson.D{{Key: "end", Value: 1}}, false},
	{colVisits, bson.D{{Key: "contact.email", Value: 1}}, false},
	{colVisits, bson.D{{Key: "contact.phone", Value: 1}}, false},
	{colOutbox, bson.D{{Key: "to", Value: 1}}, false},
}

// EnsureIndexes creates the indexes listed above when they are missing.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	for _, ix := range indexes {
		model := mongo.IndexModel{Keys: ix.keys}
		if ix.unique {
			model.Options = options.Index().SetUnique(true)
		}
		if _, err := s.db.Collection(ix.collection).Indexes().CreateOne(ctx, model); err != nil {
			return fmt.Errorf("store: index on %s %v: %w", ix.collection, ix.keys, err)
		}
	}
	return nil
}

// isDuplicateKey reports whether err is a unique-index violation: that is how
// the store detects that somebody else claimed the same key first.
func isDuplicateKey(err error) bool {
	return mongo.IsDuplicateKeyError(err)
}

// notFound turns the driver's "no documents" into the domain's ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ErrNotFound
	}
	return err
}
