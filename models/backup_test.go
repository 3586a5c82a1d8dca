package models_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"studitiru/models"
)

// rawDatabase is every document of every collection of a database as the
// server returns it (collection → _id's bytes → document), and every
// collection's index names, read with a client of its own so that the
// comparison does not go through the code under test.
type rawDatabase struct {
	docs    map[string]map[string]bson.Raw
	indexes map[string][]string
}

func readRawDatabase(t *testing.T, name string) rawDatabase {
	t.Helper()
	c := ctx(t)
	client, err := mongo.Connect(options.Client().ApplyURI(server.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database(name)
	names, err := db.ListCollectionNames(c, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	out := rawDatabase{docs: map[string]map[string]bson.Raw{}, indexes: map[string][]string{}}
	for _, col := range names {
		if strings.HasPrefix(col, "view_snapshots.") {
			continue // a cache of visits, not backed up: rebuilt at start
		}
		cur, err := db.Collection(col).Find(c, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		docs := map[string]bson.Raw{}
		for cur.Next(c) {
			id := cur.Current.Lookup("_id")
			docs[string(append([]byte{byte(id.Type)}, id.Value...))] = slices.Clone(cur.Current)
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		out.docs[col] = docs
		specs, err := db.Collection(col).Indexes().ListSpecifications(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range specs {
			out.indexes[col] = append(out.indexes[col], s.Name)
		}
		slices.Sort(out.indexes[col])
	}
	return out
}

// TestBackupRestoreRoundTripIsByteExact is the must-show: a store
// with the demo records, a stored letter and a photo (GridFS) and a queued
// email is backed up, wiped and restored, and every document of every
// collection comes back with the same bytes, the files with the same
// content and the collections with the same indexes. The view's snapshot
// (a cache, view_snapshots.*) is left out.
func TestBackupRestoreRoundTripIsByteExact(t *testing.T) {
	st := server.Open(t)
	wita, _ := time.LoadLocation("Asia/Makassar")
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	if _, err := models.SeedDemo(ctx(t), st, now, wita); err != nil {
		t.Fatal(err)
	}
	visits, err := st.RecentVisits(ctx(t), 1)
	if err != nil || len(visits) == 0 {
		t.Fatalf("no demo visit: %v", err)
	}
	visit := visits[0]
	// A letter of three GridFS chunks (255 KiB each), random so that the
	// bytes cannot come back right by accident.
	letter := make([]byte, 600<<10)
	_, _ = rand.Read(letter)
	copy(letter, "%PDF-1.7\n")
	letterID, err := st.UploadLetter(ctx(t), visit.ID, "surat permohonan.pdf", letter)
	if err != nil {
		t.Fatal(err)
	}
	photo := testPNG(40, 30)
	p, err := st.AddVisitPhoto(ctx(t), visit.ID, "foto bersama.png", photo)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Enqueue(ctx(t), &models.OutboxMessage{
		Kind: "request_received", VisitID: visit.ID, To: []string{"sekretariat@konawekab.go.id"},
		Subject: "Permohonan diterima", Text: "Terima kasih.", Language: "id",
	}, now); err != nil {
		t.Fatal(err)
	}

	// The view's snapshot is a cache: it exists, and is left out below.
	if err := st.SaveViewSnapshot(ctx(t)); err != nil {
		t.Fatal(err)
	}

	before := readRawDatabase(t, st.DatabaseName())
	for _, col := range []string{"visits", "users", "outbox", "holidays", "settings", "slots", "reservations",
		"letters.files", "letters.chunks", "photos.files", "photos.chunks"} {
		if len(before.docs[col]) == 0 {
			t.Fatalf("the seeded store has nothing in %s; the test would prove little", col)
		}
	}

	var file bytes.Buffer
	started := time.Now()
	m, err := st.Backup(ctx(t), &file, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backup: %d collections, %d documents, %d bytes in %v", len(m.Collections), m.Documents(), file.Len(), time.Since(started))
	if len(m.Collections) != len(before.docs) {
		t.Errorf("backup has %d collections, the database %d", len(m.Collections), len(before.docs))
	}
	for _, c := range m.Collections {
		if strings.HasPrefix(c.Name, "view_snapshots.") {
			t.Errorf("the backup holds the view's cache %s", c.Name)
		}
		if c.Documents != int64(len(before.docs[c.Name])) {
			t.Errorf("manifest: %s has %d documents, the database %d", c.Name, c.Documents, len(before.docs[c.Name]))
		}
	}
	if m.Format != models.BackupFormat || m.Database != st.DatabaseName() || !m.CreatedAt.Equal(now) || m.Engine == "" {
		t.Errorf("manifest header %+v", m)
	}

	if err := st.Drop(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if wiped := readRawDatabase(t, st.DatabaseName()); len(wiped.docs) != 0 {
		t.Fatalf("drop left %d collections", len(wiped.docs))
	}
	started = time.Now()
	restored, err := st.Restore(ctx(t), bytes.NewReader(file.Bytes()), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("restore: %v", time.Since(started))
	if restored.Documents() != m.Documents() {
		t.Errorf("restore reports %d documents, backup %d", restored.Documents(), m.Documents())
	}

	after := readRawDatabase(t, st.DatabaseName())
	if len(after.docs) != len(before.docs) {
		t.Errorf("%d collections after restore, %d before", len(after.docs), len(before.docs))
	}
	compared := 0
	for col, docs := range before.docs {
		if len(after.docs[col]) != len(docs) {
			t.Errorf("%s: %d documents after restore, %d before", col, len(after.docs[col]), len(docs))
		}
		for id, doc := range docs {
			if got, ok := after.docs[col][id]; !ok {
				t.Errorf("%s: document %v missing after restore", col, doc.Lookup("_id"))
			} else if !bytes.Equal(got, doc) {
				t.Errorf("%s: document %v differs after restore:\n got %s\nwant %s", col, doc.Lookup("_id"), got, doc)
			} else {
				compared++
			}
		}
		if !slices.Equal(after.indexes[col], before.indexes[col]) {
			t.Errorf("%s: indexes %v after restore, %v before", col, after.indexes[col], before.indexes[col])
		}
	}
	t.Logf("%d documents byte-identical", compared)
	// Another instance started on the restored store lists every visit.
	fresh, err := models.Open(ctx(t), server.URI, st.DatabaseName())
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close(ctx(t))
	if n, err := fresh.CountVisits(ctx(t)); err != nil || n != int64(len(before.docs["visits"])) {
		t.Errorf("restored store lists %d visits (%v), want %d", n, err, len(before.docs["visits"]))
	}
	if !slices.Contains(after.indexes["letters.chunks"], "files_id_1_n_1") {
		t.Errorf("the GridFS chunk index was not restored: %v", after.indexes["letters.chunks"])
	}

	stream, err := st.OpenLetter(ctx(t), letterID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(stream)
	stream.Close()
	if err != nil || !bytes.Equal(got, letter) {
		t.Errorf("letter after restore: %d bytes (%v), want the %d stored", len(got), err, len(letter))
	}
	_, gotPhoto, err := st.OpenVisitPhoto(ctx(t), p.ID)
	if err != nil || !bytes.Equal(gotPhoto, photo) {
		t.Errorf("photo after restore: %d bytes (%v), want the %d stored", len(gotPhoto), err, len(photo))
	}
	// The restored store works: the queued email is still due, and a new
	// photo goes into the restored bucket.
	if msgs, err := st.OutboxFor(ctx(t), visit.ID); err != nil || len(msgs) == 0 || msgs[len(msgs)-1].Status != models.OutboxPending {
		t.Errorf("outbox after restore: %v %v", msgs, err)
	}
	if _, err := st.AddVisitPhoto(ctx(t), visit.ID, "kedua.png", testPNG(3, 2)); err != nil {
		t.Errorf("upload after restore: %v", err)
	}
}

// backupOf backs up a store with one user in it.
func backupOf(t *testing.T, email string) []byte {
	t.Helper()
	st := server.Open(t)
	if _, err := st.CreateUser(ctx(t), models.UserInput{Email: email, Name: "Ni Luh Sumber", Role: "coordinator", Password: "rahasia-sekali"}, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := st.Backup(ctx(t), &b, time.Now()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRestoreIntoNonEmptyDatabaseNeedsForce(t *testing.T) {
	file := backupOf(t, "sumber@badungkab.go.id")
	dst := server.Open(t)
	if _, err := dst.CreateUser(ctx(t), models.UserInput{Email: "lama@badungkab.go.id", Name: "I Made Lama", Role: "coordinator", Password: "rahasia-sekali"}, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, err := dst.Restore(ctx(t), bytes.NewReader(file), false)
	if !errors.Is(err, models.ErrNotEmpty) || !strings.Contains(err.Error(), "users") {
		t.Fatalf("restore into a database with users: %v, want ErrNotEmpty naming the collections", err)
	}
	if _, err := dst.UserByEmail(ctx(t), "lama@badungkab.go.id"); err != nil {
		t.Fatalf("the refused restore touched the database: %v", err)
	}

	if _, err := dst.Restore(ctx(t), bytes.NewReader(file), true); err != nil {
		t.Fatalf("forced restore: %v", err)
	}
	if _, err := dst.UserByEmail(ctx(t), "lama@badungkab.go.id"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("forced restore kept the old user: %v", err)
	}
	if _, err := dst.UserByEmail(ctx(t), "sumber@badungkab.go.id"); err != nil {
		t.Errorf("forced restore lacks the backed-up user: %v", err)
	}
}

// rewrite copies a backup archive entry by entry, letting edit change
// each entry's content (the tar and gzip framing stay valid).
func rewrite(t *testing.T, file []byte, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		b = edit(hdr.Name, b)
		hdr.Size = int64(len(b))
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(b)
	}
	_ = tw.Close()
	_ = zw.Close()
	return out.Bytes()
}

// TestRestoreRefusesADamagedBackup: a flipped byte anywhere, a truncated
// file or a stranger's file is refused before the database is touched,
// even with force.
func TestRestoreRefusesADamagedBackup(t *testing.T) {
	file := backupOf(t, "sumber@badungkab.go.id")
	dst := server.Open(t)
	if _, err := dst.CreateUser(ctx(t), models.UserInput{Email: "tetap@badungkab.go.id", Name: "I Made Tetap", Role: "coordinator", Password: "rahasia-sekali"}, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(file)
	flipped[len(flipped)/2] ^= 0x01
	cases := []struct {
		name string
		file []byte
		want string
	}{
		// The name's letter changes, the BSON stays well formed: only the
		// checksum can tell.
		{"flipped byte in a document", rewrite(t, file, func(name string, b []byte) []byte {
			if name == "collections/users.bson" {
				return bytes.Replace(b, []byte("Ni Luh Sumber"), []byte("Ni Luh Sumbar"), 1)
			}
			return b
		}), "checksum mismatch"},
		{"flipped byte in an index list", rewrite(t, file, func(name string, b []byte) []byte {
			if name == "collections/users.metadata.json" {
				return bytes.Replace(b, []byte(`"email"`), []byte(`"emaik"`), 1)
			}
			return b
		}), "checksum mismatch"},
		{"document removed", rewrite(t, file, func(name string, b []byte) []byte {
			if name == "collections/users.bson" {
				return nil
			}
			return b
		}), "checksum mismatch"},
		{"file missing", rewrite(t, file, func(name string, b []byte) []byte {
			if name == "manifest.json" {
				return bytes.Replace(b, []byte("users.bson"), []byte("usere.bson"), 1)
			}
			return b
		}), "missing"},
		{"flipped byte in the compressed file", flipped, ""},
		{"truncated", file[:len(file)*2/3], ""},
		{"not a backup", []byte("BEGIN:VCALENDAR\r\n"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dst.Restore(ctx(t), bytes.NewReader(tc.file), true)
			if !errors.Is(err, models.ErrBackupInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("restore: %v, want ErrBackupInvalid (%q)", err, tc.want)
			}
			if _, err := models.VerifyBackup(bytes.NewReader(tc.file)); !errors.Is(err, models.ErrBackupInvalid) {
				t.Errorf("verify: %v", err)
			}
			if _, err := dst.UserByEmail(ctx(t), "tetap@badungkab.go.id"); err != nil {
				t.Errorf("a refused restore touched the database: %v", err)
			}
		})
	}
	if m, err := models.VerifyBackup(bytes.NewReader(file)); err != nil || m.Documents() == 0 {
		t.Errorf("the intact file: %v", err)
	}
}
