package handlers_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"studitiru/handlers"
	"studitiru/models"
	"studitiru/models/smtptest"
)

// arrived is one message as it reached the SMTP server.
type arrived struct {
	to, subject, inReplyTo string
	tree                   string // the MIME layout, e.g. "multipart/mixed[multipart/alternative[…] application/ics]"
	calendarMethod         string // method= of the text/calendar part
	ics                    []byte // the attachment
}

// deliverAll runs the real outbox worker against a real SMTP server and
// parses everything that arrived.
func deliverAll(t *testing.T, e *env, srv *smtptest.Server) []arrived {
	t.Helper()
	mailer, err := models.NewMailer(srv.URL(true), models.MailerOptions{ConnectTimeout: 3 * time.Second, SendTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w := &models.OutboxWorker{Store: e.store, Mailer: mailer, From: "MPP Badung <dpmptsp@badungkab.go.id>", Owner: "uji", Now: e.clock.Now}
	for {
		n, err := w.RunOnce(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	var out []arrived
	for _, raw := range srv.Messages() {
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		a := arrived{to: m.Header.Get("To"), subject: m.Header.Get("Subject"), inReplyTo: m.Header.Get("In-Reply-To")}
		a.tree = mimeTree(t, m.Header.Get("Content-Type"), m.Body, &a)
		out = append(out, a)
	}
	return out
}

// mimeTree describes a MIME part and its children, collecting the
// calendar's method and the attached file on the way.
func mimeTree(t *testing.T, ctype string, body io.Reader, a *arrived) string {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		if mt == "text/calendar" {
			a.calendarMethod = params["method"]
		}
		return mt
	}
	r := multipart.NewReader(body, params["boundary"])
	var kids []string
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		kid := mimeTree(t, p.Header.Get("Content-Type"), p, a)
		if strings.HasPrefix(kid, "application/ics") {
			raw, _ := io.ReadAll(p)
			a.ics = decodePart(t, p.Header.Get("Content-Transfer-Encoding"), raw)
		}
		kids = append(kids, kid)
	}
	return mt + "[" + strings.Join(kids, " ") + "]"
}

func decodePart(t *testing.T, cte string, raw []byte) []byte {
	switch strings.ToLower(cte) {
	case "base64":
		var out bytes.Buffer
		dec := io.NopCloser(base64Reader(raw))
		if _, err := io.Copy(&out, dec); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	case "quoted-printable":
		b, err := io.ReadAll(qpReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return raw
}

// event parses an invitation and returns its METHOD and its one event.
func event(t *testing.T, ics []byte) (string, *ical.Event) {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(ics)).Decode()
	if err != nil {
		t.Fatalf("invitation does not parse: %v\n%s", err, ics)
	}
	method := cal.Props.Get(ical.PropMethod).Value
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	return method, &events[0]
}

// TestInvitationsFollowTheVisit: approve → reschedule (one escort swapped)
// → cancel, through the staff pages, the real outbox worker and a real
// SMTP server. One UID throughout with SEQUENCE 0, 1, 2; 09.00 WITA is
// 01:00Z; the MIME tree is the designed one; the removed escort gets a
// CANCEL naming only them.
func TestInvitationsFollowTheVisit(t *testing.T) {
	e := newEnv(t)
	srv := smtptest.Start(t, smtptest.Options{})
	coord := e.sessionFor(models.RoleCoordinator)
	_, v := submitted(t, e)
	page := "/staf/permohonan/" + v.ID.Hex()
	escortA, escortB := e.users[models.RoleEscort], e.subject
	third, err := e.store.CreateUser(t.Context(), models.UserInput{Email: "made@badungkab.go.id", Name: "I Made Wirawan", Role: "escort", Password: testPassword}, false, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}

	// 1. Approve with escorts A and B.
	if res := e.post(page+"/setujui", approvalForm(e, v, "2026-03-12", "pagi"), coord); res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.status)
	}
	all := deliverAll(t, e, srv)
	first := invitations(all)
	if len(first) != 3 {
		t.Fatalf("%d messages after approval, want the delegation and two escorts", len(first))
	}
	var uid string
	for _, a := range first {
		if a.tree != "multipart/mixed[multipart/alternative[text/plain text/html text/calendar] application/ics]" {
			t.Errorf("MIME tree to %s: %s", a.to, a.tree)
		}
		method, ev := event(t, a.ics)
		if method != "REQUEST" || a.calendarMethod != method {
			t.Errorf("method %q, calendar part %q", method, a.calendarMethod)
		}
		start, err := ev.DateTimeStart(time.UTC)
		if err != nil || !start.Equal(time.Date(2026, 3, 12, 1, 0, 0, 0, time.UTC)) {
			t.Errorf("DTSTART %v (%v), want 09.00 WITA = 01:00Z", start, err)
		}
		if seq := ev.Props.Get(ical.PropSequence); seq == nil || seq.Value != "0" {
			t.Errorf("first SEQUENCE %v", seq)
		}
		if got := ev.Props.Get(ical.PropUID).Value; uid == "" {
			uid = got
		} else if got != uid {
			t.Errorf("UIDs differ: %s %s", uid, got)
		}
		if n := len(ev.Props.Values(ical.PropAttendee)); n != 3 {
			t.Errorf("%d attendees, want the contact and two escorts", n)
		}
	}

	// 2. Reschedule to Friday and swap escort B for a third escort.
	v = e.visit(t, v)
	change := approvalForm(e, v, "2026-03-13", "pagi")
	change["escorts"] = []string{escortA.ID.Hex(), third.ID.Hex()}
	if res := e.post(page+"/ubah", change, coord); res.status != http.StatusSeeOther {
		t.Fatalf("reschedule: %d %.500s", res.status, res.body)
	}
	seen := len(all)
	all = deliverAll(t, e, srv)
	second := invitations(all[seen:])
	requests, cancels := 0, 0
	for _, a := range second {
		method, ev := event(t, a.ics)
		if ev.Props.Get(ical.PropUID).Value != uid || ev.Props.Get(ical.PropSequence).Value != "1" {
			t.Errorf("update to %s: UID %s SEQUENCE %s", a.to, ev.Props.Get(ical.PropUID).Value, ev.Props.Get(ical.PropSequence).Value)
		}
		if a.inReplyTo == "" && !strings.Contains(a.to, third.Email) { // the new escort's first message
			t.Errorf("update to %s is not threaded to the first message", a.to)
		}
		switch method {
		case "REQUEST":
			requests++
			if strings.Contains(a.to, escortB.Email) {
				t.Error("the removed escort got the new REQUEST")
			}
			if start, _ := ev.DateTimeStart(time.UTC); !start.Equal(time.Date(2026, 3, 13, 0, 30, 0, 0, time.UTC)) {
				t.Errorf("new DTSTART %v, want Friday 08.30 WITA", start)
			}
		case "CANCEL":
			cancels++
			attendees := ev.Props.Values(ical.PropAttendee)
			if !strings.Contains(a.to, escortB.Email) || len(attendees) != 1 || !strings.Contains(attendees[0].Value, escortB.Email) {
				t.Errorf("CANCEL to %s naming %d attendees", a.to, len(attendees))
			}
		}
	}
	if requests != 3 || cancels != 1 {
		t.Errorf("after the change: %d REQUESTs (want 3: contact, A, the new escort), %d CANCELs (want 1: B)", requests, cancels)
	}

	// 3. Cancel: everybody on the visit gets the CANCEL, SEQUENCE 2.
	v = e.visit(t, v)
	cancel := map[string][]string{"version": {strconv.FormatInt(v.Version, 10)}, "cancel_reason": {"Aula dipakai rapat paripurna DPRD."}}
	if res := e.post(page+"/batal", cancel, coord); res.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.status)
	}
	seen = len(all)
	third3 := invitations(deliverAll(t, e, srv)[seen:])
	if len(third3) != 3 {
		t.Fatalf("%d cancellations, want the contact and two escorts", len(third3))
	}
	for _, a := range third3 {
		method, ev := event(t, a.ics)
		status := ev.Props.Get(ical.PropStatus)
		if method != "CANCEL" || a.calendarMethod != "CANCEL" || ev.Props.Get(ical.PropUID).Value != uid ||
			ev.Props.Get(ical.PropSequence).Value != "2" || status == nil || status.Value != "CANCELLED" {
			t.Errorf("cancellation to %s: %s seq %s", a.to, method, ev.Props.Get(ical.PropSequence).Value)
		}
	}
}

func base64Reader(raw []byte) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, raw)))
}

func qpReader(raw []byte) io.Reader { return quotedprintable.NewReader(bytes.NewReader(raw)) }

// invitations keeps the messages that carry a calendar file.
func invitations(all []arrived) []arrived {
	var out []arrived
	for _, a := range all {
		if len(a.ics) > 0 {
			out = append(out, a)
		}
	}
	return out
}

// TestDelegationChoicesMoveTheInvitation: choosing an offered session sends
// the delegation its invitation; cancelling an invited visit sends the
// CANCEL to everybody on it.
func TestDelegationChoicesMoveTheInvitation(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	token, v := submitted(t, e)
	page := "/staf/permohonan/" + v.ID.Hex()
	offer := map[string][]string{"version": {"1"}, "offer1_date": {"2026-03-16"}, "offer1_session": {"pagi"}}
	if res := e.post(page+"/tawarkan", offer, coord); res.status != http.StatusSeeOther {
		t.Fatalf("offer: %d", res.status)
	}
	if res := e.post("/lacak/"+token+"/pilih", map[string][]string{"offer": {"0"}}, ""); res.status != http.StatusSeeOther {
		t.Fatalf("choose: %d", res.status)
	}
	queued := func(method string) []models.OutboxMessage {
		mails, _ := e.store.OutboxFor(t.Context(), v.ID)
		var out []models.OutboxMessage
		for _, m := range mails {
			if m.Method == method {
				out = append(out, m)
			}
		}
		return out
	}
	req := queued("REQUEST")
	if len(req) != 1 || req[0].To[0] != v.Contact.Email || !strings.Contains(string(req[0].ICS), "SEQUENCE:0") {
		t.Fatalf("invitation after the choice: %+v", req)
	}
	// Staff add room and escorts (SEQUENCE 1), then the delegation cancels.
	if res := e.post(page+"/ubah", approvalForm(e, e.visit(t, v), "2026-03-16", "pagi"), coord); res.status != http.StatusSeeOther {
		t.Fatalf("assign: %d", res.status)
	}
	if res := e.post("/lacak/"+token+"/batal", map[string][]string{"cancel_reason": {"Anggaran perjalanan dinas ditunda."}}, ""); res.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.status)
	}
	cancels := queued("CANCEL")
	if len(cancels) != 3 {
		t.Fatalf("%d CANCELs, want the contact and both escorts", len(cancels))
	}
	for _, m := range cancels {
		if !strings.Contains(string(m.ICS), "SEQUENCE:2") || !strings.Contains(string(m.ICS), "STATUS:CANCELLED") {
			t.Errorf("CANCEL to %v:\n%s", m.To, m.ICS)
		}
	}
}

// TestInvitationOrganizerIsMailFrom: the invitations' ORGANIZER is the
// MAIL_FROM mailbox, where replies and Accept/Decline answers come back
// (docs/OPERATIONS.md, "Mail").
func TestInvitationOrganizerIsMailFrom(t *testing.T) {
	e := newEnvWith(t, server.Open(t), func(d *handlers.Deps) { d.MailFrom = "MPP Badung <undangan.mpp@badungkab.go.id>" })
	_, v := submitted(t, e)
	if res := e.post("/staf/permohonan/"+v.ID.Hex()+"/setujui", approvalForm(e, v, "2026-03-12", "pagi"), e.sessionFor(models.RoleCoordinator)); res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.status)
	}
	mails, err := e.store.OutboxFor(t.Context(), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	invited := 0
	for _, m := range mails {
		if len(m.ICS) == 0 {
			continue
		}
		invited++
		_, ev := event(t, m.ICS)
		if org := ev.Props.Get(ical.PropOrganizer); org == nil || org.Value != "mailto:undangan.mpp@badungkab.go.id" {
			t.Errorf("%s: ORGANIZER %+v, want the MAIL_FROM mailbox", m.Kind, org)
		}
	}
	if invited == 0 {
		t.Fatal("the approval queued no invitation")
	}
}
