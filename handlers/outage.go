package handlers

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// When the store cannot be reached every call waits for the driver's
// server selection timeout (10 s in models.Open) before it fails, and a
// page makes several. So the first request that finds the store
// unreachable (or a failing /readyz, which load balancers poll every few
// seconds) closes the gate: from then on pages answer 503 at once, and
// at most one request a second tries a ping. The first ping that answers
// opens the gate again: the app recovers by itself, without a restart,
// as the driver reconnects on its own.
//
// A per-request deadline would also make pages fail fast, but on the
// embedded engine some staff pages legitimately take seconds with
// thousands of visits (docs/PERFORMANCE.md); the gate only reacts to the
// store being unreachable, never to it being slow.
type storeGate struct {
	down      atomic.Bool
	probing   sync.Mutex   // one probe at a time
	lastProbe atomic.Int64 // unix nanoseconds of the last probe
}

const (
	// probeEvery is how often, at most, a request tries the store while
	// the gate is closed; the others get the 503 page at once.
	probeEvery   = time.Second
	probeTimeout = 2 * time.Second
	// retryAfter is the Retry-After of every 503, in seconds.
	retryAfter = "30"
)

// errStoreDown is the answer while the gate is closed.
var errStoreDown = fiber.NewError(fiber.StatusServiceUnavailable, "store unavailable")

// storeExempt are the paths that never touch the store through the gate:
// health checks (readyz is the probe itself), metrics (they report the
// outage) and static files.
func storeExempt(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics" || strings.HasPrefix(path, "/static/")
}

// guardStore is the middleware: while the gate is closed, answer 503
// unless this request's probe finds the store back.
func (h *Handlers) guardStore(c *fiber.Ctx) error {
	if !h.gate.down.Load() || storeExempt(c.Path()) {
		return c.Next()
	}
	if !h.probeStore(c.UserContext()) {
		return errStoreDown
	}
	return c.Next()
}

// probeStore pings the store if no other request is doing so and the last
// ping is old enough; it reports whether the store is usable.
func (h *Handlers) probeStore(ctx context.Context) bool {
	if !h.gate.probing.TryLock() {
		return !h.gate.down.Load()
	}
	defer h.gate.probing.Unlock()
	if !h.gate.down.Load() {
		return true // another request found it back meanwhile
	}
	if time.Since(time.Unix(0, h.gate.lastProbe.Load())) < probeEvery {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	err := h.deps.Store.Ping(ctx)
	h.gate.lastProbe.Store(time.Now().UnixNano())
	if err != nil {
		return false
	}
	h.storeReachable()
	return true
}

// storeUnreachable closes the gate; the transition is logged once.
func (h *Handlers) storeUnreachable(err error) {
	if h.gate.down.CompareAndSwap(false, true) {
		h.gate.lastProbe.Store(time.Now().UnixNano())
		h.deps.Logger.Error("penyimpanan tidak terjangkau: halaman menjawab 503 sampai pulih", "err", err)
	}
}

// storeReachable opens the gate; the transition is logged once.
func (h *Handlers) storeReachable() {
	if h.gate.down.CompareAndSwap(true, false) {
		h.deps.Logger.Warn("penyimpanan kembali terjangkau")
	}
}

// StoreUp says whether the gate is open (for /metrics and tests).
func (h *Handlers) StoreUp() bool { return !h.gate.down.Load() }

// lastKnown is the host profile as last read, without reading the store:
// pages rendered during an outage (the 503 page first) show it. A read in
// progress holds the lock; then the defaults do.
func (c *hostCache) lastKnown() models.HostProfile {
	if !c.mu.TryLock() {
		return models.DefaultHostProfile()
	}
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return models.DefaultHostProfile()
	}
	return c.profile
}
