package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongoevent "go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"studitiru/models"
	"studitiru/models/storetest"
)

// recordedQuery is one filter a command sent to the store.
type recordedQuery struct {
	command, collection string
	keys                []string // the filter's field names ($or/$and flattened)
	sort                string   // the first sort key of a find, if any
}

// queryRecorder keeps the filters of every read, update and delete.
type queryRecorder struct {
	mu      sync.Mutex
	on      bool
	queries []recordedQuery
}

func (r *queryRecorder) monitor() *mongoevent.CommandMonitor {
	return &mongoevent.CommandMonitor{Started: func(_ context.Context, e *mongoevent.CommandStartedEvent) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if !r.on {
			return
		}
		cmd := e.Command
		name := e.CommandName
		collection, _ := cmd.Lookup(name).StringValueOK()
		add := func(filter bson.Raw) {
			r.queries = append(r.queries, recordedQuery{command: name, collection: collection, keys: filterKeys(filter)})
		}
		switch name {
		case "find", "count", "findAndModify", "distinct":
			f, _ := cmd.Lookup("filter").DocumentOK()
			if name == "count" || name == "findAndModify" {
				f, _ = cmd.Lookup("query").DocumentOK()
			}
			add(f)
			if sort, ok := cmd.Lookup("sort").DocumentOK(); ok {
				if elems, _ := sort.Elements(); len(elems) > 0 {
					r.queries[len(r.queries)-1].sort = elems[0].Key()
				}
			}
		case "aggregate":
			stages, _ := cmd.Lookup("pipeline").ArrayOK()
			vals, _ := stages.Values()
			var match bson.Raw
			if len(vals) > 0 {
				if st, ok := vals[0].DocumentOK(); ok {
					match, _ = st.Lookup("$match").DocumentOK()
				}
			}
			add(match)
		case "update", "delete":
			list := "updates"
			if name == "delete" {
				list = "deletes"
			}
			arr, _ := cmd.Lookup(list).ArrayOK()
			vals, _ := arr.Values()
			for _, v := range vals {
				d, _ := v.DocumentOK()
				q, _ := d.Lookup("q").DocumentOK()
				add(q)
			}
		}
	}}
}

// filterKeys lists a filter's field names, through $or, $and and $nor.
func filterKeys(f bson.Raw) []string {
	var keys []string
	elems, _ := f.Elements()
	for _, e := range elems {
		switch e.Key() {
		case "$or", "$and", "$nor":
			arr, _ := e.Value().ArrayOK()
			vals, _ := arr.Values()
			for _, v := range vals {
				if d, ok := v.DocumentOK(); ok {
					keys = append(keys, filterKeys(d)...)
				}
			}
		default:
			keys = append(keys, e.Key())
		}
	}
	return keys
}

// smallCollections may be read whole: settings and holidays (cached for a
// second), the session ledgers of coming dates (cached), the staff's own
// lists, and what the in-memory view loads once (view.go).
var smallCollections = []string{
	"settings", "holidays", "slots", "users", "escorts", "reservations",
	"visits", "surveys", "view_snapshots.files", "letters.files", "photos.files",
}

// pagedCollections are listed a page at a time along an index (find with
// sort, skip and limit); their total is a count of the collection.
var pagedCollections = []string{"outbox", "audit"}

// TestEveryQueryHasAnIndex opens the main pages as each role over the demo
// data and checks every filter the store received: by _id, or on a field
// that starts one of the collection's indexes, or a whole read of a
// collection that is small or loaded once into the view.
func TestEveryQueryHasAnIndex(t *testing.T) {
	rec := &queryRecorder{}
	name := storetest.DatabaseName(t)
	st, err := models.OpenMonitored(t.Context(), server.URI, name, rec.monitor())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Drop(context.Background()); _ = st.Close(context.Background()) })
	e := newEnvOn(t, st)
	started := time.Now()
	if _, err := models.SeedDemo(t.Context(), st, e.clock.Now(), e.loc); err != nil {
		t.Fatal(err)
	}
	visits, err := st.RecentVisits(t.Context(), 1)
	if err != nil || len(visits) == 0 {
		t.Fatal("no demo visits", err)
	}
	visit := "/staf/permohonan/" + visits[0].ID.Hex()

	t.Logf("seeded in %v", time.Since(started))
	rec.mu.Lock()
	rec.on = true
	rec.mu.Unlock()
	pages := map[models.Role][]string{
		models.RoleCoordinator: {"/staf", "/staf/permohonan", "/staf/permohonan?status=diajukan&q=blora", visit,
			"/staf/kalender", "/staf/api/kalender?start=2026-03-01&end=2026-04-01", "/staf/riwayat?provinsi=51",
			"/staf/dasbor", "/staf/surel", "/staf/pendamping"},
		models.RoleAdmin:      {"/staf/pengaturan", "/staf/pengguna", "/staf/audit"},
		models.RoleLeadership: {"/staf/dasbor.json"},
		models.RoleEscort:     {"/staf", "/staf/kalender"},
	}
	for role, paths := range pages {
		session := e.sessionFor(role)
		for _, p := range paths {
			if res := e.do("GET", p, nil, session); res.status != 200 {
				t.Errorf("%s %s: %d", role, p, res.status)
			}
		}
	}
	for _, p := range []string{"/", "/jadwal", "/api/ketersediaan", "/ajukan"} {
		if res := e.do("GET", p, nil, ""); res.status != 200 {
			t.Errorf("public %s: %d", p, res.status)
		}
	}
	rec.mu.Lock()
	rec.on = false
	queries := slices.Clone(rec.queries)
	rec.mu.Unlock()
	if len(queries) == 0 {
		t.Fatal("no query recorded")
	}

	indexed := ensuredIndexes(t, name)
	checked := map[string]bool{}
	for _, q := range queries {
		sig := fmt.Sprintf("%s %s %v %s", q.command, q.collection, q.keys, q.sort)
		if checked[sig] {
			continue
		}
		checked[sig] = true
		switch {
		case slices.Contains(q.keys, "_id"):
		case len(q.keys) == 0 && slices.Contains(smallCollections, q.collection):
		case len(q.keys) == 0 && q.sort != "" && slices.Contains(indexed[q.collection], q.sort):
			// a page of the newest entries, walked along an index
		case len(q.keys) == 0 && q.command == "aggregate" && slices.Contains(pagedCollections, q.collection):
			// the count of a paged list (by the same index)
		case slices.ContainsFunc(q.keys, func(k string) bool { return slices.Contains(indexed[q.collection], k) }):
		default:
			t.Errorf("%s on %s filters on %v (sort %q): no index starts with any of them (indexes start with %v)",
				q.command, q.collection, q.keys, q.sort, indexed[q.collection])
		}
	}
	t.Logf("%d distinct queries checked", len(checked))
}

// ensuredIndexes lists, per collection, the first field of each index the
// database holds.
func ensuredIndexes(t *testing.T, database string) map[string][]string {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(server.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database(database)
	names, err := db.ListCollectionNames(t.Context(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, c := range names {
		cur, err := db.Collection(c).Indexes().List(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var specs []struct {
			Key bson.D `bson:"key"`
		}
		if err := cur.All(t.Context(), &specs); err != nil {
			t.Fatal(err)
		}
		for _, s := range specs {
			if len(s.Key) > 0 && !strings.HasPrefix(s.Key[0].Key, "$") {
				out[c] = append(out[c], s.Key[0].Key)
			}
		}
	}
	return out
}
