package models_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"studitiru/models"
	"studitiru/models/smtptest"
)

// notice is a small message for the fault tests.
func notice(i int) *models.OutboxMessage {
	return &models.OutboxMessage{Kind: "uji", To: []string{fmt.Sprintf("penerima%d@konselkab.go.id", i)},
		Subject: fmt.Sprintf("Pesan %d", i), Text: "isi", HTML: "<p>isi</p>", Language: "id"}
}

func enqueueN(t testing.TB, st *models.Store, n int, now time.Time) []*models.OutboxMessage {
	t.Helper()
	out := make([]*models.OutboxMessage, n)
	for i := range out {
		out[i] = notice(i)
		if err := st.Enqueue(context.Background(), out[i], now); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// statuses counts the stored messages per state.
func statuses(t *testing.T, st *models.Store) map[models.OutboxStatus]int {
	t.Helper()
	c, err := st.OutboxCounts(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// exactlyOnce checks that every message arrived once and nothing else did.
func exactlyOnce(t *testing.T, srv *smtptest.Server, msgs []*models.OutboxMessage) {
	t.Helper()
	counts := srv.CountByMessageID()
	for _, m := range msgs {
		if counts[m.MessageID] != 1 {
			t.Errorf("%s arrived %d times", m.MessageID, counts[m.MessageID])
		}
	}
	if len(srv.Messages()) != len(msgs) {
		t.Errorf("%d messages arrived for %d queued", len(srv.Messages()), len(msgs))
	}
}

// TestRetryAtBacksOffAndGivesUp: 1, 2, 4 … minutes, at most an hour, and
// no retry that would start more than a day after the first attempt.
func TestRetryAtBacksOffAndGivesUp(t *testing.T) {
	first := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	for attempts, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute,
		6: 32 * time.Minute, 7: time.Hour, 8: time.Hour, 30: time.Hour} {
		next, ok := models.RetryAt(attempts, first, first)
		if !ok || next.Sub(first) != want {
			t.Errorf("after attempt %d: %v (%v), want +%v", attempts, next.Sub(first), ok, want)
		}
	}
	if _, ok := models.RetryAt(20, first, first.Add(23*time.Hour)); !ok {
		t.Error("gave up before a day")
	}
	if _, ok := models.RetryAt(21, first, first.Add(23*time.Hour+30*time.Minute)); ok {
		t.Error("retries past a day after the first attempt")
	}
}

// TestServerDownMessagesWaitThenGo: with the server down the messages stay
// pending, their attempt counted and the next one scheduled; once the
// server is back and the time has come, each is delivered once.
func TestServerDownMessagesWaitThenGo(t *testing.T) {
	st := server.Open(t)
	srv := smtptest.Start(t, smtptest.Options{})
	addr := srv.Addr()
	srv.Stop()

	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	msgs := enqueueN(t, st, 3, now)
	var mu sync.Mutex
	at := now
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	w := newWorker(t, st, srv.URL(true), clock)

	if n, err := w.RunOnce(ctx(t)); err == nil || n != 0 {
		t.Fatalf("sent %d, err %v; want a connection error", n, err)
	}
	for _, m := range msgs {
		got, _ := st.OutboxByID(ctx(t), m.ID)
		if got.Status != models.OutboxPending || got.Attempts != 1 || !got.NextAttemptAt.Equal(now.Add(time.Minute)) || got.LastError == "" {
			t.Errorf("after a failed connection: status %s, attempts %d, next %v, error %q", got.Status, got.Attempts, got.NextAttemptAt, got.LastError)
		}
	}

	back := smtptest.Start(t, smtptest.Options{Addr: addr})
	mu.Lock()
	at = now.Add(30 * time.Second) // not due yet
	mu.Unlock()
	if n, err := w.RunOnce(ctx(t)); n != 0 || err != nil || len(back.Messages()) != 0 {
		t.Fatalf("sent %d (%v) before the retry was due", n, err)
	}
	mu.Lock()
	at = now.Add(61 * time.Second)
	mu.Unlock()
	if n, err := w.RunOnce(ctx(t)); n != 3 || err != nil {
		t.Fatalf("sent %d, %v", n, err)
	}
	exactlyOnce(t, back, msgs)
	for _, m := range msgs {
		got, _ := st.OutboxByID(ctx(t), m.ID)
		if got.Status != models.OutboxSent || got.Attempts != 2 || got.LastError != "" {
			t.Errorf("status %s, attempts %d, error %q", got.Status, got.Attempts, got.LastError)
		}
	}
}

// TestStoppedWorkerHandsBackItsBatch: a worker stopped in the middle of a
// batch finishes the message in flight and hands back the rest; a new
// worker delivers them; every message arrives exactly once.
func TestStoppedWorkerHandsBackItsBatch(t *testing.T) {
	st := server.Open(t)
	srv := smtptest.Start(t, smtptest.Options{})
	srv.Set(func(s *smtptest.Server) { s.DataDelay = 50 * time.Millisecond })
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	msgs := enqueueN(t, st, 12, now)
	clock := func() time.Time { return now }

	first := newWorker(t, st, srv.URL(true), clock)
	first.Owner = "pertama"
	runCtx, stop := context.WithCancel(ctx(t))
	done := make(chan error, 1)
	var sent int
	go func() {
		var err error
		sent, err = first.RunOnce(runCtx)
		done <- err
	}()
	for len(srv.Messages()) < 3 {
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	if err := <-done; err != context.Canceled {
		t.Fatalf("stopped worker returned %v", err)
	}
	if sent < 3 || sent >= len(msgs) {
		t.Fatalf("the stopped worker sent %d of %d; the test needs it stopped mid-batch", sent, len(msgs))
	}
	c := statuses(t, st)
	if c[models.OutboxSending] != 0 || c[models.OutboxSent] != sent || c[models.OutboxPending] != len(msgs)-sent {
		t.Fatalf("after stopping: %v (sent %d)", c, sent)
	}
	// The messages handed back are as good as new: no attempt counted.
	pending, _, _ := st.ListOutbox(ctx(t), models.OutboxFilter{Status: models.OutboxPending})
	for _, m := range pending {
		if m.Attempts != 0 || m.LeaseOwner != "" {
			t.Errorf("handed-back message: attempts %d, lease owner %q", m.Attempts, m.LeaseOwner)
		}
	}

	second := newWorker(t, st, srv.URL(true), clock)
	second.Owner = "kedua"
	if n, err := second.RunOnce(ctx(t)); err != nil || n != len(msgs)-sent {
		t.Fatalf("new worker sent %d, %v; want %d", n, err, len(msgs)-sent)
	}
	exactlyOnce(t, srv, msgs)
}

// TestExpiredLeaseIsTakenOver: a worker that claimed messages and died
// (no hand-back) holds them only until its lease ends.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	st := server.Open(t)
	srv := smtptest.Start(t, smtptest.Options{})
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	msgs := enqueueN(t, st, 2, now)
	claimed, err := st.ClaimOutbox(ctx(t), "mati", 5*time.Minute, 10, now)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	at := now.Add(4 * time.Minute)
	w := newWorker(t, st, srv.URL(true), func() time.Time { return at })
	if n, _ := w.RunOnce(ctx(t)); n != 0 {
		t.Fatalf("took over %d messages under a live lease", n)
	}
	at = now.Add(6 * time.Minute)
	if n, err := w.RunOnce(ctx(t)); n != 2 || err != nil {
		t.Fatalf("took over %d, %v", n, err)
	}
	exactlyOnce(t, srv, msgs)
	got, _ := st.OutboxByID(ctx(t), msgs[0].ID)
	if got.Attempts != 2 || got.Status != models.OutboxSent {
		t.Errorf("attempts %d, status %s; the dead worker's attempt counts", got.Attempts, got.Status)
	}
}

// TestTwoWorkersDeliverEachMessageOnce: two app instances (two Store
// clients on one database), each with its own worker, race over fifty
// messages; each message is delivered exactly once.
func TestTwoWorkersDeliverEachMessageOnce(t *testing.T) {
	st := server.Open(t)
	other, err := models.Open(ctx(t), server.URI, st.DatabaseName())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close(context.Background()) })
	srv := smtptest.Start(t, smtptest.Options{})
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	msgs := enqueueN(t, st, 50, now)
	clock := func() time.Time { return now }

	var total atomic.Int32
	var wg sync.WaitGroup
	for i, store := range []*models.Store{st, other} {
		w := newWorker(t, store, srv.URL(true), clock)
		w.Owner, w.Batch = fmt.Sprintf("instansi-%d", i), 5
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idle := 0; idle < 3; {
				n, err := w.RunOnce(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				total.Add(int32(n))
				if n == 0 {
					idle++
				} else {
					idle = 0
				}
			}
		}()
	}
	wg.Wait()
	if total.Load() != 50 {
		t.Errorf("workers report %d sent", total.Load())
	}
	exactlyOnce(t, srv, msgs)
	if c := statuses(t, st); c[models.OutboxSent] != 50 {
		t.Errorf("stored states %v", c)
	}
}

// TestClaimIsExclusive: of many concurrent claims of the same messages,
// each message goes to exactly one claimant.
func TestClaimIsExclusive(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	enqueueN(t, st, 10, now)
	var mu sync.Mutex
	owners := map[bson.ObjectID][]string{}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := st.ClaimOutbox(context.Background(), fmt.Sprint("w", i), time.Minute, 10, now)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, m := range got {
				owners[m.ID] = append(owners[m.ID], fmt.Sprint("w", i))
			}
		}()
	}
	wg.Wait()
	for id, o := range owners {
		if len(o) != 1 {
			t.Errorf("%s claimed by %v", id.Hex(), o)
		}
	}
	if len(owners) != 10 {
		t.Errorf("%d of 10 messages claimed", len(owners))
	}
}

// BenchmarkOutboxDelivery measures delivery to a local SMTP server over
// one connection per batch (messages per second), with the outbox holding
// only the messages being sent.
func BenchmarkOutboxDelivery(b *testing.B) { benchmarkDelivery(b, 0) }

// BenchmarkOutboxDeliveryWithHistory is the same with 20,000 messages sent
// earlier in the outbox (four years of a busy office): the worker must not
// read them.
func BenchmarkOutboxDeliveryWithHistory(b *testing.B) { benchmarkDelivery(b, 20_000) }

func benchmarkDelivery(b *testing.B, history int) {
	st := server.Open(b)
	srv := smtptest.Start(b, smtptest.Options{})
	now := time.Now()
	if history > 0 {
		client, err := mongo.Connect(options.Client().ApplyURI(server.URI))
		if err != nil {
			b.Fatal(err)
		}
		defer client.Disconnect(context.Background())
		old := make([]any, 0, 1000)
		for i := range history {
			m := notice(i)
			m.ID, m.Status, m.Version, m.CreatedAt, m.SentAt = bson.NewObjectID(), models.OutboxSent, 3, now.AddDate(0, 0, -1), now.AddDate(0, 0, -1)
			old = append(old, m)
			if len(old) == cap(old) || i == history-1 {
				if _, err := client.Database(st.DatabaseName()).Collection("outbox").InsertMany(context.Background(), old); err != nil {
					b.Fatal(err)
				}
				old = old[:0]
			}
		}
	}
	enqueueN(b, st, b.N, now)
	m, err := models.NewMailer(srv.URL(true), models.MailerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	w := &models.OutboxWorker{Store: st, Mailer: m, From: testFrom, Owner: "bench", Batch: 50}
	b.ResetTimer()
	start := time.Now()
	sent := 0
	for sent < b.N {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		sent += n
	}
	b.ReportMetric(float64(sent)/time.Since(start).Seconds(), "msgs/s")
}

// TestShortLeaseIsNotStarted: a worker never starts a message its lease
// might not cover (another instance could take it over mid-send); it hands
// the message back untried.
func TestShortLeaseIsNotStarted(t *testing.T) {
	st := server.Open(t)
	srv := smtptest.Start(t, smtptest.Options{})
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	msgs := enqueueN(t, st, 2, now)
	w := newWorker(t, st, srv.URL(true), func() time.Time { return now })
	w.Lease = 20 * time.Second // less than the send timeout and the margin
	if n, err := w.RunOnce(ctx(t)); n != 0 || err != nil {
		t.Fatalf("sent %d, %v", n, err)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("sent under a lease too short")
	}
	for _, m := range msgs {
		got, _ := st.OutboxByID(ctx(t), m.ID)
		if got.Status != models.OutboxPending || got.Attempts != 0 {
			t.Errorf("%s, attempts %d", got.Status, got.Attempts)
		}
	}
}
