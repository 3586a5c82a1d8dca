package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"studitiru/app/embedded"
)

// syncBuffer collects the app's log lines while the test reads them.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startApp runs the whole application (run, as main does) on an empty data
// directory and waits until it serves. It returns the base URL and the log.
func startApp(t *testing.T, dataDir string, args ...string) (string, *syncBuffer, func()) {
	t.Helper()
	addr := freeAddr(t)
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	env := func(k string) string {
		switch k {
		case "DATA_DIR":
			return dataDir
		case "LISTEN_ADDR":
			return addr
		}
		return ""
	}
	go func() { done <- run(ctx, args, env, logs) }()

	base := "http://" + addr
	deadline := time.Now().Add(3 * time.Minute)
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("app stopped: %v\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("app did not start:\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop := func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("graceful shutdown did not finish")
		}
	}
	return base, logs, stop
}

var passwordRe = regexp.MustCompile(`admin pertama dibuat.* email=(\S+) password=(\S+)`)
var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// TestFreshStartServesHomeAndPrintedPasswordSignsIn is Must show 1: on an
// empty data directory the app starts on the embedded store, serves the home
// page, and the admin password printed once in the log signs in.
func TestFreshStartServesHomeAndPrintedPasswordSignsIn(t *testing.T) {
	dir := t.TempDir()
	started := time.Now()
	base, logs, stop := startApp(t, dir)
	t.Logf("ready after %v", time.Since(started))

	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Studi tiru ke Mal Pelayanan Publik Kabupaten Badung") {
		t.Fatalf("home page: %d", res.StatusCode)
	}

	m := passwordRe.FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no admin password in the log:\n%s", logs)
	}
	email, password := m[1], m[2]
	if email != "admin@studitiru.local" {
		t.Errorf("first administrator %q, want the default admin@studitiru.local", email)
	}
	if n := strings.Count(logs.String(), password); n != 1 {
		t.Errorf("the password appears %d times in the log, want exactly once", n)
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	page, err := client.Get(base + "/masuk")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(page.Body)
	page.Body.Close()
	token := csrfRe.FindStringSubmatch(string(b))
	if token == nil {
		t.Fatal("no CSRF token on the sign-in page")
	}
	res, err = client.PostForm(base+"/masuk", url.Values{"_csrf": {token[1]}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	// The generated password is one-time: the admin lands on the page to replace it.
	if res.Request.URL.Path != "/staf/profil" || !strings.Contains(string(b), "kata sandi sekali pakai") {
		t.Fatalf("after sign-in: %s (%d)", res.Request.URL, res.StatusCode)
	}

	// One line per request, without the query string or secrets.
	if !strings.Contains(logs.String(), "msg=http method=POST path=/masuk status=303") {
		t.Errorf("no request log line for the sign-in:\n%s", logs)
	}
	stop()
	if !strings.Contains(logs.String(), "selesai") {
		t.Error("shutdown not logged")
	}

	// Second start on the same directory: no new admin, the data is still there.
	_, logs2, stop2 := startApp(t, dir)
	defer stop2()
	if strings.Contains(logs2.String(), "admin pertama dibuat") {
		t.Error("a second admin was created on restart")
	}
}

// TestDemoSeedFillsAnEmptyStoreOnce covers `go run ./app -demo`.
func TestDemoSeedFillsAnEmptyStoreOnce(t *testing.T) {
	dir := t.TempDir()
	base, logs, stop := startApp(t, dir, "-demo")
	if !strings.Contains(logs.String(), "data contoh dibuat") || !strings.Contains(logs.String(), "petugas@studitiru.local") {
		t.Fatalf("demo not seeded:\n%s", logs)
	}
	coordinator := regexp.MustCompile(`akun contoh" email=petugas@studitiru.local role=coordinator password=(\S+)`).FindStringSubmatch(logs.String())
	if coordinator == nil {
		t.Fatal("demo coordinator password not shown")
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	page, _ := client.Get(base + "/masuk")
	b, _ := io.ReadAll(page.Body)
	page.Body.Close()
	token := csrfRe.FindStringSubmatch(string(b))[1]
	res, err := client.PostForm(base+"/masuk", url.Values{"_csrf": {token}, "email": {"petugas@studitiru.local"}, "password": {coordinator[1]}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res, err = client.Get(base + "/staf/permohonan"); err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{"Pemerintah Kabupaten Blora", "Kabupaten Konawe", "Pemerintah Kabupaten Soppeng", "Pemerintah Kabupaten Muna Barat"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("staff inbox lacks demo delegation %q", want)
		}
	}
	stop()

	_, logs2, stop2 := startApp(t, dir, "-demo")
	defer stop2()
	if !strings.Contains(logs2.String(), "data contoh dilewati") {
		t.Errorf("second -demo run did not skip:\n%s", logs2)
	}
}

func TestSecondInstanceOnSameDataDirIsRefusedClearly(t *testing.T) {
	dir := t.TempDir()
	_, _, stop := startApp(t, dir)
	defer stop()
	err := run(context.Background(), nil, func(k string) string {
		switch k {
		case "DATA_DIR":
			return dir
		case "LISTEN_ADDR":
			return freeAddr(t)
		}
		return ""
	}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "MONGODB_URI=") {
		t.Fatalf("second instance: %v, want a refusal that says how to share the store", err)
	}
}

// TestEmbeddedStoreIsPrivate: the embedded engine has no authentication,
// so its files are the operator's alone: the SQLite directory
// DATA_DIR/ferretdb has mode 0700 and the socket DATA_DIR/mongodb.sock 0600.
func TestEmbeddedStoreIsPrivate(t *testing.T) {
	dir, err := os.MkdirTemp("", "st-") // short: the socket path has a limit
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	eng, err := embedded.Start(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Stop()
	for path, want := range map[string]os.FileMode{"ferretdb": 0o700, "mongodb.sock": 0o600} {
		info, err := os.Stat(filepath.Join(dir, path))
		if err != nil {
			t.Errorf("%s: %v", path, err)
		} else if info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, info.Mode().Perm(), want)
		}
	}
	if want := "mongodb://" + url.PathEscape(filepath.Join(dir, "mongodb.sock")) + "/"; eng.URI() != want {
		t.Errorf("URI %q, want %q", eng.URI(), want)
	}
}
