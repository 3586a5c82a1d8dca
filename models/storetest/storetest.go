// Package storetest gives tests a real MongoDB wire-protocol server: the
// embedded FerretDB engine by default, or the server in MONGODB_TEST_URI.
// Each test gets its own database, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"studitiru/app/embedded"
	"studitiru/models"
)

// Server is the engine shared by the tests of one package.
type Server struct {
	URI    string
	engine *embedded.Engine
	dir    string
}

// Start starts the engine for a package's TestMain. Call Stop when done.
func Start() (*Server, error) {
	if uri := os.Getenv("MONGODB_TEST_URI"); uri != "" {
		return &Server{URI: uri}, nil
	}
	// A short path keeps the Unix socket under the kernel's length limit.
	dir, err := os.MkdirTemp("", "st-")
	if err != nil {
		return nil, err
	}
	eng, err := embedded.Start(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Server{URI: eng.URI(), engine: eng, dir: dir}, nil
}

// Stop stops the engine and removes its files.
func (s *Server) Stop() {
	if s.engine != nil {
		s.engine.Stop()
		os.RemoveAll(s.dir)
	}
}

// Main is a ready-made TestMain body: start, run the tests, stop.
func Main(m *testing.M, srv **Server) {
	s, err := Start()
	if err != nil {
		slog.Error("test store", "err", err)
		os.Exit(1)
	}
	*srv = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

// Open opens a store on a fresh database for t and drops it afterwards.
func (s *Server) Open(t testing.TB) *models.Store {
	t.Helper()
	name := DatabaseName(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := models.Open(ctx, s.URI, name)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	st.SetPasswordCost(bcrypt.MinCost)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = st.Drop(ctx)
		_ = st.Close(ctx)
	})
	return st
}

// DatabaseName derives a unique, valid database name from the test name.
func DatabaseName(t testing.TB) string {
	var b strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
		if b.Len() >= 30 {
			break
		}
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	return "t_" + b.String() + "_" + hex.EncodeToString(suffix)
}
