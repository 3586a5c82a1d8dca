package models_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

func hostZone(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// icalVisit is an approved visit on Thursday 5 March 2026, 09.00–12.00 WITA.
func icalVisit() *models.Visit {
	return &models.Visit{
		ID:              bson.NewObjectID(),
		Code:            "ST-2026-0001",
		Status:          models.StatusApproved,
		InstitutionName: "Pemerintah Kabupaten Muna Barat",
		Leader:          models.Person{Name: "Dr. Ir. La Ode Darwin, M.Si.", Position: "Sekretaris Daerah"},
		Contact:         models.Person{Name: "Wa Ode Sitti", Email: "wa.ode@munabaratkab.go.id", Phone: "+6281234567890"},
		Participants:    24,
		Room:            "Ruang Rapat Lantai 2",
		Receiver:        "Kepala DPMPTSP Kabupaten Badung",
		Agenda:          []string{"Paparan", "Tanya jawab teknis", "Peninjauan loket"},
		Escorts:         []string{"Ni Luh Ayu"},
		Start:           time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC),
		End:             time.Date(2026, 3, 5, 4, 0, 0, 0, time.UTC),
	}
}

func icalHost() models.HostProfile {
	h := models.DefaultHostProfile()
	h.Phone = "+62361123456"
	return h
}

func inviteInput(t testing.TB, v *models.Visit) models.InviteInput {
	return models.InviteInput{
		Visit: v, Host: icalHost(), Method: models.MethodRequest, Sequence: 0,
		Attendees: []models.Attendee{
			{Name: v.Contact.Name, Email: v.Contact.Email},
			{Name: "Ni Luh Ayu", Email: "ayu@badungkab.go.id"},
		},
		Organizer:   "dpmptsp@badungkab.go.id",
		TrackingURL: "https://studitiru.badungkab.go.id/lacak/AbCdEfGhIjKlMnOpQrStUvWx",
		Now:         time.Date(2026, 2, 23, 2, 30, 0, 0, time.UTC),
		Location:    hostZone(t),
	}
}

// parseICS decodes a file the way a calendar program would and checks the
// framing every file must have: CRLF line ends, physical lines of at most
// 75 octets, valid UTF-8.
func readICS(t *testing.T, b []byte) *ical.Calendar {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Fatalf("file does not end in CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(line), line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d is not valid UTF-8 on its own (a sequence was split): %q", i+1, line)
		}
	}
	cal, err := ical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot read the file back: %v\n%s", err, b)
	}
	return cal
}

func onlyEvent(t *testing.T, cal *ical.Calendar) ical.Event {
	t.Helper()
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	return evs[0]
}

func propText(t *testing.T, props ical.Props, name string) string {
	t.Helper()
	p := props.Get(name)
	if p == nil {
		t.Fatalf("no %s", name)
	}
	if p.ValueType() != ical.ValueText {
		return p.Value // SEQUENCE, URL: no TEXT escaping
	}
	s, err := p.Text()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func TestInvitationRequest(t *testing.T) {
	v := icalVisit()
	in := inviteInput(t, v)
	b, err := models.BuildInvitation(in)
	if err != nil {
		t.Fatal(err)
	}
	cal := readICS(t, b)
	for name, want := range map[string]string{"METHOD": "REQUEST", "PRODID": "-//Studi Tiru//MPP Badung//ID", "VERSION": "2.0"} {
		if got := propText(t, cal.Props, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}

	// The zone: a TZID with its VTIMEZONE, or Outlook shows floating time.
	var tz *ical.Component
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			tz = c
		}
	}
	if tz == nil {
		t.Fatal("no VTIMEZONE")
	}
	if got := propText(t, tz.Props, "TZID"); got != "Asia/Makassar" {
		t.Errorf("VTIMEZONE TZID = %q", got)
	}
	if len(tz.Children) != 1 || tz.Children[0].Name != ical.CompTimezoneStandard {
		t.Fatalf("VTIMEZONE children %v, want one STANDARD", tz.Children)
	}
	std := tz.Children[0].Props
	for name, want := range map[string]string{"TZOFFSETFROM": "+0800", "TZOFFSETTO": "+0800", "TZNAME": "WITA"} {
		if p := std.Get(name); p == nil || p.Value != want {
			t.Errorf("STANDARD %s = %v, want %s", name, p, want)
		}
	}
	if !strings.Contains(string(b), "\r\nDTSTART;TZID=Asia/Makassar:20260305T090000\r\n") ||
		!strings.Contains(string(b), "\r\nDTEND;TZID=Asia/Makassar:20260305T120000\r\n") {
		t.Errorf("times are not written as host-zone local times:\n%s", b)
	}

	ev := onlyEvent(t, cal)
	start, err := ev.DateTimeStart(nil)
	if err != nil || !start.Equal(time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("DTSTART resolves to %v (%v), want 09.00 WITA = 2026-03-05T01:00Z", start, err)
	}
	end, err := ev.DateTimeEnd(nil)
	if err != nil || !end.Equal(v.End) {
		t.Errorf("DTEND resolves to %v (%v), want %v", end, err, v.End)
	}
	if p := ev.Props.Get("DTSTAMP"); p == nil || p.Value != "20260223T023000Z" {
		t.Errorf("DTSTAMP = %v, want UTC 20260223T023000Z", p)
	}
	for name, want := range map[string]string{
		"UID":      v.ID.Hex() + "@studitiru",
		"SEQUENCE": "0",
		"STATUS":   "CONFIRMED",
		"SUMMARY":  "Kunjungan Studi Tiru Pemerintah Kabupaten Muna Barat ke Mal Pelayanan Publik Kabupaten Badung",
		"LOCATION": "Ruang Rapat Lantai 2, Mal Pelayanan Publik Kabupaten Badung, Pusat Pemerintahan Kabupaten Badung Mangupraja Mandala, Jl. Raya Sempidi, Mengwi, Badung, Bali 80351",
		"URL":      in.TrackingURL,
	} {
		if got := propText(t, ev.Props, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if models.VisitUID(v) != v.ID.Hex()+"@studitiru" {
		t.Errorf("VisitUID = %q", models.VisitUID(v))
	}
	desc := propText(t, ev.Props, "DESCRIPTION")
	for _, want := range []string{
		"Waktu: Kamis, 5 Maret 2026, pukul 09.00–12.00 WITA",
		"Agenda:\n1. Paparan\n2. Tanya jawab teknis\n3. Peninjauan loket\n",
		"Diterima oleh: Kepala DPMPTSP Kabupaten Badung",
		"+62 361-1234-56", "dpmptsp@badungkab.go.id",
		in.TrackingURL, "ST-2026-0001",
	} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIPTION lacks %q:\n%s", want, desc)
		}
	}

	org := ev.Props.Get("ORGANIZER")
	if org == nil || org.Value != "mailto:dpmptsp@badungkab.go.id" || org.Params.Get("CN") != "Mal Pelayanan Publik Kabupaten Badung" {
		t.Errorf("ORGANIZER = %+v", org)
	}
	atts := ev.Props.Values("ATTENDEE")
	if len(atts) != 2 {
		t.Fatalf("%d attendees, want 2", len(atts))
	}
	for i, want := range in.Attendees {
		a := atts[i]
		if a.Value != "mailto:"+want.Email || a.Params.Get("CN") != want.Name {
			t.Errorf("attendee %d = %s CN=%q, want %s", i, a.Value, a.Params.Get("CN"), want.Email)
		}
		for param, value := range map[string]string{"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE", "CUTYPE": "INDIVIDUAL"} {
			if got := a.Params.Get(param); got != value {
				t.Errorf("attendee %d %s = %q, want %q", i, param, got, value)
			}
		}
	}
}

func TestInvitationCancel(t *testing.T) {
	v := icalVisit()
	in := inviteInput(t, v)
	in.Method, in.Sequence = "cancel", 3
	in.Attendees = []models.Attendee{{Name: "Ni Luh Ayu", Email: "ayu@badungkab.go.id"}} // the removed escort
	b, err := models.BuildInvitation(in)
	if err != nil {
		t.Fatal(err)
	}
	cal := readICS(t, b)
	if got := propText(t, cal.Props, "METHOD"); got != "CANCEL" {
		t.Errorf("METHOD = %q", got)
	}
	ev := onlyEvent(t, cal)
	for name, want := range map[string]string{"UID": models.VisitUID(v), "SEQUENCE": "3", "STATUS": "CANCELLED"} {
		if got := propText(t, ev.Props, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if atts := ev.Props.Values("ATTENDEE"); len(atts) != 1 || atts[0].Value != "mailto:ayu@badungkab.go.id" {
		t.Errorf("attendees %v, want only the removed escort", atts)
	}
	if desc := propText(t, ev.Props, "DESCRIPTION"); !strings.Contains(desc, "DIBATALKAN") {
		t.Errorf("the description does not say the visit is cancelled:\n%s", desc)
	}
}

// TestInvitationHostileInput: text typed by a delegation cannot add lines,
// break a parameter or leave an unreadable file, and names in any script
// survive.
func TestInvitationHostileInput(t *testing.T) {
	v := icalVisit()
	v.InstitutionName = `Pemda "X"; Kab, Y` + "\r\n" + `X-INJECTED:1`
	v.Receiver = "Kepala\rDinas\x00\x1b[31m"
	v.Agenda = []string{"Paparan\nX-INJECTED:2", `C:\Windows; a,b`}
	nonASCII := "Ñoño Ślązak Nguyễn"
	v.Leader.Name = nonASCII
	in := inviteInput(t, v)
	in.Host.Name = "MPP \"Badung\"\r\nX-INJECTED:3"
	in.Attendees = []models.Attendee{
		{Name: nonASCII, Email: "nono@example.go.id"},
		{Name: `Wa Ode "Sitti"; Kab, Y` + "\r\nX-INJECTED:4\x07", Email: "wa.ode@munabaratkab.go.id"},
		{Name: "Tanpa Surel", Email: "bukan surel"},
		{Name: "Sisipan", Email: "x@example.go.id\r\nX-INJECTED:5"},
		{Name: "Kutip", Email: `"a b"@example.go.id`},
	}
	in.TrackingURL = "https://example.go.id/lacak/x\r\nX-INJECTED:6"
	b, err := models.BuildInvitation(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\r\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), "X-INJECTED") && !strings.HasPrefix(line, " ") {
			t.Errorf("injected line: %q", line)
		}
		if strings.HasPrefix(line, "X-") {
			t.Errorf("a property nobody wrote: %q", line)
		}
	}
	cal := readICS(t, b)
	ev := onlyEvent(t, cal)
	for name := range ev.Props {
		if strings.HasPrefix(name, "X-") {
			t.Errorf("the parser sees an injected property %s", name)
		}
	}
	if got, want := propText(t, ev.Props, "SUMMARY"), `Kunjungan Studi Tiru Pemda "X"; Kab, Y X-INJECTED:1 ke MPP "Badung" X-INJECTED:3`; got != want {
		t.Errorf("SUMMARY = %q, want %q", got, want)
	}
	desc := propText(t, ev.Props, "DESCRIPTION")
	for _, want := range []string{"1. Paparan X-INJECTED:2\n", `2. C:\Windows; a,b`, "Diterima oleh: Kepala Dinas [31m"} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIPTION lacks %q:\n%s", want, desc)
		}
	}
	if ev.Props.Get("URL") != nil {
		t.Errorf("a tracking URL with a line break was kept: %v", ev.Props.Get("URL"))
	}
	atts := ev.Props.Values("ATTENDEE")
	if len(atts) != 2 {
		t.Fatalf("%d attendees, want the 2 with valid addresses: %v", len(atts), atts)
	}
	if cn := atts[0].Params.Get("CN"); cn != nonASCII {
		t.Errorf("CN = %q, want %q", cn, nonASCII)
	}
	if cn := atts[1].Params.Get("CN"); cn != `Wa Ode 'Sitti'; Kab, Y X-INJECTED:4` {
		t.Errorf("hostile CN = %q, want it readable on one line with ' for \"", cn)
	}
	if cn := ev.Props.Get("ORGANIZER").Params.Get("CN"); cn != "MPP 'Badung' X-INJECTED:3" {
		t.Errorf("organizer CN = %q", cn)
	}
}

func TestInvitationRefusesWhatCannotBeSent(t *testing.T) {
	for name, change := range map[string]func(*models.InviteInput){
		"no valid attendee": func(in *models.InviteInput) {
			in.Attendees = []models.Attendee{{Name: "X", Email: "x@"}, {Name: "Y"}}
		},
		"bad organizer": func(in *models.InviteInput) { in.Organizer = "dpmptsp" },
		"bad method":    func(in *models.InviteInput) { in.Method = "PUBLISH" },
		"no zone":       func(in *models.InviteInput) { in.Location = nil },
		"no now":        func(in *models.InviteInput) { in.Now = time.Time{} },
		"no times":      func(in *models.InviteInput) { in.Visit.Start = time.Time{} },
		"negative seq":  func(in *models.InviteInput) { in.Sequence = -1 },
	} {
		in := inviteInput(t, icalVisit())
		change(&in)
		if _, err := models.BuildInvitation(in); err == nil {
			t.Errorf("%s: built anyway", name)
		} else if name == "no valid attendee" && !errors.Is(err, models.ErrNoAttendees) {
			t.Errorf("%s: %v, want ErrNoAttendees", name, err)
		}
	}
}

// TestInvitationOtherZones: the zone comes from the location, not from
// constants; a zone whose offset changes between the times falls back to
// UTC rather than a VTIMEZONE that would be wrong half the year.
func TestInvitationOtherZones(t *testing.T) {
	jakarta, _ := time.LoadLocation("Asia/Jakarta")
	in := inviteInput(t, icalVisit())
	in.Location = jakarta
	b, err := models.BuildInvitation(in)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"TZID:Asia/Jakarta\r\n", "TZOFFSETTO:+0700\r\n", "TZNAME:WIB\r\n", "DTSTART;TZID=Asia/Jakarta:20260305T080000\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("Jakarta file lacks %q", want)
		}
	}
	if desc := propText(t, onlyEvent(t, readICS(t, b)).Props, "DESCRIPTION"); !strings.Contains(desc, "pukul 08.00–11.00 WIB") {
		t.Errorf("description in the wrong zone:\n%s", desc)
	}

	berlin, _ := time.LoadLocation("Europe/Berlin")
	v := icalVisit()
	v.Start = time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)
	v.End = time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC) // across the switch to summer time
	in = inviteInput(t, v)
	in.Location = berlin
	if b, err = models.BuildInvitation(in); err != nil {
		t.Fatal(err)
	}
	s = string(b)
	if strings.Contains(s, "VTIMEZONE") || !strings.Contains(s, "DTSTART:20260328T120000Z\r\n") {
		t.Errorf("a DST zone across its switch is not written in UTC:\n%s", s)
	}
	ev := onlyEvent(t, readICS(t, b))
	if end, _ := ev.DateTimeEnd(nil); !end.Equal(v.End) {
		t.Errorf("DTEND = %v, want %v", end, v.End)
	}
}

func TestFeed(t *testing.T) {
	loc := hostZone(t)
	approved, completed, cancelled, pending := *icalVisit(), *icalVisit(), *icalVisit(), *icalVisit()
	completed.Status, completed.Code = models.StatusCompleted, "ST-2026-0002"
	cancelled.Status, cancelled.Code = models.StatusCancelled, "ST-2026-0003"
	pending.Status, pending.Code = models.StatusSubmitted, "ST-2026-0004"
	completed.Start, completed.End = completed.Start.AddDate(0, 0, -7), completed.End.AddDate(0, 0, -7)
	visits := []models.Visit{approved, completed, cancelled, pending}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	b, err := models.BuildFeed("Studi Tiru — Ni Luh Ayu", visits, icalHost(),
		func(v *models.Visit) string { return "https://studitiru.badungkab.go.id/staf/permohonan/" + v.ID.Hex() }, now, loc)
	if err != nil {
		t.Fatal(err)
	}
	cal := readICS(t, b)
	if got := propText(t, cal.Props, "METHOD"); got != "PUBLISH" {
		t.Errorf("METHOD = %q, want PUBLISH", got)
	}
	if got := propText(t, cal.Props, "X-WR-CALNAME"); got != "Studi Tiru — Ni Luh Ayu" {
		t.Errorf("X-WR-CALNAME = %q", got)
	}
	if strings.Contains(string(b), "ATTENDEE") || strings.Contains(string(b), "ORGANIZER") {
		t.Error("a feed names attendees or an organizer")
	}
	evs := cal.Events()
	uids := map[string]bool{}
	for _, ev := range evs {
		uids[propText(t, ev.Props, "UID")] = true
		if propText(t, ev.Props, "STATUS") != "CONFIRMED" {
			t.Errorf("feed event status %q", propText(t, ev.Props, "STATUS"))
		}
		if !strings.HasPrefix(propText(t, ev.Props, "URL"), "https://studitiru.badungkab.go.id/staf/permohonan/") {
			t.Errorf("feed event URL %q", propText(t, ev.Props, "URL"))
		}
	}
	if len(evs) != 2 || !uids[models.VisitUID(&approved)] || !uids[models.VisitUID(&completed)] {
		t.Errorf("feed events %v, want the approved and the completed visit only", uids)
	}
	if !strings.Contains(string(b), "BEGIN:VTIMEZONE") {
		t.Error("feed has no VTIMEZONE")
	}

	// Nothing to show is still a valid calendar.
	empty, err := models.BuildFeed("Kosong", []models.Visit{cancelled}, icalHost(), nil, now, loc)
	if err != nil {
		t.Fatal(err)
	}
	if cal := readICS(t, empty); len(cal.Events()) != 0 {
		t.Errorf("empty feed has %d events", len(cal.Events()))
	}
}

func TestVisitFileIsAPublishedEvent(t *testing.T) {
	v := icalVisit()
	b, err := models.BuildVisitFile(v, icalHost(), "https://example.go.id/lacak/abc", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), hostZone(t))
	if err != nil {
		t.Fatal(err)
	}
	cal := readICS(t, b)
	ev := onlyEvent(t, cal)
	if propText(t, cal.Props, "METHOD") != "PUBLISH" || propText(t, ev.Props, "UID") != models.VisitUID(v) || ev.Props.Get("ATTENDEE") != nil {
		t.Errorf("download is not a PUBLISH event with the visit's UID and no attendees:\n%s", b)
	}
}

// TestFoldingKeepsUTF8AndUnfoldsToTheOriginal folds long lines of mixed
// one- to four-octet characters at every alignment.
func TestFoldingKeepsUTF8AndUnfoldsToTheOriginal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", ";", "ñ", "ś", "ễ", "—", "語", "🙂", " "}
	for n := 0; n < 300; n++ {
		var lines []string
		for l := 0; l < 3; l++ {
			var sb strings.Builder
			sb.WriteString("DESCRIPTION:")
			for k := r.IntN(400); k > 0; k-- {
				sb.WriteString(alphabet[r.IntN(len(alphabet))])
			}
			lines = append(lines, sb.String())
		}
		original := strings.Join(lines, "\r\n") + "\r\n"
		folded := string(models.FoldICS([]byte(original)))
		for _, line := range strings.Split(strings.TrimSuffix(folded, "\r\n"), "\r\n") {
			if len(line) > 75 || !utf8.ValidString(line) || line == " " {
				t.Fatalf("bad physical line (%d octets): %q", len(line), line)
			}
		}
		if unfolded := strings.ReplaceAll(folded, "\r\n ", ""); unfolded != original {
			t.Fatalf("unfolding does not give the original back:\n%q\n%q", unfolded, original)
		}
	}
}

// TestInvitationUnfoldsToGoICalsOwnEncoding: the folded file, unfolded, is
// exactly what go-ical writes for the same calendar, so folding changed
// nothing but line lengths.
func TestInvitationUnfoldsToGoICalsOwnEncoding(t *testing.T) {
	v := icalVisit()
	v.Agenda = append(v.Agenda, strings.Repeat("Peninjauan loket pelayanan perizinan berusaha—Ñoño Ślązak Nguyễn 🙂 ", 6))
	b, err := models.BuildInvitation(inviteInput(t, v))
	if err != nil {
		t.Fatal(err)
	}
	cal := readICS(t, b)
	var raw bytes.Buffer
	if err := ical.NewEncoder(&raw).Encode(cal); err != nil {
		t.Fatal(err)
	}
	if unfolded := strings.ReplaceAll(string(b), "\r\n ", ""); unfolded != raw.String() {
		t.Errorf("unfolded file differs from go-ical's encoding:\n%s\n---\n%s", unfolded, raw.String())
	}
	if !strings.Contains(propText(t, onlyEvent(t, cal).Props, "DESCRIPTION"), "4. "+strings.TrimSpace(v.Agenda[3])) {
		t.Error("the long agenda item did not survive folding")
	}
}

func BenchmarkBuildInvitation(b *testing.B) {
	in := inviteInput(b, icalVisit())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := models.BuildInvitation(in); err != nil {
			b.Fatal(err)
		}
	}
}
