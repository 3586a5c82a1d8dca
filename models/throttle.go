package models

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ThrottlePolicy limits password guessing: after Max failures within Window
// for one key (an account or a client address) that key is locked for Lock.
type ThrottlePolicy struct {
	Window time.Duration
	Lock   time.Duration
	Max    int
}

// Sign-in limits: an account tolerates 5 wrong passwords in 15 minutes, an
// address (an office behind one NAT may hold many staff) 30.
func AccountThrottle() ThrottlePolicy {
	return ThrottlePolicy{Window: 15 * time.Minute, Lock: 15 * time.Minute, Max: 5}
}

// AddressThrottle is the per-IP limit; see AccountThrottle.
func AddressThrottle() ThrottlePolicy {
	return ThrottlePolicy{Window: 15 * time.Minute, Lock: 15 * time.Minute, Max: 30}
}

// throttle is one counter document, _id "account:<email>" or "ip:<addr>".
type throttle struct {
	Key         string    `bson:"_id"`
	Failures    int       `bson:"failures"`
	FirstAt     time.Time `bson:"first_at"`
	LockedUntil time.Time `bson:"locked_until"`
	ExpiresAt   time.Time `bson:"expires_at"`
}

// LockedUntil returns the time until which key is locked, or the zero time.
func (s *Store) LockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error) {
	var t throttle
	err := s.db.Collection(colThrottle).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&t)
	if err != nil {
		if notFound(err) == ErrNotFound {
			return time.Time{}, nil
		}
		return time.Time{}, err
	}
	if now.Before(t.LockedUntil) {
		return t.LockedUntil, nil
	}
	return time.Time{}, nil
}

// RecordFailure counts one failed sign-in for key and returns the lock end
// when this failure reached the limit. The counter is incremented atomically,
// so concurrent guesses from several instances are all counted.
func (s *Store) RecordFailure(ctx context.Context, key string, p ThrottlePolicy, now time.Time) (time.Time, error) {
	col := s.db.Collection(colThrottle)
	now = now.UTC()
	var t throttle
	err := col.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: key}},
		bson.D{
			{Key: "$inc", Value: bson.D{{Key: "failures", Value: 1}}},
			{Key: "$setOnInsert", Value: bson.D{{Key: "first_at", Value: now}}},
			{Key: "$set", Value: bson.D{{Key: "expires_at", Value: now.Add(p.Window + p.Lock)}}},
		},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&t)
	if err != nil {
		return time.Time{}, err
	}
	if now.Sub(t.FirstAt) > p.Window {
		// The earlier failures are old: start a new window with this one.
		_, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "first_at", Value: t.FirstAt}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "failures", Value: 1}, {Key: "first_at", Value: now}}}})
		return time.Time{}, err
	}
	if t.Failures < p.Max {
		return time.Time{}, nil
	}
	until := now.Add(p.Lock)
	_, err = col.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "locked_until", Value: until}, {Key: "expires_at", Value: until}}}})
	return until, err
}

// ClearFailures forgets the failures of key after a successful sign-in.
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	_, err := s.db.Collection(colThrottle).DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
	return err
}
