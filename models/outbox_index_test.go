package models_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"studitiru/models"
	"studitiru/models/smtptest"
	"studitiru/models/storetest"
)

// pastTheStore is database name reached past the Store, to write what an
// older release or a crash would have left.
func pastTheStore(t *testing.T, name string) *mongo.Database {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(server.URI))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database(name)
}

// TestOutboxOfAnOlderDatabaseIsIndexedAtStart: messages written before the
// outbox indexes existed (straight into the collection, as an older
// release did) are listed on their visit and delivered after the store is
// opened again; a visit's list holds each message once, oldest first, and
// new invitations thread to the first message of their thread.
func TestOutboxOfAnOlderDatabaseIsIndexedAtStart(t *testing.T) {
	name := storetest.DatabaseName(t)
	db := pastTheStore(t, name)
	t.Cleanup(func() { _ = db.Drop(context.Background()) })

	t0 := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	visit := bson.NewObjectID()
	thread := "visit:" + visit.Hex() + ":ayu@konselkab.go.id"
	old := []models.OutboxMessage{
		{ID: bson.NewObjectID(), Kind: "ack", VisitID: visit, To: []string{"ayu@konselkab.go.id"}, Subject: "Permohonan diterima",
			Text: "a", Status: models.OutboxSent, CreatedAt: t0, Version: 3, MessageID: "<first@studitiru.localhost>", ThreadKey: thread},
		{ID: bson.NewObjectID(), Kind: "decision", VisitID: visit, To: []string{"ayu@konselkab.go.id"}, Subject: "Kunjungan disetujui",
			Text: "b", Status: models.OutboxPending, CreatedAt: t0.Add(time.Hour), Version: 1, MessageID: "<second@studitiru.localhost>"},
		{ID: bson.NewObjectID(), Kind: "notice", To: []string{"staf@badungkab.go.id"}, Subject: "Tanpa kunjungan",
			Text: "c", Status: models.OutboxPending, CreatedAt: t0.Add(2 * time.Hour), Version: 1, MessageID: "<third@studitiru.localhost>"},
	}
	for _, m := range old {
		if _, err := db.Collection("outbox").InsertOne(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}

	open := func() *models.Store {
		st, err := models.Open(t.Context(), server.URI, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close(context.Background()) })
		return st
	}
	st := open()
	open() // a second start indexes nothing twice

	msgs, err := st.OutboxFor(t.Context(), visit)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].ID != old[0].ID || msgs[1].ID != old[1].ID {
		t.Fatalf("the visit's mail after indexing: %d messages %v", len(msgs), msgs)
	}
	// A new invitation on the thread replies to its first message.
	next := &models.OutboxMessage{Kind: "decision", VisitID: visit, To: []string{"ayu@konselkab.go.id"}, Subject: "Jadwal berubah",
		Text: "d", ThreadKey: thread}
	if err := st.Enqueue(t.Context(), next, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if next.InReplyTo != "<first@studitiru.localhost>" {
		t.Errorf("In-Reply-To = %q, want the thread's first message", next.InReplyTo)
	}
	if msgs, _ := st.OutboxFor(t.Context(), visit); len(msgs) != 3 || msgs[2].ID != next.ID {
		t.Errorf("after queueing: %d messages", len(msgs))
	}

	// The worker delivers the old pending messages and the new one.
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorker(t, st, srv.URL(true), func() time.Time { return t0.Add(4 * time.Hour) })
	sent, err := w.RunOnce(t.Context())
	if err != nil || sent != 3 {
		t.Fatalf("sent %d, %v; want the 3 pending messages", sent, err)
	}
	if n, _ := db.Collection("outbox_due").CountDocuments(t.Context(), bson.D{}); n != 0 {
		t.Errorf("%d due entries left after delivery", n)
	}
	if sent, _ := w.RunOnce(t.Context()); sent != 0 {
		t.Errorf("a second run sent %d more", sent)
	}
}

// TestStaleDueEntriesAreCleared: an entry whose message was never written
// (a crash between the two inserts) is removed once old, one whose message
// is delivered at once; neither is sent.
func TestStaleDueEntriesAreCleared(t *testing.T) {
	st := server.Open(t)
	t0 := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	msgs := enqueueN(t, st, 2, t0)
	srv := smtptest.Start(t, smtptest.Options{})
	clock := t0
	w := newWorker(t, st, srv.URL(true), func() time.Time { return clock })
	if sent, err := w.RunOnce(t.Context()); err != nil || sent != 2 {
		t.Fatalf("sent %d, %v", sent, err)
	}
	due := pastTheStore(t, st.DatabaseName()).Collection("outbox_due")
	orphan := bson.NewObjectID()
	for _, id := range []bson.ObjectID{orphan, msgs[0].ID} { // never written; already sent
		if _, err := due.InsertOne(t.Context(), bson.D{{Key: "_id", Value: id}, {Key: "due_at", Value: t0}, {Key: "at", Value: t0}}); err != nil {
			t.Fatal(err)
		}
	}
	if sent, _ := w.RunOnce(t.Context()); sent != 0 {
		t.Errorf("sent %d", sent)
	}
	// The sent message's entry goes at once; the orphan only when old.
	if n, _ := due.CountDocuments(t.Context(), bson.D{}); n != 1 {
		t.Errorf("%d entries after the first pass, want the young orphan only", n)
	}
	clock = t0.Add(10 * time.Minute)
	if sent, _ := w.RunOnce(t.Context()); sent != 0 {
		t.Errorf("sent %d", sent)
	}
	if n, _ := due.CountDocuments(t.Context(), bson.D{}); n != 0 {
		t.Errorf("%d entries left, want none", n)
	}
	if len(srv.Messages()) != 2 {
		t.Errorf("%d messages reached the server, want 2", len(srv.Messages()))
	}
}
