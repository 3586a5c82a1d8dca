// Package embedded runs FerretDB inside the application process so that
// `go run ./app` needs no database server: FerretDB speaks the MongoDB wire
// protocol on a Unix socket (or loopback) and keeps its data in SQLite files
// under the data directory. The application talks to it with the same official
// MongoDB driver it would use against a real server.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Engine is a running embedded FerretDB.
type Engine struct {
	uri    string
	dbDir  string
	logger *slog.Logger
	cancel context.CancelFunc
	done   chan struct{} // closed when FerretDB and the indexer have stopped

	indexMu sync.Mutex // one IndexIDLookups pass at a time
}

// maxUnixSocketPath keeps us below the kernel's sun_path limit (108 bytes on
// Linux, 104 on macOS); longer data directories fall back to loopback TCP.
const maxUnixSocketPath = 100

// Start opens (or creates) the SQLite database under dataDir and starts
// listening. The logger receives FerretDB's own messages; pass a quiet one.
func Start(dataDir string, logger *slog.Logger) (*Engine, error) {
	dbDir, err := filepath.Abs(filepath.Join(dataDir, "ferretdb"))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded store: create %s: %w", dbDir, err)
	}

	listener := ferretdb.ListenerConfig{}
	socket := filepath.Join(filepath.Dir(dbDir), "mongodb.sock")
	if len(socket) <= maxUnixSocketPath {
		if err := claimSocket(socket); err != nil {
			return nil, err
		}
		listener.Unix = socket
	} else {
		listener.TCP = "127.0.0.1:0"
	}

	logger = slog.New(lazyAttrs{inner: logger.Handler()})
	fdb, err := ferretdb.New(&ferretdb.Config{
		Listener:  listener,
		Handler:   "sqlite",
		SQLiteURL: (&url.URL{Scheme: "file", Path: dbDir + "/"}).String(),
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{dbDir: dbDir, logger: logger, cancel: cancel, done: make(chan struct{})}
	var running sync.WaitGroup
	running.Add(2)
	go func() {
		defer running.Done()
		_ = fdb.Run(ctx)
	}()
	go func() {
		defer running.Done()
		e.indexLoop(ctx)
	}()
	go func() {
		running.Wait()
		close(e.done)
	}()

	if listener.Unix != "" {
		// The driver wants the socket path percent-encoded in the host part.
		e.uri = "mongodb://" + url.PathEscape(socket) + "/"
		if err := waitForSocket(socket, 10*time.Second); err != nil {
			e.Stop()
			return nil, err
		}
		// The engine has no authentication: only this user may connect.
		if err := os.Chmod(socket, 0o600); err != nil {
			e.Stop()
			return nil, fmt.Errorf("embedded store: %w", err)
		}
	} else {
		e.uri = fdb.MongoDBURI()
	}
	// An existing data directory is indexed before the first request.
	if n, err := e.IndexIDLookups(ctx); err != nil {
		logger.Warn("embedded store: _id lookup indexes", "err", err)
	} else if n > 0 {
		logger.Info("embedded store: indexed _id lookups", "collections", n)
	}
	return e, nil
}

// URI is the MongoDB connection string of the running engine.
func (e *Engine) URI() string { return e.uri }

// Stop closes the listener and the SQLite backend and waits for both.
func (e *Engine) Stop() {
	e.cancel()
	<-e.done
}

// claimSocket removes a socket file left behind by a process that died, but
// refuses to start when another live process is serving the same data
// directory: two SQLite writers on one directory would corrupt nothing, but
// they would not see each other's caches either.
func claimSocket(path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
		conn.Close()
		return fmt.Errorf("embedded store: %s is in use by another running instance; "+
			"point this instance at it with MONGODB_URI=%q or use another DATA_DIR",
			path, "mongodb://"+url.PathEscape(path)+"/")
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("embedded store: remove stale socket: %w", err)
	}
	return nil
}

// waitForSocket waits for the listener's socket file. It does not dial:
// FerretDB logs a warning for every connection closed without a message, and
// the driver's ping right after this is the real readiness check.
func waitForSocket(path string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		_, err := os.Stat(path)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("embedded store: socket %s not ready: %w", path, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lazyAttrs is a slog.Handler that keeps the attributes of Logger.With
// until a record is actually written. FerretDB calls With on every SQL
// statement, with the statement's arguments (whole documents, a GridFS
// chunk of 255 KB), only to log at debug level: a text handler formats
// those arguments in WithAttrs already, at any level — a third of the CPU
// of a request submission with a 1 MB letter (docs/PERFORMANCE.md).
type lazyAttrs struct {
	inner slog.Handler
	attrs []slog.Attr
}

func (h lazyAttrs) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h lazyAttrs) Handle(ctx context.Context, r slog.Record) error {
	return h.inner.WithAttrs(h.attrs).Handle(ctx, r)
}

func (h lazyAttrs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return lazyAttrs{inner: h.inner, attrs: append(slices.Clip(h.attrs), attrs...)}
}

func (h lazyAttrs) WithGroup(name string) slog.Handler {
	return lazyAttrs{inner: h.inner.WithAttrs(h.attrs).WithGroup(name)}
}
