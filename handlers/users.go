package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// usersPage lists staff accounts.
type usersPage struct {
	Page
	Users []models.User
}

// userFormPage adds or edits one account.
type userFormPage struct {
	Page
	Subject     *models.User // nil when adding
	Roles       []models.Role
	NewPassword string // shown once after a reset
}

func (h *Handlers) userList(c *fiber.Ctx) error {
	users, err := h.deps.Store.ListUsers(c.UserContext())
	if err != nil {
		return err
	}
	p := &usersPage{Page: h.newPage(c, "users.title"), Users: users}
	switch c.Query("ok") {
	case "dibuat":
		p.Notice = "users.created"
	case "disimpan":
		p.Notice = "users.saved"
	}
	return h.render(c, fiber.StatusOK, "users", p)
}

func (h *Handlers) userNewForm(c *fiber.Ctx) error {
	p := &userFormPage{Page: h.newPage(c, "users.new_title"), Roles: models.Roles()}
	p.Form.Values["role"] = string(models.RoleCoordinator)
	return h.render(c, fiber.StatusOK, "user_form", p)
}

func (h *Handlers) userCreate(c *fiber.Ctx) error {
	in := models.UserInput{
		Email: c.FormValue("email"), Name: c.FormValue("name"),
		Role: c.FormValue("role"), Password: c.FormValue("password"),
	}
	u, err := h.deps.Store.CreateUser(c.UserContext(), in, true, h.deps.Now())
	if v, ok := models.AsValidation(err); ok {
		p := &userFormPage{Page: h.newPage(c, "users.new_title"), Roles: models.Roles()}
		p.Form.Values = map[string]string{"email": in.Email, "name": in.Name, "role": in.Role}
		p.Form.Errors = v.Fields
		p.Form.Error = "form.has_errors"
		return h.render(c, fiber.StatusUnprocessableEntity, "user_form", p)
	}
	if err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditUserCreate, Target: userTarget(u), After: u})
	return c.Redirect("/staf/pengguna?ok=dibuat", fiber.StatusSeeOther)
}

// subject loads the account named in the URL.
func (h *Handlers) subject(c *fiber.Ctx) (*models.User, error) {
	id, err := bson.ObjectIDFromHex(c.Params("id"))
	if err != nil {
		return nil, models.ErrNotFound
	}
	return h.deps.Store.UserByID(c.UserContext(), id)
}

func (h *Handlers) editPage(c *fiber.Ctx, u *models.User) *userFormPage {
	p := &userFormPage{Page: h.newPage(c, "users.edit_title"), Subject: u, Roles: models.Roles()}
	p.Form.Values = map[string]string{
		"email": u.Email, "name": u.Name, "role": string(u.Role),
		"version": strconv.FormatInt(u.Version, 10),
	}
	if u.Active {
		p.Form.Values["active"] = "1"
	}
	return p
}

func (h *Handlers) userEditForm(c *fiber.Ctx) error {
	u, err := h.subject(c)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "user_form", h.editPage(c, u))
}

func (h *Handlers) userUpdate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u, err := h.subject(c)
	if err != nil {
		return err
	}
	old := *u
	in := models.UserInput{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: c.FormValue("role")}
	active := c.FormValue("active") == "1"
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)

	p := h.editPage(c, u)
	p.Form.Values = map[string]string{"email": in.Email, "name": in.Name, "role": in.Role, "version": c.FormValue("version")}
	if active {
		p.Form.Values["active"] = "1"
	}

	// An administrator cannot lock themselves (or everyone) out.
	if me := currentUser(c); me.ID == u.ID && (!active || in.Role != string(models.RoleAdmin)) {
		p.Form.Error = "users.cannot_demote_self"
		return h.render(c, fiber.StatusUnprocessableEntity, "user_form", p)
	}

	u.Version = version // the version the admin saw when the form was opened
	err = h.deps.Store.UpdateUser(ctx, u, in, active, h.deps.Now())
	if v, ok := models.AsValidation(err); ok {
		p.Form.Errors = v.Fields
		p.Form.Error = "form.has_errors"
		return h.render(c, fiber.StatusUnprocessableEntity, "user_form", p)
	}
	if errors.Is(err, models.ErrConflict) {
		h.countConflict(c)
		p.Form.Error = "form.conflict"
		return h.render(c, fiber.StatusConflict, "user_form", p)
	}
	if err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditUserUpdate, Target: userTarget(u), Before: &old, After: u})
	return c.Redirect("/staf/pengguna?ok=disimpan", fiber.StatusSeeOther)
}

// userResetPassword gives the account a new generated password, shown once
// to the admin, and ends the account's sessions.
func (h *Handlers) userResetPassword(c *fiber.Ctx) error {
	u, err := h.subject(c)
	if err != nil {
		return err
	}
	password := models.NewPassword()
	if err := h.deps.Store.SetPassword(c.UserContext(), u, password, true, "", h.deps.Now()); err != nil {
		return err
	}
	h.audit(c, auditEvent{Action: models.AuditUserPasswordReset, Target: userTarget(u)})
	p := h.editPage(c, u)
	p.NewPassword = password
	p.Notice = "users.reset_done"
	return h.render(c, fiber.StatusOK, "user_form", p)
}
