package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"studitiru/models"
	"studitiru/models/smtptest"
	"studitiru/models/storetest"
)

// TestConfiguredAppDeliversTheOutbox: with SMTP_URL and MAIL_FROM set,
// the running application sends what is queued, from MAIL_FROM, with a
// Message-ID in the host's domain, and records it as sent.
func TestConfiguredAppDeliversTheOutbox(t *testing.T) {
	engine, err := storetest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Stop()
	db := storetest.DatabaseName(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := models.Open(ctx, engine.URI, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())

	box := smtptest.Start(t, smtptest.Options{})

	// Queued while no SMTP server was configured (by another instance):
	// the worker sends it once the app starts with one.
	m := &models.OutboxMessage{Kind: "uji", To: []string{"ayu@konselkab.go.id"}, Subject: "Uji pengiriman",
		Text: "Halo", HTML: "<p>Halo</p>", Language: "id"}
	if err := st.Enqueue(ctx, m, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, logs, stop := startApp(t, t.TempDir(), "-mongodb-uri", engine.URI, "-mongodb-db", db,
		"-smtp-url", box.URL(true).String(), "-mail-from", "MPP Badung <dpmptsp@badungkab.go.id>")
	defer stop()
	deadline := time.Now().Add(30 * time.Second)
	for len(box.Messages()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("nothing delivered:\n%s", logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(box.Messages()[0])))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.Header.Get("From"), "dpmptsp@badungkab.go.id") || msg.Header.Get("Message-ID") != m.MessageID {
		t.Errorf("From %q, Message-ID %q (queued %q)", msg.Header.Get("From"), msg.Header.Get("Message-ID"), m.MessageID)
	}
	for {
		got, err := st.OutboxByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == models.OutboxSent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %s after delivery", got.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.Contains(logs.String(), "SMTP_URL kosong") {
		t.Error("the app says SMTP is not configured")
	}
}

// TestMailDomainComesFromMailFrom: Message-IDs end in "studitiru." and
// the domain of MAIL_FROM, else BASE_URL's host.
func TestMailDomainComesFromMailFrom(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-mail-from", "MPP <dpmptsp@BadungKab.go.id>"}, "studitiru.badungkab.go.id"},
		{[]string{"-base-url", "https://studitiru.badungkab.go.id"}, "studitiru.badungkab.go.id"},
		{nil, "studitiru.localhost"},
	} {
		cfg, err := LoadConfig(tc.args, envOf(nil), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := mailDomain(cfg); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.args, got, tc.want)
		}
	}
}

// TestMailConfigRules: the SMTP URL's TLS rule and the DKIM settings are
// checked at start.
func TestMailConfigRules(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	key := filepath.Join(t.TempDir(), "dkim.pem")
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	notKey := filepath.Join(t.TempDir(), "bukan.pem")
	_ = os.WriteFile(notKey, []byte("bukan kunci"), 0o600)
	base := map[string]string{"SMTP_URL": "smtp://mailer:rahasia@mail.badungkab.go.id:587", "MAIL_FROM": "dpmptsp@badungkab.go.id"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		want string // "" = valid
	}{
		"plain":             {with(nil), ""},
		"dkim":              {with(map[string]string{"DKIM_SELECTOR": "studitiru", "DKIM_DOMAIN": "BadungKab.go.id", "DKIM_KEY_FILE": key}), ""},
		"dkim incomplete":   {with(map[string]string{"DKIM_SELECTOR": "studitiru", "DKIM_KEY_FILE": key}), "DKIM_SELECTOR, DKIM_DOMAIN dan DKIM_KEY_FILE"},
		"dkim bad key":      {with(map[string]string{"DKIM_SELECTOR": "s", "DKIM_DOMAIN": "badungkab.go.id", "DKIM_KEY_FILE": notKey}), "DKIM_KEY_FILE"},
		"dkim missing file": {with(map[string]string{"DKIM_SELECTOR": "s", "DKIM_DOMAIN": "badungkab.go.id", "DKIM_KEY_FILE": "/tidak/ada.pem"}), "DKIM_KEY_FILE"},
		"clear text remote": {with(map[string]string{"SMTP_URL": "smtp://mail.badungkab.go.id:25?tls=none"}), "tls=none"},
		"clear text local":  {with(map[string]string{"SMTP_URL": "smtp://127.0.0.1:25?tls=none"}), ""},
	} {
		cfg, err := LoadConfig(nil, envOf(tc.env), io.Discard)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error about %s", name, err, tc.want)
		case name == "dkim" && (cfg.DKIM == nil || cfg.DKIM.Domain != "badungkab.go.id" || cfg.DKIM.Signer == nil):
			t.Errorf("dkim: %+v", cfg.DKIM)
		}
	}
}
