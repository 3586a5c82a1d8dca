package main

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestOpsConfig: METRICS_TOKEN must be long enough and never appears in
// the logged summary; WORKER_INTERVAL defaults to a minute and is bounded.
func TestOpsConfig(t *testing.T) {
	cfg, err := LoadConfig(nil, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MetricsToken != "" || cfg.WorkerInterval != time.Minute {
		t.Errorf("defaults: token %q, interval %v", cfg.MetricsToken, cfg.WorkerInterval)
	}
	secret := "RahasiaMetrik-0123456789"
	cfg, err = LoadConfig([]string{"-worker-interval", "2s"}, envOf(map[string]string{"METRICS_TOKEN": secret}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MetricsToken != secret || cfg.WorkerInterval != 2*time.Second {
		t.Errorf("got token %q, interval %v", cfg.MetricsToken, cfg.WorkerInterval)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("konfigurasi", "config", cfg)
	if strings.Contains(buf.String(), secret) || !strings.Contains(buf.String(), "metrics=") {
		t.Errorf("summary: %s", buf.String())
	}
	for env, value := range map[string]string{
		"METRICS_TOKEN": "pendek", "WORKER_INTERVAL": "500ms",
	} {
		_, err := LoadConfig(nil, envOf(map[string]string{env: value}), io.Discard)
		if err == nil || !strings.Contains(err.Error(), env) {
			t.Errorf("%s=%s: %v, want a refusal naming it", env, value, err)
		}
	}
	if _, err := LoadConfig(nil, envOf(map[string]string{"WORKER_INTERVAL": "2h"}), io.Discard); err == nil {
		t.Error("WORKER_INTERVAL=2h accepted")
	}
}
