// Package handlers is the HTTP layer: it parses requests, calls models and
// renders templates. Every route is listed once, in routes.go.
package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"studitiru/models"
)

// Deps is everything the handlers need from the process; app/ builds it.
type Deps struct {
	Store    *models.Store
	Logger   *slog.Logger
	Location *time.Location // the host's zone, Asia/Makassar by default
	BaseURL  *url.URL       // public address; https turns on Secure cookies
	Now      func() time.Time
	Sessions models.SessionPolicy
	// TrustedProxies, when set, make the app read the client address from
	// X-Forwarded-For of requests coming from these proxies (sign-in
	// throttling is per client address).
	TrustedProxies []string
	// MailConfigured says an SMTP server is set (SMTP_URL): without one
	// the outbox pages warn that mail only waits. MailFrom is the sender
	// (MAIL_FROM) shown in previews and downloads; empty, the host
	// profile's mailbox stands in.
	MailConfigured bool
	MailFrom       string
	// MetricsToken, when set, is the bearer token /metrics requires
	// (METRICS_TOKEN); empty, /metrics answers only on this machine.
	MetricsToken string
}

// Handlers serves the application's routes.
type Handlers struct {
	deps      Deps
	views     *views
	csrfKey   []byte
	trackKey  []byte     // derives tracking tokens from form keys
	hostCache hostCache  // the stored host profile, read at most every few seconds
	months    monthCache // the public availability months, for a second
	// csrfPlaceholder stands for the visitor's CSRF token in pages
	// rendered once for many visitors (pagecache.go); random, so that no
	// text on a page can be taken for it.
	csrfPlaceholder string
	regions         *models.Regions
	gate            storeGate // closed while the store is unreachable (outage.go)
	metrics         *Metrics
}

// New parses the templates and loads the shared CSRF key from the store.
func New(ctx context.Context, deps Deps) (*Handlers, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Sessions == (models.SessionPolicy{}) {
		deps.Sessions = models.DefaultSessionPolicy()
	}
	v, err := loadViews(deps.Location)
	if err != nil {
		return nil, err
	}
	key, err := deps.Store.SecretKey(ctx, "csrf")
	if err != nil {
		return nil, fmt.Errorf("csrf key: %w", err)
	}
	trackKey, err := deps.Store.SecretKey(ctx, "tracking")
	if err != nil {
		return nil, fmt.Errorf("tracking key: %w", err)
	}
	regions, err := models.LoadRegions()
	if err != nil {
		return nil, err
	}
	h := &Handlers{deps: deps, views: v, csrfKey: key, trackKey: trackKey,
		regions: regions, csrfPlaceholder: "csrf-" + models.NewToken()}
	h.metrics = newMetrics(h)
	return h, nil
}

// secureCookies is true when the app is served over https.
func (h *Handlers) secureCookies() bool {
	return h.deps.BaseURL != nil && h.deps.BaseURL.Scheme == "https"
}
