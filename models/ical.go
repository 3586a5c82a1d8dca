package models

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

// iCalendar invitations and feeds (RFC 5545, iTIP RFC 5546).
//
// go-ical builds the component tree and escapes TEXT values, but it leaves
// four things to the caller, all done here (shared DESIGN.md §5):
//   - it never folds lines: foldICS folds at 75 octets without splitting a
//     UTF-8 sequence;
//   - it refuses `"` in parameter values and lets CR/LF through them:
//     icalParam sanitises every parameter value taken from user input;
//   - it writes the TZID from loc.String() and no VTIMEZONE: icalZone
//     writes the VTIMEZONE that goes with the TZID;
//   - SetText escapes `\ ; , LF` but keeps CR, which its encoder then
//     rejects: icalText normalises line breaks first (and escapes nothing
//     itself, so nothing is escaped twice).

// icalProdID names this application in every file it writes.
const icalProdID = "-//Studi Tiru//MPP Badung//ID"

// iTIP methods of the invitations the host sends.
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
	methodPublish = "PUBLISH"
)

// icalMaxParam bounds a parameter value (a CN). Names are validated to 150
// characters on the forms; anything longer is cut rather than refused.
const icalMaxParam = 200

// ErrNoAttendees: an invitation (REQUEST or CANCEL) must name at least one
// attendee with a valid address (RFC 5546 §3.2.2, §3.2.5).
var ErrNoAttendees = errors.New("ical: no attendee with a valid email address")

// Attendee is one person an invitation is addressed to.
type Attendee struct{ Name, Email string }

// InviteInput is everything an invitation says.
type InviteInput struct {
	Visit *Visit
	Host  HostProfile
	// Method is MethodRequest (approval, every change) or MethodCancel.
	Method string
	// Sequence is 0 at the first REQUEST and grows with every change and
	// the cancellation (RFC 5545 §3.8.7.4).
	Sequence int
	// Attendees receive the message. A CANCEL sent to an escort removed
	// from a visit lists only that escort.
	Attendees []Attendee
	// Organizer is the host's real, read mailbox: the From of the email.
	Organizer   string
	TrackingURL string // the delegation's tracking link, for DESCRIPTION and URL
	Now         time.Time
	Location    *time.Location // the host zone, Asia/Makassar
}

// VisitUID is the UID of a visit's invitation series and of its feed entry:
// derived from the visit's ID, so it never changes, whatever is rescheduled.
func VisitUID(v *Visit) string { return v.ID.Hex() + "@studitiru" }

// TrackedBy reports whether token is the visit's tracking token. Callers
// that derive the token (TrackingToken) use it to leave out links that
// would not open, such as those of visits made without the form.
func (v *Visit) TrackedBy(token string) bool {
	return token != "" && v.TrackingHash == hashToken(token)
}

// BuildInvitation writes the iTIP message of a visit: METHOD:REQUEST with
// STATUS:CONFIRMED, or METHOD:CANCEL with STATUS:CANCELLED, always with the
// visit's UID and the given SEQUENCE. Attendees whose address is not valid
// are left out; none left is ErrNoAttendees.
func BuildInvitation(in InviteInput) ([]byte, error) {
	method := strings.ToUpper(strings.TrimSpace(in.Method))
	if method != MethodRequest && method != MethodCancel {
		return nil, fmt.Errorf("ical: method %q is neither REQUEST nor CANCEL", in.Method)
	}
	if err := checkEventInput(in.Visit, in.Now, in.Location); err != nil {
		return nil, err
	}
	if in.Sequence < 0 {
		return nil, fmt.Errorf("ical: negative sequence %d", in.Sequence)
	}
	organizer, ok := icalMailbox(in.Organizer)
	if !ok {
		return nil, fmt.Errorf("ical: organizer %q is not a valid email address", in.Organizer)
	}
	attendees := validAttendees(in.Attendees)
	if len(attendees) == 0 {
		return nil, ErrNoAttendees
	}

	v, loc := in.Visit, in.Location
	tz, zoned := icalZone(loc, v.Start, v.End)
	status := ical.EventConfirmed
	if method == MethodCancel {
		status = ical.EventCancelled
	}
	ev := visitEvent(v, in.Host, loc, zoned, in.Now)
	ev.Props.SetText(ical.PropDescription, invitationDescription(v, in.Host, loc, in.TrackingURL, method == MethodCancel))
	setURL(ev, in.TrackingURL)
	ev.Props.SetText(ical.PropStatus, string(status))
	seq := ical.NewProp(ical.PropSequence)
	seq.Value = strconv.Itoa(in.Sequence)
	ev.Props.Set(seq)

	org := ical.NewProp(ical.PropOrganizer)
	if cn := icalParam(in.Host.Name); cn != "" {
		org.Params.Set(ical.ParamCommonName, cn)
	}
	org.Value = "mailto:" + organizer
	ev.Props.Set(org)
	for _, a := range attendees {
		p := ical.NewProp(ical.PropAttendee)
		if cn := icalParam(a.Name); cn != "" {
			p.Params.Set(ical.ParamCommonName, cn)
		}
		p.Params.Set(ical.ParamRole, "REQ-PARTICIPANT")
		p.Params.Set(ical.ParamParticipationStatus, "NEEDS-ACTION")
		p.Params.Set(ical.ParamRSVP, "TRUE")
		p.Params.Set(ical.ParamCalendarUserType, "INDIVIDUAL")
		p.Value = "mailto:" + a.Email
		ev.Props.Add(p)
	}

	cal := newCalendar(method)
	if tz != nil {
		cal.Children = append(cal.Children, tz)
	}
	cal.Children = append(cal.Children, ev.Component)
	return encodeICS(cal)
}

// BuildFeed writes a subscription calendar (METHOD:PUBLISH): one event per
// approved or completed visit, without attendees. Cancelled and pending
// visits are left out — a subscriber's calendar drops them on the next
// refresh. urlOf gives each event's URL (nil or "" for none); name is the
// calendar's display name.
func BuildFeed(name string, visits []Visit, host HostProfile, urlOf func(*Visit) string, now time.Time, loc *time.Location) ([]byte, error) {
	if loc == nil || now.IsZero() {
		return nil, errors.New("ical: feed needs a zone and the current time")
	}
	var shown []*Visit
	var instants []time.Time
	for i := range visits {
		v := &visits[i]
		if v.Status != StatusApproved && v.Status != StatusCompleted {
			continue
		}
		if checkEventInput(v, now, loc) != nil {
			continue // a visit without times has nothing to show
		}
		shown = append(shown, v)
		instants = append(instants, v.Start, v.End)
	}
	if len(instants) == 0 {
		instants = []time.Time{now}
	}
	tz, zoned := icalZone(loc, instants...)

	cal := newCalendar(methodPublish)
	if name = icalLine(name); name != "" {
		setExtText(cal.Component, "X-WR-CALNAME", name)
	}
	if zoned {
		setExtText(cal.Component, "X-WR-TIMEZONE", loc.String())
	}
	// Subscribed clients poll; ask for an hourly refresh (RFC 7986 and the
	// older Apple/Microsoft property).
	refresh := ical.NewProp(ical.PropRefreshInterval)
	refresh.Params.Set(ical.ParamValue, string(ical.ValueDuration))
	refresh.Value = "PT1H"
	cal.Props.Set(refresh)
	ttl := ical.NewProp("X-PUBLISHED-TTL")
	ttl.Value = "PT1H"
	cal.Props.Set(ttl)

	if tz == nil && len(shown) == 0 {
		// A VCALENDAR needs at least one component (RFC 5545 §3.6): an
		// empty feed carries the zone, even UTC.
		tz = zoneComponent(loc, now)
	}
	if tz != nil {
		cal.Children = append(cal.Children, tz)
	}
	for _, v := range shown {
		ev := visitEvent(v, host, loc, zoned, now)
		link := ""
		if urlOf != nil {
			link = urlOf(v)
		}
		ev.Props.SetText(ical.PropDescription, feedDescription(v, loc, link))
		setURL(ev, link)
		ev.Props.SetText(ical.PropStatus, string(ical.EventConfirmed))
		if !v.UpdatedAt.IsZero() {
			ev.Props.SetDateTime(ical.PropLastModified, v.UpdatedAt.UTC())
		}
		cal.Children = append(cal.Children, ev.Component)
	}
	return encodeICS(cal)
}

// BuildVisitFile is the visit as a file to download and import: the same
// event as the invitation (UID, times, place, description) but as
// METHOD:PUBLISH without attendees, because a download is not an iTIP
// message and must not make the importer the organizer's correspondent.
func BuildVisitFile(v *Visit, host HostProfile, trackingURL string, now time.Time, loc *time.Location) ([]byte, error) {
	if err := checkEventInput(v, now, loc); err != nil {
		return nil, err
	}
	tz, zoned := icalZone(loc, v.Start, v.End)
	cal := newCalendar(methodPublish)
	if tz != nil {
		cal.Children = append(cal.Children, tz)
	}
	ev := visitEvent(v, host, loc, zoned, now)
	ev.Props.SetText(ical.PropDescription, invitationDescription(v, host, loc, trackingURL, false))
	setURL(ev, trackingURL)
	ev.Props.SetText(ical.PropStatus, string(ical.EventConfirmed))
	cal.Children = append(cal.Children, ev.Component)
	return encodeICS(cal)
}

// setExtText sets a non-standard TEXT property without the VALUE=TEXT that
// go-ical adds to properties it does not know (clients expect it bare).
func setExtText(c *ical.Component, name, value string) {
	p := ical.NewProp(name)
	p.SetText(value)
	p.Params.Del(ical.ParamValue)
	c.Props.Set(p)
}

func checkEventInput(v *Visit, now time.Time, loc *time.Location) error {
	switch {
	case v == nil:
		return errors.New("ical: no visit")
	case loc == nil:
		return errors.New("ical: no zone")
	case now.IsZero():
		return errors.New("ical: no current time for DTSTAMP")
	case v.Start.IsZero() || !v.End.After(v.Start):
		return fmt.Errorf("ical: visit %s has no valid start and end", v.Code)
	}
	return nil
}

func newCalendar(method string) *ical.Calendar {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, icalProdID)
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, method)
	return cal
}

// visitEvent is what every event of a visit has: UID, DTSTAMP, times,
// SUMMARY and LOCATION. zoned says whether times are written with the
// TZID of loc (and a VTIMEZONE) or in UTC.
func visitEvent(v *Visit, host HostProfile, loc *time.Location, zoned bool, now time.Time) *ical.Event {
	ev := ical.NewEvent()
	ev.Props.SetText(ical.PropUID, VisitUID(v))
	ev.Props.SetDateTime(ical.PropDateTimeStamp, now.UTC())
	when := func(t time.Time) time.Time {
		if zoned {
			return t.In(loc)
		}
		return t.UTC()
	}
	ev.Props.SetDateTime(ical.PropDateTimeStart, when(v.Start))
	ev.Props.SetDateTime(ical.PropDateTimeEnd, when(v.End))
	ev.Props.SetText(ical.PropSummary, VisitSummary(v, host))
	if where := visitLocation(v, host); where != "" {
		ev.Props.SetText(ical.PropLocation, where)
	}
	ev.Props.SetText(ical.PropTransparency, "OPAQUE")
	return ev
}

// VisitSummary is the event's title: "Kunjungan Studi Tiru <institution>
// ke <host>".
func VisitSummary(v *Visit, host HostProfile) string {
	s := "Kunjungan Studi Tiru " + icalLine(v.InstitutionName)
	if name := icalLine(host.Name); name != "" {
		s += " ke " + name
	}
	return s
}

// visitLocation is the room, the host and its address.
func visitLocation(v *Visit, host HostProfile) string {
	return joinNonEmpty(", ", icalLine(v.Room), icalLine(host.Name), icalLine(host.Address))
}

// visitWhen is "Kamis, 5 Maret 2026, pukul 09.00–12.00 WITA".
func visitWhen(v *Visit, loc *time.Location) string {
	start, end := v.Start.In(loc), v.End.In(loc)
	s := FormatDate(start, LangID) + ", pukul " + start.Format("15.04") + "–" + end.Format("15.04") + " " + IndonesianZone(start)
	if DateKey(start) != DateKey(end) {
		s = FormatDateTime(start, LangID) + " – " + FormatDate(end, LangID) + " pukul " + end.Format("15.04") + " " + IndonesianZone(end)
	}
	return s
}

// invitationDescription is the text delegations and escorts read in their
// calendar, in Indonesian like the letters.
func invitationDescription(v *Visit, host HostProfile, loc *time.Location, trackingURL string, cancelled bool) string {
	var b strings.Builder
	line := func(label, value string) {
		if value = icalLine(value); value != "" {
			b.WriteString(label + value + "\n")
		}
	}
	if cancelled {
		b.WriteString("Kunjungan ini DIBATALKAN.\n\n")
	}
	line("Kunjungan studi tiru ", joinNonEmpty(" ", icalLine(v.InstitutionName), codeInParens(v.Code)))
	line("Waktu: ", visitWhen(v, loc))
	line("Tempat: ", visitLocation(v, host))
	writeAgenda(&b, v.Agenda)
	line("Diterima oleh: ", v.Receiver)
	line("Kontak tuan rumah: ", joinNonEmpty(" · ", FormatPhone(icalLine(host.Phone)), icalLine(host.Email)))
	if u, ok := icalURL(trackingURL); ok {
		b.WriteString("\nPantau permohonan dan unduh surat balasan:\n" + u + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// feedDescription is what staff see on a subscribed calendar: the facts of
// the visit they need on the day, and the link to its page.
func feedDescription(v *Visit, loc *time.Location, link string) string {
	var b strings.Builder
	line := func(label, value string) {
		if value = icalLine(value); value != "" {
			b.WriteString(label + value + "\n")
		}
	}
	line("Kode: ", v.Code)
	if v.Status == StatusCompleted {
		b.WriteString("Status: selesai\n")
	}
	line("Instansi: ", v.InstitutionName)
	line("Waktu: ", visitWhen(v, loc))
	line("Ruang: ", v.Room)
	if v.Participants > 0 {
		line("Peserta: ", FormatNumber(v.Participants, LangID)+" orang")
	}
	line("Pimpinan rombongan: ", joinNonEmpty(", ", icalLine(v.Leader.Name), icalLine(v.Leader.Position)))
	line("Narahubung: ", joinNonEmpty(" · ", icalLine(v.Contact.Name), FormatPhone(icalLine(v.Contact.Phone)), icalLine(v.Contact.Email)))
	line("Pendamping: ", strings.Join(v.Escorts, ", "))
	line("Diterima oleh: ", v.Receiver)
	writeAgenda(&b, v.Agenda)
	if u, ok := icalURL(link); ok {
		b.WriteString("\n" + u + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func writeAgenda(b *strings.Builder, agenda []string) {
	n := 0
	for _, item := range agenda {
		if item = icalLine(item); item == "" {
			continue
		}
		if n == 0 {
			b.WriteString("Agenda:\n")
		}
		n++
		fmt.Fprintf(b, "%d. %s\n", n, item)
	}
}

func codeInParens(code string) string {
	if code = icalLine(code); code != "" {
		return "(" + code + ")"
	}
	return ""
}

// setURL sets the event's URL when link is an absolute http(s) address.
func setURL(ev *ical.Event, link string) {
	if u, ok := icalURL(link); ok {
		p := ical.NewProp(ical.PropURL)
		p.Value = u
		ev.Props.Set(p)
	}
}

// icalURL accepts only absolute http(s) URLs without control characters or
// spaces (they would end the value or the line).
func icalURL(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}

// validAttendees keeps the attendees with a valid address, once each.
func validAttendees(in []Attendee) []Attendee {
	out := make([]Attendee, 0, len(in))
	seen := map[string]bool{}
	for _, a := range in {
		email, ok := icalMailbox(a.Email)
		if !ok || seen[email] {
			continue
		}
		seen[email] = true
		out = append(out, Attendee{Name: a.Name, Email: email})
	}
	return out
}

// icalMailbox normalises an address and checks it with net/mail (through
// validEmail, which also refuses spaces, quotes and angle brackets). The
// result is safe after "mailto:": no control characters, no CR/LF.
func icalMailbox(s string) (string, bool) {
	s = NormalizeEmail(s)
	if s == "" || !validEmail(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", false
	}
	return s, true
}

// icalText makes user text fit a TEXT value before go-ical escapes it:
// valid UTF-8, CRLF and CR as LF (escaped as \n by go-ical), other control
// characters as spaces.
func icalText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return ' '
		}
		return r
	}, s)
}

// icalLine is icalText on one line: every line break and run of white space
// becomes one space.
func icalLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(icalText(s), "\n", " ")), " ")
}

// icalParam makes user text safe as a parameter value (a CN), which has no
// escaping at all (RFC 5545 §3.2): one line, no control characters, and `"`
// — which cannot appear even in a quoted value — as `'`. go-ical quotes a
// value containing `;`, `:` or `,`, so those stay as typed.
func icalParam(s string) string {
	s = strings.ReplaceAll(icalLine(s), `"`, "'")
	if utf8.RuneCountInString(s) > icalMaxParam {
		s = string([]rune(s)[:icalMaxParam])
	}
	return strings.TrimSpace(s)
}

// icalZone decides how times are written. With a fixed-offset zone at all
// the given instants, they are local times with loc's TZID, and the
// VTIMEZONE returned describes it. When the offset differs between them (a
// zone with daylight saving time), or loc is UTC, times are written in UTC:
// one STANDARD block could not describe such a zone, and a TZID without a
// correct VTIMEZONE is worse than UTC.
func icalZone(loc *time.Location, instants ...time.Time) (*ical.Component, bool) {
	if loc == time.UTC || loc.String() == "UTC" || loc.String() == "Local" || len(instants) == 0 {
		return nil, false
	}
	_, offset := instants[0].In(loc).Zone()
	for _, t := range instants[1:] {
		if _, o := t.In(loc).Zone(); o != offset {
			return nil, false
		}
	}
	return zoneComponent(loc, instants[0]), true
}

// zoneComponent is a VTIMEZONE for loc with one STANDARD block: the offset
// and abbreviation loc has at t (for Asia/Makassar +0800, WITA).
func zoneComponent(loc *time.Location, t time.Time) *ical.Component {
	abbrev, offset := t.In(loc).Zone()
	std := ical.NewComponent(ical.CompTimezoneStandard)
	start := ical.NewProp(ical.PropDateTimeStart)
	start.Value = "19700101T000000"
	std.Props.Set(start)
	for _, name := range []string{ical.PropTimezoneOffsetFrom, ical.PropTimezoneOffsetTo} {
		p := ical.NewProp(name)
		p.Value = utcOffset(offset)
		std.Props.Set(p)
	}
	if abbrev = icalLine(abbrev); abbrev != "" {
		std.Props.SetText(ical.PropTimezoneName, abbrev)
	}
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, loc.String())
	tz.Children = append(tz.Children, std)
	return tz
}

// utcOffset writes seconds east of UTC as an iCalendar UTC-OFFSET: "+0800".
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}

// encodeICS encodes the calendar and folds its lines.
func encodeICS(cal *ical.Calendar) ([]byte, error) {
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, err
	}
	return foldICS(buf.Bytes()), nil
}

// icalFoldAt is the longest a physical line may be, in octets, not counting
// the CRLF (RFC 5545 §3.1).
const icalFoldAt = 75

// foldICS folds every CRLF-terminated content line longer than 75 octets:
// a CRLF and a space go before the octet that would overflow, never inside
// a UTF-8 sequence. The space counts towards the continuation line's 75.
func foldICS(in []byte) []byte {
	out := make([]byte, 0, len(in)+len(in)/64*3)
	for len(in) > 0 {
		i := bytes.Index(in, []byte("\r\n"))
		var line []byte
		if i < 0 {
			line, in = in, nil
		} else {
			line, in = in[:i], in[i+2:]
		}
		limit := icalFoldAt
		for len(line) > limit {
			cut := limit
			for cut > 0 && !utf8.RuneStart(line[cut]) {
				cut--
			}
			out = append(out, line[:cut]...)
			out = append(out, '\r', '\n', ' ')
			line = line[cut:]
			limit = icalFoldAt - 1
		}
		out = append(out, line...)
		out = append(out, '\r', '\n')
	}
	return out
}
