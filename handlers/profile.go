package handlers

import (
	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// profilePage shows the signed-in user and the change-password form.
type profilePage struct {
	Page
	MustChange bool
}

func (h *Handlers) profilePage(c *fiber.Ctx) *profilePage {
	u := currentUser(c)
	return &profilePage{Page: h.newPage(c, "profile.title"), MustChange: u.MustChangePassword}
}

func (h *Handlers) profile(c *fiber.Ctx) error {
	p := h.profilePage(c)
	if c.Query("ok") == "1" {
		p.Notice = "profile.changed"
	}
	return h.render(c, fiber.StatusOK, "profile", p)
}

func (h *Handlers) changePassword(c *fiber.Ctx) error {
	u := currentUser(c)
	current, next, confirm := c.FormValue("current"), c.FormValue("password"), c.FormValue("confirm")
	p := h.profilePage(c)
	switch {
	case current == "":
		p.Form.Errors["current"] = "err.required"
	case !u.CheckPassword(current):
		p.Form.Errors["current"] = "profile.wrong_current"
	}
	if msg := models.PasswordProblem(next); msg != "" {
		p.Form.Errors["password"] = msg
	} else if next == current {
		p.Form.Errors["password"] = "profile.same_password"
	}
	if confirm != next {
		p.Form.Errors["confirm"] = "profile.mismatch"
	}
	if len(p.Form.Errors) > 0 {
		p.Form.Error = "form.has_errors"
		return h.render(c, fiber.StatusUnprocessableEntity, "profile", p)
	}
	err := h.deps.Store.SetPassword(c.UserContext(), u, next, false, sessionToken(c), h.deps.Now())
	if err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditPasswordChange, Target: userTarget(u)})
	return c.Redirect("/staf/profil?ok=1", fiber.StatusSeeOther)
}
