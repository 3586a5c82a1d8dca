package models

import (
	"cmp"
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

// Two small indexes of the outbox, kept by the store itself.
//
// The outbox keeps every message ever sent (about five per visit, each
// with its bodies and invitation), and the embedded engine answers any
// query but one by _id by reading and decoding the whole collection. The
// worker asked every few seconds for the messages due, each visit page for
// the visit's mail, and each new invitation for the first message of its
// thread — seconds per request after a few years (docs/PERFORMANCE.md).
// So:
//
//   - outbox_due holds one entry per message not yet delivered
//     ({_id: message, due_at}): the worker reads this short collection
//     and then the messages by _id. The entry is written before the
//     message, and removed only once the message is sent or failed, so a
//     crash can leave an entry without a message (removed when seen) but
//     never an undelivered message without an entry. due_at is a hint;
//     the message decides, and a wrong hint is corrected when read.
//   - outbox_by_visit numbers a visit's messages ({_id: "<visit>:<n>",
//     msg}), taken by insert like the change log: the visit's mail is n
//     lookups by _id. The entry is written after the message; a crash in
//     between leaves a message off its visit page only (it is still on
//     the outbox page).
//
// Databases from before these indexes are indexed once, at start
// (indexOutboxOnce).
const (
	colOutboxDue     = "outbox_due"
	colOutboxByVisit = "outbox_by_visit"
	outboxIndexMark  = "outbox_index:v1" // counters _id: the outbox was indexed
)

type outboxDue struct {
	ID    bson.ObjectID `bson:"_id"` // the message
	DueAt time.Time     `bson:"due_at"`
	At    time.Time     `bson:"at"` // when the entry was written
}

type outboxOfVisit struct {
	ID  string        `bson:"_id"` // "<visit hex>:<n>", n from 1
	Msg bson.ObjectID `bson:"msg"`
}

// markDue writes (or moves) a message's due entry.
func (s *Store) markDue(ctx context.Context, id bson.ObjectID, due, now time.Time) error {
	_, err := s.db.Collection(colOutboxDue).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "due_at", Value: due.UTC()}, {Key: "at", Value: now.UTC()}}}},
		options.UpdateOne().SetUpsert(true))
	if isDuplicateKey(err) {
		return nil // two upserts raced: the entry exists
	}
	return err
}

// delivered removes a message's due entry (sent or failed).
func (s *Store) delivered(ctx context.Context, id bson.ObjectID) error {
	_, err := s.db.Collection(colOutboxDue).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return err
}

// listForVisit numbers message id among the visit's messages.
func (s *Store) listForVisit(ctx context.Context, visitID, id bson.ObjectID) error {
	col := s.db.Collection(colOutboxByVisit)
	for n := 1; n <= 100_000; n++ {
		_, err := col.InsertOne(ctx, outboxOfVisit{ID: fmt.Sprintf("%s:%d", visitID.Hex(), n), Msg: id})
		if !isDuplicateKey(err) {
			return err
		}
	}
	return errClaimsExhausted
}

// messagesOfVisit lists the IDs of the visit's messages, in the order
// they were numbered, each once.
func (s *Store) messagesOfVisit(ctx context.Context, visitID bson.ObjectID) ([]bson.ObjectID, error) {
	col := s.db.Collection(colOutboxByVisit)
	var ids []bson.ObjectID
	for n := 1; ; n++ {
		var e outboxOfVisit
		err := col.FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("%s:%d", visitID.Hex(), n)}}).Decode(&e)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return ids, nil
		}
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, e.Msg) {
			ids = append(ids, e.Msg)
		}
	}
}

// visitOfThread reads the visit out of a thread key "visit:<hex>:<addr>".
func visitOfThread(key string) (bson.ObjectID, bool) {
	rest, ok := strings.CutPrefix(key, "visit:")
	if !ok || len(rest) < 25 || rest[24] != ':' {
		return bson.ObjectID{}, false
	}
	id, err := bson.ObjectIDFromHex(rest[:24])
	return id, err == nil
}

// dueMessages returns up to limit messages due at now, soonest first,
// reading the due entries and then the messages by _id. Entries of
// messages delivered (or never written) are removed; a hint that says
// "due" of a message that is not is moved to the message's own due time.
func (s *Store) dueMessages(ctx context.Context, limit int, now time.Time) ([]OutboxMessage, error) {
	cur, err := s.db.Collection(colOutboxDue).Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	var entries []outboxDue
	if err := cur.All(ctx, &entries); err != nil {
		return nil, err
	}
	slices.SortFunc(entries, func(a, b outboxDue) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), compareIDs(a.ID, b.ID))
	})
	var out []OutboxMessage
	for _, e := range entries {
		if len(out) == limit || e.DueAt.After(now) {
			break
		}
		m, err := s.OutboxByID(ctx, e.ID)
		switch {
		case errors.Is(err, ErrNotFound):
			// Written just before its message (Enqueue), or its writer
			// crashed in between: only an old one is an orphan.
			if now.Sub(e.At) > staleClaimAge {
				_ = s.delivered(ctx, e.ID)
			}
			continue
		case err != nil:
			return out, err
		}
		switch m.Status {
		case OutboxPending:
			if due := cmp.Or(m.NextAttemptAt, now); due.After(now) {
				_ = s.markDue(ctx, e.ID, due, now) // the hint was early
				continue
			}
		case OutboxSending:
			// Being sent (its entry is left alone while it is, to save a
			// write per message), or its worker died: due when the lease
			// ends.
			if m.LeaseUntil.After(now) {
				continue
			}
		default: // sent or failed: delivered
			_ = s.delivered(ctx, e.ID)
			continue
		}
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b OutboxMessage) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
	})
	return out, nil
}

// indexOutboxOnce builds both indexes for messages written before they
// existed: one pass over the outbox, once per database.
func (s *Store) indexOutboxOnce(ctx context.Context, now time.Time) error {
	counters := s.db.Collection(colCounters)
	n, err := counters.CountDocuments(ctx, bson.D{{Key: "_id", Value: outboxIndexMark}})
	if err != nil || n > 0 {
		return err
	}
	cur, err := s.db.Collection(colOutbox).Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: "visit_id", Value: 1}, {Key: "status", Value: 1}, {Key: "created_at", Value: 1},
			{Key: "next_attempt_at", Value: 1}, {Key: "lease_until", Value: 1}}))
	if err != nil {
		return err
	}
	var msgs []OutboxMessage
	if err := cur.All(ctx, &msgs); err != nil {
		return err
	}
	slices.SortFunc(msgs, func(a, b OutboxMessage) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
	})
	listed := map[bson.ObjectID]map[bson.ObjectID]bool{} // already numbered, by visit
	for _, m := range msgs {
		due := cmp.Or(m.NextAttemptAt, m.CreatedAt)
		if m.Status == OutboxSending {
			due = m.LeaseUntil
		}
		if m.Status == OutboxPending || m.Status == OutboxSending {
			if err := s.markDue(ctx, m.ID, due, now); err != nil {
				return err
			}
		}
		if m.VisitID.IsZero() {
			continue
		}
		if listed[m.VisitID] == nil {
			ids, err := s.messagesOfVisit(ctx, m.VisitID)
			if err != nil {
				return err
			}
			listed[m.VisitID] = map[bson.ObjectID]bool{}
			for _, id := range ids {
				listed[m.VisitID][id] = true
			}
		}
		if !listed[m.VisitID][m.ID] {
			if err := s.listForVisit(ctx, m.VisitID, m.ID); err != nil {
				return err
			}
			listed[m.VisitID][m.ID] = true
		}
	}
	_, err = counters.InsertOne(ctx, bson.D{{Key: "_id", Value: outboxIndexMark}, {Key: "at", Value: now.UTC()}})
	if isDuplicateKey(err) {
		return nil // another instance finished first
	}
	return err
}
