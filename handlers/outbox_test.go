package handlers_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"studitiru/handlers"
	"studitiru/models"
)

// outboxICS is a small invitation (the calendar code writes the real ones).
func outboxICS(method string) []byte {
	return []byte(strings.Join([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Studi Tiru//ID", "METHOD:" + method,
		"BEGIN:VEVENT", "UID:uji-1@studitiru", "SEQUENCE:0", "DTSTAMP:20260305T010000Z",
		"DTSTART;TZID=Asia/Makassar:20260312T090000", "DTEND;TZID=Asia/Makassar:20260312T120000",
		"SUMMARY:Studi Tiru Pemkab Konawe Selatan", "ORGANIZER:mailto:dpmptsp@badungkab.go.id",
		"ATTENDEE;CN=Ni Luh Ayu;RSVP=TRUE:mailto:ayu@konselkab.go.id", "END:VEVENT", "END:VCALENDAR", ""}, "\r\n"))
}

// queue stores a message, then moves it to status through the worker's
// own store calls.
func (e *env) queue(m *models.OutboxMessage, status models.OutboxStatus, cause string) *models.OutboxMessage {
	e.t.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	if err := e.store.Enqueue(ctx, m, now); err != nil {
		e.t.Fatal(err)
	}
	if status == models.OutboxPending {
		return m
	}
	// Claim until this message is among the claimed (others go back).
	claimed, err := e.store.ClaimOutbox(ctx, "uji", time.Minute, 100, now)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range claimed {
		var err error
		switch {
		case c.ID != m.ID:
			err = e.store.ReleaseOutbox(ctx, c.ID, now)
		case status == models.OutboxSent:
			err = e.store.MarkSent(ctx, c.ID, "250 2.0.0 Ok: queued as UJI", now)
		case status == models.OutboxFailed:
			err = e.store.MarkFailed(ctx, c.ID, errors.New(cause), now)
		}
		if err != nil {
			e.t.Fatal(err)
		}
	}
	got, err := e.store.OutboxByID(ctx, m.ID)
	if err != nil || got.Status != status {
		e.t.Fatalf("message is %v (%v), want %s", got, err, status)
	}
	return got
}

func plainMessage(subject, to string) *models.OutboxMessage {
	return &models.OutboxMessage{Kind: "request_received", To: []string{to}, Subject: subject,
		Text: "Terima kasih.", HTML: "<p>Terima kasih.</p>", Language: "id"}
}

// withMail is the same application with an SMTP server configured.
func (e *env) withMail(from string) *env {
	e.t.Helper()
	h, err := handlers.New(context.Background(), handlers.Deps{
		Store: e.store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Location: e.loc,
		BaseURL: &url.URL{Scheme: "http", Host: "localhost:3000"}, Now: e.clock.Now,
		Sessions: models.DefaultSessionPolicy(), MailConfigured: true, MailFrom: from,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	other := *e
	other.handlers, other.app = h, h.App()
	return &other
}

const notConfigured = "Server surel belum diatur: pesan menunggu di antrean dan belum dikirim."

// TestOutboxListShowsWhereEachMessageStands: the list shows subjects,
// recipients, states with counts and the last error; the filter narrows
// it; without SMTP a banner says mail only waits.
func TestOutboxListShowsWhereEachMessageStands(t *testing.T) {
	e := newEnv(t)
	e.queue(plainMessage("Permohonan diterima", "ayu@konselkab.go.id"), models.OutboxPending, "")
	e.queue(plainMessage("Undangan terkirim", "made@badungkab.go.id"), models.OutboxSent, "")
	e.queue(plainMessage("Alamat salah", "tidakada@konselkab.go.id"), models.OutboxFailed, "550 5.1.1 mailbox unavailable")
	coord := e.sessionFor(models.RoleCoordinator)

	res := e.do("GET", "/staf/surel", nil, coord)
	if res.status != http.StatusOK {
		t.Fatalf("list: %d", res.status)
	}
	for _, want := range []string{notConfigured, "Permohonan diterima", "Undangan terkirim", "Alamat salah",
		"ayu@konselkab.go.id", "550 5.1.1 mailbox unavailable", "Menunggu", "Terkirim", "Gagal", `href="/staf/surel"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if !regexp.MustCompile(`data-status="failed">Gagal <span class="badge text-bg-light">1</span>`).MatchString(res.body) {
		t.Error("the failed tab does not count 1")
	}

	res = e.do("GET", "/staf/surel?status=failed", nil, coord)
	if !strings.Contains(res.body, "Alamat salah") || strings.Contains(res.body, "Permohonan diterima") {
		t.Error("the failed filter shows the wrong messages")
	}

	configured := e.withMail("dpmptsp@badungkab.go.id")
	if res := configured.do("GET", "/staf/surel", nil, coord); strings.Contains(res.body, notConfigured) {
		t.Error("banner shown although SMTP is configured")
	}

	for _, role := range []models.Role{models.RoleEscort, models.RoleLeadership} {
		if res := e.do("GET", "/staf/surel", nil, e.sessionFor(role)); res.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", role, res.status)
		}
	}
	// Admins see it too, and it is in their menu and the coordinator's.
	if res := e.do("GET", "/staf", nil, e.sessionFor(models.RoleAdmin)); !strings.Contains(res.body, `href="/staf/surel"`) {
		t.Error("no Surel entry in the admin's menu")
	}
	if res := e.do("GET", "/staf", nil, e.sessionFor(models.RoleEscort)); strings.Contains(res.body, `href="/staf/surel"`) {
		t.Error("Surel entry in the escort's menu")
	}
}

// TestOutboxPreviewKeepsScriptsInert: a subject, text and HTML full of
// markup are shown as text, and the HTML only inside a sandboxed frame
// that may not run scripts.
func TestOutboxPreviewKeepsScriptsInert(t *testing.T) {
	e := newEnv(t)
	m := e.queue(&models.OutboxMessage{Kind: "uji", To: []string{"ayu@konselkab.go.id"},
		Subject: `<script>alert("perihal")</script>`, Text: `<script>alert("teks")</script> Baris teks`,
		HTML: `<p onclick="x()">Halo <b>Bapak</b></p><script>alert("html")</script>`}, models.OutboxPending, "")
	res := e.do("GET", "/staf/surel/"+m.ID.Hex(), nil, e.sessionFor(models.RoleCoordinator))
	if res.status != http.StatusOK {
		t.Fatalf("preview: %d", res.status)
	}
	if strings.Contains(res.body, "<script>alert") || strings.Contains(res.body, `<p onclick`) {
		t.Fatalf("markup from the message reached the page unescaped:\n%s", res.body)
	}
	for _, want := range []string{`&lt;script&gt;alert(&#34;perihal&#34;)&lt;/script&gt;`, `&lt;script&gt;alert(&#34;teks&#34;)&lt;/script&gt; Baris teks`, m.MessageID[1 : len(m.MessageID)-1]} {
		if !strings.Contains(res.body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	frame := regexp.MustCompile(`<iframe[^>]*id="pratinjau-html"[^>]*>`).FindString(res.body)
	if frame == "" {
		frame = regexp.MustCompile(`<iframe[^>]*class="mail-frame[^>]*>`).FindString(res.body)
	}
	if !regexp.MustCompile(`\ssandbox[\s>]`).MatchString(frame) || strings.Contains(frame, "allow-scripts") {
		t.Errorf("the HTML frame is not a script-less sandbox: %s", frame)
	}
	if !strings.Contains(frame, `srcdoc="&lt;p onclick=&#34;x()&#34;&gt;Halo &lt;b&gt;Bapak&lt;/b&gt;`) {
		t.Errorf("the frame does not carry the HTML as an attribute: %s", frame)
	}
}

// TestOutboxDownloads: the .eml is the message as it is sent (From the
// host's mailbox, the stored Message-ID); the .ics is the calendar
// object; a message without one has no .ics.
func TestOutboxDownloads(t *testing.T) {
	e := newEnv(t)
	inv := e.queue(&models.OutboxMessage{Kind: "invitation", To: []string{"ayu@konselkab.go.id"},
		Subject: "Undangan studi tiru", Text: "Yth. Bapak/Ibu", HTML: "<p>Yth. Bapak/Ibu</p>",
		ICS: outboxICS("REQUEST"), ThreadKey: "visit:1:ayu"}, models.OutboxPending, "")
	plain := e.queue(plainMessage("Permohonan diterima", "ayu@konselkab.go.id"), models.OutboxPending, "")
	coord := e.sessionFor(models.RoleCoordinator)

	res, hdr := e.download("/staf/surel/"+inv.ID.Hex()+"/eml", coord)
	if res.status != http.StatusOK || hdr.Get("Content-Type") != "message/rfc822" || !strings.Contains(hdr.Get("Content-Disposition"), "attachment") {
		t.Fatalf("eml: %d %v", res.status, hdr)
	}
	msg, err := mail.ReadMessage(strings.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Message-ID") != inv.MessageID || !strings.Contains(msg.Header.Get("From"), "dpmptsp@badungkab.go.id") ||
		!strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/mixed") {
		t.Errorf("eml headers: %v", msg.Header)
	}
	if configured := e.withMail("Studi Tiru MPP Badung <studitiru@badungkab.go.id>"); true {
		res, _ := configured.download("/staf/surel/"+inv.ID.Hex()+"/eml", coord)
		msg, _ := mail.ReadMessage(strings.NewReader(res.body))
		if msg == nil || !strings.Contains(msg.Header.Get("From"), "studitiru@badungkab.go.id") {
			t.Errorf("eml ignores MAIL_FROM")
		}
	}

	res, hdr = e.download("/staf/surel/"+inv.ID.Hex()+"/ics", coord)
	if res.status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/calendar") ||
		!strings.Contains(hdr.Get("Content-Type"), "method=REQUEST") || !bytes.Equal([]byte(res.body), inv.ICS) {
		t.Errorf("ics: %d %v\n%s", res.status, hdr, res.body)
	}
	if res, _ := e.download("/staf/surel/"+plain.ID.Hex()+"/ics", coord); res.status != http.StatusNotFound {
		t.Errorf("ics of a message without one: %d", res.status)
	}
	if res, _ := e.download("/staf/surel/bukan-id/eml", coord); res.status != http.StatusNotFound {
		t.Errorf("eml of a bad id: %d", res.status)
	}
	if list := e.do("GET", "/staf/surel", nil, coord); !strings.Contains(list.body, "Kalender REQUEST") {
		t.Error("the list does not mark the invitation")
	}
	page := e.do("GET", "/staf/surel/"+inv.ID.Hex(), nil, coord)
	for _, want := range []string{`href="/staf/surel/` + inv.ID.Hex() + `/eml"`, `href="/staf/surel/` + inv.ID.Hex() + `/ics"`, "METHOD:REQUEST"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
}

// download is a GET that also returns the response headers.
func (e *env) download(path, session string) (response, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: "st_csrf", Value: e.csrfCk})
	req.AddCookie(&http.Cookie{Name: "st_session", Value: session})
	res, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(b)}, res.Header
}

// TestOutboxResend: a failed message goes back to the queue in place; a
// sent one is copied; a repeated click is a conflict, not a second copy.
func TestOutboxResend(t *testing.T) {
	e := newEnv(t)
	failed := e.queue(plainMessage("Alamat penuh", "penuh@konselkab.go.id"), models.OutboxFailed, "552 mailbox full")
	sent := e.queue(plainMessage("Undangan", "ayu@konselkab.go.id"), models.OutboxSent, "")
	coord := e.sessionFor(models.RoleCoordinator)
	version := func(m *models.OutboxMessage) url.Values {
		return url.Values{"version": {itoa(m.Version)}}
	}

	page := e.do("GET", "/staf/surel/"+failed.ID.Hex(), nil, coord)
	if v, ok := inputValue(page.body, "version"); !ok || v != itoa(failed.Version) {
		t.Fatalf("resend form carries version %q", v)
	}
	res := e.post("/staf/surel/"+failed.ID.Hex()+"/kirim-ulang", version(failed), coord)
	if res.status != http.StatusSeeOther || res.location != "/staf/surel/"+failed.ID.Hex()+"?ok=antre" {
		t.Fatalf("resend failed: %d %s", res.status, res.location)
	}
	got, _ := e.store.OutboxByID(context.Background(), failed.ID)
	if got.Status != models.OutboxPending || got.Attempts != 0 {
		t.Errorf("after resend: %s, attempts %d", got.Status, got.Attempts)
	}
	if page := e.do("GET", res.location, nil, coord); !strings.Contains(page.body, "Pesan diantrekan lagi") {
		t.Error("no notice after the resend")
	}
	res = e.post("/staf/surel/"+failed.ID.Hex()+"/kirim-ulang", version(failed), coord)
	if res.status != http.StatusConflict || !strings.Contains(res.body, "baru saja diubah") {
		t.Errorf("second click: %d", res.status)
	}

	res = e.post("/staf/surel/"+sent.ID.Hex()+"/kirim-ulang", version(sent), coord)
	if res.status != http.StatusSeeOther || !strings.HasSuffix(res.location, "?ok=salinan") || strings.Contains(res.location, sent.ID.Hex()) {
		t.Fatalf("resend sent: %d %s", res.status, res.location)
	}
	copyPage := e.do("GET", res.location, nil, coord)
	if !strings.Contains(copyPage.body, "Salinan pesan diantrekan") || !strings.Contains(copyPage.body, `href="/staf/surel/`+sent.ID.Hex()+`"`) {
		t.Error("the copy's page does not link its original")
	}
	orig, _ := e.store.OutboxByID(context.Background(), sent.ID)
	if orig.Status != models.OutboxSent || orig.ResentAs.IsZero() {
		t.Errorf("original after copy: %s", orig.Status)
	}
	if res := e.post("/staf/surel/"+sent.ID.Hex()+"/kirim-ulang", version(sent), e.sessionFor(models.RoleEscort)); res.status != http.StatusForbidden {
		t.Errorf("escort resend: %d", res.status)
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditOutboxResend)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRequestPageLinksItsEmails: on a request's page the queued emails
// open in the outbox for those who may see it; leadership sees them as text.
func TestRequestPageLinksItsEmails(t *testing.T) {
	e := newEnv(t)
	_, v := submitted(t, e)
	mails, err := e.store.OutboxFor(context.Background(), v.ID)
	if err != nil || len(mails) == 0 {
		t.Fatalf("no queued email for the request (%v)", err)
	}
	link := `href="/staf/surel/` + mails[0].ID.Hex() + `"`
	page := "/staf/permohonan/" + v.ID.Hex()
	if res := e.do("GET", page, nil, e.sessionFor(models.RoleCoordinator)); !strings.Contains(res.body, link) {
		t.Error("the coordinator's request page does not link the email")
	}
	if res := e.do("GET", page, nil, e.sessionFor(models.RoleLeadership)); res.status != http.StatusOK || strings.Contains(res.body, link) {
		t.Errorf("leadership: %d, and a link it may not follow", res.status)
	}
}

// TestOutboxStatusesHaveLabels: every state has its label in both
// catalogues, on the outbox pages and on the request page.
func TestOutboxStatusesHaveLabels(t *testing.T) {
	for _, lang := range []string{models.LangID, models.LangEN} {
		cat := loadCatalogue(t, lang)
		for _, s := range models.OutboxStatuses() {
			for _, k := range []string{"outbox.status." + string(s), "visit.mail_status." + string(s)} {
				if cat[k] == "" {
					t.Errorf("%s catalogue lacks %q", lang, k)
				}
			}
		}
	}
}
