package main

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(nil, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:3000" || cfg.BaseURL.String() != "http://localhost:3000" ||
		cfg.DataDir != "./data" || cfg.MongoURI != "" || cfg.MongoDB != "studitiru" ||
		cfg.Location.String() != "Asia/Makassar" || cfg.SMTPURL != nil {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	env := envOf(map[string]string{
		"LISTEN_ADDR": "0.0.0.0:8080", "BASE_URL": "https://studitiru.badungkab.go.id/",
		"MONGODB_URI": "mongodb://db1:27017/?replicaSet=rs0", "MONGODB_DB": "dariEnv",
	})
	cfg, err := LoadConfig([]string{"-mongodb-db", "dariFlag", "-data-dir", "/var/lib/studitiru"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MongoDB != "dariFlag" || cfg.Addr != "0.0.0.0:8080" || cfg.DataDir != "/var/lib/studitiru" {
		t.Errorf("got %+v", cfg)
	}
	if cfg.BaseURL.String() != "https://studitiru.badungkab.go.id" {
		t.Errorf("base URL %q", cfg.BaseURL)
	}
}

func TestInvalidConfigListsEveryProblem(t *testing.T) {
	env := envOf(map[string]string{
		"LISTEN_ADDR": "3000", "BASE_URL": "ftp://x", "MONGODB_URI": "postgres://x",
		"SMTP_URL": "http://mail", "MAIL_FROM": "bukan alamat", "HOST_TIMEZONE": "Asia/Bali",
	})
	_, err := LoadConfig(nil, env, io.Discard)
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, want := range []string{"LISTEN_ADDR", "BASE_URL", "MONGODB_URI", "SMTP_URL", "MAIL_FROM", "HOST_TIMEZONE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

func TestConfigSummaryRedactsSecrets(t *testing.T) {
	env := envOf(map[string]string{
		"MONGODB_URI": "mongodb://studitiru:RahasiaDB99@db1:27017/?replicaSet=rs0",
		"SMTP_URL":    "smtp://mailer:RahasiaSMTP77@mail.badungkab.go.id:587",
		"MAIL_FROM":   "studitiru@badungkab.go.id", "ADMIN_PASSWORD": "RahasiaAdmin55",
	})
	cfg, err := LoadConfig(nil, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("konfigurasi", "config", cfg)
	line := buf.String()
	for _, secret := range []string{"RahasiaDB99", "RahasiaSMTP77", "RahasiaAdmin55"} {
		if strings.Contains(line, secret) {
			t.Errorf("summary leaks %s: %s", secret, line)
		}
	}
	if !strings.Contains(line, "db1:27017") || !strings.Contains(line, "mail.badungkab.go.id") {
		t.Errorf("summary lost the useful part: %s", line)
	}
	if strings.Count(line, "\n") != 1 {
		t.Errorf("summary is not one line: %q", line)
	}
}
