// Package smtptest runs a real SMTP server (emersion/go-smtp) on a loopback
// port for tests, keeping what arrives. Tests of models and handlers share it,
// as they share models/storetest.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/mail"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is a real SMTP server (emersion/go-smtp) on a loopback port,
// keeping what arrives. Tests change its behaviour through the fields
// guarded by mu.
type Server struct {
	t    testing.TB
	srv  *smtp.Server
	l    net.Listener
	addr string

	mu       sync.Mutex
	received [][]byte // raw messages, in order of acceptance
	rcpts    [][]string
	// RejectRcpt answers RCPT TO with this error when set.
	RejectRcpt *smtp.SMTPError
	// DataDelay slows every DATA down (to stop a worker mid-batch).
	DataDelay time.Duration
	// user/pass, when set, are required (AUTH PLAIN).
	user, pass string
	authed     int
}

type Options struct {
	TLS        bool // offer STARTTLS with a self-signed certificate
	User, Pass string
	Addr       string // listen here (to restart a server on its old port)
}

// Start starts a server; it stops when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{t: t, user: o.User, pass: o.Pass}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 10 << 20
	if o.TLS {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{testCert(t)}}
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var l net.Listener
	var err error
	for try := 0; try < 50; try++ { // a restarted server's port may linger briefly
		if l, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	s.srv, s.l, s.addr = srv, l, l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// stop closes the listener and every connection: the server is down.
// (The listener is closed here too: Serve may not have taken it yet.)
func (s *Server) Stop() {
	_ = s.l.Close()
	_ = s.srv.Close()
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.addr }

// URL is the SMTP_URL for this server; TLS servers use STARTTLS.
func (s *Server) URL(tlsNone bool) *url.URL {
	u := &url.URL{Scheme: "smtp", Host: s.addr}
	if tlsNone {
		u.RawQuery = "tls=none"
	}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.pass)
	}
	return u
}

func (s *Server) Messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.received...)
}

func (s *Server) AuthCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authed
}

func (s *Server) Recipients() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]string(nil), s.rcpts...)
}

func (s *Server) Set(f func(s *Server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// countByMessageID counts arrivals per Message-ID header.
func (s *Server) CountByMessageID() map[string]int {
	out := map[string]int{}
	for _, raw := range s.Messages() {
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			s.t.Errorf("unparseable message: %v", err)
			continue
		}
		out[m.Header.Get("Message-ID")]++
	}
	return out
}

func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{s: s}, nil
}

type smtpSession struct {
	s     *Server
	rcpts []string
	auth  bool
}

func (ss *smtpSession) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		ss.auth = true
		ss.s.mu.Lock()
		ss.s.authed++
		ss.s.mu.Unlock()
		return nil
	}), nil
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && !ss.auth {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	reject := ss.s.RejectRcpt
	ss.s.mu.Unlock()
	if reject != nil {
		return reject
	}
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	delay := ss.s.DataDelay
	ss.s.mu.Unlock()
	time.Sleep(delay)
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.received = append(ss.s.received, b)
	ss.s.rcpts = append(ss.s.rcpts, ss.rcpts)
	return nil
}

func (ss *smtpSession) Reset()        { ss.rcpts = nil }
func (ss *smtpSession) Logout() error { return nil }

// testCert is a self-signed certificate for 127.0.0.1 and localhost.
func testCert(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// trusting is a client TLS config that trusts the server's certificate.
func (s *Server) Trusting() *tls.Config {
	pool := x509.NewCertPool()
	for _, c := range s.srv.TLSConfig.Certificates {
		cert, err := x509.ParseCertificate(c.Certificate[0])
		if err != nil {
			s.t.Fatal(err)
		}
		pool.AddCert(cert)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}
