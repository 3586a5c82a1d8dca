package handlers

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"studitiru/models"
)

// Metrics are the application's Prometheus metrics, on a registry of its
// own (never the library's global one): every Handlers value, and so every
// test, has separate counters.
//
// Label values come only from fixed sets: the route pattern of the route
// table ("/lacak/:token", never the path, which carries tokens), the
// method, the status code, an outbox status, a failure kind.
type Metrics struct {
	registry     *prometheus.Registry
	requests     *prometheus.HistogramVec
	conflicts    *prometheus.CounterVec
	mailFailures *prometheus.CounterVec
	routes       map[string]bool // "GET /lacak/:token": the table's patterns
	serve        fiber.Handler   // the registry in the text format
}

// newMetrics registers every metric; outbox and up are read at scrape time.
func newMetrics(h *Handlers) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "studitiru_http_request_duration_seconds",
			Help:    "Duration of HTTP requests by route pattern, method and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route", "code"}),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "studitiru_write_conflicts_total",
			Help: "Writes refused because someone else changed the document first (models.ErrConflict), by route pattern.",
		}, []string{"route"}),
		mailFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "studitiru_outbox_send_failures_total",
			Help: "Failed delivery attempts of outbox messages: temporary (retried later) or permanent (given up).",
		}, []string{"kind"}),
		routes: map[string]bool{},
	}
	for _, r := range h.Routes() {
		m.routes[r.Method+" "+r.Path] = true
		if r.Method == fiber.MethodGet {
			m.routes[fiber.MethodHead+" "+r.Path] = true
		}
	}
	// Both kinds exist from the start, so a rate() sees the first failure.
	m.mailFailures.WithLabelValues("temporary")
	m.mailFailures.WithLabelValues("permanent")
	m.registry.MustRegister(
		m.requests, m.conflicts, m.mailFailures,
		&outboxCollector{h: h},
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "studitiru_store_up",
			Help: "1 while the store is reachable, 0 while pages answer 503 because it is not.",
		}, func() float64 {
			if h.StoreUp() {
				return 1
			}
			return 0
		}),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m.serve = adaptor.HTTPHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
	}))
	return m
}

// Metrics is the registry's owner; app/ wires the outbox worker's
// failures to it (OutboxSendFailed).
func (h *Handlers) Metrics() *Metrics { return h.metrics }

// Registry is the registry /metrics serves.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// OutboxSendFailed counts one failed delivery attempt; it has the shape
// of models.OutboxWorker.OnFailure.
func (m *Metrics) OutboxSendFailed(permanent bool) {
	kind := "temporary"
	if permanent {
		kind = "permanent"
	}
	m.mailFailures.WithLabelValues(kind).Inc()
}

// routeOf is the route pattern that served c, or "other" for requests no
// route of the table handled (404s, refusals by middleware).
func (m *Metrics) routeOf(c *fiber.Ctx) string {
	r := c.Route()
	if m.routes[r.Method+" "+r.Path] {
		return r.Path
	}
	return "other"
}

// observe is the middleware that times every request.
func (h *Handlers) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = statusOf(err) // the error handler has not run yet
	}
	h.metrics.requests.WithLabelValues(methodLabel(c.Method()), h.metrics.routeOf(c), strconv.Itoa(status)).
		Observe(time.Since(start).Seconds())
	return err
}

// methodLabel is the method as a label value: a constant string (Fiber's
// c.Method() points into a buffer it reuses for the next request, and
// the registry keeps its label values), and only the methods the app
// knows, so that a client cannot invent new series.
func methodLabel(m string) string {
	for _, known := range []string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodOptions} {
		if m == known {
			return known
		}
	}
	return "other"
}

// countConflict counts a write lost to a concurrent change, where a
// handler receives models.ErrConflict (returned to handleError, or
// answered in place with the current state).
func (h *Handlers) countConflict(c *fiber.Ctx) {
	h.metrics.conflicts.WithLabelValues(h.metrics.routeOf(c)).Inc()
}

// metricsPage serves the metrics in Prometheus' text format, to a scraper
// with METRICS_TOKEN as bearer token, or, without a token configured, only
// to a client on this machine that did not come through a proxy.
func (h *Handlers) metricsPage(c *fiber.Ctx) error {
	if token := h.deps.MetricsToken; token != "" {
		got, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return fiber.ErrUnauthorized
		}
	} else if !fromThisMachine(c) {
		return models.ErrForbidden
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.metrics.serve(c)
}

// fromThisMachine: the TCP peer is a loopback address and no proxy header
// names another client. A reverse proxy on the same machine always adds
// X-Forwarded-For (DEPLOY.md), so public requests through it are refused
// even though they too arrive from 127.0.0.1.
func fromThisMachine(c *fiber.Ctx) bool {
	ip := c.Context().RemoteIP()
	if ip == nil || !ip.IsLoopback() {
		return false
	}
	for _, hdr := range []string{fiber.HeaderXForwardedFor, "Forwarded", "X-Real-Ip"} {
		if c.Get(hdr) != "" {
			return false
		}
	}
	return true
}

// outboxCollector reports the outbox's depth by status. Counting reads the
// whole outbox on the embedded engine (FerretDB filters in Go), so the
// counts are kept for outboxCountsAge between scrapes; while the store is
// unreachable nothing is reported (store_up says why).
type outboxCollector struct {
	h      *Handlers
	mu     sync.Mutex
	counts map[models.OutboxStatus]int
	at     time.Time
}

const outboxCountsAge = 30 * time.Second

var outboxDesc = prometheus.NewDesc("studitiru_outbox_messages",
	"Messages in the outbox by status (pending, sending, sent, failed).", []string{"status"}, nil)

func (o *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- outboxDesc }

func (o *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.at.IsZero() || time.Since(o.at) >= outboxCountsAge {
		if !o.h.StoreUp() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		defer cancel()
		counts, err := o.h.deps.Store.OutboxCounts(ctx)
		if err != nil {
			o.h.deps.Logger.Warn("metrics: outbox counts", "err", err)
			return
		}
		o.counts, o.at = counts, time.Now()
	}
	for _, s := range []models.OutboxStatus{models.OutboxPending, models.OutboxSending, models.OutboxSent, models.OutboxFailed} {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(o.counts[s]), string(s))
	}
}
