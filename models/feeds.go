package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// FeedKind is what a calendar subscription shows.
type FeedKind string

// Feed kinds: an escort's own assignments, or every visit of the host.
const (
	FeedEscort FeedKind = "escort"
	FeedHost   FeedKind = "host"
)

// Valid reports whether k is one of the feed kinds.
func (k FeedKind) Valid() bool { return k == FeedEscort || k == FeedHost }

// FeedKindFor is the feed a staff role subscribes to: escorts see their
// own assignments; coordinators, admins and leadership every visit.
func FeedKindFor(r Role) FeedKind {
	switch r {
	case RoleEscort:
		return FeedEscort
	case RoleAdmin, RoleCoordinator, RoleLeadership:
		return FeedHost
	}
	return ""
}

// The window of visits a feed carries: enough history to look back on, and
// every visit anyone could already have scheduled.
const (
	feedMonthsBack  = 6
	feedMonthsAhead = 18
	feedMaxVisits   = 5000
)

// Feed is a calendar subscription: a secret URL that calendar programs poll
// without a session. Only the SHA-256 of its token is stored (the _id), so
// a token cannot be read back from a lookup key; the token is derived from
// Seed with the server's "feeds" key, which lets the staff member see
// their link again on every visit to the calendar page (as tracking tokens
// are derived from the form key).
type Feed struct {
	TokenHash string        `bson:"_id"`
	UserID    bson.ObjectID `bson:"user_id"`
	Kind      FeedKind      `bson:"kind"`
	// Owner is "<user id>:<kind>", unique: one live token per user and
	// kind, even when two first uses race.
	Owner     string    `bson:"owner"`
	Seed      string    `bson:"seed"`
	CreatedAt time.Time `bson:"created_at"`
}

func feedOwner(userID bson.ObjectID, kind FeedKind) string {
	return userID.Hex() + ":" + string(kind)
}

// feedToken derives a feed's token from its seed: 192 bits, URL-safe.
func feedToken(key []byte, seed string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("feed:" + seed))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:24])
}

// FeedToken returns the user's token for a feed of kind, creating the feed
// on first use.
func (s *Store) FeedToken(ctx context.Context, userID bson.ObjectID, kind FeedKind, now time.Time) (string, error) {
	if !kind.Valid() {
		return "", fmt.Errorf("store: feed kind %q", kind)
	}
	key, err := s.SecretKey(ctx, "feeds")
	if err != nil {
		return "", fmt.Errorf("store: feed key: %w", err)
	}
	col := s.db.Collection(colFeeds)
	for attempt := 0; attempt < 5; attempt++ {
		var f Feed
		err := col.FindOne(ctx, bson.D{{Key: "owner", Value: feedOwner(userID, kind)}}).Decode(&f)
		if err == nil {
			return feedToken(key, f.Seed), nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return "", fmt.Errorf("store: feed: %w", err)
		}
		token, err := s.insertFeed(ctx, key, userID, kind, now)
		if isDuplicateKey(err) {
			continue // created meanwhile by another request: read that one
		}
		return token, err
	}
	return "", errClaimsExhausted
}

// RotateFeedToken replaces the user's feed token of kind: the old one stops
// working at once (its document is deleted before the new one exists).
func (s *Store) RotateFeedToken(ctx context.Context, userID bson.ObjectID, kind FeedKind, now time.Time) (string, error) {
	if !kind.Valid() {
		return "", fmt.Errorf("store: feed kind %q", kind)
	}
	key, err := s.SecretKey(ctx, "feeds")
	if err != nil {
		return "", fmt.Errorf("store: feed key: %w", err)
	}
	col := s.db.Collection(colFeeds)
	for attempt := 0; attempt < 5; attempt++ {
		if _, err := col.DeleteMany(ctx, bson.D{{Key: "owner", Value: feedOwner(userID, kind)}}); err != nil {
			return "", fmt.Errorf("store: feed rotate: %w", err)
		}
		token, err := s.insertFeed(ctx, key, userID, kind, now)
		if isDuplicateKey(err) {
			continue // a first use slipped in between: delete that one too
		}
		return token, err
	}
	return "", errClaimsExhausted
}

func (s *Store) insertFeed(ctx context.Context, key []byte, userID bson.ObjectID, kind FeedKind, now time.Time) (string, error) {
	seed := NewToken()
	token := feedToken(key, seed)
	_, err := s.db.Collection(colFeeds).InsertOne(ctx, Feed{
		TokenHash: hashToken(token), UserID: userID, Kind: kind,
		Owner: feedOwner(userID, kind), Seed: seed, CreatedAt: now.UTC(),
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// FeedByToken finds the feed of a subscription URL; an unknown, rotated or
// malformed token is ErrNotFound.
func (s *Store) FeedByToken(ctx context.Context, token string) (Feed, error) {
	var f Feed
	if len(token) < 20 || len(token) > 64 {
		return f, ErrNotFound
	}
	err := s.db.Collection(colFeeds).FindOne(ctx, bson.D{{Key: "_id", Value: hashToken(token)}}).Decode(&f)
	return f, notFound(err)
}

// FeedVisits returns what a feed shows at now: the approved and completed
// visits from six months back to eighteen months ahead, by start, and for
// an escort's feed only those they are assigned to. History and roster are
// left out; a calendar needs neither.
func (s *Store) FeedVisits(ctx context.Context, f Feed, now time.Time) ([]Visit, error) {
	if f.Kind != FeedEscort && f.Kind != FeedHost {
		return nil, fmt.Errorf("store: feed kind %q", f.Kind)
	}
	from, to := now.AddDate(0, -feedMonthsBack, 0), now.AddDate(0, feedMonthsAhead, 0)
	visits, _, err := s.visitsSorted(ctx, func(v *Visit) bool {
		return (v.Status == StatusApproved || v.Status == StatusCompleted) &&
			!v.Start.Before(from) && v.Start.Before(to) &&
			(f.Kind == FeedHost || slices.Contains(v.EscortIDs, f.UserID))
	}, byStart, 0, feedMaxVisits)
	if err != nil {
		return nil, fmt.Errorf("store: feed visits: %w", err)
	}
	return visits, nil
}
