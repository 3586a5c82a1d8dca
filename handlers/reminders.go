package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"studitiru/models"
)

// Reminders are queued by a background job (app/main.go runs QueueReminders
// every minute). Each is sent once: a permanent claim named after the visit,
// the kind and the date is taken before the message is queued, so two app
// instances, or two runs, never queue it twice; a reschedule to another date
// earns a new reminder.

// reminderWindow is how far ahead the job looks for visits.
const reminderWindow = 14 * 24 * time.Hour

// QueueReminders queues the reminders that are due at now: the day before
// a visit to the delegation and its escorts, and, while the roster is
// incomplete, one to the delegation in the two days before its deadline.
// It returns how many messages it queued.
func (h *Handlers) QueueReminders(ctx context.Context, now time.Time) (int, error) {
	loc := h.deps.Location
	visits, err := h.deps.Store.ApprovedStartingBetween(ctx, now, now.Add(reminderWindow))
	if err != nil {
		return 0, err
	}
	if len(visits) == 0 {
		return 0, nil
	}
	settings, err := h.deps.Store.HostSettings(ctx)
	if err != nil {
		return 0, err
	}
	cal, err := h.deps.Store.HolidayCalendar(ctx, now.AddDate(0, -1, 0), now.Add(reminderWindow))
	if err != nil {
		return 0, err
	}
	host, err := h.hostProfile(ctx)
	if err != nil {
		return 0, err
	}
	tomorrow := models.DateKey(now.In(loc).AddDate(0, 0, 1))
	queued := 0
	for i := range visits {
		v := &visits[i]
		day := models.DateKey(v.Start.In(loc))
		if day == tomorrow {
			n, err := h.remind(ctx, v, "day:"+day, now, func() []*models.OutboxMessage { return h.dayBeforeMessages(ctx, v, host) })
			queued += n
			if err != nil {
				return queued, err
			}
		}
		due := v.RosterDeadline(settings, cal, loc)
		if len(v.Roster) < v.Participants && now.Before(due) && due.Sub(now) <= 48*time.Hour {
			n, err := h.remind(ctx, v, "roster:"+models.DateKey(due), now, func() []*models.OutboxMessage { return h.rosterMessages(v, host, due) })
			queued += n
			if err != nil {
				return queued, err
			}
		}
	}
	return queued, nil
}

// remind claims one reminder and queues its messages.
func (h *Handlers) remind(ctx context.Context, v *models.Visit, what string, now time.Time, build func() []*models.OutboxMessage) (int, error) {
	key := "reminder:" + v.ID.Hex() + ":" + what
	if err := h.deps.Store.Claim(ctx, key, now); errors.Is(err, models.ErrConflict) {
		return 0, nil // sent already, by this or another instance
	} else if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range build() {
		if err := h.deps.Store.Enqueue(ctx, m, now); err != nil {
			return n, fmt.Errorf("queue reminder %s: %w", key, err)
		}
		n++
	}
	return n, nil
}

// mailPage is a page value used only to translate and format a message
// in one language.
func (h *Handlers) mailPage(lang string, host models.HostProfile) *Page {
	lang = models.SupportedLanguage(lang)
	return &Page{Lang: lang, Host: host, localize: h.views.localizers[lang], loc: h.deps.Location,
		Form: Form{Values: map[string]string{}, Errors: map[string]string{}}}
}

// reminderMail is one plain reminder with the signature, in p's language.
func reminderMail(p *Page, kind string, v *models.Visit, to, name, subject, body, linkLabel, link string) *models.OutboxMessage {
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n%s\n\n", p.T("mail.greeting", "Name", name), body)
	if link != "" {
		fmt.Fprintf(&text, "%s\n%s\n\n", linkLabel, link)
	}
	text.WriteString(p.T("mail.signature", "Host", p.Host.Name) + "\n")
	return &models.OutboxMessage{Kind: kind, VisitID: v.ID, To: []string{to}, Subject: subject,
		Text: text.String(), HTML: plainToHTML(text.String()), Language: p.Lang}
}

// dayBeforeMessages: the delegation and every escort, the day before.
func (h *Handlers) dayBeforeMessages(ctx context.Context, v *models.Visit, host models.HostProfile) []*models.OutboxMessage {
	var out []*models.OutboxMessage
	when := func(p *Page) string {
		return p.Date(v.Start) + ", " + p.Clock(v.Start) + "–" + p.Clock(v.End) + " " + p.Zone(v.Start)
	}
	if v.Contact.Email != "" {
		p := h.mailPage(v.Language, host)
		body := p.T("reminder.day.body", "Institution", v.InstitutionName, "When", when(p), "Room", v.Room,
			"Host", host.Name, "Address", host.Address, "Receiver", v.Receiver)
		out = append(out, reminderMail(p, "reminder_day_delegation", v, v.Contact.Email, v.Contact.Name,
			p.T("reminder.day.subject", "Code", v.Code), body, p.T("mail.ack_link"),
			h.trackingURL(models.TrackingToken(h.trackKey, v.SubmissionKey))))
	}
	for _, id := range v.EscortIDs {
		u, err := h.deps.Store.UserByID(ctx, id)
		if err != nil || !u.Active {
			continue
		}
		p := h.mailPage(models.LangID, host)
		body := p.T("reminder.escort.body", "Institution", v.InstitutionName, "When", when(p), "Room", v.Room,
			"Participants", v.Participants, "Contact", v.Contact.Name, "Phone", models.FormatPhone(v.Contact.Phone))
		out = append(out, reminderMail(p, "reminder_day_escort", v, u.Email, u.Name,
			p.T("reminder.escort.subject", "Code", v.Code), body, p.T("decision.mail.staff_link"), h.staffURL(v)))
	}
	return out
}

// rosterMessages: the delegation, while its roster is incomplete.
func (h *Handlers) rosterMessages(v *models.Visit, host models.HostProfile, due time.Time) []*models.OutboxMessage {
	if v.Contact.Email == "" {
		return nil
	}
	p := h.mailPage(v.Language, host)
	body := p.T("reminder.roster.body", "Institution", v.InstitutionName, "Count", len(v.Roster), "Participants", v.Participants,
		"When", p.Date(v.Start), "Due", p.DateTime(due))
	return []*models.OutboxMessage{reminderMail(p, "reminder_roster", v, v.Contact.Email, v.Contact.Name,
		p.T("reminder.roster.subject", "Code", v.Code), body, p.T("mail.ack_link"),
		h.trackingURL(models.TrackingToken(h.trackKey, v.SubmissionKey)))}
}
