package handlers

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// signInPage is the data of the sign-in page.
type signInPage struct {
	Page
	Next string
}

// safeNext accepts only a local path as the page to return to after sign-in,
// so the sign-in form cannot be used to send staff to another site.
func safeNext(next string) string {
	if !localPath(next) {
		return "/staf"
	}
	return next
}

// localPath reports whether s is a path on this site that no browser reads
// as another site's address: it starts with exactly one "/" and holds no
// backslash (browsers read it as "/") and no control character (browsers
// drop tabs and line breaks from a URL, so "/\t/evil.example" would become
// "//evil.example"; other controls would break the Location header).
func localPath(s string) bool {
	return strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") &&
		!strings.ContainsFunc(s, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f })
}

func (h *Handlers) signInForm(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/staf", fiber.StatusSeeOther)
	}
	p := &signInPage{Page: h.newPage(c, "signin.title"), Next: safeNext(c.Query("next"))}
	switch c.Query("alasan") {
	case "sesi":
		p.Form.Error = "signin.expired"
	case "keluar":
		p.Notice = "signin.signed_out"
	}
	return h.render(c, fiber.StatusOK, "signin", p)
}

func (h *Handlers) signIn(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := h.deps.Now()
	email := models.NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	p := &signInPage{Page: h.newPage(c, "signin.title"), Next: safeNext(c.FormValue("next"))}
	p.Form.Values["email"] = email

	// Malformed input: say what is missing, keep what was typed.
	if email == "" {
		p.Form.Errors["email"] = "err.required"
	} else if len(email) > 254 || !strings.Contains(email, "@") {
		p.Form.Errors["email"] = "err.email"
	}
	if password == "" {
		p.Form.Errors["password"] = "err.required"
	}
	if len(p.Form.Errors) > 0 {
		return h.render(c, fiber.StatusUnprocessableEntity, "signin", p)
	}

	// Both the account and the client address are throttled: the first stops
	// guessing one password, the second stops trying many accounts.
	accountKey, addressKey := "account:"+email, "ip:"+c.IP()
	locked := func(until time.Time) error {
		p.Form.Error = "signin.locked"
		p.Form.Args = map[string]any{"Time": p.Time(until)}
		return h.render(c, fiber.StatusTooManyRequests, "signin", p)
	}
	throttles := []struct {
		key    string
		policy models.ThrottlePolicy
	}{{accountKey, models.AccountThrottle()}, {addressKey, models.AddressThrottle()}}
	for _, th := range throttles {
		until, err := h.deps.Store.LockedUntil(ctx, th.key, th.policy, now)
		if err != nil {
			return err
		}
		if !until.IsZero() {
			return locked(until)
		}
	}

	user, err := h.deps.Store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	if user == nil {
		h.deps.Store.CheckDummyPassword(password) // same timing as a real check
	}
	if user == nil || !user.CheckPassword(password) {
		h.auditSignInFailed(c, email, user, "")
		var lockedUntil time.Time
		for _, th := range throttles {
			until, err := h.deps.Store.RecordFailure(ctx, th.key, th.policy, now)
			if err != nil {
				return err
			}
			if until.After(lockedUntil) {
				lockedUntil = until
			}
		}
		if !lockedUntil.IsZero() {
			return locked(lockedUntil)
		}
		p.Form.Error = "signin.wrong"
		return h.render(c, fiber.StatusUnauthorized, "signin", p)
	}
	if !user.Active {
		h.auditSignInFailed(c, email, user, "akun nonaktif")
		p.Form.Error = "signin.inactive"
		return h.render(c, fiber.StatusForbidden, "signin", p)
	}

	if err := h.deps.Store.ClearFailures(ctx, accountKey); err != nil {
		return err
	}
	// Rotate: whatever session and CSRF cookie the browser had before
	// signing in are discarded, so a planted cookie is worth nothing.
	if old := c.Cookies(sessionCookie); old != "" {
		_ = h.deps.Store.DeleteSession(ctx, old)
	}
	token, err := h.deps.Store.CreateSession(ctx, user.ID, h.deps.Sessions, now)
	if err != nil {
		return err
	}
	h.setCookie(c, sessionCookie, token, h.deps.Sessions.MaxAge)
	h.setCookie(c, csrfCookie, models.NewToken(), 0)
	h.deps.Logger.Info("sign-in", "user", user.Email)
	actor := models.ActorOf(user)
	h.audit(c, auditEvent{Action: models.AuditSignIn, Target: userTarget(user), Actor: &actor})
	return c.Redirect(p.Next, fiber.StatusSeeOther)
}

func (h *Handlers) signOut(c *fiber.Ctx) error {
	if err := h.deps.Store.DeleteSession(c.UserContext(), sessionToken(c)); err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditSignOut, Target: userTarget(currentUser(c))})
	h.clearCookie(c, sessionCookie)
	return c.Redirect("/masuk?alasan=keluar", fiber.StatusSeeOther)
}

// auditSignInFailed records a refused sign-in: nobody is the actor; the
// target is the account when it exists, else only the address typed.
func (h *Handlers) auditSignInFailed(c *fiber.Ctx, email string, user *models.User, note string) {
	target := models.AuditTarget{Collection: "users", Label: email}
	if user != nil {
		target = userTarget(user)
	}
	h.audit(c, auditEvent{Action: models.AuditSignInFailed, Target: target, Note: note, Actor: &models.AuditActor{}})
}

// setLanguage remembers the chosen language for a year and returns to the
// page the switch was on.
func (h *Handlers) setLanguage(c *fiber.Ctx) error {
	lang := models.SupportedLanguage(c.FormValue("lang"))
	h.setCookie(c, langCookie, lang, 365*24*time.Hour)
	back := c.FormValue("back")
	if !localPath(back) {
		back = "/"
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}
