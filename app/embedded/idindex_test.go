package embedded

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// sqlLog keeps the SQL statements FerretDB logs at debug level.
type sqlLog struct {
	mu   sync.Mutex
	text bytes.Buffer
}

func (l *sqlLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.Write(p)
}

func (l *sqlLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.String()
}

// TestLookupsByIDUseAnIndex takes the SQL that FerretDB itself runs for a
// FindOne by _id, an update and a delete by _id, and asks SQLite how it
// would execute that SQL: by a search through an index once the engine has
// indexed the collection, not by reading the whole table.
func TestLookupsByIDUseAnIndex(t *testing.T) {
	dir := t.TempDir()
	log := &sqlLog{}
	eng, err := Start(dir, slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Stop)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(eng.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	col := client.Database("idtest").Collection("visits")
	ids := make([]any, 0, 50)
	for range 50 {
		ids = append(ids, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "n", Value: 1}})
	}
	if _, err := col.InsertMany(ctx, ids); err != nil {
		t.Fatal(err)
	}
	names := client.Database("idtest").Collection("changes")
	if _, err := names.InsertOne(ctx, bson.D{{Key: "_id", Value: "0000000000000000001"}}); err != nil {
		t.Fatal(err)
	}
	// GridFS chunks are not read by _id: no second index to maintain.
	if _, err := client.Database("idtest").Collection("letters.chunks").InsertOne(ctx, bson.D{{Key: "n", Value: 0}}); err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(dir, "ferretdb", "idtest.sqlite")
	plans := func() map[string]string {
		t.Helper()
		// Lookups of both kinds of _id, an update and a delete.
		target := ids[7].(bson.D)[0].Value
		if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: target}}).Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: target}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: 2}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := col.DeleteOne(ctx, bson.D{{Key: "_id", Value: ids[8].(bson.D)[0].Value}}); err != nil {
			t.Fatal(err)
		}
		if err := names.FindOne(ctx, bson.D{{Key: "_id", Value: "0000000000000000001"}}).Err(); err != nil {
			t.Fatal(err)
		}
		return queryPlans(t, file, idStatements(t, log.String()))
	}

	// FerretDB's own unique index on _id does not serve its lookups …
	for stmt, plan := range plans() {
		if !strings.Contains(plan, "SCAN") {
			t.Errorf("before indexing, expected a full scan for %s, got %q (has FerretDB changed its lookups? then idindex.go may be unneeded)", stmt, plan)
		}
	}
	// … the index the engine adds does.
	n, err := eng.IndexIDLookups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("indexed %d collections, want 2 (visits, changes)", n)
	}
	if n, err := eng.IndexIDLookups(ctx); err != nil || n != 0 {
		t.Errorf("a second pass created %d indexes (%v), want none", n, err)
	}
	for stmt, plan := range plans() {
		if !strings.Contains(plan, "USING INDEX") || !strings.Contains(plan, idIndexSuffix) {
			t.Errorf("after indexing, %s is planned as %q, want a search using the %s index", stmt, plan, idIndexSuffix)
		}
	}

	// The documents are all still there, and listIndexes shows only what
	// FerretDB knows (our index lives in SQLite only).
	if n, err := col.CountDocuments(ctx, bson.D{}); err != nil || n != 49 {
		t.Errorf("count = %d, %v; want 49", n, err)
	}
	specs, err := col.Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 1 || specs[0].Name != "_id_" {
		t.Errorf("listIndexes = %v, want only _id_", specs)
	}
}

// TestNewCollectionsAreIndexedByTheEngine: a collection created after
// start (by its first insert) gets its index from the engine's own pass.
func TestNewCollectionsAreIndexedByTheEngine(t *testing.T) {
	dir := t.TempDir()
	eng, err := Start(dir, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Stop)
	client, err := mongo.Connect(options.Client().ApplyURI(eng.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	if _, err := client.Database("later").Collection("locks").InsertOne(t.Context(), bson.D{{Key: "_id", Value: "k"}}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "ferretdb", "later.sqlite")
	deadline := time.Now().Add(10 * idIndexEvery)
	for {
		indexes := indexNames(t, file)
		if strings.Contains(strings.Join(indexes, " "), "locks_") && strings.Contains(strings.Join(indexes, " "), idIndexSuffix) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s index on the new collection after %v: %v", idIndexSuffix, 10*idIndexEvery, indexes)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var loggedMessage = regexp.MustCompile(`msg=("(?:[^"\\]|\\.)*")`)

// idStatements picks from FerretDB's debug log the statements that filter
// on _id.
func idStatements(t *testing.T, log string) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, m := range loggedMessage.FindAllStringSubmatch(log, -1) {
		msg, err := strconv.Unquote(m[1])
		if err != nil {
			t.Fatal(err)
		}
		stmt, ok := strings.CutPrefix(msg, ">>> ")
		if !ok || !strings.Contains(stmt, "_id") || seen[stmt] ||
			!(strings.HasPrefix(stmt, "SELECT") || strings.HasPrefix(stmt, "UPDATE") || strings.HasPrefix(stmt, "DELETE")) {
			continue
		}
		seen[stmt] = true
		out = append(out, stmt)
	}
	for _, kind := range []string{"SELECT", "UPDATE", "DELETE"} {
		if !strings.Contains(strings.Join(out, "\n"), kind) {
			t.Fatalf("no %s by _id in FerretDB's log:\n%s", kind, strings.Join(out, "\n"))
		}
	}
	return out
}

// queryPlans asks SQLite how it would run each statement.
func queryPlans(t *testing.T, file string, stmts []string) map[string]string {
	t.Helper()
	db := openFile(t, file)
	plans := map[string]string{}
	for _, stmt := range stmts {
		args := make([]any, strings.Count(stmt, "?"))
		for i := range args {
			args[i] = `"x"`
		}
		rows, err := db.Query("EXPLAIN QUERY PLAN "+stmt, args...)
		if err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		plans[stmt] = strings.Join(plan, "; ")
	}
	return plans
}

func indexNames(t *testing.T, file string) []string {
	t.Helper()
	names, err := stringColumn(t.Context(), openFile(t, file), `SELECT name FROM sqlite_master WHERE type = 'index'`)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func openFile(t *testing.T, file string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: file, RawQuery: "mode=ro"}).String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// countingValue counts how often a log attribute is formatted.
type countingValue struct{ n *int }

func (v countingValue) LogValue() slog.Value {
	*v.n++
	return slog.StringValue(fmt.Sprint("formatted ", *v.n))
}

// TestLoggerFormatsAttributesOnlyWhenWriting: Logger.With on the engine's
// logger costs nothing until a record at an enabled level is written, and
// then the attributes are all there.
func TestLoggerFormatsAttributesOnlyWhenWriting(t *testing.T) {
	var out bytes.Buffer
	formatted := 0
	logger := slog.New(lazyAttrs{inner: slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo})})
	with := logger.With("args", countingValue{&formatted}).With("rows", 3)
	with.Debug(">>> SELECT")
	if formatted != 0 || out.Len() != 0 {
		t.Fatalf("a debug record at info level formatted its attributes %d times and wrote %q", formatted, out.String())
	}
	with.WithGroup("g").Info("<<< SELECT", "time", "1ms")
	if formatted != 1 {
		t.Errorf("formatted %d times, want 1", formatted)
	}
	for _, want := range []string{"args=\"formatted 1\"", "rows=3", "g.time=1ms", "<<< SELECT"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("record %q lacks %q", out.String(), want)
		}
	}
}
