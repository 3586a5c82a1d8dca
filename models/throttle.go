package models

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ThrottlePolicy limits password guessing: Max failures for one key (an
// account or a client address) within Window lock that key until Lock after
// the last of them.
type ThrottlePolicy struct {
	Window time.Duration
	Lock   time.Duration
	Max    int
}

// AccountThrottle: an account tolerates 5 wrong passwords in 15 minutes.
func AccountThrottle() ThrottlePolicy {
	return ThrottlePolicy{Window: 15 * time.Minute, Lock: 15 * time.Minute, Max: 5}
}

// AddressThrottle is the per-IP limit: higher, because one office behind one
// NAT address may hold many staff.
func AddressThrottle() ThrottlePolicy {
	return ThrottlePolicy{Window: 15 * time.Minute, Lock: 15 * time.Minute, Max: 30}
}

// failure is one failed sign-in. Each failure is its own document rather
// than a counter: inserts are atomic on both engines, an $inc on FerretDB v1
// is not (see claims.go), and parallel guesses must all be counted.
type failure struct {
	ID        bson.ObjectID `bson:"_id"`
	Key       string        `bson:"key"` // "account:<email>" or "ip:<addr>"
	At        time.Time     `bson:"at"`
	ExpiresAt time.Time     `bson:"expires_at"`
}

// LockedUntil returns when key's lock ends, or the zero time if it is not
// locked at now: locked when the latest Max failures all fall within Window.
func (s *Store) LockedUntil(ctx context.Context, key string, p ThrottlePolicy, now time.Time) (time.Time, error) {
	cur, err := s.db.Collection(colFailures).Find(ctx,
		bson.D{{Key: "key", Value: key}, {Key: "at", Value: bson.D{{Key: "$gt", Value: now.Add(-p.Window - p.Lock).UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}}).SetLimit(int64(p.Max)))
	if err != nil {
		return time.Time{}, err
	}
	var latest []failure
	if err := cur.All(ctx, &latest); err != nil {
		return time.Time{}, err
	}
	return lockEnd(latest, p, now), nil
}

// lockEnd is the rule, on the latest failures sorted newest first.
func lockEnd(latest []failure, p ThrottlePolicy, now time.Time) time.Time {
	if len(latest) < p.Max {
		return time.Time{}
	}
	newest, oldest := latest[0].At, latest[len(latest)-1].At
	if newest.Sub(oldest) > p.Window {
		return time.Time{}
	}
	if until := newest.Add(p.Lock); now.Before(until) {
		return until
	}
	return time.Time{}
}

// RecordFailure stores one failed sign-in for key and returns the lock end
// if the key is now locked.
func (s *Store) RecordFailure(ctx context.Context, key string, p ThrottlePolicy, now time.Time) (time.Time, error) {
	now = now.UTC()
	_, err := s.db.Collection(colFailures).InsertOne(ctx, failure{
		ID: bson.NewObjectID(), Key: key, At: now, ExpiresAt: now.Add(p.Window + p.Lock),
	})
	if err != nil {
		return time.Time{}, err
	}
	return s.LockedUntil(ctx, key, p, now)
}

// ClearFailures forgets the failures of key after a successful sign-in.
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	_, err := s.db.Collection(colFailures).DeleteMany(ctx, bson.D{{Key: "key", Value: key}})
	return err
}

// SubmissionThrottle limits public request forms per client address: 30
// posts an hour is far above an honest office (a form corrected a few
// times) and far below a flood.
func SubmissionThrottle() ThrottlePolicy {
	return ThrottlePolicy{Window: time.Hour, Lock: time.Hour, Max: 30}
}
