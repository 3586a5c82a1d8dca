package models

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// OutboxStatus is where a queued email stands.
type OutboxStatus string

// Outbox states. The invitations issue adds the sender that moves messages
// from pending to sent or failed.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed"
)

// OutboxMessage is an email stored before any attempt to send it: the
// database, not the SMTP server, is the source of truth (DESIGN.md §5).
type OutboxMessage struct {
	ID        bson.ObjectID `bson:"_id"`
	Kind      string        `bson:"kind"` // "request_received", …
	VisitID   bson.ObjectID `bson:"visit_id,omitempty"`
	To        []string      `bson:"to"`
	Subject   string        `bson:"subject"`
	Text      string        `bson:"text"`
	HTML      string        `bson:"html"`
	Language  string        `bson:"language"`
	Status    OutboxStatus  `bson:"status"`
	Attempts  int           `bson:"attempts"`
	CreatedAt time.Time     `bson:"created_at"`
	Version   int64         `bson:"version"`
}

// Enqueue stores a message as pending.
func (s *Store) Enqueue(ctx context.Context, m *OutboxMessage, now time.Time) error {
	if m.ID.IsZero() {
		m.ID = bson.NewObjectID()
	}
	m.Status, m.CreatedAt, m.Version = OutboxPending, now.UTC(), 1
	_, err := s.db.Collection(colOutbox).InsertOne(ctx, m)
	return err
}

// OutboxFor lists the messages queued for a visit, oldest first.
func (s *Store) OutboxFor(ctx context.Context, visitID bson.ObjectID) ([]OutboxMessage, error) {
	cur, err := s.db.Collection(colOutbox).Find(ctx, bson.D{{Key: "visit_id", Value: visitID}})
	if err != nil {
		return nil, err
	}
	var out []OutboxMessage
	err = cur.All(ctx, &out)
	return out, err
}
