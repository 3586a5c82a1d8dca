package models_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"

	"studitiru/models"
	"studitiru/models/smtptest"
)

const testFrom = "MPP Kabupaten Badung <dpmptsp@badungkab.go.id>"

// testICS is an invitation as the calendar code writes it (CRLF lines).
func testICS(method string) []byte {
	lines := []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Studi Tiru//MPP Badung//ID",
		"METHOD:" + method, "CALSCALE:GREGORIAN",
		"BEGIN:VTIMEZONE", "TZID:Asia/Makassar", "BEGIN:STANDARD", "DTSTART:19700101T000000",
		"TZOFFSETFROM:+0800", "TZOFFSETTO:+0800", "TZNAME:WITA", "END:STANDARD", "END:VTIMEZONE",
		"BEGIN:VEVENT", "UID:visit-65f0c0ffee@studitiru.badungkab.go.id", "SEQUENCE:0",
		"DTSTAMP:20260305T010000Z", "DTSTART;TZID=Asia/Makassar:20260312T090000",
		"DTEND;TZID=Asia/Makassar:20260312T120000",
		"SUMMARY:Studi Tiru Pemkab Konawe Selatan ke MPP Badung",
		"ORGANIZER;CN=MPP Badung:mailto:dpmptsp@badungkab.go.id",
		"ATTENDEE;CN=Ni Luh Ayu;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CUTYPE=INDIVIDUAL:mailto:ayu@konselkab.go.id",
		"END:VEVENT", "END:VCALENDAR", "",
	}
	return []byte(strings.Join(lines, "\r\n"))
}

// part is one node of a parsed MIME tree, bodies decoded.
type part struct {
	mediaType   string
	params      map[string]string
	disposition string
	dispParams  map[string]string
	body        []byte
	children    []part
}

func (p part) shape() string {
	if len(p.children) == 0 {
		return p.mediaType
	}
	var kids []string
	for _, c := range p.children {
		kids = append(kids, c.shape())
	}
	return p.mediaType + "(" + strings.Join(kids, ", ") + ")"
}

// parseMIME parses raw with the standard library only.
func parseMIME(t *testing.T, raw []byte) (*mail.Message, part) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a message: %v\n%s", err, raw)
	}
	body, _ := io.ReadAll(msg.Body)
	return msg, parsePart(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"),
		msg.Header.Get("Content-Disposition"), body)
}

func parsePart(t *testing.T, ctype, cte, disp string, body []byte) part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("content type %q: %v", ctype, err)
	}
	p := part{mediaType: mt, params: params}
	if disp != "" {
		p.disposition, p.dispParams, _ = mime.ParseMediaType(disp)
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			np, err := r.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(np)
			p.children = append(p.children, parsePart(t, np.Header.Get("Content-Type"),
				np.Header.Get("Content-Transfer-Encoding"), np.Header.Get("Content-Disposition"), b))
		}
		return p
	}
	switch strings.ToLower(cte) {
	case "base64":
		dec, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(body)))
		if err != nil {
			t.Fatalf("base64 body: %v", err)
		}
		p.body = dec
	case "quoted-printable":
		dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			t.Fatalf("quoted-printable body: %v", err)
		}
		p.body = dec
	default:
		p.body = body
	}
	return p
}

// crlf turns canonical line ends back into Go's.
func crlf(b []byte) string { return strings.ReplaceAll(string(b), "\r\n", "\n") }

// deliver enqueues messages and runs one worker until the outbox is empty.
func deliver(t *testing.T, st *models.Store, srv *smtptest.Server, now time.Time, msgs ...*models.OutboxMessage) {
	t.Helper()
	for _, m := range msgs {
		if err := st.Enqueue(ctx(t), m, now); err != nil {
			t.Fatal(err)
		}
	}
	w := newWorker(t, st, srv.URL(true), func() time.Time { return now })
	if _, err := w.RunOnce(ctx(t)); err != nil {
		t.Fatal(err)
	}
}

func newWorker(t *testing.T, st *models.Store, u *url.URL, now func() time.Time, opts ...func(*models.MailerOptions)) *models.OutboxWorker {
	t.Helper()
	o := models.MailerOptions{ConnectTimeout: 3 * time.Second, SendTimeout: 5 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	m, err := models.NewMailer(u, o)
	if err != nil {
		t.Fatal(err)
	}
	return &models.OutboxWorker{Store: st, Mailer: m, From: testFrom, Owner: "uji-" + t.Name(), Now: now}
}

func invitation(method string) *models.OutboxMessage {
	return &models.OutboxMessage{
		Kind: "invitation", To: []string{"Ni Luh Ayu <ayu@konselkab.go.id>"},
		Subject:  "Undangan studi tiru: Kamis, 12 Maret 2026 — MPP Badung ✓",
		Text:     "Yth. Bapak/Ibu,\n\nKunjungan Anda dijadwalkan Kamis, 12 Maret 2026 pukul 09.00 WITA.\n",
		HTML:     "<p>Yth. Bapak/Ibu,</p><p>Kunjungan Anda dijadwalkan <b>Kamis, 12 Maret 2026</b> pukul 09.00 WITA.</p>",
		Language: "id", ICS: testICS(method), ThreadKey: "visit:65f0:ayu@konselkab.go.id",
	}
}

// TestInvitationArrivesInTheDesignedMIMETree: what reaches a real SMTP
// server is exactly the layout of DESIGN §5, the calendar part's method
// equals the file's METHOD, and the bodies survive their encodings.
func TestInvitationArrivesInTheDesignedMIMETree(t *testing.T) {
	for _, method := range []string{"REQUEST", "CANCEL"} {
		t.Run(method, func(t *testing.T) {
			st := server.Open(t)
			srv := smtptest.Start(t, smtptest.Options{})
			now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
			m := invitation(method)
			// The calendar code's own file: folded lines, UTF-8 names.
			in := inviteInput(t, icalVisit())
			in.Method = method
			in.Visit.Contact.Name = "I Gusti Ayu Ngurah Putri Ékawati Çandrawati Sukmawati Wulandari"
			ics, err := models.BuildInvitation(in)
			if err != nil {
				t.Fatal(err)
			}
			m.ICS = ics
			deliver(t, st, srv, now, m)

			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("%d messages arrived, want 1", len(got))
			}
			hdr, root := parseMIME(t, got[0])
			want := "multipart/mixed(multipart/alternative(text/plain, text/html, text/calendar), application/ics)"
			if root.shape() != want {
				t.Fatalf("MIME tree %s\nwant      %s", root.shape(), want)
			}
			alt, att := root.children[0], root.children[1]
			for i, p := range alt.children {
				if !strings.EqualFold(p.params["charset"], "utf-8") {
					t.Errorf("alternative part %d (%s) charset %q, want UTF-8", i, p.mediaType, p.params["charset"])
				}
			}
			cal := alt.children[2]
			if cal.params["method"] != method || models.ICSMethod(cal.body) != method {
				t.Errorf("text/calendar method=%q, file METHOD %q; want both %s", cal.params["method"], models.ICSMethod(cal.body), method)
			}
			if !bytes.Equal(cal.body, m.ICS) {
				t.Errorf("calendar part changed in transit:\n%s", cal.body)
			}
			if att.disposition != "attachment" || att.params["name"] != "invite.ics" || att.dispParams["filename"] != "invite.ics" {
				t.Errorf("attachment: %s %v, disposition %s %v", att.mediaType, att.params, att.disposition, att.dispParams)
			}
			if !bytes.Equal(att.body, m.ICS) {
				t.Errorf("attachment differs from the ICS")
			}
			// Text travels in canonical form (CRLF line ends).
			if crlf(alt.children[0].body) != m.Text {
				t.Errorf("text part %q, want %q", alt.children[0].body, m.Text)
			}
			if string(alt.children[1].body) != m.HTML {
				t.Errorf("html part %q", alt.children[1].body)
			}

			dec := new(mime.WordDecoder)
			subject, err := dec.DecodeHeader(hdr.Header.Get("Subject"))
			if err != nil || subject != m.Subject {
				t.Errorf("subject %q (%v), want %q", subject, err, m.Subject)
			}
			from, _ := mail.ParseAddress(hdr.Header.Get("From"))
			if from == nil || from.Address != "dpmptsp@badungkab.go.id" || from.Name != "MPP Kabupaten Badung" {
				t.Errorf("From: %q", hdr.Header.Get("From"))
			}
			to, _ := hdr.Header.AddressList("To")
			if len(to) != 1 || to[0].Address != "ayu@konselkab.go.id" {
				t.Errorf("To: %q", hdr.Header.Get("To"))
			}
			stored, _ := st.OutboxByID(ctx(t), m.ID)
			if hdr.Header.Get("Message-ID") != stored.MessageID || !strings.HasSuffix(stored.MessageID, "@studitiru.localhost>") {
				t.Errorf("Message-ID %q, stored %q", hdr.Header.Get("Message-ID"), stored.MessageID)
			}
			if d, err := hdr.Header.Date(); err != nil || !d.Equal(now) {
				t.Errorf("Date %v (%v), want %v", d, err, now)
			}
			if hdr.Header.Get("In-Reply-To") != "" {
				t.Errorf("the first message of a thread replies to %q", hdr.Header.Get("In-Reply-To"))
			}
		})
	}
}

// TestMessageWithoutICSIsTextAndHTML: a plain notice is
// multipart/alternative with the text and the HTML; a text-only one gets
// an escaped HTML version of its text.
func TestMessageWithoutICSIsTextAndHTML(t *testing.T) {
	st := server.Open(t)
	srv := smtptest.Start(t, smtptest.Options{})
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	withHTML := &models.OutboxMessage{Kind: "request_received", To: []string{"ayu@konselkab.go.id"},
		Subject: "Permohonan diterima", Text: "Terima kasih.", HTML: "<p>Terima kasih.</p>", Language: "id"}
	textOnly := &models.OutboxMessage{Kind: "visitor_batal", To: []string{"dpmptsp@badungkab.go.id"},
		Subject: "Catatan", Text: "Baris <satu>\nbaris dua\n\nAlinea & dua", Language: "id"}
	deliver(t, st, srv, now, withHTML, textOnly)
	got := srv.Messages()
	if len(got) != 2 {
		t.Fatalf("%d messages arrived", len(got))
	}
	for i, raw := range got {
		_, root := parseMIME(t, raw)
		if root.shape() != "multipart/alternative(text/plain, text/html)" {
			t.Errorf("message %d: %s", i, root.shape())
		}
	}
	_, root := parseMIME(t, got[1])
	if html := crlf(root.children[1].body); html != "<p>Baris &lt;satu&gt;<br>baris dua</p>\n<p>Alinea &amp; dua</p>\n" {
		t.Errorf("derived HTML %q", html)
	}
}

// TestUpdatesThreadToTheFirstMessage: the second and third messages of a
// thread reply to the first; another thread is separate.
func TestUpdatesThreadToTheFirstMessage(t *testing.T) {
	st := server.Open(t)
	srv := smtptest.Start(t, smtptest.Options{})
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	first, update, cancel := invitation("REQUEST"), invitation("REQUEST"), invitation("CANCEL")
	other := invitation("REQUEST")
	other.ThreadKey = "visit:65f0:escort@badungkab.go.id"
	for i, m := range []*models.OutboxMessage{first, update, cancel, other} {
		if err := st.Enqueue(ctx(t), m, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	w := newWorker(t, st, srv.URL(true), func() time.Time { return now.Add(time.Hour) })
	if n, err := w.RunOnce(ctx(t)); err != nil || n != 4 {
		t.Fatalf("sent %d, %v", n, err)
	}
	byID := map[string]*mail.Message{}
	for _, raw := range srv.Messages() {
		h, _ := parseMIME(t, raw)
		byID[h.Header.Get("Message-ID")] = h
	}
	if h := byID[first.MessageID]; h == nil || h.Header.Get("In-Reply-To") != "" || h.Header.Get("References") != "" {
		t.Errorf("first message has threading headers")
	}
	for _, m := range []*models.OutboxMessage{update, cancel} {
		h := byID[m.MessageID]
		if h == nil {
			t.Fatalf("%s did not arrive", m.MessageID)
		}
		if h.Header.Get("In-Reply-To") != first.MessageID || h.Header.Get("References") != first.MessageID {
			t.Errorf("%s: In-Reply-To %q References %q, want %q", m.Method, h.Header.Get("In-Reply-To"), h.Header.Get("References"), first.MessageID)
		}
	}
	if h := byID[other.MessageID]; h == nil || h.Header.Get("In-Reply-To") != "" {
		t.Errorf("a different thread replies to %q", h.Header.Get("In-Reply-To"))
	}
}

// TestEnqueueRejectsACalendarWithoutTheRightMethod: the text/calendar
// method= must equal the file's METHOD; a mismatch is refused at once.
func TestEnqueueRejectsACalendarWithoutTheRightMethod(t *testing.T) {
	st := server.Open(t)
	now := time.Now()
	for name, m := range map[string]*models.OutboxMessage{
		"mismatch":  {To: []string{"a@b.id"}, ICS: testICS("REQUEST"), Method: "CANCEL"},
		"no method": {To: []string{"a@b.id"}, ICS: []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")},
		"publish":   {To: []string{"a@b.id"}, ICS: testICS("PUBLISH")},
	} {
		if err := st.Enqueue(ctx(t), m, now); err == nil {
			t.Errorf("%s: enqueued", name)
		}
	}
	ok := &models.OutboxMessage{To: []string{"a@b.id"}, ICS: testICS("CANCEL")}
	if err := st.Enqueue(ctx(t), ok, now); err != nil || ok.Method != "CANCEL" {
		t.Errorf("method not taken from the file: %q %v", ok.Method, err)
	}
}

// TestSubjectCannotInjectHeaders: a subject typed by a delegation with a
// line break stays one header; no Bcc appears and nobody else receives it.
func TestSubjectCannotInjectHeaders(t *testing.T) {
	st := server.Open(t)
	srv := smtptest.Start(t, smtptest.Options{})
	m := &models.OutboxMessage{To: []string{"ayu@konselkab.go.id"}, Subject: "Halo\r\nBcc: penyusup@example.com\r\nX-Injected: 1",
		Text: "isi", HTML: "<p>isi</p>"}
	deliver(t, st, srv, time.Now(), m)
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d arrived", len(got))
	}
	h, _ := parseMIME(t, got[0])
	if h.Header.Get("Bcc") != "" || h.Header.Get("X-Injected") != "" {
		t.Errorf("header injected:\n%s", got[0])
	}
	if rc := srv.Recipients()[0]; len(rc) != 1 || rc[0] != "ayu@konselkab.go.id" {
		t.Errorf("recipients %v", rc)
	}
}

// TestSMTPURLRules: the one-URL configuration and its TLS rule.
func TestSMTPURLRules(t *testing.T) {
	for raw, ok := range map[string]bool{
		"smtp://user:pass@mail.badungkab.go.id:587": true,
		"smtp://mail.badungkab.go.id":               true,
		"smtps://user:pass@mail.badungkab.go.id":    true,
		"smtp://127.0.0.1:25?tls=none":              true,
		"smtp://localhost:2525?tls=none":            true,
		"smtp://[::1]:25?tls=none":                  true,
		"smtp://mail.badungkab.go.id:25?tls=none":   false, // passwords and mail in clear over a network
		"smtp://10.0.0.5:25?tls=none":               false,
		"smtps://127.0.0.1:465?tls=none":            false,
		"smtp://mail.badungkab.go.id?tls=maybe":     false,
		"smtp://mail.badungkab.go.id?starttls=0":    false,
		"smtp://mail.badungkab.go.id:70000":         false,
		"http://mail.badungkab.go.id":               false,
		"smtp://":                                   false,
	} {
		u, _ := url.Parse(raw)
		err := models.CheckSMTPURL(u)
		if (err == nil) != ok {
			t.Errorf("%s: error %v, want ok=%v", raw, err, ok)
		}
	}
}

// TestSTARTTLSIsMandatory: smtp:// without tls=none never talks to a
// server that does not offer STARTTLS (the message waits); with a server
// that does, the password goes over TLS and the message arrives; a
// certificate the client does not trust is refused.
func TestSTARTTLSIsMandatory(t *testing.T) {
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	t.Run("server without STARTTLS", func(t *testing.T) {
		st := server.Open(t)
		srv := smtptest.Start(t, smtptest.Options{})
		m := invitation("REQUEST")
		if err := st.Enqueue(ctx(t), m, now); err != nil {
			t.Fatal(err)
		}
		w := newWorker(t, st, srv.URL(false), clock)
		if _, err := w.RunOnce(ctx(t)); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("err %v, want a STARTTLS refusal", err)
		}
		if len(srv.Messages()) != 0 {
			t.Fatal("sent in clear")
		}
		got, _ := st.OutboxByID(ctx(t), m.ID)
		if got.Status != models.OutboxPending || !strings.Contains(got.LastError, "STARTTLS") {
			t.Errorf("status %s, last error %q", got.Status, got.LastError)
		}
	})

	t.Run("STARTTLS with a password", func(t *testing.T) {
		st := server.Open(t)
		srv := smtptest.Start(t, smtptest.Options{TLS: true, User: "mpp", Pass: "rahasia"})
		m := invitation("REQUEST")
		if err := st.Enqueue(ctx(t), m, now); err != nil {
			t.Fatal(err)
		}
		w := newWorker(t, st, srv.URL(false), clock, func(o *models.MailerOptions) { o.TLSConfig = srv.Trusting() })
		if n, err := w.RunOnce(ctx(t)); err != nil || n != 1 {
			t.Fatalf("sent %d, %v", n, err)
		}
		if srv.AuthCount() != 1 || len(srv.Messages()) != 1 {
			t.Errorf("authenticated %d times, %d messages", srv.AuthCount(), len(srv.Messages()))
		}
		got, _ := st.OutboxByID(ctx(t), m.ID)
		if got.Status != models.OutboxSent || got.ServerReply == "" || got.SentAt.IsZero() {
			t.Errorf("status %s, reply %q, sent at %v", got.Status, got.ServerReply, got.SentAt)
		}
	})

	t.Run("untrusted certificate", func(t *testing.T) {
		st := server.Open(t)
		srv := smtptest.Start(t, smtptest.Options{TLS: true})
		if err := st.Enqueue(ctx(t), invitation("REQUEST"), now); err != nil {
			t.Fatal(err)
		}
		w := newWorker(t, st, srv.URL(false), clock)
		if _, err := w.RunOnce(ctx(t)); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("err %v, want a certificate error", err)
		}
		if len(srv.Messages()) != 0 {
			t.Fatal("sent to an untrusted server")
		}
	})

	t.Run("wrong password is temporary", func(t *testing.T) {
		st := server.Open(t)
		srv := smtptest.Start(t, smtptest.Options{TLS: true, User: "mpp", Pass: "rahasia"})
		m := invitation("REQUEST")
		if err := st.Enqueue(ctx(t), m, now); err != nil {
			t.Fatal(err)
		}
		u := srv.URL(false)
		u.User = url.UserPassword("mpp", "salah")
		w := newWorker(t, st, u, clock, func(o *models.MailerOptions) { o.TLSConfig = srv.Trusting() })
		if _, err := w.RunOnce(ctx(t)); err == nil {
			t.Fatal("no error with a wrong password")
		}
		got, _ := st.OutboxByID(ctx(t), m.ID)
		if got.Status != models.OutboxPending || got.Attempts != 1 {
			t.Errorf("a configuration error failed the message: %s, attempts %d", got.Status, got.Attempts)
		}
	})
}

// TestDKIMSignatureVerifies: with DKIM configured, what arrives carries a
// signature that verifies against the published key.
func TestDKIMSignatureVerifies(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	keyFile := filepath.Join(t.TempDir(), "dkim.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := models.LoadDKIMKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}

	st := server.Open(t)
	srv := smtptest.Start(t, smtptest.Options{})
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	for _, m := range []*models.OutboxMessage{invitation("REQUEST"), invitation("REQUEST")} {
		if err := st.Enqueue(ctx(t), m, now); err != nil {
			t.Fatal(err)
		}
	}
	w := newWorker(t, st, srv.URL(true), func() time.Time { return now }, func(o *models.MailerOptions) {
		o.DKIM = &models.DKIMOptions{Domain: "badungkab.go.id", Selector: "studitiru", Signer: signer}
	})
	if n, err := w.RunOnce(ctx(t)); err != nil || n != 2 {
		t.Fatalf("sent %d, %v", n, err)
	}
	lookup := func(domain string) ([]string, error) {
		if domain != "studitiru._domainkey.badungkab.go.id" {
			t.Errorf("looked up %s", domain)
		}
		return []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
	}
	for i, raw := range srv.Messages() {
		vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup})
		if err != nil || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "badungkab.go.id" {
			t.Errorf("message %d: verifications %+v, err %v\n%s", i, vs, err, raw)
		}
		if vs != nil && vs[0].Err == nil {
			for _, h := range []string{"from", "subject", "message-id", "content-type"} {
				signed := false
				for _, k := range vs[0].HeaderKeys {
					signed = signed || strings.EqualFold(k, h)
				}
				if !signed {
					t.Errorf("message %d: %s not signed", i, h)
				}
			}
		}
	}
	// A key that is not a private key is refused at start.
	bad := filepath.Join(t.TempDir(), "bad.pem")
	_ = os.WriteFile(bad, []byte("bukan kunci"), 0o600)
	if _, err := models.LoadDKIMKey(bad); err == nil {
		t.Error("a file without a key was accepted")
	}
}

// TestPermanentAndTemporaryRejections: a 5xx to RCPT fails the message
// at once and it is never tried again; a 4xx puts it back with a delay.
func TestPermanentAndTemporaryRejections(t *testing.T) {
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		code   int
		status models.OutboxStatus
	}{{550, models.OutboxFailed}, {451, models.OutboxPending}} {
		st := server.Open(t)
		srv := smtptest.Start(t, smtptest.Options{})
		srv.Set(func(s *smtptest.Server) {
			s.RejectRcpt = &smtp.SMTPError{Code: tc.code, EnhancedCode: smtp.EnhancedCode{tc.code / 100, 1, 1}, Message: "mailbox says no"}
		})
		m := invitation("REQUEST")
		if err := st.Enqueue(ctx(t), m, now); err != nil {
			t.Fatal(err)
		}
		at := now
		w := newWorker(t, st, srv.URL(true), func() time.Time { return at })
		if n, err := w.RunOnce(ctx(t)); err != nil || n != 0 {
			t.Fatalf("%d: sent %d, %v", tc.code, n, err)
		}
		got, _ := st.OutboxByID(ctx(t), m.ID)
		if got.Status != tc.status || got.Attempts != 1 || !strings.Contains(got.LastError, "mailbox says no") {
			t.Errorf("%d: status %s, attempts %d, error %q", tc.code, got.Status, got.Attempts, got.LastError)
		}
		if tc.status == models.OutboxPending && !got.NextAttemptAt.Equal(now.Add(time.Minute)) {
			t.Errorf("%d: next attempt %v, want a minute later", tc.code, got.NextAttemptAt)
		}
		// Later, with the server willing: only the temporary one goes.
		srv.Set(func(s *smtptest.Server) { s.RejectRcpt = nil })
		at = now.Add(2 * time.Hour)
		n, _ := w.RunOnce(ctx(t))
		if want := map[int]int{550: 0, 451: 1}[tc.code]; n != want || len(srv.Messages()) != want {
			t.Errorf("%d: second round sent %d (server has %d), want %d", tc.code, n, len(srv.Messages()), want)
		}
	}
}

// TestUnbuildableMessageFailsWithoutContactingTheServer: a recipient that
// is not an address can never be delivered: the message fails at once,
// says why, and the rest of the batch still goes.
func TestUnbuildableMessageFailsWithoutContactingTheServer(t *testing.T) {
	st := server.Open(t)
	srv := smtptest.Start(t, smtptest.Options{})
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	bad := &models.OutboxMessage{To: []string{"bukan alamat surel"}, Subject: "x", Text: "x"}
	none := &models.OutboxMessage{Subject: "tanpa penerima", Text: "x"}
	good := notice(1)
	deliver(t, st, srv, now, bad, none, good)
	for _, m := range []*models.OutboxMessage{bad, none} {
		got, _ := st.OutboxByID(ctx(t), m.ID)
		if got.Status != models.OutboxFailed || got.LastError == "" {
			t.Errorf("%q: %s, error %q", m.Subject, got.Status, got.LastError)
		}
	}
	if c := srv.CountByMessageID(); len(c) != 1 || c[good.MessageID] != 1 {
		t.Errorf("arrivals %v", c)
	}
}
