package models

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the host settings. They keep the settings page and the public
// calendar readable, and bound what one form can store.
const (
	MaxSessionsPerDay  = 8
	MaxRooms           = 30
	MaxBlackouts       = 100
	MaxOpenSaturdays   = 200
	MaxTopics          = 50
	MaxAgendaItems     = 30
	MaxSettingsText    = 200 // one topic, agenda item, room name or reason
	MinOfferHoldDays   = 1
	MaxOfferHoldDays   = 30
	maxSettingsNumbers = 100000 // no capacity or day count is anywhere near
)

// slugRe is the shape of session and room IDs: they end up in URLs, form
// values and reservation keys such as "room:<id>:<date>:<session>", so a
// colon or a space in them would break those keys.
var slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s may be a session or room ID.
func ValidSlug(s string) bool { return len(s) <= 40 && slugRe.MatchString(s) }

// SessionField names the form field of one part ("id", "start", "end") of
// a session: weekly_<weekday>_<row>_<part> for the week, saturday_<row>_<part>
// for the sessions of open Saturdays. The settings page uses the same names,
// so a message lands next to the box it is about.
func SessionField(weekday, row int, part string) string {
	if weekday < 0 {
		return fmt.Sprintf("saturday_%d_%s", row, part)
	}
	return fmt.Sprintf("weekly_%d_%d_%s", weekday, row, part)
}

// RoomField and BlackoutField name the fields of one row of rooms and of
// closures, as SessionField does for sessions.
func RoomField(row int, part string) string     { return fmt.Sprintf("room_%d_%s", row, part) }
func BlackoutField(row int, part string) string { return fmt.Sprintf("blackout_%d_%s", row, part) }

// ParseClock reads a time of day written "09.00" (the Indonesian way) and
// returns minutes after midnight.
func ParseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != '.' {
		return 0, false
	}
	t, err := time.Parse("15.04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Validate checks the settings as a whole; messages are catalogue keys,
// keyed by the form field names above. It changes nothing.
func (h HostSettings) Validate() error {
	v := &ValidationError{}
	for wd := range h.Weekly {
		validateSessions(v, h.Weekly[wd], wd)
	}
	validateSessions(v, h.SaturdaySessions, -1)
	validateOpenSaturdays(v, h.OpenSaturdays)

	if h.MaxDelegations < 1 {
		v.Add("max_delegations", "settings.err_min1")
	}
	if h.MaxParticipants < 1 {
		v.Add("max_participants", "settings.err_min1")
	}
	switch {
	case h.NearlyFullAt < 0:
		v.Add("nearly_full_at", "settings.err_min0")
	case h.MaxParticipants >= 1 && h.NearlyFullAt >= h.MaxParticipants:
		// Every session would always look nearly full.
		v.Add("nearly_full_at", "settings.err_nearly_full")
	}
	if h.MinNoticeDays < 0 {
		v.Add("min_notice_days", "settings.err_min0")
	}
	if h.HorizonDays <= h.MinNoticeDays {
		// Otherwise no day could ever be booked.
		v.Add("horizon_days", "settings.err_horizon")
	}
	if h.RosterDeadlineDays < 0 {
		v.Add("roster_deadline_days", "settings.err_min0")
	}
	if h.OfferHoldDays < MinOfferHoldDays || h.OfferHoldDays > MaxOfferHoldDays {
		v.Add("offer_hold_days", "settings.err_offer_hold")
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"max_delegations", h.MaxDelegations}, {"max_participants", h.MaxParticipants}, {"nearly_full_at", h.NearlyFullAt},
		{"min_notice_days", h.MinNoticeDays}, {"horizon_days", h.HorizonDays}, {"roster_deadline_days", h.RosterDeadlineDays}} {
		if f.n > maxSettingsNumbers {
			v.Add(f.name, "settings.err_too_big")
		}
	}

	validateRooms(v, h.Rooms)
	validateBlackouts(v, h.Blackouts)
	validateLines(v, "topics", h.Topics, MaxTopics, true)
	validateLines(v, "agenda", h.AgendaTemplate, MaxAgendaItems, true)
	return v.Err()
}

// validateSessions checks the sessions of one day (weekday -1: the
// Saturday sessions).
func validateSessions(v *ValidationError, sessions []VisitSession, weekday int) {
	if len(sessions) > MaxSessionsPerDay {
		v.Add(SessionField(weekday, MaxSessionsPerDay, "id"), "settings.err_too_many_sessions")
	}
	type span struct{ row, start, end int }
	var spans []span
	seen := map[string]bool{}
	for i, s := range sessions {
		switch {
		case s.ID == "":
			v.Add(SessionField(weekday, i, "id"), "err.required")
		case !ValidSlug(s.ID):
			v.Add(SessionField(weekday, i, "id"), "settings.err_slug")
		case seen[s.ID]:
			v.Add(SessionField(weekday, i, "id"), "settings.err_session_dup")
		}
		seen[s.ID] = true
		start, okStart := ParseClock(s.Start)
		end, okEnd := ParseClock(s.End)
		if !okStart {
			v.Add(SessionField(weekday, i, "start"), "settings.err_time")
		}
		if !okEnd {
			v.Add(SessionField(weekday, i, "end"), "settings.err_time")
		}
		if okStart && okEnd {
			if end <= start {
				v.Add(SessionField(weekday, i, "end"), "settings.err_time_order")
				continue
			}
			spans = append(spans, span{i, start, end})
		}
	}
	// Two sessions overlap when, in start order, one starts before the
	// previous one ends. The later row gets the message.
	slices.SortStableFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	for k := 1; k < len(spans); k++ {
		if spans[k].start < spans[k-1].end {
			later := max(spans[k].row, spans[k-1].row)
			v.Add(SessionField(weekday, later, "start"), "settings.err_overlap")
		}
	}
}

func validateOpenSaturdays(v *ValidationError, days []string) {
	if len(days) > MaxOpenSaturdays {
		v.Add("open_saturdays", "settings.err_too_many")
		return
	}
	seen := map[string]bool{}
	for _, d := range days {
		t, err := time.Parse(time.DateOnly, d)
		switch {
		case err != nil:
			v.Add("open_saturdays", "err.date")
		case t.Weekday() != time.Saturday:
			v.Add("open_saturdays", "settings.err_not_saturday")
		case seen[d]:
			v.Add("open_saturdays", "settings.err_duplicate_line")
		}
		seen[d] = true
	}
}

func validateRooms(v *ValidationError, rooms []Room) {
	if len(rooms) > MaxRooms {
		v.Add(RoomField(MaxRooms, "id"), "settings.err_too_many")
	}
	seen := map[string]bool{}
	for i, r := range rooms {
		switch {
		case r.ID == "":
			v.Add(RoomField(i, "id"), "err.required")
		case !ValidSlug(r.ID):
			v.Add(RoomField(i, "id"), "settings.err_slug")
		case seen[r.ID]:
			v.Add(RoomField(i, "id"), "settings.err_room_dup")
		}
		seen[r.ID] = true
		textProblem(v, RoomField(i, "name"), r.Name, true)
		switch {
		case r.Capacity < 1:
			v.Add(RoomField(i, "capacity"), "settings.err_min1")
		case r.Capacity > maxSettingsNumbers:
			v.Add(RoomField(i, "capacity"), "settings.err_too_big")
		}
	}
}

func validateBlackouts(v *ValidationError, blackouts []Blackout) {
	if len(blackouts) > MaxBlackouts {
		v.Add(BlackoutField(MaxBlackouts, "from"), "settings.err_too_many")
	}
	for i, b := range blackouts {
		_, errFrom := time.Parse(time.DateOnly, b.From)
		_, errTo := time.Parse(time.DateOnly, b.To)
		if b.From == "" {
			v.Add(BlackoutField(i, "from"), "err.required")
		} else if errFrom != nil {
			v.Add(BlackoutField(i, "from"), "err.date")
		}
		if b.To == "" {
			v.Add(BlackoutField(i, "to"), "err.required")
		} else if errTo != nil {
			v.Add(BlackoutField(i, "to"), "err.date")
		}
		// DateKeys compare as dates.
		if errFrom == nil && errTo == nil && b.To < b.From {
			v.Add(BlackoutField(i, "to"), "settings.err_date_order")
		}
		textProblem(v, BlackoutField(i, "reason"), b.Reason, true)
	}
}

// validateLines checks a list typed one item per line.
func validateLines(v *ValidationError, field string, items []string, limit int, required bool) {
	if len(items) == 0 {
		if required {
			v.Add(field, "err.required")
		}
		return
	}
	if len(items) > limit {
		v.Add(field, "settings.err_too_many")
	}
	seen := map[string]bool{}
	for _, it := range items {
		key := strings.ToLower(strings.TrimSpace(it))
		if key == "" {
			v.Add(field, "settings.err_empty_line")
		}
		textProblem(v, field, it, false)
		if seen[key] && key != "" {
			v.Add(field, "settings.err_duplicate_line")
		}
		seen[key] = true
	}
}

// textProblem checks one short text: trimmed, single line, not too long.
func textProblem(v *ValidationError, field, s string, required bool) {
	switch {
	case strings.TrimSpace(s) == "":
		if required {
			v.Add(field, "err.required")
		}
	case utf8.RuneCountInString(s) > MaxSettingsText:
		v.Add(field, "err.too_long")
	case strings.ContainsFunc(s, isControl):
		v.Add(field, "settings.err_text")
	}
}

// cloneLists gives h its own copy of every list.
func (h *HostSettings) cloneLists() {
	for wd := range h.Weekly {
		h.Weekly[wd] = slices.Clone(h.Weekly[wd])
	}
	h.SaturdaySessions, h.OpenSaturdays = slices.Clone(h.SaturdaySessions), slices.Clone(h.OpenSaturdays)
	h.Rooms, h.Blackouts = slices.Clone(h.Rooms), slices.Clone(h.Blackouts)
	h.Topics, h.AgendaTemplate = slices.Clone(h.Topics), slices.Clone(h.AgendaTemplate)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// Normalize tidies what a form produced before Validate: trims texts and
// writes times as "09.00". It keeps the order of every list, so that the
// field names of Validate's messages still match the rows the user typed.
//
// It first copies every list, so that settings copied from one another
// (which share their lists) never change each other.
func (h *HostSettings) Normalize() {
	h.cloneLists()
	trimSessions := func(ss []VisitSession) {
		for i := range ss {
			ss[i].ID = strings.TrimSpace(ss[i].ID)
			ss[i].Start = normalizeClock(ss[i].Start)
			ss[i].End = normalizeClock(ss[i].End)
		}
	}
	for wd := range h.Weekly {
		trimSessions(h.Weekly[wd])
	}
	trimSessions(h.SaturdaySessions)
	for i := range h.OpenSaturdays {
		h.OpenSaturdays[i] = strings.TrimSpace(h.OpenSaturdays[i])
	}
	for i := range h.Rooms {
		h.Rooms[i].ID = strings.TrimSpace(h.Rooms[i].ID)
		h.Rooms[i].Name = strings.TrimSpace(h.Rooms[i].Name)
	}
	for i := range h.Blackouts {
		b := &h.Blackouts[i]
		b.From, b.To, b.Reason = strings.TrimSpace(b.From), strings.TrimSpace(b.To), strings.TrimSpace(b.Reason)
	}
	for i := range h.Topics {
		h.Topics[i] = strings.TrimSpace(h.Topics[i])
	}
	for i := range h.AgendaTemplate {
		h.AgendaTemplate[i] = strings.TrimSpace(h.AgendaTemplate[i])
	}
}

// sortForStorage puts valid settings in reading order: each day's sessions
// by start time, open Saturdays and closures by date.
func (h *HostSettings) sortForStorage() {
	bySessionStart := func(a, b VisitSession) int { return cmp.Compare(a.Start, b.Start) } // "09.00" sorts as text
	for wd := range h.Weekly {
		slices.SortStableFunc(h.Weekly[wd], bySessionStart)
	}
	slices.SortStableFunc(h.SaturdaySessions, bySessionStart)
	slices.Sort(h.OpenSaturdays)
	slices.SortStableFunc(h.Blackouts, func(a, b Blackout) int { return cmp.Compare(a.From, b.From) })
}

// normalizeClock accepts "9.00", "09:00" and "0900" as people type them
// and writes "09.00"; anything else is left for Validate to reject.
func normalizeClock(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, ":", "."))
	if len(s) == 4 && !strings.Contains(s, ".") {
		s = s[:2] + "." + s[2:]
	}
	if len(s) == 4 && s[1] == '.' {
		s = "0" + s
	}
	return s
}
