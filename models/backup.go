package models

// Backups of the whole database into one file, and their restore.
//
// The file is a gzip-compressed tar archive (readable with `tar xzf`):
//
//	collections/<name>.bson           every document of the collection, raw
//	                                  BSON one after another (the format of
//	                                  mongodump's .bson files; bsondump reads it)
//	collections/<name>.metadata.json  its indexes, MongoDB Extended JSON
//	                                  (canonical), like mongodump's metadata
//	manifest.json                     format, app and engine version, time,
//	                                  and per collection the document count,
//	                                  size and SHA-256 of both files
//
// Raw BSON is copied as the server returns it, so a restore gives back the
// same bytes: types (int32/int64/double, dates, binary) and field order
// survive, which a JSON export would not guarantee. The manifest comes last
// because the checksums are known only after the data is written.
//
// There are no transactions on the embedded engine (DESIGN.md §3), so a
// backup of a store that is being written reads each collection at a
// slightly different moment; docs/OPERATIONS.md says when that matters.

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Backup archive layout; BackupFormatVersion changes with any incompatible
// change, and Restore refuses versions it does not know.
const (
	BackupFormat        = "studitiru-backup"
	BackupFormatVersion = 1

	backupManifestPath = "manifest.json"
	backupDir          = "collections/"
	// maxBackupDocument bounds one document read from a file: MongoDB's
	// 16 MiB limit plus its internal slack. A corrupted length prefix must
	// not make us allocate gigabytes.
	maxBackupDocument = 16<<20 + 16<<10
	maxBackupManifest = 16 << 20
	// Documents are inserted in batches of at most this many or this size.
	restoreBatchDocs  = 1000
	restoreBatchBytes = 8 << 20
)

// ErrBackupInvalid is returned (wrapped, with the detail) for a file that is
// not a Studi Tiru backup, is truncated, or fails its checksums.
var ErrBackupInvalid = errors.New("backup: the file is damaged or not a Studi Tiru backup")

// BackupManifest describes one backup file; it is the archive's
// manifest.json and what Backup and Restore report.
type BackupManifest struct {
	Format        string             `json:"format"`
	FormatVersion int                `json:"format_version"`
	AppVersion    string             `json:"app_version"`
	CreatedAt     time.Time          `json:"created_at"`
	Database      string             `json:"database"`
	Engine        string             `json:"engine"`
	Collections   []BackupCollection `json:"collections"`
}

// BackupCollection is one collection of a backup.
type BackupCollection struct {
	Name      string     `json:"name"`
	Documents int64      `json:"documents"`
	Indexes   int        `json:"indexes"`
	Data      BackupFile `json:"data"`
	Metadata  BackupFile `json:"metadata"`
}

// BackupFile is one file of the archive with its size and SHA-256 (hex).
type BackupFile struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Documents is the number of documents of all collections.
func (m *BackupManifest) Documents() int64 {
	var n int64
	for _, c := range m.Collections {
		n += c.Documents
	}
	return n
}

// Connect opens a store on uri without creating indexes or seeding
// anything, for the backup and restore commands: a backup must not write,
// and a restore needs the database exactly as the file has it (Open would
// seed the holidays into it first). The caller must Close the store.
func Connect(ctx context.Context, uri, database string) (*Store, error) {
	client, err := mongo.Connect(options.Client().
		ApplyURI(uri).
		SetAppName("studitiru").
		SetServerSelectionTimeout(10 * time.Second).
		SetTimeout(5 * time.Minute)) // one restore batch or one backup cursor round
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	s := &Store{client: client, db: client.Database(database), passwordCost: DefaultPasswordCost}
	if err := s.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store: ping: %w", err)
	}
	return s, nil
}

// backupCollections lists the database's collections, sorted; views and
// the server's system collections are not data of the application, and
// the view snapshots (view_snapshot.go) are a cache of visits and answers
// that a restored store rebuilds from the collections at its first start.
func (s *Store) backupCollections(ctx context.Context) ([]string, error) {
	specs, err := s.db.ListCollectionSpecifications(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("backup: list collections: %w", err)
	}
	var names []string
	for _, sp := range specs {
		if (sp.Type == "" || sp.Type == "collection") && !strings.HasPrefix(sp.Name, "system.") &&
			!strings.HasPrefix(sp.Name, bucketViewSnapshots+".") {
			names = append(names, sp.Name)
		}
	}
	slices.Sort(names)
	return names, nil
}

// Backup writes every collection of the store's database (GridFS buckets
// included: they are collections too) to w as a backup archive, and
// returns its manifest. It only reads. Collections are read one after the
// other, not at one instant: see the top of this file.
func (s *Store) Backup(ctx context.Context, w io.Writer, now time.Time) (*BackupManifest, error) {
	names, err := s.backupCollections(ctx)
	if err != nil {
		return nil, err
	}
	m := &BackupManifest{
		Format: BackupFormat, FormatVersion: BackupFormatVersion,
		AppVersion: appVersion(), CreatedAt: now.UTC().Truncate(time.Second),
		Database: s.db.Name(), Engine: s.engineVersion(ctx),
		Collections: []BackupCollection{},
	}
	gz := gzip.NewWriter(w)
	gz.ModTime = m.CreatedAt
	tw := tar.NewWriter(gz)
	for _, name := range names {
		c, err := s.backupCollection(ctx, tw, name, m.CreatedAt)
		if err != nil {
			return nil, err
		}
		m.Collections = append(m.Collections, c)
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeTarFile(tw, backupManifestPath, m.CreatedAt, int64(len(manifest)), bytes.NewReader(manifest)); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// backupCollection writes one collection's documents and indexes. A tar
// header needs the size first, so the documents are spooled to a
// temporary file (a collection of photos may not fit in memory).
func (s *Store) backupCollection(ctx context.Context, tw *tar.Writer, name string, at time.Time) (BackupCollection, error) {
	c := BackupCollection{Name: name}
	base := backupDir + url.PathEscape(name)

	tmp, err := os.CreateTemp("", "studitiru-backup-*.bson")
	if err != nil {
		return c, fmt.Errorf("backup: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	sum := sha256.New()
	buf := bufio.NewWriterSize(io.MultiWriter(tmp, sum), 1<<20)
	cur, err := s.db.Collection(name).Find(ctx, bson.D{})
	if err != nil {
		return c, fmt.Errorf("backup: read %s: %w", name, err)
	}
	var size int64
	for cur.Next(ctx) {
		n, _ := buf.Write(cur.Current) // a write error is also returned by Flush
		size += int64(n)
		c.Documents++
	}
	err = cur.Err()
	cur.Close(context.WithoutCancel(ctx))
	if err != nil {
		return c, fmt.Errorf("backup: read %s: %w", name, err)
	}
	if err := buf.Flush(); err != nil {
		return c, fmt.Errorf("backup: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return c, fmt.Errorf("backup: %w", err)
	}
	c.Data = BackupFile{Path: base + ".bson", Bytes: size, SHA256: hex.EncodeToString(sum.Sum(nil))}
	if err := writeTarFile(tw, c.Data.Path, at, size, tmp); err != nil {
		return c, err
	}

	meta, n, err := s.collectionMetadata(ctx, name)
	if err != nil {
		return c, err
	}
	c.Indexes = n
	msum := sha256.Sum256(meta)
	c.Metadata = BackupFile{Path: base + ".metadata.json", Bytes: int64(len(meta)), SHA256: hex.EncodeToString(msum[:])}
	return c, writeTarFile(tw, c.Metadata.Path, at, int64(len(meta)), bytes.NewReader(meta))
}

// collectionMetadata is the collection's index list as canonical Extended
// JSON, in mongodump's metadata shape, and the number of indexes.
func (s *Store) collectionMetadata(ctx context.Context, name string) ([]byte, int, error) {
	cur, err := s.db.Collection(name).Indexes().List(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("backup: indexes of %s: %w", name, err)
	}
	var specs []bson.Raw
	if err := cur.All(ctx, &specs); err != nil {
		return nil, 0, fmt.Errorf("backup: indexes of %s: %w", name, err)
	}
	if specs == nil {
		specs = []bson.Raw{}
	}
	doc := bson.D{
		{Key: "indexes", Value: specs},
		{Key: "collectionName", Value: name},
		{Key: "type", Value: "collection"},
	}
	b, err := bson.MarshalExtJSON(doc, true, false)
	if err != nil {
		return nil, 0, fmt.Errorf("backup: indexes of %s: %w", name, err)
	}
	return b, len(specs), nil
}

func writeTarFile(tw *tar.Writer, path string, at time.Time, size int64, r io.Reader) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: path, Size: size, Mode: 0o600, ModTime: at}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if n, err := io.Copy(tw, r); err != nil {
		return fmt.Errorf("backup: %w", err)
	} else if n != size {
		return fmt.Errorf("backup: %s: wrote %d of %d bytes", path, n, size)
	}
	return nil
}

// appVersion names the build: the module version and VCS revision Go
// stamps into binaries ("(devel)" under go run).
func appVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	var rev, modified string
	for _, st := range info.Settings {
		switch st.Key {
		case "vcs.revision":
			rev = st.Value
		case "vcs.modified":
			if st.Value == "true" {
				modified = " (modified)"
			}
		}
	}
	if rev != "" && !strings.Contains(v, rev[:min(12, len(rev))]) {
		v += " " + rev
	}
	return v + modified
}

// engineVersion is the server's buildInfo version, with FerretDB's own.
func (s *Store) engineVersion(ctx context.Context) string {
	var info struct {
		Version  string `bson:"version"`
		FerretDB string `bson:"ferretdbVersion"`
	}
	if err := s.db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return "unknown"
	}
	switch info.FerretDB {
	case "":
	case "unknown": // the embedded engine is built without its version
		return "FerretDB (MongoDB " + info.Version + ")"
	default:
		return "FerretDB " + info.FerretDB + " (MongoDB " + info.Version + ")"
	}
	return "MongoDB " + info.Version
}

// readBSON reads the next document of a raw BSON stream; io.EOF at a clean
// end between documents.
func readBSON(r io.Reader) (bson.Raw, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: truncated document", ErrBackupInvalid)
		}
		return nil, err
	}
	n := int64(int32(binary.LittleEndian.Uint32(head[:])))
	if n < 5 || n > maxBackupDocument {
		return nil, fmt.Errorf("%w: document length %d", ErrBackupInvalid, n)
	}
	doc := make([]byte, n)
	copy(doc, head[:])
	if _, err := io.ReadFull(r, doc[4:]); err != nil {
		return nil, fmt.Errorf("%w: truncated document", ErrBackupInvalid)
	}
	if err := bson.Raw(doc).Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBackupInvalid, err)
	}
	return doc, nil
}

// backupEntry is what one pass over the archive learnt about a file.
type backupEntry struct {
	bytes     int64
	sha256    string
	documents int64
}

// VerifyBackup reads a whole backup without touching any database: the
// gzip and tar framing, the manifest, every file's size and SHA-256, and
// every document's BSON structure and count. It returns the manifest, or
// an error wrapping ErrBackupInvalid.
func VerifyBackup(r io.Reader) (*BackupManifest, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBackupInvalid, err)
	}
	tr := tar.NewReader(gz)
	entries := map[string]backupEntry{}
	var manifest []byte
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBackupInvalid, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("%w: unexpected entry %q", ErrBackupInvalid, hdr.Name)
		}
		if _, dup := entries[hdr.Name]; dup || (hdr.Name == backupManifestPath && manifest != nil) {
			return nil, fmt.Errorf("%w: %s appears twice", ErrBackupInvalid, hdr.Name)
		}
		if hdr.Name == backupManifestPath {
			if manifest, err = io.ReadAll(io.LimitReader(tr, maxBackupManifest)); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrBackupInvalid, err)
			}
			continue
		}
		sum := sha256.New()
		in := &countingReader{r: io.TeeReader(tr, sum)}
		var e backupEntry
		if strings.HasSuffix(hdr.Name, ".bson") {
			for {
				if _, err := readBSON(in); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					return nil, fmt.Errorf("%s: %w", hdr.Name, err)
				}
				e.documents++
			}
		} else if strings.HasSuffix(hdr.Name, ".metadata.json") {
			b, err := io.ReadAll(io.LimitReader(in, maxBackupManifest))
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrBackupInvalid, err)
			}
			if _, err := parseMetadata(hdr.Name, b); err != nil {
				return nil, err
			}
		} else if _, err := io.Copy(io.Discard, in); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBackupInvalid, err)
		}
		e.bytes, e.sha256 = in.n, hex.EncodeToString(sum.Sum(nil))
		entries[hdr.Name] = e
	}
	// The gzip trailer (CRC-32 and length) is checked only when read.
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBackupInvalid, err)
	}
	if manifest == nil {
		return nil, fmt.Errorf("%w: no %s", ErrBackupInvalid, backupManifestPath)
	}
	var m BackupManifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBackupInvalid, backupManifestPath, err)
	}
	if m.Format != BackupFormat {
		return nil, fmt.Errorf("%w: format %q", ErrBackupInvalid, m.Format)
	}
	if m.FormatVersion < 1 || m.FormatVersion > BackupFormatVersion {
		return nil, fmt.Errorf("%w: format version %d; this program reads up to %d", ErrBackupInvalid, m.FormatVersion, BackupFormatVersion)
	}
	listed := map[string]bool{}
	check := func(f BackupFile, docs int64) error {
		e, ok := entries[f.Path]
		switch {
		case f.Path == "" || listed[f.Path]:
			return fmt.Errorf("%w: manifest names %q twice or not at all", ErrBackupInvalid, f.Path)
		case !ok:
			return fmt.Errorf("%w: %s is missing", ErrBackupInvalid, f.Path)
		case e.bytes != f.Bytes || e.sha256 != f.SHA256:
			return fmt.Errorf("%w: %s: checksum mismatch (SHA-256 %s, manifest says %s)", ErrBackupInvalid, f.Path, e.sha256, f.SHA256)
		case docs >= 0 && e.documents != docs:
			return fmt.Errorf("%w: %s: %d documents, manifest says %d", ErrBackupInvalid, f.Path, e.documents, docs)
		}
		listed[f.Path] = true
		return nil
	}
	names := map[string]bool{}
	for _, c := range m.Collections {
		if c.Name == "" || names[c.Name] {
			return nil, fmt.Errorf("%w: collection %q listed twice or unnamed", ErrBackupInvalid, c.Name)
		}
		names[c.Name] = true
		if err := check(c.Data, c.Documents); err != nil {
			return nil, err
		}
		if err := check(c.Metadata, -1); err != nil {
			return nil, err
		}
	}
	for path := range entries {
		if !listed[path] {
			return nil, fmt.Errorf("%w: %s is not in the manifest", ErrBackupInvalid, path)
		}
	}
	return &m, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// nonEmptyCollections names the collections that hold a document.
func (s *Store) nonEmptyCollections(ctx context.Context) ([]string, error) {
	names, err := s.backupCollections(ctx)
	if err != nil {
		return nil, err
	}
	var full []string
	for _, name := range names {
		err := s.db.Collection(name).FindOne(ctx, bson.D{}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
		if err == nil {
			full = append(full, name)
		} else if !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, fmt.Errorf("restore: %s: %w", name, err)
		}
	}
	return full, nil
}

// Restore replaces the store's database with the backup in r. It first
// reads the whole file (VerifyBackup): a damaged file is refused before
// anything is touched. A database holding any document is refused with
// ErrNotEmpty unless force; then (and also when it only has empty
// collections) the database is dropped, the collections are recreated
// with their documents (in batches) and indexes, and EnsureIndexes adds
// any index this version of the application needs. It returns the
// manifest after checking the restored counts against it.
//
// r is read twice (verify, then insert), hence the Seeker: a file.
// The application must not be running on this database meanwhile.
func (s *Store) Restore(ctx context.Context, r io.ReadSeeker, force bool) (*BackupManifest, error) {
	m, err := VerifyBackup(r)
	if err != nil {
		return nil, err
	}
	full, err := s.nonEmptyCollections(ctx)
	if err != nil {
		return nil, err
	}
	if len(full) > 0 && !force {
		return nil, fmt.Errorf("%w: database %s berisi dokumen di %s; restore -force menggantinya",
			ErrNotEmpty, s.db.Name(), strings.Join(full, ", "))
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if err := s.db.Drop(ctx); err != nil {
		return nil, fmt.Errorf("restore: drop %s: %w", s.db.Name(), err)
	}
	if err := s.restoreData(ctx, r, m); err != nil {
		return nil, err
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		return nil, err
	}
	for _, c := range m.Collections {
		n, err := s.db.Collection(c.Name).CountDocuments(ctx, bson.D{})
		if err != nil {
			return nil, fmt.Errorf("restore: count %s: %w", c.Name, err)
		}
		if n != c.Documents {
			return nil, fmt.Errorf("restore: %s has %d documents after restore, the backup %d", c.Name, n, c.Documents)
		}
	}
	return m, nil
}

// restoreData is the second pass: create each collection, insert its
// documents, then create its indexes. The checksums are computed again
// so that a file changed between the two passes is noticed.
func (s *Store) restoreData(ctx context.Context, r io.Reader, m *BackupManifest) error {
	byPath := map[string]*BackupCollection{}
	for i := range m.Collections {
		c := &m.Collections[i]
		byPath[c.Data.Path], byPath[c.Metadata.Path] = c, c
		if err := s.db.CreateCollection(ctx, c.Name); err != nil {
			return fmt.Errorf("restore: create %s: %w", c.Name, err)
		}
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBackupInvalid, err)
	}
	tr := tar.NewReader(gz)
	indexes := map[string][]bson.Raw{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBackupInvalid, err)
		}
		c := byPath[hdr.Name]
		if c == nil {
			continue // the manifest
		}
		sum := sha256.New()
		in := io.TeeReader(tr, sum)
		want := c.Metadata.SHA256
		if hdr.Name == c.Data.Path {
			want = c.Data.SHA256
			if err := s.insertAll(ctx, c.Name, in); err != nil {
				return err
			}
		} else {
			b, err := io.ReadAll(in)
			if err != nil {
				return fmt.Errorf("%w: %v", ErrBackupInvalid, err)
			}
			if indexes[c.Name], err = parseMetadata(hdr.Name, b); err != nil {
				return err
			}
		}
		if got := hex.EncodeToString(sum.Sum(nil)); got != want {
			return fmt.Errorf("%w: %s changed while it was restored", ErrBackupInvalid, hdr.Name)
		}
	}
	for _, c := range m.Collections {
		if err := s.restoreIndexes(ctx, c.Name, indexes[c.Name]); err != nil {
			return err
		}
	}
	return nil
}

// insertAll inserts a raw BSON stream into a collection in batches, in
// file order, keeping every document's bytes (each has its _id).
func (s *Store) insertAll(ctx context.Context, name string, r io.Reader) error {
	col := s.db.Collection(name)
	var batch []bson.Raw
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := col.InsertMany(ctx, batch); err != nil {
			return fmt.Errorf("restore: insert into %s: %w", name, err)
		}
		batch, size = batch[:0], 0
		return nil
	}
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		doc, err := readBSON(br)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("restore: %s: %w", name, err)
		}
		if len(batch) >= restoreBatchDocs || size+len(doc) > restoreBatchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, doc)
		size += len(doc)
	}
	return flush()
}

// restoreIndexes recreates the indexes a backup listed for a collection,
// with their names and options. _id's index exists already. The GridFS
// buckets' own indexes matter here: the driver creates them only on the
// first upload into an empty bucket, which a restored bucket is not.
func (s *Store) restoreIndexes(ctx context.Context, name string, specs []bson.Raw) error {
	var create []bson.D
	for _, spec := range specs {
		if spec.Lookup("name").StringValue() == "_id_" {
			continue
		}
		els, err := spec.Elements()
		if err != nil {
			return fmt.Errorf("%w: index of %s: %v", ErrBackupInvalid, name, err)
		}
		var d bson.D
		for _, el := range els {
			switch el.Key() {
			case "v", "ns", "background": // server-assigned or obsolete
			default:
				d = append(d, bson.E{Key: el.Key(), Value: el.Value()})
			}
		}
		create = append(create, d)
	}
	if len(create) == 0 {
		return nil
	}
	cmd := bson.D{{Key: "createIndexes", Value: name}, {Key: "indexes", Value: create}}
	if err := s.db.RunCommand(ctx, cmd).Err(); err != nil {
		return fmt.Errorf("restore: indexes of %s: %w", name, err)
	}
	return nil
}

// parseMetadata reads the index specifications of a .metadata.json file.
func parseMetadata(path string, b []byte) ([]bson.Raw, error) {
	var meta struct {
		Indexes []bson.Raw `bson:"indexes"`
	}
	if err := bson.UnmarshalExtJSON(b, true, &meta); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBackupInvalid, path, err)
	}
	for _, spec := range meta.Indexes {
		if err := spec.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBackupInvalid, path, err)
		}
		if _, err := spec.LookupErr("key"); err != nil {
			return nil, fmt.Errorf("%w: %s: an index without key", ErrBackupInvalid, path)
		}
	}
	return meta.Indexes, nil
}
