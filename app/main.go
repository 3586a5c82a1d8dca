// Command studitiru serves the Studi Tiru application: delegations request
// comparative-study visits to MPP Kabupaten Badung, host staff schedule them.
//
//	go run ./app            # embedded store under ./data, http://localhost:3000
//	go run ./app -demo      # the same, filled with sample records first
//	go run ./app -h         # every setting (environment variables and flags)
//	go run ./app backup -o FILE        # the whole database into one file
//	go run ./app restore [-force] FILE # and back (docs/OPERATIONS.md, Backups)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // the host zone must exist on machines without tzdata

	"studitiru/app/embedded"
	"studitiru/handlers"
	"studitiru/models"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "studitiru:", err)
		os.Exit(1)
	}
}

// run is main without the process: tests call it with their own context,
// arguments, environment and log output.
func run(ctx context.Context, args []string, getenv func(string) string, logOut io.Writer) error {
	if len(args) > 0 && (args[0] == "backup" || args[0] == "restore") {
		return runStoreCommand(ctx, args[0], args[1:], getenv, logOut)
	}
	cfg, err := LoadConfig(args, getenv, logOut)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(logOut, nil))
	logger.Info("konfigurasi", "config", cfg)

	store, closeStore, err := openStore(ctx, cfg, logger, logOut)
	if err != nil {
		return err
	}
	defer closeStore()

	store.SetMailDomain(mailDomain(cfg))
	now := time.Now()
	// Claims left by a crash between two writes would block their documents.
	if n, err := store.SweepClaims(ctx, now); err != nil {
		return fmt.Errorf("sweep claims: %w", err)
	} else if m, err := store.SweepLegacyClaims(ctx); err != nil {
		return fmt.Errorf("sweep claims: %w", err)
	} else if n+m > 0 {
		logger.Warn("klaim yang tertinggal dibersihkan", "jumlah", n+m)
	}
	// Reservations of sessions, rooms and escorts that no visit needs (a
	// crash between reserving and saving) would block those slots.
	if n, err := store.ReconcileReservations(ctx, cfg.Location, now); err != nil {
		return fmt.Errorf("reconcile reservations: %w", err)
	} else if n > 0 {
		logger.Warn("reservasi yang tertinggal dibersihkan", "jumlah", n)
	}
	if err := ensureFirstAdmin(ctx, store, cfg, logger, now); err != nil {
		return err
	}
	if cfg.Demo {
		if err := seedDemo(ctx, store, cfg, logger, now); err != nil {
			return err
		}
	}

	h, err := handlers.New(ctx, handlers.Deps{
		Store:    store,
		Logger:   logger,
		Location: cfg.Location,
		BaseURL:  cfg.BaseURL,
		Now:      time.Now,
		Sessions: models.DefaultSessionPolicy(),

		TrustedProxies: cfg.TrustedProxies,
		MailConfigured: cfg.SMTPURL != nil,
		MailFrom:       cfg.MailFrom,
		MetricsToken:   cfg.MetricsToken,
	})
	if err != nil {
		return err
	}
	web := h.App()

	outbox, err := outboxWorker(cfg, store, logger)
	if err != nil {
		return err
	}
	if outbox != nil {
		outbox.OnFailure = h.Metrics().OutboxSendFailed
	}
	workerCtx, stopWorkers := context.WithCancel(context.Background())
	workersDone := startWorkers(workerCtx, store, h, cfg.Location, logger, outbox, cfg.WorkerInterval)

	serveErr := make(chan error, 1)
	go func() { serveErr <- web.Listen(cfg.Addr) }()
	logger.Info("siap", "url", cfg.BaseURL.String())

	select {
	case err := <-serveErr:
		stopWorkers()
		<-workersDone
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	logger.Info("berhenti: menyelesaikan permintaan yang sedang berjalan")
	if err := web.ShutdownWithTimeout(20 * time.Second); err != nil {
		logger.Error("shutdown", "err", err)
	}
	stopWorkers()
	<-workersDone
	logger.Info("selesai")
	return nil
}

// openStore connects to MONGODB_URI, or starts the embedded engine first.
func openStore(ctx context.Context, cfg *Config, logger *slog.Logger, logOut io.Writer) (*models.Store, func(), error) {
	return openStoreWith(ctx, cfg, logger, logOut, models.Open)
}

// openStoreWith is openStore with the way of opening: models.Open for the
// server, models.Connect (no indexes, no seeding) for backup and restore.
func openStoreWith(ctx context.Context, cfg *Config, logger *slog.Logger, logOut io.Writer,
	open func(ctx context.Context, uri, database string) (*models.Store, error)) (*models.Store, func(), error) {
	uri := cfg.MongoURI
	var engine *embedded.Engine
	if uri == "" {
		// FerretDB logs every connection at info level and warns about
		// harmless things (the driver's endSessions at disconnect, closed
		// sockets); only its errors are interesting to an operator.
		quiet := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelError}))
		var err error
		engine, err = embedded.Start(cfg.DataDir, quiet.With("component", "ferretdb"))
		if err != nil {
			return nil, nil, err
		}
		uri = engine.URI()
	}
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	store, err := open(pingCtx, uri, cfg.MongoDB)
	if err != nil {
		if engine != nil {
			engine.Stop()
		}
		return nil, nil, err
	}
	if engine != nil {
		// The collections models.Open just created get their _id lookup
		// index now rather than at the engine's next pass.
		if _, err := engine.IndexIDLookups(ctx); err != nil {
			logger.Warn("embedded store: _id lookup indexes", "err", err)
		}
	}
	return store, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := store.Close(ctx); err != nil {
			logger.Error("store close", "err", err)
		}
		if engine != nil {
			engine.Stop()
		}
	}, nil
}

// ensureFirstAdmin creates the first administrator when there is no user
// at all. Its password comes from ADMIN_PASSWORD or is generated and shown
// once, here, and must be changed at first sign-in.
func ensureFirstAdmin(ctx context.Context, store *models.Store, cfg *Config, logger *slog.Logger, now time.Time) error {
	n, err := store.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	email := cfg.AdminEmail
	if email == "" {
		email = "admin@studitiru.local"
	}
	password, generated := cfg.AdminPassword, false
	if password == "" {
		password, generated = models.NewPassword(), true
	}
	_, err = store.CreateUser(ctx, models.UserInput{
		Email: email, Name: "Administrator", Role: string(models.RoleAdmin), Password: password,
	}, generated, now)
	if v, ok := models.AsValidation(err); ok {
		return fmt.Errorf("admin pertama: %v (periksa ADMIN_EMAIL dan ADMIN_PASSWORD)", v)
	}
	if err != nil {
		return err
	}
	if generated {
		// Shown exactly once: it is not stored anywhere but as a hash.
		logger.Warn("admin pertama dibuat; catat kata sandi sekali pakai ini, ganti setelah masuk",
			"email", email, "password", password)
	} else {
		logger.Info("admin pertama dibuat dari ADMIN_EMAIL/ADMIN_PASSWORD", "email", email)
	}
	return nil
}

// seedDemo fills an empty store with the sample records of models.SeedDemo.
func seedDemo(ctx context.Context, store *models.Store, cfg *Config, logger *slog.Logger, now time.Time) error {
	res, err := models.SeedDemo(ctx, store, now, cfg.Location)
	if errors.Is(err, models.ErrNotEmpty) {
		logger.Info("data contoh dilewati: penyimpanan sudah berisi kunjungan")
		return nil
	}
	if err != nil {
		return fmt.Errorf("data contoh: %w", err)
	}
	for _, u := range res.Users {
		logger.Warn("akun contoh", "email", u.Email, "role", u.Role, "password", u.Password)
	}
	logger.Info("data contoh dibuat", "kunjungan", res.Visits)
	return nil
}

// mailDomain ends the Message-IDs: "studitiru." and the domain of
// MAIL_FROM, else of BASE_URL.
func mailDomain(cfg *Config) string {
	if a, err := mail.ParseAddress(cfg.MailFrom); err == nil {
		if _, domain, ok := strings.Cut(a.Address, "@"); ok && domain != "" {
			return "studitiru." + strings.ToLower(domain)
		}
	}
	if h := cfg.BaseURL.Hostname(); strings.Contains(h, ".") && net.ParseIP(h) == nil {
		return h
	}
	return "studitiru.localhost"
}

// outboxWorker is the mail sender, or nil when no SMTP server is
// configured: then messages wait in the outbox (the staff's outbox page
// says so) and go out once SMTP_URL is set and the app restarted.
func outboxWorker(cfg *Config, store *models.Store, logger *slog.Logger) (*models.OutboxWorker, error) {
	if cfg.SMTPURL == nil {
		logger.Warn("SMTP_URL kosong: surel menunggu di antrean dan belum dikirim")
		return nil, nil
	}
	mailer, err := models.NewMailer(cfg.SMTPURL, models.MailerOptions{DKIM: cfg.DKIM})
	if err != nil {
		return nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	host, _ := os.Hostname()
	return &models.OutboxWorker{
		Store: store, Mailer: mailer, From: cfg.MailFrom,
		// The lease owner names this instance among several.
		Owner:  fmt.Sprintf("%s/%d/%s", host, os.Getpid(), models.NewToken()[:8]),
		Logger: logger.With("component", "outbox"),
		Now:    time.Now,
	}, nil
}

// startWorkers runs the background jobs until ctx ends; the returned
// channel closes when they have all stopped. outbox may be nil.
func startWorkers(ctx context.Context, store *models.Store, h *handlers.Handlers, loc *time.Location, logger *slog.Logger, outbox *models.OutboxWorker, every time.Duration) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	if outbox != nil {
		// Stopping lets the message in flight finish and hands the rest
		// of its batch back (OutboxWorker.RunOnce).
		wg.Go(func() { outbox.Run(ctx, min(10*time.Second, every)) })
	}
	go func() {
		defer close(done)
		defer wg.Wait()
		// Load the in-memory view of visits now, not when the first staff
		// page asks (from a snapshot it takes a second even at 50,000).
		if err := store.MaintainView(ctx); err != nil && ctx.Err() == nil {
			logger.Error("muat tampilan kunjungan", "err", err)
		}
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				// Expired sessions and sign-in failures (no TTL indexes on
				// the embedded engine), and claims of crashed writers.
				if err := store.DeleteExpired(ctx, now); err != nil && ctx.Err() == nil {
					logger.Error("hapus data kedaluwarsa", "err", err)
				}
				if _, err := store.SweepClaims(ctx, now); err != nil && ctx.Err() == nil {
					logger.Error("bersihkan klaim", "err", err)
				}
				if _, err := store.ReconcileReservations(ctx, loc, now); err != nil && ctx.Err() == nil {
					logger.Error("rekonsiliasi reservasi", "err", err)
				}
				// Keep the view current and its snapshot recent.
				if err := store.MaintainView(ctx); err != nil && ctx.Err() == nil {
					logger.Error("perbarui tampilan kunjungan", "err", err)
				}
				// Personal data past its retention period (UU 27/2022), hourly.
				if _, err := store.RunRetentionIfDue(ctx, now); err != nil && ctx.Err() == nil {
					logger.Error("retensi data pribadi", "err", err)
				}
				// Reminders before visits and roster deadlines (each once).
				if _, err := h.QueueReminders(ctx, now); err != nil && ctx.Err() == nil {
					logger.Error("antrekan pengingat", "err", err)
				}
			}
		}
	}()
	return done
}
