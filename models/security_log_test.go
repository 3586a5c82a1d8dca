package models_test

import (
	"bytes"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"studitiru/models/smtptest"
)

// TestOutboxNeverRecordsTheSMTPPassword: when the SMTP server refuses the
// configured password, the worker logs the failure and records it on the
// message (which coordinators read on the outbox page), and neither the
// log nor the record holds the password; after a successful delivery the
// log does not either.
func TestOutboxNeverRecordsTheSMTPPassword(t *testing.T) {
	const good, bad = "RahasiaSMTP-77-benar", "RahasiaSMTP-55-salah"
	st := server.Open(t)
	srv := smtptest.Start(t, smtptest.Options{User: "mailer", Pass: good})
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	m := invitation("REQUEST")
	if err := st.Enqueue(ctx(t), m, now); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	wrongURL := srv.URL(true)
	wrongURL.User = url.UserPassword("mailer", bad)
	w := newWorker(t, st, wrongURL, func() time.Time { return now })
	w.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	if n, _ := w.RunOnce(ctx(t)); n != 0 {
		t.Fatalf("sent %d with a wrong password", n)
	}
	got, err := st.OutboxByID(ctx(t), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastError == "" || !strings.Contains(logs.String(), "surel ditunda") {
		t.Fatalf("the failure was not recorded (%q) or logged:\n%s", got.LastError, logs.String())
	}

	later := now.Add(2 * time.Hour)
	w = newWorker(t, st, srv.URL(true), func() time.Time { return later })
	w.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	if n, err := w.RunOnce(ctx(t)); n != 1 || err != nil {
		t.Fatalf("sent %d, %v with the right password", n, err)
	}
	for _, secret := range []string{good, bad} {
		if strings.Contains(logs.String(), secret) || strings.Contains(got.LastError, secret) {
			t.Errorf("password %q recorded:\nlog: %s\nlast error: %s", secret, logs.String(), got.LastError)
		}
	}
}
