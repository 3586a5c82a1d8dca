package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// Cookie and locals names.
const (
	sessionCookie = "st_session"
	csrfCookie    = "st_csrf"
	langCookie    = "st_lang"
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"

	localUser    = "user"
	localSession = "sessionToken"
	localExpired = "sessionExpired"
	localLang    = "lang"
	localCSRF    = "csrf"
)

// logRequests writes one structured line per request: method, path (without
// the query, and with the secret of a private link redacted, see
// redactPath), status and duration.
func (h *Handlers) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		// The error handler has not run yet; ask it what it will answer.
		status = statusOf(err)
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	h.deps.Logger.LogAttrs(c.UserContext(), level, "http",
		slog.String("method", c.Method()),
		slog.String("path", redactPath(c.Path())),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
	)
	return err
}

// secretRoutes are the first path segments of the private links whose next
// segment is the credential itself: a delegation's tracking link, a survey
// link, a staff member's calendar subscription. Whoever reads the logs
// must not be able to open them.
var secretRoutes = map[string]bool{"lacak": true, "survei": true, "kalender": true}

// minTokenLength: a run of this many URL-safe base64 characters or more
// is taken for a token wherever it appears in a path. All tokens the app
// makes are longer (tracking 24, feed 32, survey 48 characters).
const minTokenLength = 20

// redactPath replaces the credential in a logged path by "…", so that
// "/lacak/<token>/surat" is logged as "/lacak/…/surat" and
// "/kalender/<token>.ics" as "/kalender/….ics". The first segment is
// compared as routing compares it (any case, and percent-decoded, since a
// client may write it so even if it then does not route). Anywhere else,
// whatever looks like a token is redacted too, except a 24-digit hex
// object id, which names a record and is no secret.
func redactPath(p string) string {
	segs := strings.Split(p, "/")
	first := true // no non-empty segment seen yet
	secretNext := false
	for i, seg := range segs {
		if seg == "" {
			continue
		}
		switch {
		case secretNext:
			segs[i] = redactSegment(seg)
			secretNext = false
		case first:
			name := seg
			if u, err := url.PathUnescape(seg); err == nil {
				name = u
			}
			secretNext = secretRoutes[strings.ToLower(name)]
			segs[i] = redactTokens(seg)
		default:
			segs[i] = redactTokens(seg)
		}
		first = false
	}
	return strings.Join(segs, "/")
}

// redactSegment hides a whole segment, keeping the ".ics" of a feed's
// file name.
func redactSegment(seg string) string {
	if len(seg) > 4 && strings.EqualFold(seg[len(seg)-4:], ".ics") {
		return "…" + seg[len(seg)-4:]
	}
	return "…"
}

// redactTokens replaces every run of at least minTokenLength URL-safe
// base64 characters in seg by "…", unless the run is a hex object id.
func redactTokens(seg string) string {
	var b strings.Builder
	run := 0 // start of the current run of token characters
	flush := func(end int) {
		if r := seg[run:end]; len(r) >= minTokenLength && !isObjectID(r) {
			b.WriteString("…")
		} else {
			b.WriteString(r)
		}
	}
	for i := 0; i < len(seg); i++ {
		if !tokenByte(seg[i]) {
			flush(i)
			b.WriteByte(seg[i])
			run = i + 1
		}
	}
	flush(len(seg))
	return b.String()
}

func tokenByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_'
}

// isObjectID: 24 lowercase hex digits, as ObjectID.Hex writes them.
func isObjectID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// contentSecurityPolicy allows only the app's own scripts, styles and
// images; no inline script can run, so injected markup stays inert.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func (h *Handlers) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	if h.secureCookies() {
		c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	return c.Next()
}

// detectLanguage picks the interface language: the cookie set by the
// language switch, else Indonesian.
func (h *Handlers) detectLanguage(c *fiber.Ctx) error {
	c.Locals(localLang, models.SupportedLanguage(c.Cookies(langCookie)))
	return c.Next()
}

func languageOf(c *fiber.Ctx) string {
	if l, ok := c.Locals(localLang).(string); ok {
		return l
	}
	return models.LangID
}

// loadSession resolves the session cookie into the signed-in user. A
// session of a deactivated user is ended on the spot.
func (h *Handlers) loadSession(c *fiber.Ctx) error {
	token := c.Cookies(sessionCookie)
	if token == "" {
		return c.Next()
	}
	ctx := c.UserContext()
	sess, err := h.deps.Store.SessionByToken(ctx, token, h.deps.Sessions, h.deps.Now())
	switch {
	case errors.Is(err, models.ErrSessionExpired):
		c.Locals(localExpired, true)
		h.clearCookie(c, sessionCookie)
		return c.Next()
	case errors.Is(err, models.ErrNotFound):
		h.clearCookie(c, sessionCookie)
		return c.Next()
	case err != nil:
		return err
	}
	user, err := h.deps.Store.UserByID(ctx, sess.UserID)
	if errors.Is(err, models.ErrNotFound) || (err == nil && !user.Active) {
		_ = h.deps.Store.DeleteSession(ctx, token)
		h.clearCookie(c, sessionCookie)
		return c.Next()
	}
	if err != nil {
		return err
	}
	c.Locals(localUser, user)
	c.Locals(localSession, token)
	return c.Next()
}

func currentUser(c *fiber.Ctx) *models.User {
	u, _ := c.Locals(localUser).(*models.User)
	return u
}

func sessionToken(c *fiber.Ctx) string {
	s, _ := c.Locals(localSession).(string)
	return s
}

// requireRoles guards staff routes: anonymous visitors go to the sign-in
// page (and come back afterwards), signed-in users without the role get 403.
// A user whose password was generated must choose their own first.
func (h *Handlers) requireRoles(roles []models.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := currentUser(c)
		if u == nil {
			if c.Method() != fiber.MethodGet {
				return fiber.ErrUnauthorized
			}
			q := url.Values{"next": {c.OriginalURL()}}
			if expired, _ := c.Locals(localExpired).(bool); expired {
				q.Set("alasan", "sesi")
			}
			return c.Redirect("/masuk?"+q.Encode(), fiber.StatusSeeOther)
		}
		allowed := false
		for _, r := range roles {
			allowed = allowed || u.Role == r
		}
		if !allowed {
			return models.ErrForbidden
		}
		if u.MustChangePassword && c.Method() == fiber.MethodGet && c.Path() != "/staf/profil" {
			return c.Redirect("/staf/profil?wajib=1", fiber.StatusSeeOther)
		}
		return c.Next()
	}
}

// CSRF protection: a signed double-submit token. Each browser gets a random
// st_csrf cookie; forms carry HMAC(key, cookie). An attacker's page can make
// the browser send the cookie but can neither read it nor compute the HMAC
// without the server's key (shared by all instances through the store).
// Nothing is written to the store per visitor, which keeps public pages cheap.
func (h *Handlers) checkCSRF(c *fiber.Ctx) error {
	cookie := c.Cookies(csrfCookie)
	if len(cookie) < 32 {
		cookie = models.NewToken()
		h.setCookie(c, csrfCookie, cookie, 0)
	}
	want := h.csrfFor(cookie)
	c.Locals(localCSRF, want)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	got := c.FormValue(csrfField)
	if got == "" {
		got = c.Get(csrfHeader)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return c.Next()
}

// errCSRF is answered with 403 and a page that says to reload the form.
var errCSRF = fiber.NewError(fiber.StatusForbidden, "csrf")

func (h *Handlers) csrfFor(cookie string) string {
	mac := hmac.New(sha256.New, h.csrfKey)
	mac.Write([]byte("csrf:" + cookie))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func csrfToken(c *fiber.Ctx) string {
	s, _ := c.Locals(localCSRF).(string)
	return s
}

// setCookie writes an HttpOnly, SameSite=Lax cookie, Secure under https.
// maxAge 0 makes a browser-session cookie.
func (h *Handlers) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{
		Name: name, Value: value, Path: "/",
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secureCookies(),
	}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	}
	c.Cookie(ck)
}

func (h *Handlers) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secureCookies(),
	})
}
