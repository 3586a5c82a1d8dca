package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
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
// the query, which may carry tokens), status and duration.
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
		slog.String("path", c.Path()),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
	)
	return err
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
