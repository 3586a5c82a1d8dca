package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ErrSessionExpired tells the sign-in page to say "your session has ended"
// rather than just asking for credentials.
var ErrSessionExpired = errors.New("sesi telah berakhir")

// Session is a signed-in browser. It lives in MongoDB so that every app
// instance behind a load balancer knows it. Only the SHA-256 of the cookie
// token is stored: a copy of the database does not let anybody sign in.
type Session struct {
	ID         string        `bson:"_id"` // hex SHA-256 of the cookie token
	UserID     bson.ObjectID `bson:"user_id"`
	CreatedAt  time.Time     `bson:"created_at"`
	LastSeenAt time.Time     `bson:"last_seen_at"`
	ExpiresAt  time.Time     `bson:"expires_at"`
}

// SessionPolicy bounds a session's life: it ends after IdleTimeout without
// requests and in any case after MaxAge from sign-in (a working day).
type SessionPolicy struct {
	IdleTimeout time.Duration
	MaxAge      time.Duration
}

// DefaultSessionPolicy suits office use: two idle hours, twelve at most.
func DefaultSessionPolicy() SessionPolicy {
	return SessionPolicy{IdleTimeout: 2 * time.Hour, MaxAge: 12 * time.Hour}
}

// nextExpiry is when a session seen at now expires: the idle timeout, capped
// by the absolute limit.
func (p SessionPolicy) nextExpiry(created, now time.Time) time.Time {
	exp := now.Add(p.IdleTimeout)
	if limit := created.Add(p.MaxAge); exp.After(limit) {
		exp = limit
	}
	return exp
}

// NewToken returns 128+ bits of randomness, URL-safe. Used for session
// cookies, CSRF keys, and later tracking links.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for the user and returns the cookie token.
func (s *Store) CreateSession(ctx context.Context, userID bson.ObjectID, p SessionPolicy, now time.Time) (string, error) {
	token := NewToken()
	now = now.UTC()
	sess := Session{
		ID: hashToken(token), UserID: userID,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: p.nextExpiry(now, now),
	}
	if _, err := s.db.Collection(colSessions).InsertOne(ctx, sess); err != nil {
		return "", err
	}
	return token, nil
}

// SessionByToken finds the session of a cookie token. An expired session is
// deleted and reported as ErrSessionExpired; an unknown one as ErrNotFound.
// Activity extends the session, but the store is written at most once a
// minute per session so that page views stay cheap.
func (s *Store) SessionByToken(ctx context.Context, token string, p SessionPolicy, now time.Time) (*Session, error) {
	if token == "" {
		return nil, ErrNotFound
	}
	var sess Session
	err := s.db.Collection(colSessions).FindOne(ctx, bson.D{{Key: "_id", Value: hashToken(token)}}).Decode(&sess)
	if err != nil {
		return nil, notFound(err)
	}
	if !now.Before(sess.ExpiresAt) {
		_, _ = s.db.Collection(colSessions).DeleteOne(ctx, bson.D{{Key: "_id", Value: sess.ID}})
		return nil, ErrSessionExpired
	}
	if now.Sub(sess.LastSeenAt) >= time.Minute {
		sess.LastSeenAt = now.UTC()
		sess.ExpiresAt = p.nextExpiry(sess.CreatedAt, now).UTC()
		_, err := s.db.Collection(colSessions).UpdateOne(ctx, bson.D{{Key: "_id", Value: sess.ID}},
			bson.D{{Key: "$set", Value: bson.D{
				{Key: "last_seen_at", Value: sess.LastSeenAt},
				{Key: "expires_at", Value: sess.ExpiresAt},
			}}})
		if err != nil {
			return nil, err
		}
	}
	return &sess, nil
}

// DeleteSession ends one session (sign-out); unknown tokens are ignored.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.Collection(colSessions).DeleteOne(ctx, bson.D{{Key: "_id", Value: hashToken(token)}})
	return err
}

// DeleteUserSessions ends all sessions of a user except keepToken's.
func (s *Store) DeleteUserSessions(ctx context.Context, userID bson.ObjectID, keepToken string) error {
	filter := bson.D{{Key: "user_id", Value: userID}}
	if keepToken != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$ne", Value: hashToken(keepToken)}}})
	}
	_, err := s.db.Collection(colSessions).DeleteMany(ctx, filter)
	return err
}

// DeleteExpired removes expired sessions and login throttles. MongoDB TTL
// indexes would do this, but the embedded engine has none, so a worker calls
// this periodically.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) error {
	before := bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}}
	if _, err := s.db.Collection(colSessions).DeleteMany(ctx, before); err != nil {
		return err
	}
	_, err := s.db.Collection(colFailures).DeleteMany(ctx, before)
	return err
}

// SecretKey returns the named random key shared by all app instances (for
// example the CSRF signing key), creating it on first use. The first
// instance to insert wins; the others read its key.
func (s *Store) SecretKey(ctx context.Context, name string) ([]byte, error) {
	col := s.db.Collection(colSecrets)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	_, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: name}, {Key: "key", Value: key}})
	if err != nil && !isDuplicateKey(err) {
		return nil, err
	}
	var doc struct {
		Key []byte `bson:"key"`
	}
	if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&doc); err != nil {
		return nil, err
	}
	return doc.Key, nil
}
