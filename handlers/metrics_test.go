package handlers_test

import (
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/common/expfmt"

	"studitiru/handlers"
	"studitiru/models"
	"studitiru/models/smtptest"
)

const metricsToken = "uji-token-metrik-0123456789"

// TestMetricsScrapeHasTheFamiliesAndNoTokens: after a request, a tracking
// page, a lost race and a refused email, a scrape names each in its family,
// by route pattern, and no tracking token or visit ID appears anywhere.
func TestMetricsScrapeHasTheFamiliesAndNoTokens(t *testing.T) {
	e := newEnvWith(t, server.Open(t), func(d *handlers.Deps) { d.MetricsToken = metricsToken })
	token, v := submitted(t, e)
	if res := e.do("GET", "/lacak/"+token, nil, ""); res.status != http.StatusOK {
		t.Fatalf("tracking page: %d", res.status)
	}
	if res := e.do("GET", "/lacak/"+strings.Repeat("x", 32), nil, ""); res.status != http.StatusNotFound {
		t.Fatalf("unknown token: %d", res.status)
	}
	// A colleague approved first: this form's version is stale.
	coord := e.sessionFor(models.RoleCoordinator)
	form := approvalForm(e, v, "2026-03-12", "pagi")
	form.Set("version", "99")
	if res := e.post("/staf/permohonan/"+v.ID.Hex()+"/setujui", form, coord); res.status != http.StatusConflict {
		t.Fatalf("stale approval: %d, want 409", res.status)
	}
	// The acknowledgement is refused for good by the mail server.
	box := smtptest.Start(t, smtptest.Options{})
	box.Set(func(s *smtptest.Server) {
		s.RejectRcpt = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	})
	mailer, err := models.NewMailer(box.URL(true), models.MailerOptions{ConnectTimeout: 3 * time.Second, SendTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w := &models.OutboxWorker{Store: e.store, Mailer: mailer, From: "MPP Badung <dpmptsp@badungkab.go.id>", Owner: "uji",
		Now: e.clock.Now, OnFailure: e.handlers.Metrics().OutboxSendFailed}
	if _, err := w.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}

	e.header = http.Header{"Authorization": {"Bearer " + metricsToken}}
	res := e.do("GET", "/metrics", nil, "")
	e.header = nil
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %q\n%.500s", res.status, res.header.Get("Content-Type"), res.body)
	}
	// What Prometheus reads: the text format, parsed by its own parser.
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(strings.NewReader(res.body))
	if err != nil {
		t.Fatalf("the scrape is not in Prometheus' text format: %v", err)
	}
	for _, name := range []string{"studitiru_http_request_duration_seconds", "studitiru_write_conflicts_total",
		"studitiru_outbox_messages", "studitiru_outbox_send_failures_total", "studitiru_store_up"} {
		if families[name] == nil {
			t.Errorf("no family %s", name)
		}
	}
	for _, want := range []string{
		`studitiru_http_request_duration_seconds_count{code="303",method="POST",route="/ajukan"} 1`,
		`studitiru_http_request_duration_seconds_count{code="200",method="GET",route="/lacak/:token"} 1`,
		`studitiru_http_request_duration_seconds_count{code="404",method="GET",route="/lacak/:token"} 1`,
		`studitiru_http_request_duration_seconds_bucket{code="200",method="GET",route="/lacak/:token",le="0.005"}`,
		`studitiru_write_conflicts_total{route="/staf/permohonan/:id/setujui"} 1`,
		`studitiru_outbox_messages{status="failed"} 1`,
		`studitiru_outbox_messages{status="pending"} 0`,
		`studitiru_outbox_send_failures_total{kind="permanent"} 1`,
		`studitiru_outbox_send_failures_total{kind="temporary"} 0`,
		`studitiru_store_up 1`,
		`go_goroutines `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	for _, secret := range []string{token, v.ID.Hex(), strings.Repeat("x", 32), metricsToken} {
		if strings.Contains(res.body, secret) {
			t.Errorf("scrape contains %q", secret)
		}
	}
	// Every route label is a pattern of the table (or "other").
	patterns := map[string]bool{"other": true}
	for _, r := range e.handlers.Routes() {
		patterns[r.Path] = true
	}
	for _, m := range regexp.MustCompile(`route="([^"]*)"`).FindAllStringSubmatch(res.body, -1) {
		if !patterns[m[1]] {
			t.Errorf("route label %q is not a route pattern", m[1])
		}
	}
}

// TestMetricsAreGuarded: with METRICS_TOKEN only its bearer reads them;
// without it only a client on this machine that did not come through a
// proxy does.
func TestMetricsAreGuarded(t *testing.T) {
	e := newEnvWith(t, server.Open(t), func(d *handlers.Deps) { d.MetricsToken = metricsToken })
	for name, hdr := range map[string]http.Header{
		"none":   nil,
		"wrong":  {"Authorization": {"Bearer " + strings.Repeat("y", len(metricsToken))}},
		"basic":  {"Authorization": {"Basic " + metricsToken}},
		"prefix": {"Authorization": {"Bearer " + metricsToken[:10]}},
	} {
		e.header = hdr
		res := e.do("GET", "/metrics", nil, "")
		if res.status != http.StatusUnauthorized || strings.Contains(res.body, "studitiru_") {
			t.Errorf("%s token: %d, want 401 without metrics", name, res.status)
		}
	}
	e.header = nil
	// Without a token: a real listener, so that the peer is a real address.
	open := newEnvWith(t, server.Open(t), nil)
	if res := open.do("GET", "/metrics", nil, ""); res.status != http.StatusForbidden {
		t.Errorf("no token, not from loopback (app.Test): %d, want 403", res.status)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := open.handlers.App()
	go func() { _ = app.Listener(ln) }()
	defer app.Shutdown()
	get := func(header http.Header) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/metrics", nil)
		req.Header = header
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get(http.Header{}); code != http.StatusOK || !strings.Contains(body, "studitiru_store_up 1") {
		t.Errorf("no token, from loopback: %d", code)
	}
	if code, _ := get(http.Header{"X-Forwarded-For": {"203.0.113.7"}}); code != http.StatusForbidden {
		t.Errorf("no token, through a local proxy: %d, want 403", code)
	}
}
