package models

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// This file turns an OutboxMessage into a MIME message (go-mail) and sends
// it over SMTP. The layout is the one DESIGN.md §5 fixes, which Gmail,
// Outlook and Apple Mail all show as an invitation:
//
//	multipart/mixed
//	  multipart/alternative
//	    text/plain; charset=UTF-8
//	    text/html; charset=UTF-8
//	    text/calendar; method=REQUEST; charset=UTF-8
//	  application/ics; name="invite.ics"   (attachment)
//
// Without an ICS the message is multipart/alternative (text, HTML).

// icsFileName is the attachment's name; the same bytes as the calendar part.
const icsFileName = "invite.ics"

// BuildMessage builds the MIME message of m, sent from the host's mailbox
// from ("dpmptsp@badungkab.go.id" or "MPP Badung <dpmptsp@…>"). Building
// is deterministic: the Date is the message's creation time and the
// Message-ID was fixed at Enqueue, so a download and every attempt carry
// the same headers. An error here is the message's own fault (a bad
// address): it is permanent.
func BuildMessage(m *OutboxMessage, from string) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingQP),
		mail.WithNoDefaultUserAgent())
	if err := msg.From(from); err != nil {
		return nil, permanent(fmt.Errorf("pengirim %q tidak sah: %w", from, err))
	}
	if len(m.To) == 0 {
		return nil, permanent(errors.New("pesan tanpa penerima"))
	}
	if err := msg.To(m.To...); err != nil {
		return nil, permanent(fmt.Errorf("alamat penerima tidak sah %q: %w", strings.Join(m.To, ", "), err))
	}
	// go-mail encodes the subject as RFC 2047 words when it is not plain
	// ASCII; a CR or LF becomes part of an encoded word, never a new header.
	msg.Subject(m.Subject)
	if m.MessageID != "" {
		msg.SetGenHeader(mail.HeaderMessageID, m.MessageID)
	}
	if m.InReplyTo != "" {
		msg.SetGenHeader(mail.HeaderInReplyTo, m.InReplyTo)
	}
	if m.References != "" {
		msg.SetGenHeader(mail.HeaderReferences, m.References)
	}
	date := m.CreatedAt
	if date.IsZero() {
		date = time.Now()
	}
	msg.SetDateWithValue(date.UTC())
	msg.SetUserAgent("Studi Tiru")

	body := m.HTML
	if body == "" {
		body = textToHTML(m.Text)
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, body)
	if m.HasICS() {
		method := m.Method
		if method == "" {
			method = ICSMethod(m.ICS)
		}
		if method == "" {
			return nil, permanent(errors.New("berkas ICS tanpa METHOD"))
		}
		msg.AddAlternativeString(mail.ContentType("text/calendar; method="+method), string(m.ICS))
		// The content type is set explicitly: left to guess from the
		// name, go-mail would say text/calendar and mail clients would
		// see a second, method-less calendar.
		if err := msg.AttachReader(icsFileName, bytes.NewReader(m.ICS),
			mail.WithFileContentType("application/ics")); err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// RenderEML is the message as an .eml file: exactly the bytes the worker
// hands to the SMTP server (less a DKIM signature, added at sending).
func RenderEML(m *OutboxMessage, from string) ([]byte, error) {
	msg, err := BuildMessage(m, from)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// textToHTML is the HTML alternative of a text-only message: paragraphs
// at blank lines, line breaks kept, everything escaped.
func textToHTML(text string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(strings.TrimSpace(para)), "\n", "<br>"))
		b.WriteString("</p>\n")
	}
	return b.String()
}

// DeliveryError says whether a failed delivery may succeed later.
//
// The rule: a 5xx answer to the message's own commands (MAIL FROM, RCPT
// TO, DATA) and a message that cannot be built are permanent; everything
// else is temporary: 4xx answers, network errors, timeouts, and every
// failure while connecting (TLS, authentication — even a 535: a wrong
// password is the configuration's fault, not the message's, and retrying
// after the administrator fixes it must deliver).
type DeliveryError struct {
	Err       error
	Permanent bool
	Code      int // SMTP reply code when the server gave one
}

func (e *DeliveryError) Error() string { return e.Err.Error() }
func (e *DeliveryError) Unwrap() error { return e.Err }

func permanent(err error) error { return &DeliveryError{Err: err, Permanent: true} }
func temporary(err error) error { return &DeliveryError{Err: err} }

// IsPermanent reports whether err is a delivery error that retrying
// cannot fix.
func IsPermanent(err error) bool {
	var d *DeliveryError
	return errors.As(err, &d) && d.Permanent
}

// classifySend turns a go-mail send error into a DeliveryError.
func classifySend(err error) error {
	code := 0
	var se *mail.SendError
	var te *textproto.Error
	switch {
	case errors.As(err, &se):
		code = se.ErrorCode()
	case errors.As(err, &te):
		code = te.Code
	}
	return &DeliveryError{Err: err, Permanent: code >= 500 && code < 600, Code: code}
}

// DKIMOptions configure DKIM signing. The public key must be published
// at <Selector>._domainkey.<Domain>; Domain should be the From domain
// (or its parent) for DMARC alignment.
type DKIMOptions struct {
	Domain   string
	Selector string
	Signer   crypto.Signer
}

// LoadDKIMKey reads a PEM private key: RSA (PKCS #1 or #8) or Ed25519
// (PKCS #8), as produced by openssl genrsa / genpkey or dkim-keygen.
func LoadDKIMKey(path string) (crypto.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: bukan berkas PEM", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: kunci privat tidak terbaca: %w", path, err)
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("%s: hanya kunci RSA atau Ed25519", path)
}

// dkimHeaders are the signed header fields (RFC 6376 §5.4.1).
var dkimHeaders = []string{"From", "To", "Subject", "Date", "Message-ID",
	"In-Reply-To", "References", "MIME-Version", "Content-Type"}

// sign adds a DKIM-Signature header to msg. go-mail writes a message the
// same way every time (the multipart boundaries are fixed by the first
// write), so the signature computed over one rendering holds for the
// rendering that is sent.
func (o *DKIMOptions) sign(msg *mail.Msg) error {
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return err
	}
	s, err := dkim.NewSigner(&dkim.SignOptions{
		Domain: o.Domain, Selector: o.Selector, Signer: o.Signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             dkimHeaders,
	})
	if err != nil {
		return err
	}
	if _, err := io.Copy(s, &raw); err != nil {
		s.Close()
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	name, value, ok := strings.Cut(strings.TrimRight(s.Signature(), "\r\n"), ":")
	if !ok {
		return errors.New("dkim: signature without a header name")
	}
	msg.SetGenHeaderPreformatted(mail.Header(name), strings.TrimLeft(value, " "))
	return nil
}

// MailerOptions tune a Mailer; the zero value is fine.
type MailerOptions struct {
	ConnectTimeout time.Duration // connect, greeting, STARTTLS, AUTH; default 30 s
	SendTimeout    time.Duration // each command of a message; default 60 s
	HELO           string        // default: the machine's host name
	// TLSConfig replaces the default (system roots, TLS 1.2+); tests use
	// it to trust their own certificate.
	TLSConfig *tls.Config
	DKIM      *DKIMOptions
}

// Mailer sends messages to one SMTP server, configured by one URL:
//
//	smtp://user:pass@host:587    STARTTLS, mandatory: a server that does not
//	                             offer it gets nothing, not even the password
//	smtps://user:pass@host:465   TLS from the first byte (implicit TLS)
//	smtp://127.0.0.1:25?tls=none no TLS; only for a relay on this machine
//	                             (a loopback address or "localhost")
//
// User and password are optional (a relay that trusts the address);
// when given they go out only over TLS or to the loopback relay.
type Mailer struct {
	// dialMu: go-mail keeps the chosen AUTH mechanism's state in the
	// client, so two connections must not authenticate at once.
	dialMu      sync.Mutex
	client      *mail.Client
	sendTimeout time.Duration
	dkim        *DKIMOptions
}

// smtpSettings is what an SMTP URL says.
type smtpSettings struct {
	host          string
	port          int
	implicitTLS   bool
	noTLS         bool
	user, pass    string
	authenticated bool
}

// parseSMTPURL applies the rules in Mailer's comment.
func parseSMTPURL(u *url.URL) (smtpSettings, error) {
	var s smtpSettings
	if u == nil {
		return s, errors.New("SMTP_URL kosong")
	}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicitTLS = 465, true
	default:
		return s, fmt.Errorf("SMTP_URL harus diawali smtp:// atau smtps://, bukan %q", u.Scheme+"://")
	}
	s.host = u.Hostname()
	if s.host == "" {
		return s, errors.New("SMTP_URL tanpa nama server")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return s, fmt.Errorf("SMTP_URL: port %q tidak sah", p)
		}
		s.port = n
	}
	for k, v := range u.Query() {
		switch {
		case k == "tls" && len(v) == 1 && v[0] == "none":
			s.noTLS = true
		default:
			return s, fmt.Errorf("SMTP_URL: parameter %q tidak dikenal (yang ada hanya tls=none)", k)
		}
	}
	if s.noTLS {
		if s.implicitTLS {
			return s, errors.New("SMTP_URL: tls=none tidak berlaku untuk smtps://")
		}
		if !isLoopback(s.host) {
			return s, fmt.Errorf("SMTP_URL: tls=none hanya untuk relay di mesin ini (127.0.0.1, ::1, localhost), bukan %q", s.host)
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		s.authenticated = s.user != ""
	}
	return s, nil
}

// CheckSMTPURL validates an SMTP URL by the rules of Mailer; the
// configuration calls it at start.
func CheckSMTPURL(u *url.URL) error {
	_, err := parseSMTPURL(u)
	return err
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewMailer checks the URL and prepares a client; nothing is dialled yet.
func NewMailer(u *url.URL, o MailerOptions) (*Mailer, error) {
	s, err := parseSMTPURL(u)
	if err != nil {
		return nil, err
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 30 * time.Second
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 60 * time.Second
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.TLSConfig != nil {
		tlsConfig = o.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = s.host
	}
	opts := []mail.Option{
		mail.WithPort(s.port),
		// go-mail's timeout bounds each command of a message; connecting is
		// bounded by the dialer below.
		mail.WithTimeout(o.SendTimeout),
		mail.WithTLSConfig(tlsConfig),
		mail.WithDialContextFunc(deadlineDialer(s, tlsConfig, o.ConnectTimeout)),
	}
	switch {
	case s.implicitTLS:
		// The dialer speaks TLS itself; go-mail must not try STARTTLS.
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case s.noTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if o.HELO != "" {
		opts = append(opts, mail.WithHELO(o.HELO))
	}
	if s.authenticated {
		opts = append(opts, mail.WithSMTPAuthCustom(&pickAuth{user: s.user, pass: s.pass, host: s.host}))
	}
	c, err := mail.NewClient(s.host, opts...)
	if err != nil {
		return nil, err
	}
	return &Mailer{client: c, sendTimeout: o.SendTimeout, dkim: o.DKIM}, nil
}

// deadlineDialer connects (with TLS for smtps://) and gives the
// connection a deadline for the greeting, STARTTLS and AUTH: without it a
// server that accepts the connection and never speaks would hold the
// worker forever. go-mail moves the deadline on for every message.
func deadlineDialer(s smtpSettings, tlsConfig *tls.Config, timeout time.Duration) mail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		d := &net.Dialer{}
		var conn net.Conn
		var err error
		if s.implicitTLS {
			conn, err = (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(ctx, network, addr)
		} else {
			conn, err = d.DialContext(ctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	}
}

// pickAuth chooses PLAIN or LOGIN from what the server offers. Both send
// the password as it is, so both refuse a connection without TLS unless
// the server is on this machine (the checks of go-mail's smtp package).
// go-mail's own auto-discovery cannot be used: with the dialer above it
// does not know the connection is TLS and would offer neither.
type pickAuth struct {
	user, pass, host string
	chosen           smtp.Auth
}

func (a *pickAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	has := func(mech string) bool {
		for _, m := range server.Auth {
			if strings.EqualFold(m, mech) {
				return true
			}
		}
		return false
	}
	switch {
	case has("PLAIN"):
		a.chosen = smtp.PlainAuth("", a.user, a.pass, a.host, false)
	case has("LOGIN"):
		a.chosen = smtp.LoginAuth(a.user, a.pass, a.host, false)
	default:
		return "", nil, fmt.Errorf("server SMTP tidak menawarkan AUTH PLAIN atau LOGIN (ditawarkan: %s)", strings.Join(server.Auth, " "))
	}
	return a.chosen.Start(server)
}

func (a *pickAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.chosen.Next(fromServer, more)
}

// MailSession is one connection to the SMTP server; the worker sends a
// whole batch through it. Not safe for concurrent use.
type MailSession struct {
	m      *Mailer
	client *smtp.Client
}

// Dial connects, says EHLO, starts TLS and authenticates. Errors are
// temporary (see DeliveryError).
func (m *Mailer) Dial(ctx context.Context) (*MailSession, error) {
	m.dialMu.Lock()
	defer m.dialMu.Unlock()
	c, err := m.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, temporary(fmt.Errorf("sambungan ke server SMTP: %w", err))
	}
	return &MailSession{m: m, client: c}, nil
}

// Send sends one message and returns the server's answer to it ("2.0.0
// Ok: queued as …"). When the server accepted the message, err is nil
// even if something after the acceptance failed: the message is delivered.
func (s *MailSession) Send(msg *mail.Msg) (reply string, err error) {
	if s.m.dkim != nil {
		if err := s.m.dkim.sign(msg); err != nil {
			return "", permanent(fmt.Errorf("tanda tangan DKIM: %w", err))
		}
	}
	err = s.m.client.SendWithSMTPClient(s.client, msg)
	if msg.IsDelivered() {
		return msg.ServerResponse(), nil
	}
	if err == nil {
		return msg.ServerResponse(), nil
	}
	return "", classifySend(err)
}

// Alive reports whether the connection can still be used.
func (s *MailSession) Alive() bool { return s != nil && s.client != nil && s.client.HasConnection() }

// Close says QUIT and closes the connection.
func (s *MailSession) Close() error {
	if s == nil || s.client == nil {
		return nil
	}
	err := s.m.client.CloseWithSMTPClient(s.client)
	if s.client.HasConnection() {
		_ = s.client.Close()
	}
	return err
}

// SendTimeout bounds one message's commands; the worker keeps this much
// of a lease in hand before it starts a message.
func (m *Mailer) SendTimeout() time.Duration { return m.sendTimeout }
