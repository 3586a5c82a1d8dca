package main

// The backup and restore commands (docs/OPERATIONS.md, "Backups"):
//
//	studitiru backup [-o FILE]                  the whole database into one file
//	studitiru restore [-force] [-check] FILE    and back
//
// They reach the store as the server does (the embedded engine under
// DATA_DIR, or MONGODB_URI) but only connect: no indexes, no holiday seed,
// no first administrator. On the embedded store they start the engine
// themselves, so the app must not be running on that DATA_DIR (the engine
// refuses a second process anyway).

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"studitiru/models"
)

// runStoreCommand runs "backup" or "restore" with the arguments after it.
func runStoreCommand(ctx context.Context, cmd string, args []string, getenv func(string) string, logOut io.Writer) error {
	fs := flag.NewFlagSet("studitiru "+cmd, flag.ContinueOnError)
	fs.SetOutput(logOut)
	// The store settings are the server's (same variables, same flags).
	values := map[string]*string{}
	for _, v := range configVars {
		switch v.env {
		case "DATA_DIR", "MONGODB_URI", "MONGODB_DB":
			def := v.def
			if e := getenv(v.env); e != "" {
				def = e
			}
			values[v.env] = fs.String(v.flag, def, fmt.Sprintf("%s (env %s)", v.help, v.env))
		}
	}
	var out string
	var force, check bool
	if cmd == "backup" {
		fs.StringVar(&out, "o", "", "berkas cadangan yang ditulis (bawaan: studitiru-<waktu UTC>.tar.gz)")
		fs.Usage = func() {
			fmt.Fprintln(logOut, "Pemakaian: studitiru backup [-o BERKAS] — seluruh database ke satu berkas .tar.gz")
			fs.PrintDefaults()
		}
	} else {
		fs.BoolVar(&force, "force", false, "hapus isi database yang ada lalu pulihkan")
		fs.BoolVar(&check, "check", false, "hanya periksa berkas (checksum, dokumen), tanpa menyentuh database")
		fs.Usage = func() {
			fmt.Fprintln(logOut, "Pemakaian: studitiru restore [-force] [-check] BERKAS — pulihkan database dari berkas cadangan")
			fs.PrintDefaults()
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Flags may also follow the file: restore FILE -force.
	rest := fs.Args()
	var file string
	if cmd == "restore" && len(rest) > 0 {
		file = rest[0]
		if err := fs.Parse(rest[1:]); err != nil {
			return err
		}
		rest = fs.Args()
	}
	if len(rest) > 0 {
		return fmt.Errorf("argumen tidak dikenal: %s", strings.Join(rest, " "))
	}
	if cmd == "restore" && file == "" {
		fs.Usage()
		return errors.New("restore: sebutkan berkas cadangan")
	}
	get := func(env string) string { return strings.TrimSpace(*values[env]) }
	cfg := &Config{DataDir: get("DATA_DIR"), MongoURI: get("MONGODB_URI"), MongoDB: get("MONGODB_DB")}
	if cfg.MongoURI == "" && cfg.DataDir == "" {
		return errors.New("DATA_DIR wajib diisi bila MONGODB_URI kosong")
	}
	if cfg.MongoDB == "" || strings.ContainsAny(cfg.MongoDB, `/\. "$`) {
		return fmt.Errorf("MONGODB_DB %q bukan nama database yang sah", cfg.MongoDB)
	}
	logger := slog.New(slog.NewTextHandler(logOut, nil))

	if cmd == "restore" && check {
		return checkBackup(file, logger)
	}
	if cmd == "backup" && cfg.MongoURI == "" {
		// Starting the engine on a wrong directory would create an empty
		// store there and "back up" nothing.
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "ferretdb")); err != nil {
			return fmt.Errorf("backup: DATA_DIR %s tidak berisi penyimpanan tertanam (%v)", cfg.DataDir, err)
		}
	}
	store, closeStore, err := openStoreWith(ctx, cfg, logger, logOut, models.Connect)
	if err != nil {
		return err
	}
	defer closeStore()
	if cmd == "backup" {
		return backupTo(ctx, store, out, logger)
	}
	return restoreFrom(ctx, store, file, force, logger)
}

// backupTo writes the backup next to its final name and renames it when
// complete, so that a failed or interrupted backup never leaves a
// truncated file under that name. The file is readable by its owner only:
// it holds password hashes and personal data.
func backupTo(ctx context.Context, store *models.Store, out string, logger *slog.Logger) error {
	now := time.Now()
	if out == "" {
		out = "studitiru-" + now.UTC().Format("20060102T150405Z") + ".tar.gz"
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	defer tmp.Close()
	sum := sha256.New()
	buf := bufio.NewWriterSize(io.MultiWriter(tmp, sum), 1<<20)
	m, err := store.Backup(ctx, buf, now)
	if err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	info, _ := os.Stat(out)
	logCollections(logger, m)
	logger.Info("cadangan selesai", "berkas", out, "ukuran", info.Size(),
		"sha256", hex.EncodeToString(sum.Sum(nil)), "database", m.Database,
		"koleksi", len(m.Collections), "dokumen", m.Documents())
	return nil
}

func restoreFrom(ctx context.Context, store *models.Store, file string, force bool, logger *slog.Logger) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	m, err := store.Restore(ctx, f, force)
	if err != nil {
		return err
	}
	logCollections(logger, m)
	logger.Info("pemulihan selesai", "berkas", file, "dibuat", m.CreatedAt, "database", store.DatabaseName(),
		"koleksi", len(m.Collections), "dokumen", m.Documents())
	return nil
}

// checkBackup is restore -check: the whole file is read and verified,
// no database is opened.
func checkBackup(file string, logger *slog.Logger) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	m, err := models.VerifyBackup(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return err
	}
	logCollections(logger, m)
	logger.Info("berkas cadangan utuh", "berkas", file, "dibuat", m.CreatedAt, "versi_aplikasi", m.AppVersion,
		"mesin", m.Engine, "database", m.Database, "koleksi", len(m.Collections), "dokumen", m.Documents())
	return nil
}

func logCollections(logger *slog.Logger, m *models.BackupManifest) {
	for _, c := range m.Collections {
		logger.Info("koleksi", "nama", c.Name, "dokumen", c.Documents, "indeks", c.Indexes, "bytes", c.Data.Bytes)
	}
}
