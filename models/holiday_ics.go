package models

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

// Limits of a holiday calendar file (ICS) an admin imports.
const (
	// MaxHolidayICSBytes: a feed of ten years of Indonesian holidays is
	// about 100 KB.
	MaxHolidayICSBytes = 1 << 20
	// MaxHolidayEventDays: the longest holiday event accepted. The longest
	// real one, Idul Fitri with its cuti bersama, is about a week.
	MaxHolidayEventDays = 31
	// icsMaxParams bounds the property name and parameters of one content
	// line. go-ical builds parameter values a byte at a time (quadratic),
	// so a long one would be a cheap way to burn CPU.
	icsMaxParams = 512
	// icsMaxDepth bounds nested components (VCALENDAR > VEVENT > VALARM is
	// 3); the decoder recurses once per level.
	icsMaxDepth = 8
)

// ICSError explains why a calendar file cannot be imported. Key is the
// catalogue key shown to the admin; Event names the event at fault, Max the
// limit that was exceeded.
type ICSError struct {
	Key    string
	Event  string
	Max    int
	Detail string // for logs
}

func (e *ICSError) Error() string {
	if e.Event != "" {
		return fmt.Sprintf("ics: %s (event %q)", e.Detail, e.Event)
	}
	return "ics: " + e.Detail
}

func icsInvalid(detail string) *ICSError {
	return &ICSError{Key: "holiday.ics_invalid", Detail: detail}
}

// ParseHolidayICS reads an iCalendar file of holidays, such as a public
// "Hari Libur Indonesia" feed or an export of an office calendar, into one
// Holiday per date, in date order.
//
//   - All-day events (DTSTART;VALUE=DATE) cover the days from DTSTART up to
//     but excluding DTEND (RFC 5545), or one day; multi-day events become
//     one holiday per day.
//   - Timed events count on the civil date written in the file, whatever
//     their TZID: calendar programs (Outlook among them) often write an
//     all-day holiday as midnight to midnight in their own zone, and TZIDs
//     are often names Go does not know ("SE Asia Standard Time"). Times in
//     UTC ("…Z") have no written date of their own, so they are taken in
//     loc, the host's zone. An end at exactly midnight excludes that day.
//   - SUMMARY is the name (control characters removed, cut to
//     MaxHolidayName); one that says "cuti bersama" makes the day cuti
//     bersama, anything else a national holiday. Two events on one date are
//     merged into one holiday.
//   - Cancelled events are skipped. A recurring event counts only on its
//     first date: holiday feeds list every year's dates, since most
//     holidays move from year to year.
//
// Anything that is not a readable calendar, an event whose dates cannot be
// read, an event longer than MaxHolidayEventDays or outside the years
// MinHolidayYear–MaxHolidayYear, and more than maxEvents events or days is
// an *ICSError; nothing is returned then.
func ParseHolidayICS(r io.Reader, maxEvents int, loc *time.Location) (out []Holiday, err error) {
	if loc == nil {
		loc = time.UTC
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxHolidayICSBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxHolidayICSBytes {
		return nil, &ICSError{Key: "holiday.ics_too_large", Max: MaxHolidayICSBytes >> 20, Detail: "file too large"}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM, as some Windows tools write
	if err := prescanICS(data, maxEvents); err != nil {
		return nil, err
	}

	// go-ical panics on some malformed parameter lists (an index out of
	// range when a line ends inside them). Whatever the decoder trips on is
	// a file we cannot read, not a crash of the server.
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, icsInvalid(fmt.Sprint("decoder panic: ", p))
		}
	}()
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return nil, icsInvalid(err.Error())
	}

	byDate := map[string]int{} // date → index in out
	events := 0
	for _, ev := range cal.Events() {
		if status := ev.Props.Get(ical.PropStatus); status != nil && strings.EqualFold(strings.TrimSpace(status.Value), string(ical.EventCancelled)) {
			continue
		}
		events++
		name := CleanHolidayName(icsText(ev.Props.Get(ical.PropSummary)))
		if name == "" {
			name = "Hari libur"
		}
		days, err := eventDays(ev, loc)
		if err != nil {
			err.Event = name
			return nil, err
		}
		kind := HolidayNational
		if strings.Contains(strings.ToLower(name), "cuti bersama") {
			kind = HolidayCutiBersama
		}
		for _, d := range days {
			if i, ok := byDate[d]; ok {
				out[i] = mergeHoliday(out[i], name, kind)
				continue
			}
			if len(out) >= maxEvents {
				return nil, &ICSError{Key: "holiday.ics_too_many", Max: maxEvents, Detail: "too many days"}
			}
			byDate[d] = len(out)
			out = append(out, Holiday{Date: d, Name: name, Kind: kind, Closed: true})
		}
	}
	if events == 0 {
		return nil, &ICSError{Key: "holiday.ics_empty", Detail: "no events"}
	}
	slices.SortFunc(out, func(a, b Holiday) int { return cmp.Compare(a.Date, b.Date) })
	return out, nil
}

// mergeHoliday combines two events on one date: both names, and a
// national holiday outranks cuti bersama.
func mergeHoliday(h Holiday, name string, kind HolidayKind) Holiday {
	if !strings.EqualFold(h.Name, name) && !strings.Contains(strings.ToLower(h.Name), strings.ToLower(name)) {
		h.Name = CleanHolidayName(h.Name + " / " + name)
	}
	if kind == HolidayNational {
		h.Kind = HolidayNational
	}
	return h
}

// icsText is a TEXT value unescaped. go-ical's Text splits at unescaped
// commas (TEXT lists), which real feeds write in plain summaries, so the
// parts are joined again; a value with a broken escape is taken as written.
func icsText(p *ical.Prop) string {
	if p == nil {
		return ""
	}
	// The name is cut to MaxHolidayName anyway; unescaping a megabyte of
	// commas into a million parts first is wasted work.
	if len(p.Value) > 4*MaxHolidayName*utf8.UTFMax {
		p.Value = p.Value[:4*MaxHolidayName*utf8.UTFMax]
	}
	parts, err := p.TextList()
	if err != nil {
		return p.Value
	}
	return strings.Join(parts, ",")
}

// prescanICS checks the shape of the file before the decoder sees it: it
// must start with BEGIN:VCALENDAR, nest at most icsMaxDepth deep, keep
// property parameters short, and hold at most maxEvents events. Lines are
// unfolded as the decoder does (a line starting with a space or tab
// continues the previous one).
func prescanICS(data []byte, maxEvents int) *ICSError {
	depth, events, first := 0, 0, true
	var line []byte
	check := func() *ICSError {
		if len(bytes.TrimSpace(line)) == 0 {
			return nil
		}
		nameEnd := bytes.IndexAny(line, ";:")
		paramsEnd := icsParamsEnd(line)
		if paramsEnd > icsMaxParams || (paramsEnd < 0 && len(line) > icsMaxParams) {
			return icsInvalid("property parameters too long")
		}
		if nameEnd <= 0 || paramsEnd < 0 {
			return icsInvalid("malformed content line")
		}
		name := strings.ToUpper(string(line[:nameEnd]))
		value := strings.ToUpper(strings.TrimSpace(string(line[paramsEnd+1:])))
		if first {
			first = false
			if name != "BEGIN" || value != "VCALENDAR" {
				return icsInvalid("not a calendar")
			}
		}
		switch name {
		case "BEGIN":
			depth++
			if depth > icsMaxDepth {
				return icsInvalid("components nested too deep")
			}
			if value == "VEVENT" {
				events++
				if events > maxEvents {
					return &ICSError{Key: "holiday.ics_too_many", Max: maxEvents, Detail: "too many events"}
				}
			}
		case "END":
			depth--
		}
		return nil
	}
	for len(data) > 0 {
		raw, rest, _ := bytes.Cut(data, []byte("\n"))
		data = rest
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		if len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') {
			line = append(line, raw[1:]...)
			continue
		}
		if err := check(); err != nil {
			return err
		}
		line = append(line[:0], raw...)
	}
	if err := check(); err != nil {
		return err
	}
	if first {
		return icsInvalid("empty file")
	}
	return nil
}

// icsParamsEnd is the index of the colon that ends a content line's name
// and parameters (colons inside quoted parameter values do not count), or
// -1 when there is none.
func icsParamsEnd(line []byte) int {
	quoted := false
	for i, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case c == ':' && !quoted:
			return i
		}
	}
	return -1
}

// eventDays lists the DateKeys an event covers.
func eventDays(ev ical.Event, loc *time.Location) ([]string, *ICSError) {
	startProp := ev.Props.Get(ical.PropDateTimeStart)
	if startProp == nil {
		return nil, &ICSError{Key: "holiday.ics_bad_date", Detail: "no DTSTART"}
	}
	start, allDay, _, err := icsCivil(startProp, loc)
	if err != nil {
		return nil, err
	}
	last := start
	if endProp := ev.Props.Get(ical.PropDateTimeEnd); endProp != nil {
		end, _, midnight, err := icsCivil(endProp, loc)
		if err != nil {
			return nil, err
		}
		if end.Before(start) {
			return nil, &ICSError{Key: "holiday.ics_bad_date", Detail: "DTEND before DTSTART"}
		}
		// DTEND is exclusive: a date (all-day) or midnight names the first
		// day after the event. An end equal to the start is read as one day,
		// as calendar programs show it.
		last = end
		if (allDay || midnight) && end.After(start) {
			last = end.AddDate(0, 0, -1)
		}
	} else if durProp := ev.Props.Get(ical.PropDuration); durProp != nil {
		dur, err := durProp.Duration()
		if err != nil || dur < 0 || dur > MaxHolidayEventDays*24*time.Hour {
			return nil, &ICSError{Key: "holiday.ics_range", Detail: "bad DURATION"}
		}
		if days := int(dur / (24 * time.Hour)); days > 0 && allDay {
			last = start.AddDate(0, 0, days-1)
		}
	}
	for _, t := range []time.Time{start, last} {
		if t.Year() < MinHolidayYear || t.Year() > MaxHolidayYear {
			return nil, &ICSError{Key: "holiday.ics_range", Detail: "date out of range"}
		}
	}
	n := int(last.Sub(start)/(24*time.Hour)) + 1
	if n > MaxHolidayEventDays {
		return nil, &ICSError{Key: "holiday.ics_range", Detail: "event too long"}
	}
	days := make([]string, 0, n)
	for d := start; !d.After(last); d = d.AddDate(0, 0, 1) {
		days = append(days, DateKey(d))
	}
	return days, nil
}

// icsCivil reads a DATE or DATE-TIME property as a civil date (midnight
// UTC of that date, for arithmetic), saying whether it was a DATE and
// whether a DATE-TIME fell exactly on midnight.
func icsCivil(p *ical.Prop, loc *time.Location) (day time.Time, allDay, midnight bool, err *ICSError) {
	v := strings.TrimSpace(p.Value)
	bad := &ICSError{Key: "holiday.ics_bad_date", Detail: fmt.Sprintf("unreadable %s %q", p.Name, v)}
	isDate := strings.EqualFold(p.Params.Get(ical.ParamValue), string(ical.ValueDate)) || len(v) == len("20060102")
	if isDate {
		t, e := time.Parse("20060102", v)
		if e != nil {
			return time.Time{}, false, false, bad
		}
		return t, true, false, nil
	}
	var t time.Time
	var e error
	if strings.HasSuffix(v, "Z") {
		t, e = time.Parse("20060102T150405Z", v)
		t = t.In(loc)
	} else {
		// The wall clock as written, in its TZID or floating (see
		// ParseHolidayICS for why the zone is not converted).
		t, e = time.Parse("20060102T150405", v)
	}
	if e != nil {
		return time.Time{}, false, false, bad
	}
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), false, h == 0 && mi == 0 && s == 0, nil
}
