package handlers

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// The audit log (jejak audit): every state-changing staff handler calls
// h.audit after its change succeeded, and administrators read the log at
// /staf/audit. The log is append-only (models/audit.go).

// auditEvent is one staff action for the log.
type auditEvent struct {
	Action string
	Target models.AuditTarget
	// Before and After are the record before and after the change (nil
	// when created or deleted); the entry lists the fields that differ.
	Before, After any
	Ignore        []string // path prefixes left out, e.g. "history"
	Note          string
	// Actor, when set, replaces the signed-in user (sign-in, where no
	// one is signed in yet, or a failed one, where no one is).
	Actor *models.AuditActor
}

// audit writes ev to the log. It runs after the action succeeded, so a
// failure to write is logged, not shown: the action itself stands.
func (h *Handlers) audit(c *fiber.Ctx, ev auditEvent) {
	actor := models.ActorOf(currentUser(c))
	if ev.Actor != nil {
		actor = *ev.Actor
	}
	changes, err := models.AuditDiff(ev.Before, ev.After, ev.Ignore...)
	if err != nil {
		h.deps.Logger.Error("audit diff", "action", ev.Action, "err", err)
	}
	e := &models.AuditEntry{At: h.deps.Now(), Actor: actor, Action: ev.Action, Target: ev.Target,
		Changes: changes, Note: ev.Note, IP: c.IP(), UserAgent: c.Get(fiber.HeaderUserAgent)}
	// The client may have gone; the record of what it did must not.
	if err := h.deps.Store.InsertAudit(context.WithoutCancel(c.UserContext()), e); err != nil {
		h.deps.Logger.Error("audit log", "action", ev.Action, "err", err)
	}
}

// Targets of the common records.
func visitTarget(v *models.Visit) models.AuditTarget {
	return models.AuditTarget{Collection: "visits", ID: v.ID.Hex(), Label: v.Code}
}

func userTarget(u *models.User) models.AuditTarget {
	return models.AuditTarget{Collection: "users", ID: u.ID.Hex(), Label: u.Email}
}

// visitIgnore: a visit's history grows with every decision and is shown
// on the request page already.
var visitIgnore = []string{"history"}

// --- The audit page ----------------------------------------------------

// auditPage is /staf/audit: the log, newest first, with filters.
type auditPage struct {
	Page
	Actor, Action, Target, From, To string // the filter as typed
	Entries                         []models.AuditEntry
	Total                           int64
	PageNo, Pages                   int // PageNo from 1
	PrevURL, NextURL                string
	Actors                          []Option
	Areas                           []auditArea
}

// auditArea groups the actions of one area in the filter.
type auditArea struct {
	Area    string
	Actions []string
}

// ActionLabel names an action ("visit:approve") or an area ("visit").
func (p *Page) ActionLabel(action string) string {
	key := "audit.area." + action
	if area, verb, ok := strings.Cut(action, ":"); ok {
		key = "audit.act." + area + "_" + verb
	}
	if s := p.T(key); s != key {
		return s
	}
	return action
}

// CollectionLabel names the kind of record a target is.
func (p *auditPage) CollectionLabel(col string) string {
	key := "audit.col." + col
	if s := p.T(key); s != key {
		return s
	}
	return col
}

// TargetURL links a target to its page, where it has one.
func (p *auditPage) TargetURL(t models.AuditTarget) string {
	if t.ID == "" {
		return ""
	}
	switch t.Collection {
	case "visits":
		return "/staf/permohonan/" + t.ID
	case "users":
		return "/staf/pengguna/" + t.ID
	case "outbox":
		return "/staf/surel/" + t.ID
	}
	return ""
}

func (h *Handlers) auditLog(c *fiber.Ctx) error {
	ctx := c.UserContext()
	loc := h.deps.Location
	p := &auditPage{Page: h.newPage(c, "audit.title"),
		Actor: strings.TrimSpace(c.Query("pelaku")), Action: strings.TrimSpace(c.Query("tindakan")),
		Target: strings.TrimSpace(c.Query("sasaran")), From: strings.TrimSpace(c.Query("dari")), To: strings.TrimSpace(c.Query("sampai"))}
	p.PageNo, _ = strconv.Atoi(c.Query("hal"))
	p.PageNo = max(p.PageNo, 1)
	f := models.AuditFilter{Actor: p.Actor, Action: p.Action, Target: p.Target, Page: p.PageNo - 1}
	if p.From != "" {
		if t, err := models.ParseDateKey(p.From, loc); err == nil {
			f.From = t
		} else {
			p.Form.Errors["dari"] = "err.date"
		}
	}
	if p.To != "" {
		if t, err := models.ParseDateKey(p.To, loc); err == nil {
			f.To = t.AddDate(0, 0, 1) // the whole last day
		} else {
			p.Form.Errors["sampai"] = "err.date"
		}
	}
	entries, total, err := h.deps.Store.ListAudit(ctx, f)
	if err != nil {
		return err
	}
	p.Entries, p.Total = entries, total
	p.Pages = max(int((total+models.AuditPageSize-1)/models.AuditPageSize), 1)

	users, err := h.deps.Store.ListUsers(ctx)
	if err != nil {
		return err
	}
	p.Actors = []Option{{models.SystemActorName, p.T("audit.actor_system")}, {models.AnonymousActor, p.T("audit.actor_anonymous")}}
	for _, u := range users {
		p.Actors = append(p.Actors, Option{u.ID.Hex(), u.Name + " (" + u.Email + ")"})
	}
	for _, area := range models.AuditAreas() {
		a := auditArea{Area: area}
		for _, act := range models.AuditActions() {
			if strings.HasPrefix(act, area+":") {
				a.Actions = append(a.Actions, act)
			}
		}
		p.Areas = append(p.Areas, a)
	}

	link := func(n int) string {
		v := url.Values{}
		for k, val := range map[string]string{"pelaku": p.Actor, "tindakan": p.Action, "sasaran": p.Target, "dari": p.From, "sampai": p.To} {
			if val != "" {
				v.Set(k, val)
			}
		}
		v.Set("hal", strconv.Itoa(n))
		return "/staf/audit?" + v.Encode()
	}
	if p.PageNo > 1 {
		p.PrevURL = link(p.PageNo - 1)
	}
	if p.PageNo < p.Pages {
		p.NextURL = link(p.PageNo + 1)
	}
	return h.render(c, fiber.StatusOK, "audit", p)
}
