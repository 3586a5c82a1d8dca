package models_test

import (
	"errors"
	"regexp"
	"testing"
	"time"

	"studitiru/models"
	"studitiru/models/smtptest"
)

// TestEnqueueAssignsAMessageID: each message gets its own Message-ID at
// once, in the host's domain.
func TestEnqueueAssignsAMessageID(t *testing.T) {
	st := server.Open(t)
	st.SetMailDomain("studitiru.badungkab.go.id")
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	msgs := enqueueN(t, st, 2, now)
	re := regexp.MustCompile(`^<[0-9a-f]{32}@studitiru\.badungkab\.go\.id>$`)
	for _, m := range msgs {
		got, err := st.OutboxByID(ctx(t), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(got.MessageID) || got.MessageID != m.MessageID {
			t.Errorf("Message-ID %q", got.MessageID)
		}
		if got.Status != models.OutboxPending || !got.NextAttemptAt.Equal(now) || got.Version != 1 {
			t.Errorf("new message: %s, due %v, version %d", got.Status, got.NextAttemptAt, got.Version)
		}
	}
	if msgs[0].MessageID == msgs[1].MessageID {
		t.Error("two messages share a Message-ID")
	}
}

// TestListOutboxPagesAndCounts: newest first, filtered by state, with
// counts per state.
func TestListOutboxPagesAndCounts(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	for i := range 7 {
		m := notice(i)
		if err := st.Enqueue(ctx(t), m, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	claimed, _ := st.ClaimOutbox(ctx(t), "w", time.Minute, 2, now.Add(time.Hour))
	if err := st.MarkFailed(ctx(t), claimed[0].ID, errors.New("550 tidak ada"), now); err != nil {
		t.Fatal(err)
	}
	page, total, err := st.ListOutbox(ctx(t), models.OutboxFilter{PerPage: 3, Page: 1})
	if err != nil || total != 7 || len(page) != 3 {
		t.Fatalf("page of %d, total %d, %v", len(page), total, err)
	}
	if page[0].Subject != "Pesan 3" || page[2].Subject != "Pesan 1" {
		t.Errorf("second page: %q … %q, want newest first", page[0].Subject, page[2].Subject)
	}
	if page[0].Text != "" {
		t.Error("the list carries bodies")
	}
	failed, total, _ := st.ListOutbox(ctx(t), models.OutboxFilter{Status: models.OutboxFailed})
	if total != 1 || failed[0].ID != claimed[0].ID || failed[0].LastError != "550 tidak ada" {
		t.Errorf("failed filter: %d %+v", total, failed)
	}
	c := statuses(t, st)
	if c[models.OutboxPending] != 5 || c[models.OutboxSending] != 1 || c[models.OutboxFailed] != 1 {
		t.Errorf("counts %v", c)
	}
}

// TestResendOutbox: a failed message is queued again in place (same
// Message-ID, fresh attempts); a sent one gets a threaded copy and stays
// sent; a message on its way cannot be resent; a double click resends once.
func TestResendOutbox(t *testing.T) {
	st := server.Open(t)
	srv := smtptest.Start(t, smtptest.Options{})
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	failedMsg, sentMsg, waiting := invitation("REQUEST"), notice(1), notice(2)
	sentMsg.ThreadKey = ""
	for _, m := range []*models.OutboxMessage{failedMsg, sentMsg} {
		if err := st.Enqueue(ctx(t), m, now); err != nil {
			t.Fatal(err)
		}
	}
	claimed, _ := st.ClaimOutbox(ctx(t), "w", time.Minute, 2, now)
	if len(claimed) != 2 {
		t.Fatal("claim")
	}
	_ = st.MarkFailed(ctx(t), failedMsg.ID, errors.New("550 kotak surat tidak ada"), now)
	_ = st.MarkSent(ctx(t), sentMsg.ID, "250 OK", now)
	if err := st.Enqueue(ctx(t), waiting, now); err != nil {
		t.Fatal(err)
	}

	f, _ := st.OutboxByID(ctx(t), failedMsg.ID)
	again, err := st.ResendOutbox(ctx(t), f.ID, f.Version, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != f.ID || again.Status != models.OutboxPending || again.Attempts != 0 || again.MessageID != f.MessageID {
		t.Errorf("failed → %+v", again)
	}
	if _, err := st.ResendOutbox(ctx(t), f.ID, f.Version, now.Add(time.Hour)); !errors.Is(err, models.ErrConflict) {
		t.Errorf("double click: %v, want ErrConflict", err)
	}

	s, _ := st.OutboxByID(ctx(t), sentMsg.ID)
	cp, err := st.ResendOutbox(ctx(t), s.ID, s.Version, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if cp.ID == s.ID || cp.ResendOf != s.ID || cp.MessageID == s.MessageID || cp.InReplyTo != s.MessageID || cp.Subject != s.Subject {
		t.Errorf("copy %+v", cp)
	}
	orig, _ := st.OutboxByID(ctx(t), s.ID)
	if orig.Status != models.OutboxSent || orig.ResentAs != cp.ID || orig.SentAt.IsZero() {
		t.Errorf("original after resend: %s, resent as %s", orig.Status, orig.ResentAs.Hex())
	}
	if _, err := st.ResendOutbox(ctx(t), s.ID, s.Version, now.Add(time.Hour)); !errors.Is(err, models.ErrConflict) {
		t.Errorf("second resend at the old version: %v", err)
	}
	w, _ := st.OutboxByID(ctx(t), waiting.ID)
	if _, err := st.ResendOutbox(ctx(t), w.ID, w.Version, now); !errors.Is(err, models.ErrConflict) {
		t.Errorf("resend of a pending message: %v", err)
	}

	// Both go out; the copy is a reply to the original.
	worker := newWorker(t, st, srv.URL(true), func() time.Time { return now.Add(2 * time.Hour) })
	if n, err := worker.RunOnce(ctx(t)); err != nil || n != 3 {
		t.Fatalf("sent %d, %v", n, err)
	}
	counts := srv.CountByMessageID()
	if counts[f.MessageID] != 1 || counts[cp.MessageID] != 1 || counts[s.MessageID] != 0 {
		t.Errorf("arrivals %v", counts)
	}
}
