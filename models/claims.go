package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
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
// the permanent claims; the app runs it once at start.
func (s *Store) SweepLegacyClaims(ctx context.Context) (int64, error) {
	res, err := s.db.Collection(colClaims).DeleteMany(ctx, bson.D{
		{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^v:"}}},
	})
	if err != nil {
		return 0, err
	}
	return res.DeletedCount, nil
}

// updateVersioned moves document id of collection from version `from` to
// from+1, applying set. Exactly one of several concurrent writers holding
// the same version succeeds; the others get ErrConflict. ErrNotFound when
// the document does not exist.
func (s *Store) updateVersioned(ctx context.Context, collection string, id any, from int64, set bson.D, now time.Time) error {
	name := fmt.Sprint(id)
	if oid, ok := id.(bson.ObjectID); ok {
		name = oid.Hex()
	}
	key := fmt.Sprintf("v:%s/%s@%d", collection, name, from)
	if err := s.Claim(ctx, key, now); err != nil {
		return err
	}
	defer s.Release(context.WithoutCancel(ctx), key)
	res, err := s.db.Collection(collection).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "version", Value: from}},
		bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		n, err := s.db.Collection(collection).CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
		if err == nil && n == 0 {
			return ErrNotFound
		}
		return ErrConflict
	}
	s.wrote()
	return nil
}

// errClaimsExhausted guards loops that retry claims.
var errClaimsExhausted = errors.New("store: too many concurrent claims, try again")
