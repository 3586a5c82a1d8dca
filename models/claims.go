package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Claims make writes safe under concurrency on both engines.
//
// On FerretDB v1 (measured on v1.24.2 with SQLite) a conditional update is
// not atomic: two writers whose filter says {version: 3} can both match and
// both write, and two findOneAndUpdate $inc calls can return the same number.
// What does hold on both engines is the uniqueness of _id: of several
// concurrent inserts of one _id exactly one succeeds. So every write that
// must have a single winner first inserts a claim whose _id names what is
// being claimed (a document at a version, a reference code, later a room in
// a session); the duplicate-key error is the conflict.
//
// A claim is removed right after the guarded write. Versions only grow, so
// a claim on a version the document has left can never matter again; a
// claim left behind by a crash between the two writes is removed by
// SweepClaims, which runs at start and periodically.
type claim struct {
	ID string    `bson:"_id"`
	At time.Time `bson:"at"`
}

// staleClaimAge is how old a claim must be before SweepClaims removes it.
// A live claim lives for the milliseconds between two store calls.
const staleClaimAge = 2 * time.Minute

// Claim inserts a claim on key; ErrConflict means somebody else holds it.
// Keys name what is claimed: "v:<collection>/<id>@<version>" for a
// versioned write, "code:<reference code>" for an issued code.
func (s *Store) Claim(ctx context.Context, key string, now time.Time) error {
	_, err := s.db.Collection(claimCollection(key)).InsertOne(ctx, claim{ID: key, At: now.UTC()})
	if isDuplicateKey(err) {
		return ErrConflict
	}
	return err
}

// Release removes a claim. Failing to remove it is harmless (see above),
// so the error is only returned for logging.
func (s *Store) Release(ctx context.Context, key string) error {
	_, err := s.db.Collection(claimCollection(key)).DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
	return err
}

// claimCollection keeps the short-lived version claims ("v:…") apart from
// the permanent ones (codes, submissions, reminders, survey seats): the
// sweep then reads only the few live claims, never the ever-growing
// record of issued codes (every query but one by _id reads its whole
// collection on the embedded engine).
func claimCollection(key string) string {
	if strings.HasPrefix(key, "v:") {
		return colLocks
	}
	return colClaims
}

// SweepClaims removes version claims ("v:…") older than staleClaimAge:
// those of writers that crashed between claiming and writing. Other claims,
// such as issued reference codes, are permanent.
func (s *Store) SweepClaims(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.Collection(colLocks).DeleteMany(ctx, bson.D{
		{Key: "at", Value: bson.D{{Key: "$lt", Value: now.Add(-staleClaimAge).UTC()}}},
	})
	if err != nil {
		return 0, err
	}
	return res.DeletedCount, nil
}

// SweepLegacyClaims removes version claims that older releases kept among
// the permanent claims; the app runs it at start. It does the work once per
// database: the permanent claims (every reference code and form ever
// issued) are read whole by the query on the embedded engine, seconds of
// start-up at national scale.
func (s *Store) SweepLegacyClaims(ctx context.Context) (int64, error) {
	const done = "legacy_claims_swept"
	n, err := s.db.Collection(colCounters).CountDocuments(ctx, bson.D{{Key: "_id", Value: done}})
	if err != nil || n > 0 {
		return 0, err
	}
	res, err := s.db.Collection(colClaims).DeleteMany(ctx, bson.D{
		{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^v:"}}},
	})
	if err != nil {
		return 0, err
	}
	if _, err := s.db.Collection(colCounters).InsertOne(ctx, bson.D{{Key: "_id", Value: done}}); err != nil && !isDuplicateKey(err) {
		return res.DeletedCount, err
	}
	return res.DeletedCount, nil
}

// updateVersioned moves document id of collection from version `from` to
// from+1, applying set. Exactly one of several concurrent writers holding
// the same version succeeds; the others get ErrConflict. ErrNotFound when
// the document does not exist.
//
// The version is checked by reading the document under the claim, and the
// update filters on _id alone: the embedded engine reaches an index only
// for a filter that is exactly {_id: …}; {_id, version} read and decoded
// every document of the collection (a visit approval took seconds at
// 5,000 visits; docs/PERFORMANCE.md). Under the claim this is as safe as
// the filter: every writer that moves the document off version `from`
// holds this same claim, so it cannot change between the read and the
// write. A claim is swept only after staleClaimAge, so a writer that
// took longer than half of that gives up rather than write unguarded.
func (s *Store) updateVersioned(ctx context.Context, collection string, id any, from int64, set bson.D, now time.Time) error {
	name := fmt.Sprint(id)
	if oid, ok := id.(bson.ObjectID); ok {
		name = oid.Hex()
	}
	key := fmt.Sprintf("v:%s/%s@%d", collection, name, from)
	claimed := time.Now()
	if err := s.Claim(ctx, key, now); err != nil {
		return err
	}
	defer s.Release(context.WithoutCancel(ctx), key)
	col := s.db.Collection(collection)
	var current struct {
		Version int64 `bson:"version"`
	}
	err := col.FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: "version", Value: 1}})).Decode(&current)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if current.Version != from || time.Since(claimed) > staleClaimAge/2 {
		return ErrConflict
	}
	set = append(slices.Clip(set), bson.E{Key: "version", Value: from + 1})
	res, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		return ErrNotFound // deleted in between
	}
	return nil
}

// errClaimsExhausted guards loops that retry claims.
var errClaimsExhausted = errors.New("store: too many concurrent claims, try again")
