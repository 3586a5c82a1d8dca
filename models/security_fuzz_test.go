package models_test

// Fuzz targets of the inputs that come from outside: the public request
// form, roster workbooks, e-mail addresses, the tokens of private links and
// the text that goes into iCalendar files. Their seed corpora (f.Add and
// testdata/fuzz/<Target>/) run as ordinary tests with `go test`; the long
// runs and what they found are in docs/SECURITY.md.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"net/http"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-ical"
	"github.com/xuri/excelize/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// minimalPDF passes LetterProblem: the magic and an end-of-file marker.
const minimalPDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

// requestFields are the form fields Validate may name.
var requestFields = map[string]bool{
	"institution_name": true, "institution_type": true, "province": true, "regency": true,
	"leader_name": true, "leader_position": true, "participants": true, "topics": true,
	"topics_other": true, "slot1": true, "slot2": true, "slot3": true, "protocol": true,
	"contact_name": true, "contact_position": true, "contact_email": true, "contact_phone": true,
	"letter_number": true, "letter_date": true, "letter": true, "notes": true, "roster": true,
}

var e164Mobile = regexp.MustCompile(`^\+628[0-9]{8,11}$`)

// FuzzRequestValidate: whatever a visitor posts, validation of the public
// request form never panics, reports only known fields with a catalogue
// key, normalises what it accepts (trimmed text, lowercase address, +62
// phone), is idempotent (the normalised form validates to the same result),
// and a form it accepts makes a visit that fits the rules.
func FuzzRequestValidate(f *testing.F) {
	regions, err := models.LoadRegions()
	if err != nil {
		f.Fatal(err)
	}
	loc := witaZone(f)
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, loc) // Monday 1 June 2026
	rules := models.RequestRules{Regions: regions, Availability: availabilityAt(f, now)}
	// A form that passes, then hostile and borderline variants of it.
	f.Add("Pemerintah Kabupaten Muna Barat", "kabupaten", "74", "74.13", "Dr. La Ode Darwin, M.Si.", "24",
		"Pembentukan MPP", "2026-07-07", "pagi", "standar", " Wa.Ode@MunaBaratKab.go.id ", "0812-3456-7890",
		"000/123/Setda", "2026-05-20", "Mohon ruang untuk 24 orang.", []byte(minimalPDF))
	f.Add(`<script>window.__xss=1</script>`, "kota", "51", "51.71", `"><img src=x onerror="window.__xss=1">`, "60",
		"MPP digital", "2026-07-08", "siang", "kepala_daerah", "x@example.go.id\r\nBcc: y@example.go.id", "+62 (0)811 123 456",
		"javascript:alert(1)", "2026-06-01", "=HYPERLINK(\"http://x\")", []byte(minimalPDF))
	f.Add("  ab  ", "lainnya", "", "", "\u200b\u200b\u200b", "0", "x", "2026-13-40", "", "menteri", "a@b", "812", "", "9999-99-99", "", []byte("%PDF-"))
	f.Add("Kementerian PANRB", "kementerian", "51", "11.01", "Menteri", "61", "Integrasi OSS", "2026-06-02", "pagi", "x",
		"menpan@menpan.go.id", "081234567890", "B/1/2026", "2026-06-02", strings.Repeat("é", 1001), []byte{})
	f.Add("DPRD Kabupaten Badung", "dprd", "51", "", "Ketua DPRD", " 1 ", "", "2026-07-11", "pagi", "pimpinan_dprd",
		"dprd@badungkab.go.id", "0361 123456", "005/1", "", "\x00\x1b[31m", []byte("%PDF-1.7 no end"))
	f.Fuzz(func(t *testing.T, name, typ, province, regency, leader, participants, topics, date, session, protocol,
		email, phone, letterNumber, letterDate, notes string, letter []byte) {
		in := models.RequestInput{
			InstitutionName: name, InstitutionType: typ, ProvinceCode: province, RegencyCode: regency,
			LeaderName: leader, LeaderPosition: leader, Participants: participants,
			Protocol: protocol, ContactName: name, ContactPosition: leader,
			ContactEmail: email, ContactPhone: phone, LetterNumber: letterNumber, LetterDate: letterDate,
			Letter: letter, LetterName: "surat.pdf", Notes: notes, Language: "id",
		}
		if topics != "" {
			in.Topics = strings.Split(topics, "|")
		}
		in.Slots[0] = models.RequestedSlot{Date: date, SessionID: session}
		err := in.Validate(rules)
		bad := map[string]string{}
		if err != nil {
			v, ok := models.AsValidation(err)
			if !ok {
				t.Fatalf("error %v is not a ValidationError", err)
			}
			for field, msg := range v.Fields {
				if !requestFields[field] || !strings.Contains(msg, ".") {
					t.Fatalf("field %q message %q", field, msg)
				}
			}
			bad = v.Fields
		}
		for _, s := range []string{in.InstitutionName, in.LeaderName, in.LeaderPosition, in.ContactName,
			in.ContactPosition, in.LetterNumber, in.LetterDate, in.Notes, in.TopicsOther, in.Slots[0].Date, in.Slots[0].SessionID} {
			if strings.TrimSpace(s) != s {
				t.Fatalf("not trimmed: %q", s)
			}
		}
		if in.ContactEmail != models.NormalizeEmail(in.ContactEmail) {
			t.Fatalf("address not normalised: %q", in.ContactEmail)
		}
		accepted := func(field string) bool { _, b := bad[field]; return !b }
		if accepted("contact_email") && !models.ValidEmail(in.ContactEmail) {
			t.Fatalf("accepted address %q is not valid", in.ContactEmail)
		}
		if accepted("contact_phone") && !e164Mobile.MatchString(in.ContactPhone) {
			t.Fatalf("accepted phone %q is not +628…", in.ContactPhone)
		}
		n, nerr := strconv.Atoi(strings.TrimSpace(in.Participants))
		if accepted("participants") && (nerr != nil || n < 1 || n > rules.Availability.Settings.MaxParticipants) {
			t.Fatalf("accepted participants %q", in.Participants)
		}
		for field, s := range map[string]string{"institution_name": in.InstitutionName, "leader_name": in.LeaderName, "contact_name": in.ContactName} {
			if r := utf8.RuneCountInString(s); accepted(field) && (r < 3 || r > 200) {
				t.Fatalf("accepted %s of %d characters", field, r)
			}
		}
		if accepted("letter") && models.LetterProblem(in.Letter) != "" {
			t.Fatalf("accepted a letter that is not a PDF: %q", in.Letter)
		}
		if accepted("slot1") {
			day, err := models.ParseDateKey(in.Slots[0].Date, loc)
			if err != nil {
				t.Fatalf("accepted slot date %q", in.Slots[0].Date)
			}
			if reason, _ := rules.Availability.Check(day, in.Slots[0].SessionID, max(n, 1)); reason != "" {
				t.Fatalf("accepted a slot the rules close (%s): %+v", reason, in.Slots[0])
			}
		}

		again := in
		err2 := again.Validate(rules)
		bad2 := map[string]string{}
		if v, ok := models.AsValidation(err2); ok {
			bad2 = v.Fields
		}
		if !reflect.DeepEqual(bad, bad2) || !reflect.DeepEqual(in, again) {
			t.Fatalf("not idempotent:\n%v\n%v\n%#v\n%#v", bad, bad2, in, again)
		}
		if err != nil {
			return
		}
		const token = "AbCdEfGhIjKlMnOpQrStUvWx"
		visit := models.NewRequest(&in, rules, strings.Repeat("k", 32), token, now)
		switch {
		case len(visit.Requested) != 1 || visit.Requested[0] != in.Slots[0]:
			t.Fatalf("requested %v", visit.Requested)
		case !visit.Start.After(now) || !visit.End.After(visit.Start):
			t.Fatalf("visit from %v to %v", visit.Start, visit.End)
		case visit.Participants != n || visit.Contact.Email != in.ContactEmail || visit.Contact.Phone != in.ContactPhone:
			t.Fatalf("visit does not carry the form: %+v", visit)
		case !visit.TrackedBy(token) || visit.TrackedBy(token[1:]):
			t.Fatal("tracking hash does not match its token only")
		}
	})
}

// xlsxSeed writes rows to the first sheet of a new workbook.
func xlsxSeed(tb testing.TB, rows ...[]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sheet := f.GetSheetName(0)
	for i, row := range rows {
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &row); err != nil {
			tb.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzParseRosterXLSX: a hostile workbook (broken ZIP, wrong XML, formulas,
// markup, control characters) yields clean entries or row problems, never
// a panic or an error other than "too large"; ParseRoster picks the same
// parser by content; every entry is valid on its own and survives a CSV
// round trip.
func FuzzParseRosterXLSX(f *testing.F) {
	f.Add(xlsxSeed(f,
		[]any{"DAFTAR PESERTA STUDI TIRU"},
		[]any{"No", "Nama", "Jabatan", "Jenis Kelamin (L/P)", "Kebutuhan Khusus"},
		[]any{1, "Dr. H. La Ode Darwin, M.Si.", "Sekretaris Daerah", "L", ""},
		[]any{2, "Wa Ode Sitti", "Kepala Bagian", "P", "kursi roda"},
	))
	f.Add(xlsxSeed(f,
		[]any{"Name", "Position", "Gender"},
		[]any{`<script>window.__xss=1</script>`, `"><img src=x onerror=alert(1)>`, "F"},
		[]any{"=HYPERLINK(\"http://x\",\"y\")", "@SUM(1)", "M"},
		[]any{"Budi\r\nX-INJECTED:1", "Staf\x00\x07", "L"},
	))
	f.Add(xlsxSeed(f, []any{"Nama", "Nama"}))
	f.Add(xlsxSeed(f))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte("Nama;Jabatan;JK\nBudi;Staf;L\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, errs, err := models.ParseRosterXLSX(bytes.NewReader(data))
		if err != nil {
			if errors.Is(err, models.ErrRosterTooLarge) {
				return
			}
			t.Fatalf("error for a readable input: %v", err)
		}
		if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			e2, errs2, err2 := models.ParseRoster(bytes.NewReader(data))
			if err2 != nil || !reflect.DeepEqual(e2, entries) || !reflect.DeepEqual(errs2, errs) {
				t.Fatalf("ParseRoster differs from ParseRosterXLSX")
			}
		}
		if len(entries) > models.MaxRosterEntries {
			t.Fatalf("%d entries", len(entries))
		}
		if len(entries) == 0 && len(errs) == 0 {
			t.Fatal("no entries and no problem reported")
		}
		for _, e := range errs {
			if e.Row < 0 || e.Message == "" {
				t.Fatalf("bad row error %+v", e)
			}
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{"name", "position", "gender", "needs"})
		for _, e := range entries {
			if again, err := models.NewRosterEntry(e.Name, e.Position, string(e.Gender), e.Needs); err != nil || again != e {
				t.Fatalf("entry %#v does not validate to itself: %#v, %v", e, again, err)
			}
			for _, s := range []string{e.Name, e.Position, e.Needs} {
				if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
					t.Fatalf("unclean cell %q", s)
				}
			}
			_ = w.Write([]string{e.Name, e.Position, string(e.Gender), e.Needs})
		}
		w.Flush()
		if len(entries) == 0 {
			return
		}
		again, errs2, err := models.ParseRosterCSV(&buf)
		if err != nil || len(errs2) != 0 || !reflect.DeepEqual(again, entries) {
			t.Fatalf("CSV round trip: got %#v, %v, %v; want %#v", again, errs2, err, entries)
		}
	})
}

// FuzzNormalizeEmail: normalisation is idempotent, and an address that
// validates is one line of printable text that net/mail reads back as
// itself and that an invitation accepts after "mailto:" — so it can go into
// a mail header, an iCalendar property or a page.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{
		"Wa.Ode@MunaBaratKab.go.id", " admin@studitiru.local ", "a@b", "a@b.c", `"a b"@example.go.id`,
		"x@example.go.id\r\nBcc: y@example.go.id", "x@example.go.id\x00", "<x@example.go.id>", "Nama <x@example.go.id>",
		"ñoño@contoh.go.id", "İ@example.go.id", "a@b.c\u2028", "a\u00a0b@example.go.id", "a\u202eb@example.go.id", "a\u200bb@example.go.id", "@example.go.id",
		strings.Repeat("a", 250) + "@b.id", "a@[127.0.0.1]", "a(comment)@example.go.id", "a@example.go.id.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := models.NormalizeEmail(s)
		if models.NormalizeEmail(n) != n {
			t.Fatalf("NormalizeEmail(%q) = %q is not stable", s, n)
		}
		if !models.ValidEmail(n) {
			return
		}
		if len(n) > 254 || !utf8.ValidString(n) || strings.ContainsFunc(n, func(r rune) bool {
			return unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || r == '<' || r == '>' || r == '"'
		}) {
			t.Fatalf("accepted %q", n)
		}
		if a, err := mail.ParseAddress(n); err != nil || a.Address != n || a.Name != "" {
			t.Fatalf("net/mail reads %q as %v, %v", n, a, err)
		}
		if got, ok := models.ICalMailbox(s); !ok || got != n {
			t.Fatalf("an invitation refuses the valid address %q: %q %v", n, got, ok)
		}
		u := models.UserInput{Email: s, Name: "Nama", Role: string(models.RoleEscort)}
		if err := u.Validate(false); err != nil || u.Email != n {
			t.Fatalf("staff form disagrees on %q: %v", s, err)
		}
	})
}

// FuzzPrivateLinkTokens covers the tokens of the delegation's private
// links. For any form key the tracking token is 144 bits of URL-safe
// base64 (24 characters, nothing to escape in a URL, inside the lookup's
// 20–64 length gate) and only it matches the stored hash. For any string,
// taking a survey token apart never panics; a well-formed one names the
// visit by its id, and only the server's MAC of that visit's form key is
// accepted. The tracking token and the survey MAC of one form key differ,
// so neither link opens the other page.
func FuzzPrivateLinkTokens(f *testing.F) {
	key := sha256.Sum256([]byte("server key of the fuzz test"))
	id := bson.NewObjectIDFromTimestamp(time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC))
	f.Add(strings.Repeat("k", 32), models.SurveyToken(key[:], id, strings.Repeat("k", 32)))
	f.Add("", "")
	f.Add("form-key", id.Hex()+strings.Repeat("A", 24))
	f.Add("x", strings.ToUpper(id.Hex())+strings.Repeat("_", 24))
	f.Add("\x00\xff", "zz"+id.Hex()[2:]+strings.Repeat("-", 24))
	f.Add("ключ", "../../etc/passwd"+strings.Repeat(".", 32))
	tokenRe := regexp.MustCompile(`^[A-Za-z0-9_-]{24}$`)
	f.Fuzz(func(t *testing.T, formKey, token string) {
		track := models.TrackingToken(key[:], formKey)
		if !tokenRe.MatchString(track) || url.PathEscape(track) != track {
			t.Fatalf("tracking token %q", track)
		}
		if raw, err := base64.RawURLEncoding.DecodeString(track); err != nil || len(raw) != 18 {
			t.Fatalf("tracking token %q is not 144 bits", track)
		}
		v := models.Visit{}
		visit := models.Visit{TrackingHash: models.HashToken(track)}
		if !visit.TrackedBy(track) || v.TrackedBy(track) || visit.TrackedBy("") {
			t.Fatal("TrackedBy")
		}
		if token != track && visit.TrackedBy(token) {
			t.Fatalf("%q opens the visit of %q", token, track)
		}

		survey := models.SurveyToken(key[:], id, formKey)
		gotID, mac, ok := models.SplitSurveyToken(survey)
		if !ok || gotID != id || !models.SurveyMACValid(key[:], formKey, mac) || url.PathEscape(survey) != survey {
			t.Fatalf("own survey token %q refused", survey)
		}
		if mac == track {
			t.Fatal("survey MAC equals the tracking token")
		}
		gotID, mac, ok = models.SplitSurveyToken(token)
		if !ok {
			return
		}
		if len(token) != 48 || gotID.Hex() != strings.ToLower(token[:24]) || mac != token[24:] {
			t.Fatalf("SplitSurveyToken(%q) = %v, %q", token, gotID, mac)
		}
		if models.SurveyMACValid(key[:], formKey, mac) != (mac == survey[24:]) {
			t.Fatalf("MAC %q of %q judged wrongly", mac, token)
		}
		other := sha256.Sum256([]byte("another server"))
		if models.SurveyMACValid(other[:], formKey, survey[24:]) {
			t.Fatal("a MAC made with another key is accepted")
		}
	})
}

// FuzzICalSanitise: the text sanitisers that stand between user input and
// go-ical. Whatever the input: valid UTF-8; TEXT values keep line feeds
// only (go-ical escapes them), one-line values and parameters (CN) have no
// line break or control character at all, parameters no `"` and at most
// ICalMaxParam characters; each is idempotent, and clean text passes
// unchanged.
func FuzzICalSanitise(f *testing.F) {
	for _, s := range []string{
		"Pemerintah Kabupaten Muna Barat", "Pemda \"X\"; Kab, Y\r\nX-INJECTED:1", "a\rb\nc\r\n\r\nd",
		"\x00\x1b[31m\x7f\u0085\u2028\u2029", "\xff\xfe", "Ñoño Ślązak Nguyễn", strings.Repeat("é", 300),
		" \t lead and trail \t ", "BEGIN:VEVENT", `C:\Windows; a,b`, "\u200b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		text, line, param := models.ICalText(s), models.ICalLine(s), models.ICalParam(s)
		for _, out := range []string{text, line, param} {
			if !utf8.ValidString(out) || strings.ContainsAny(out, "\r\u2028\u2029") {
				t.Fatalf("%q → %q", s, out)
			}
			if strings.ContainsFunc(out, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }) {
				t.Fatalf("%q → %q keeps a control character", s, out)
			}
		}
		if strings.Contains(line, "\n") || strings.Contains(param, "\n") || strings.Contains(param, `"`) {
			t.Fatalf("%q → line %q, param %q", s, line, param)
		}
		if strings.Join(strings.Fields(line), " ") != line || utf8.RuneCountInString(param) > models.ICalMaxParam ||
			strings.TrimSpace(param) != param {
			t.Fatalf("%q → line %q, param %q", s, line, param)
		}
		if models.ICalText(text) != text || models.ICalLine(line) != line || models.ICalParam(param) != param {
			t.Fatalf("not idempotent on %q", s)
		}
		clean := utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
			return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
		})
		if clean && text != s {
			t.Fatalf("clean text %q changed to %q", s, text)
		}
	})
}

// FuzzInvitationText builds whole invitations and feeds from hostile
// delegation and host text, and reads them back as a calendar program
// would: CRLF lines of at most 75 octets that are valid UTF-8 each, exactly
// the properties the app writes (nothing injected), and the summary,
// description and attendee names as sanitised — nothing lost, nothing added.
func FuzzInvitationText(f *testing.F) {
	f.Add("Pemerintah Kabupaten Muna Barat", "Paparan", "Wa Ode Sitti", "MPP Badung", "Ruang Rapat")
	f.Add("Pemda \"X\"; Kab, Y\r\nX-INJECTED:1", "Paparan\nX-INJECTED:2", "W \"S\"\r\nX-INJECTED:4\x07",
		"MPP \"Badung\"\r\nX-INJECTED:3", "\\n\\,;:")
	f.Add(`<script>window.__xss=1</script>`, `"><img src=x onerror="window.__xss=1">`, "javascript:alert(1)", "", "\xff")
	f.Add(strings.Repeat("ả", 80), strings.Repeat("🙂", 40), strings.Repeat("x", 300), "\u2028", "END:VCALENDAR")
	loc := hostZone(f)
	allowed := map[string]bool{"UID": true, "DTSTAMP": true, "DTSTART": true, "DTEND": true, "SUMMARY": true,
		"LOCATION": true, "TRANSP": true, "DESCRIPTION": true, "URL": true, "STATUS": true, "SEQUENCE": true,
		"ORGANIZER": true, "ATTENDEE": true, "LAST-MODIFIED": true}
	calAllowed := map[string]bool{"VERSION": true, "PRODID": true, "CALSCALE": true, "METHOD": true,
		"X-WR-CALNAME": true, "X-WR-TIMEZONE": true, "REFRESH-INTERVAL": true, "X-PUBLISHED-TTL": true}
	f.Fuzz(func(t *testing.T, institution, agenda, attendee, hostName, room string) {
		v := icalVisit()
		v.InstitutionName, v.Agenda, v.Room, v.Receiver = institution, []string{agenda, agenda}, room, attendee
		v.Leader.Name, v.Contact.Name = attendee, attendee
		in := inviteInput(t, v)
		in.Host.Name = hostName
		in.Attendees[0].Name = attendee
		inv, err := models.BuildInvitation(in)
		if err != nil {
			t.Fatal(err)
		}
		feed, err := models.BuildFeed(institution, []models.Visit{*v}, in.Host,
			func(*models.Visit) string { return "https://x.go.id/staf/permohonan/" + v.ID.Hex() }, in.Now, loc)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range [][]byte{inv, feed} {
			if !bytes.HasSuffix(b, []byte("\r\n")) {
				t.Fatal("no final CRLF")
			}
			for _, l := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
				if len(l) > 75 || strings.ContainsAny(l, "\r\n") || !utf8.ValidString(l) {
					t.Fatalf("bad physical line %q", l)
				}
			}
			cal, err := ical.NewDecoder(bytes.NewReader(b)).Decode()
			if err != nil {
				t.Fatalf("unreadable: %v\n%s", err, b)
			}
			for name := range cal.Props {
				if !calAllowed[name] {
					t.Fatalf("calendar property %s appeared:\n%s", name, b)
				}
			}
			for _, c := range cal.Children {
				if c.Name != ical.CompEvent && c.Name != ical.CompTimezone {
					t.Fatalf("component %s", c.Name)
				}
			}
			evs := cal.Events()
			if len(evs) != 1 {
				t.Fatalf("%d events", len(evs))
			}
			ev := evs[0]
			for name := range ev.Props {
				if !allowed[name] {
					t.Fatalf("property %s appeared:\n%s", name, b)
				}
			}
			if got, _ := ev.Props.Text(ical.PropSummary); got != models.VisitSummary(v, in.Host) {
				t.Fatalf("SUMMARY %q, want %q", got, models.VisitSummary(v, in.Host))
			}
			desc, _ := ev.Props.Text(ical.PropDescription)
			if a := models.ICalLine(agenda); a != "" && !strings.Contains(desc, "1. "+a+"\n2. "+a) {
				t.Fatalf("agenda %q lost in %q", a, desc)
			}
		}
		fc, _ := ical.NewDecoder(bytes.NewReader(feed)).Decode()
		if got, _ := fc.Props.Text("X-WR-CALNAME"); got != models.ICalLine(institution) {
			t.Fatalf("calendar name %q, want %q", got, models.ICalLine(institution))
		}
		cal, _ := ical.NewDecoder(bytes.NewReader(inv)).Decode()
		atts := cal.Events()[0].Props.Values(ical.PropAttendee)
		if len(atts) != 2 || atts[0].Params.Get(ical.ParamCommonName) != models.ICalParam(attendee) {
			t.Fatalf("attendees %v, want CN %q", atts, models.ICalParam(attendee))
		}
		if cn := cal.Events()[0].Props.Get(ical.PropOrganizer).Params.Get(ical.ParamCommonName); cn != models.ICalParam(hostName) {
			t.Fatalf("organizer CN %q, want %q", cn, models.ICalParam(hostName))
		}
	})
}

// FuzzUploadChecks: the two uploads checked by content, never by name.
// A photo is accepted only if its header decodes as JPEG, PNG or WebP (the
// format its bytes announce) within the pixel bounds; a letter only if it
// is a PDF by its magic and end-of-file marker within the size limit.
// Neither check panics on any input.
func FuzzUploadChecks(f *testing.F) {
	f.Add(testPNG(4, 3))
	f.Add(testJPEG(8, 8))
	f.Add(testWebP())
	f.Add([]byte(minimalPDF))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	f.Add([]byte("<html><script>window.__xss=1</script></html>"))
	f.Add([]byte("%PDF-1.7\n<script>window.__xss=1</script>\n%%EOF"))
	f.Add(append([]byte("\x89PNG\r\n\x1a\n"), "not an image"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		if models.PhotoProblem(b) == "" {
			cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
			if err != nil || (format != "jpeg" && format != "png" && format != "webp") {
				t.Fatalf("accepted a photo that is not one: %q, %v", format, err)
			}
			if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > models.MaxPhotoPixels || cfg.Height > models.MaxPhotoPixels ||
				cfg.Width*cfg.Height > models.MaxPhotoArea {
				t.Fatalf("accepted %d×%d pixels", cfg.Width, cfg.Height)
			}
			if ct := http.DetectContentType(b); !strings.HasPrefix(ct, "image/") {
				t.Fatalf("accepted a photo sniffed as %s", ct)
			}
		}
		if models.LetterProblem(b) == "" {
			if !bytes.HasPrefix(b, []byte("%PDF-")) || len(b) > models.MaxLetterBytes ||
				!bytes.Contains(b[max(0, len(b)-2048):], []byte("%%EOF")) {
				t.Fatalf("accepted a letter that is not a PDF: %.40q", b)
			}
		}
	})
}
