package models

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The outbox worker: claims due messages, sends them, records the outcome.
//
// Several app instances may run it on one database. A message is claimed
// by a versioned write (updateVersioned in claims.go: an inserted claim
// whose _id names the message at its version, so exactly one of several
// workers that read the same version wins — FerretDB's conditional
// updates alone are not atomic). The claim moves it to "sending" with a
// lease; a worker that dies leaves the lease to expire, and then any
// worker takes the message over.
//
// Exactly once, and where it cannot be: the message is marked sent right
// after the server's 250 to the end of DATA. If the process dies between
// that 250 and the write (a few milliseconds), the message is still
// "sending"; when its lease expires it is sent again, with the same
// Message-ID (most clients and Gmail show such a duplicate once). No
// protocol can close that window without the server's help. Stopping the
// worker (its context) never opens it: the message being sent is finished
// and recorded, and the rest of the batch is handed back at once.

// Retry policy: 1 min after the first failure, then 2, 4, 8 … capped at an
// hour; a message still failing a day after its first attempt is failed.
const (
	RetryBase   = time.Minute
	RetryMax    = time.Hour
	MaxRetryAge = 24 * time.Hour
)

// RetryAt is when to try again after attempt number attempts (1-based)
// failed at now; ok is false when the message should be given up.
func RetryAt(attempts int, firstAttempt, now time.Time) (next time.Time, ok bool) {
	d := RetryMax
	if attempts >= 1 && attempts <= 7 {
		d = min(RetryBase<<(attempts-1), RetryMax)
	}
	next = now.Add(d)
	if firstAttempt.IsZero() {
		firstAttempt = now
	}
	if next.Sub(firstAttempt) > MaxRetryAge {
		return time.Time{}, false
	}
	return next, true
}

// maxErrorLen bounds a stored error message.
const maxErrorLen = 1000

func errorText(err error) string {
	s := err.Error()
	if len(s) > maxErrorLen {
		s = s[:maxErrorLen] + "…"
	}
	return s
}

// ClaimOutbox claims up to limit due messages for owner: pending ones whose
// NextAttemptAt has come, and sending ones whose lease expired (their
// worker died). Each is moved to sending with a lease until now+lease and
// its attempt counted. Messages another worker claimed first are skipped.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, lease time.Duration, limit int, now time.Time) ([]OutboxMessage, error) {
	if limit <= 0 {
		limit = 1
	}
	now = now.UTC()
	// More candidates than needed: other workers may win some of them.
	candidates, err := s.dueMessages(ctx, 4*limit, now)
	if err != nil {
		return nil, err
	}
	var out []OutboxMessage
	for _, m := range candidates {
		if len(out) == limit {
			break
		}
		first := m.FirstAttemptAt
		if first.IsZero() {
			first = now
		}
		set := bson.D{
			{Key: "status", Value: OutboxSending},
			{Key: "lease_owner", Value: owner},
			{Key: "lease_until", Value: now.Add(lease)},
			{Key: "attempts", Value: m.Attempts + 1},
			{Key: "first_attempt_at", Value: first},
		}
		if m.MessageID == "" { // queued before Message-IDs were assigned
			m.MessageID = s.newMessageID()
			set = append(set, bson.E{Key: "message_id", Value: m.MessageID})
		}
		err := s.updateVersioned(ctx, colOutbox, m.ID, m.Version, set, now)
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
			continue // another worker has it
		}
		if err != nil {
			return out, err
		}
		m.Status, m.LeaseOwner, m.LeaseUntil = OutboxSending, owner, now.Add(lease)
		m.Attempts, m.FirstAttemptAt, m.Version = m.Attempts+1, first, m.Version+1
		// Its due entry stays as it was: the message, sending under a
		// lease, is not due until the lease ends (dueMessages reads it).
		out = append(out, m)
	}
	return out, nil
}

// transition applies set to message id if it is in state from. It reads
// the current version and writes through a claim, retrying when another
// writer moved the version meanwhile. done is false when the message is
// no longer in state from (nothing written).
func (s *Store) transition(ctx context.Context, id bson.ObjectID, from OutboxStatus, set func(m *OutboxMessage) bson.D, now time.Time) (done bool, err error) {
	for range 8 {
		m, err := s.OutboxByID(ctx, id)
		if err != nil {
			return false, err
		}
		if m.Status != from {
			return false, nil
		}
		err = s.updateVersioned(ctx, colOutbox, id, m.Version, set(m), now)
		if errors.Is(err, ErrConflict) {
			continue
		}
		return err == nil, err
	}
	return false, errClaimsExhausted
}

// MarkSent records that the server accepted message id, with its answer.
func (s *Store) MarkSent(ctx context.Context, id bson.ObjectID, reply string, now time.Time) error {
	_, err := s.transition(ctx, id, OutboxSending, func(*OutboxMessage) bson.D {
		return bson.D{
			{Key: "status", Value: OutboxSent},
			{Key: "sent_at", Value: now.UTC()},
			{Key: "server_reply", Value: reply},
			{Key: "last_error", Value: ""},
			{Key: "lease_owner", Value: ""},
			{Key: "lease_until", Value: time.Time{}},
		}
	}, now)
	if err == nil {
		err = s.delivered(ctx, id)
	}
	return err
}

// MarkRetry records a temporary failure: the message is pending again,
// due at next.
func (s *Store) MarkRetry(ctx context.Context, id bson.ObjectID, cause error, next time.Time) error {
	_, err := s.transition(ctx, id, OutboxSending, func(*OutboxMessage) bson.D {
		return bson.D{
			{Key: "status", Value: OutboxPending},
			{Key: "next_attempt_at", Value: next.UTC()},
			{Key: "last_error", Value: errorText(cause)},
			{Key: "lease_owner", Value: ""},
			{Key: "lease_until", Value: time.Time{}},
		}
	}, time.Now())
	if err == nil {
		err = s.markDue(ctx, id, next, time.Now())
	}
	return err
}

// MarkFailed records a permanent failure (or retries given up); the
// message waits for staff to look at it (and perhaps resend it).
func (s *Store) MarkFailed(ctx context.Context, id bson.ObjectID, cause error, now time.Time) error {
	_, err := s.transition(ctx, id, OutboxSending, func(*OutboxMessage) bson.D {
		return bson.D{
			{Key: "status", Value: OutboxFailed},
			{Key: "failed_at", Value: now.UTC()},
			{Key: "last_error", Value: errorText(cause)},
			{Key: "lease_owner", Value: ""},
			{Key: "lease_until", Value: time.Time{}},
		}
	}, now)
	if err == nil {
		err = s.delivered(ctx, id)
	}
	return err
}

// ReleaseOutbox hands a claimed message back untried (the worker is
// stopping, or its lease is too short to start): pending, due as before,
// its attempt not counted.
func (s *Store) ReleaseOutbox(ctx context.Context, id bson.ObjectID, now time.Time) error {
	_, err := s.transition(ctx, id, OutboxSending, func(m *OutboxMessage) bson.D {
		return bson.D{
			{Key: "status", Value: OutboxPending},
			{Key: "attempts", Value: max(m.Attempts-1, 0)},
			{Key: "lease_owner", Value: ""},
			{Key: "lease_until", Value: time.Time{}},
		}
	}, now)
	if err == nil {
		err = s.markDue(ctx, id, now, now)
	}
	return err
}

// OutboxWorker delivers the outbox through Mailer. Owner names this
// process in leases (host/pid/random). Batch and Lease have defaults.
type OutboxWorker struct {
	Store  *Store
	Mailer *Mailer
	From   string // the host's mailbox: MAIL_FROM
	Owner  string
	Logger *slog.Logger
	Now    func() time.Time

	Batch int           // messages claimed at once; default 20
	Lease time.Duration // how long a claim holds; default 10 min

	// OnFailure, when set, hears of every failed attempt: permanent when
	// the message is given up, else it will be retried (app/ counts them
	// for /metrics).
	OnFailure func(permanent bool)
}

// leaseMargin is kept in hand beyond the send timeout before a message is
// started, for the writes around it.
const leaseMargin = 30 * time.Second

func (w *OutboxWorker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *OutboxWorker) batch() int {
	if w.Batch > 0 {
		return w.Batch
	}
	return 20
}

func (w *OutboxWorker) lease() time.Duration {
	if w.Lease > 0 {
		return w.Lease
	}
	return 10 * time.Minute
}

func (w *OutboxWorker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// RunOnce claims one batch and sends it over one connection. It returns
// how many messages the server accepted. Cancelling ctx stops it between
// two messages: the one being sent is finished and recorded, the rest
// are handed back.
func (w *OutboxWorker) RunOnce(ctx context.Context) (sent int, err error) {
	sent, _, err = w.runOnce(ctx)
	return sent, err
}

func (w *OutboxWorker) runOnce(ctx context.Context) (sent, claimed int, err error) {
	msgs, err := w.Store.ClaimOutbox(ctx, w.Owner, w.lease(), w.batch(), w.now())
	if err != nil || len(msgs) == 0 {
		return 0, len(msgs), err
	}
	// What happened at the server must be written down even when the
	// worker is being stopped.
	bg := context.WithoutCancel(ctx)
	var sess *MailSession
	defer func() { _ = sess.Close() }()
	for i := range msgs {
		m := &msgs[i]
		if ctx.Err() != nil {
			w.release(bg, msgs[i:])
			return sent, len(msgs), ctx.Err()
		}
		// Another instance may take the message over when the lease
		// ends: never start a send that could outlive it.
		if w.now().Add(w.Mailer.SendTimeout() + leaseMargin).After(m.LeaseUntil) {
			w.release(bg, msgs[i:i+1])
			continue
		}
		msg, err := BuildMessage(m, w.From)
		if err != nil {
			w.failed(bg, m, err)
			continue
		}
		if !sess.Alive() {
			_ = sess.Close()
			if sess, err = w.Mailer.Dial(ctx); err != nil {
				sess = nil
				if ctx.Err() != nil {
					w.release(bg, msgs[i:])
					return sent, len(msgs), ctx.Err()
				}
				// The server is unreachable: every message of the batch
				// waits for its next attempt.
				for j := i; j < len(msgs); j++ {
					w.retry(bg, &msgs[j], err)
				}
				return sent, len(msgs), err
			}
		}
		reply, err := sess.Send(msg)
		switch {
		case err == nil:
			w.sent(bg, m, reply)
			sent++
		case IsPermanent(err):
			w.failed(bg, m, err)
		default:
			w.retry(bg, m, err)
			// The connection may be what failed: the next message
			// gets a fresh one.
			_ = sess.Close()
			sess = nil
		}
	}
	return sent, len(msgs), nil
}

// sent records an accepted message, insisting a little: a lost write
// means the message is sent again when its lease expires.
func (w *OutboxWorker) sent(ctx context.Context, m *OutboxMessage, reply string) {
	var err error
	for try := range 3 {
		if err = w.Store.MarkSent(ctx, m.ID, reply, w.now()); err == nil {
			w.logger().Info("surel terkirim", "id", m.ID.Hex(), "kind", m.Kind, "to", m.To, "reply", reply)
			return
		}
		time.Sleep(time.Duration(try+1) * 500 * time.Millisecond)
	}
	w.logger().Error("surel terkirim tetapi tidak tercatat; bisa terkirim dua kali", "id", m.ID.Hex(), "err", err)
}

func (w *OutboxWorker) retry(ctx context.Context, m *OutboxMessage, cause error) {
	now := w.now()
	next, ok := RetryAt(m.Attempts, m.FirstAttemptAt, now)
	if !ok {
		w.failed(ctx, m, cause)
		return
	}
	if w.OnFailure != nil {
		w.OnFailure(false)
	}
	if err := w.Store.MarkRetry(ctx, m.ID, cause, next); err != nil {
		w.logger().Error("catat percobaan ulang surel", "id", m.ID.Hex(), "err", err)
		return
	}
	w.logger().Warn("surel ditunda", "id", m.ID.Hex(), "attempts", m.Attempts, "next", next, "err", cause)
}

func (w *OutboxWorker) failed(ctx context.Context, m *OutboxMessage, cause error) {
	if w.OnFailure != nil {
		w.OnFailure(true)
	}
	if err := w.Store.MarkFailed(ctx, m.ID, cause, w.now()); err != nil {
		w.logger().Error("catat kegagalan surel", "id", m.ID.Hex(), "err", err)
		return
	}
	w.logger().Error("surel gagal", "id", m.ID.Hex(), "kind", m.Kind, "to", m.To, "attempts", m.Attempts, "err", cause)
}

func (w *OutboxWorker) release(ctx context.Context, msgs []OutboxMessage) {
	for _, m := range msgs {
		if err := w.Store.ReleaseOutbox(ctx, m.ID, w.now()); err != nil {
			w.logger().Error("kembalikan surel ke antrean", "id", m.ID.Hex(), "err", err)
		}
	}
}

// Run delivers until ctx ends: a batch, then another at once while
// batches come full, else a pause of every.
func (w *OutboxWorker) Run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		_, claimed, err := w.runOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			w.logger().Warn("pengiriman surel", "err", err)
		}
		if err == nil && claimed >= w.batch() {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
