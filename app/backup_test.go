package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"studitiru/app/embedded"
	"studitiru/models"
)

// withStore opens the embedded store of dir the way the server does
// (indexes, holiday seed), for a test to fill or inspect, and closes it.
func withStore(t *testing.T, dir string, f func(ctx context.Context, st *models.Store)) {
	t.Helper()
	eng, err := embedded.Start(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := models.Open(ctx, eng.URI(), "studitiru")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	st.SetPasswordCost(bcrypt.MinCost)
	f(ctx, st)
}

// command runs `studitiru <args>` on the embedded store under dir.
func command(dir string, args ...string) (string, error) {
	var logs bytes.Buffer
	err := run(context.Background(), args, envOf(map[string]string{"DATA_DIR": dir}), &logs)
	return logs.String(), err
}

// TestBackupAndRestoreCommands drives the two subcommands on embedded
// stores, as an operator would with the app stopped: back up one DATA_DIR,
// restore into a fresh one, refuse a second restore without -force, check
// a damaged file, and back up the restored store again — its collection
// files are byte for byte those of the first backup.
func TestBackupAndRestoreCommands(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	letter := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("surat permohonan studi tiru "), 20000)...)
	var letterID [12]byte
	withStore(t, src, func(ctx context.Context, st *models.Store) {
		if _, err := st.CreateUser(ctx, models.UserInput{Email: "ayu@badungkab.go.id", Name: "Ni Luh Ayu", Role: "coordinator", Password: "rahasia-sekali"}, false, time.Now()); err != nil {
			t.Fatal(err)
		}
		id, err := st.UploadLetter(ctx, [12]byte{1}, "surat.pdf", letter)
		if err != nil {
			t.Fatal(err)
		}
		letterID = id
	})

	if _, err := command(t.TempDir(), "backup", "-o", filepath.Join(t.TempDir(), "x.tar.gz")); err == nil || !strings.Contains(err.Error(), "tidak berisi penyimpanan") {
		t.Errorf("backup of a DATA_DIR without a store: %v", err)
	}
	// While the store is in use (the app running), the embedded engine
	// refuses a second process and says how to reach the first.
	withStore(t, src, func(context.Context, *models.Store) {
		if _, err := command(src, "backup", "-o", filepath.Join(t.TempDir(), "x.tar.gz")); err == nil || !strings.Contains(err.Error(), "MONGODB_URI=") {
			t.Errorf("backup while the store is in use: %v", err)
		}
	})

	file := filepath.Join(t.TempDir(), "cadangan.tar.gz")
	logs, err := command(src, "backup", "-o", file)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, logs)
	}
	if !strings.Contains(logs, "cadangan selesai") || !strings.Contains(logs, "nama=letters.chunks dokumen=3") {
		t.Errorf("backup log:\n%s", logs)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v %v, want mode 0600", info, err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*tmp*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	if logs, err := command(dst, "restore", file); err != nil || !strings.Contains(logs, "pemulihan selesai") {
		t.Fatalf("restore into a fresh DATA_DIR: %v\n%s", err, logs)
	}
	if _, err := command(dst, "restore", file); !errors.Is(err, models.ErrNotEmpty) || !strings.Contains(err.Error(), "-force") {
		t.Errorf("second restore without -force: %v", err)
	}
	// Flags may follow the file.
	if _, err := command(dst, "restore", file, "-force"); err != nil {
		t.Errorf("restore -force: %v", err)
	}
	withStore(t, dst, func(ctx context.Context, st *models.Store) {
		if _, err := st.UserByEmail(ctx, "ayu@badungkab.go.id"); err != nil {
			t.Errorf("restored user: %v", err)
		}
		stream, err := st.OpenLetter(ctx, letterID)
		if err != nil {
			t.Fatal(err)
		}
		defer stream.Close()
		if got, _ := io.ReadAll(stream); !bytes.Equal(got, letter) {
			t.Errorf("restored letter: %d bytes, want %d", len(got), len(letter))
		}
	})

	again := filepath.Join(t.TempDir(), "lagi.tar.gz")
	if _, err := command(dst, "backup", "-o", again); err != nil {
		t.Fatal(err)
	}
	first, second := manifestOf(t, file), manifestOf(t, again)
	if len(first.Collections) != len(second.Collections) {
		t.Fatalf("%d collections, then %d", len(first.Collections), len(second.Collections))
	}
	for i, c := range first.Collections {
		if d := second.Collections[i]; d.Name != c.Name || d.Data.SHA256 != c.Data.SHA256 || d.Documents != c.Documents {
			t.Errorf("%s: %d documents %s, after restore and backup %s: %d documents %s",
				c.Name, c.Documents, c.Data.SHA256[:12], d.Name, d.Documents, d.Data.SHA256[:12])
		}
	}

	if logs, err := command(dst, "restore", "-check", file); err != nil || !strings.Contains(logs, "berkas cadangan utuh") {
		t.Errorf("restore -check: %v\n%s", err, logs)
	}
	b, _ := os.ReadFile(file)
	b[len(b)/2] ^= 0x40
	damaged := filepath.Join(t.TempDir(), "rusak.tar.gz")
	_ = os.WriteFile(damaged, b, 0o600)
	if _, err := command(dst, "restore", "-check", damaged); !errors.Is(err, models.ErrBackupInvalid) {
		t.Errorf("restore -check of a damaged file: %v", err)
	}
	if _, err := command(dst, "restore", "-force", damaged); !errors.Is(err, models.ErrBackupInvalid) {
		t.Errorf("restore -force of a damaged file: %v", err)
	}
	withStore(t, dst, func(ctx context.Context, st *models.Store) {
		if _, err := st.UserByEmail(ctx, "ayu@badungkab.go.id"); err != nil {
			t.Errorf("the refused restore touched the store: %v", err)
		}
	})
}

func manifestOf(t *testing.T, path string) *models.BackupManifest {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := models.VerifyBackup(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
