package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses, one library in the process
)

// Lookups by _id, made to use an index.
//
// FerretDB v1 (SQLite backend) keeps each collection in a table with one
// JSON column, _ferretdb_sjson, and gives it a unique index on the
// expression _ferretdb_sjson->"_id". Its lookups, updates and deletes by
// _id, however, filter on _ferretdb_sjson->'$._id': the same value, but
// not the same expression, and SQLite's planner only uses an expression
// index for the identical expression. Every FindOne, UpdateOne and
// DeleteOne by _id therefore read and parsed every document of the
// collection (see internal/backends/sqlite/collection.go and
// metadata/registry.go in FerretDB v1.24.2): the tracking page, an
// approval and a submission cost hundreds of milliseconds at 5,000 visits,
// growing with the history (docs/PERFORMANCE.md has the profile).
//
// So the engine adds, to every collection table, a second index on the
// expression the lookups use. It lives only in SQLite: FerretDB does not
// list it (listIndexes shows what the application ensured), and dropping
// the collection drops it with the table.

// idLookupExpr is FerretDB's metadata.IDColumn: the expression its queries
// compare with the _id they look for.
const idLookupExpr = `_ferretdb_sjson->'$._id'`

// idIndexSuffix names our index after its table.
const idIndexSuffix = "_studitiru_id_lookup"

// idIndexEvery is how often the engine looks for collections created since
// the last pass (a new collection is created by its first insert).
const idIndexEvery = 2 * time.Second

// IndexIDLookups gives every collection table of every database under the
// engine's directory the index its _id lookups use, and returns how many
// indexes it created. The engine also does this at start and every
// idIndexEvery; call it after creating collections to have them indexed at
// once. Creating the index on a large existing collection takes a moment,
// once.
func (e *Engine) IndexIDLookups(ctx context.Context) (int, error) {
	e.indexMu.Lock()
	defer e.indexMu.Unlock()
	files, err := filepath.Glob(filepath.Join(e.dbDir, "*.sqlite"))
	if err != nil {
		return 0, err
	}
	created := 0
	var errs []error
	for _, f := range files {
		n, err := indexIDLookupsIn(ctx, f)
		created += n
		if err != nil {
			errs = append(errs, fmt.Errorf("embedded store: index %s: %w", filepath.Base(f), err))
		}
	}
	return created, errors.Join(errs...)
}

// indexIDLookupsIn indexes the tables of one database file. The file is
// opened for this pass only: FerretDB deletes a dropped database's file,
// and a handle kept open would go on indexing the deleted one.
func indexIDLookupsIn(ctx context.Context, path string) (int, error) {
	// The same pragmas as FerretDB's own connections: wait for its writers
	// rather than fail, and never change the journal mode it chose.
	dsn := (&url.URL{Scheme: "file", Path: path, RawQuery: "_pragma=busy_timeout(10000)&mode=rw"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	// GridFS chunks are read by files_id, never by _id, and each is a
	// quarter of a megabyte of base64 text that an index on an expression
	// would parse again on every insert: they are left out.
	tables, err := stringColumn(ctx, db, `SELECT table_name FROM "_ferretdb_collections" WHERE name NOT LIKE '%.chunks'`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return 0, nil // a database FerretDB is still creating
		}
		return 0, err
	}
	existing, err := stringColumn(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'index'`)
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for _, name := range existing {
		have[name] = true
	}
	created := 0
	for _, table := range tables {
		name := table + idIndexSuffix
		if have[name] {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (%s)`, quoteIdent(name), quoteIdent(table), idLookupExpr)
		if _, err := db.ExecContext(ctx, q); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue // dropped since we listed it
			}
			return created, err
		}
		created++
	}
	return created, nil
}

func stringColumn(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// quoteIdent quotes an SQL identifier (table names come from FerretDB's
// metadata: the collection name, lower-cased, and a hash).
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// indexLoop indexes new collections until the engine stops.
func (e *Engine) indexLoop(ctx context.Context) {
	t := time.NewTicker(idIndexEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// A failed pass is retried on the next; a database dropped
			// at this moment is the usual cause.
			if _, err := e.IndexIDLookups(ctx); err != nil && ctx.Err() == nil {
				e.logger.Debug("embedded store: _id lookup indexes", "err", err)
			}
		}
	}
}
