package models

import (
	"context"
	"slices"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Whole visit documents, kept as the store sent them.
//
// The pages that show one visit — above all the delegation's tracking
// page — read it by _id: on the embedded engine that is SQLite's lookup
// plus FerretDB's decoding of the whole document (roster, history), the
// larger part of the tracking page's cost (docs/PERFORMANCE.md). The view
// knows every visit's current version, so a document read before can be
// used again for as long as the view holds that same version. The view is
// brought up to date first (one probe of the change log, shared by the
// requests waiting for it), so another instance's write is seen as soon
// as it is answered, exactly as a read from the store would see it.
//
// Each use decodes the kept bytes afresh: callers own what they get.
type visitDocs struct {
	mu   sync.Mutex
	docs map[bson.ObjectID]keptVisit
}

type keptVisit struct {
	version int64
	raw     bson.Raw
}

// maxKeptVisits bounds the memory: about 5 KB each.
const maxKeptVisits = 2000

func (d *visitDocs) get(id bson.ObjectID, version int64) bson.Raw {
	d.mu.Lock()
	defer d.mu.Unlock()
	if k, ok := d.docs[id]; ok && k.version == version {
		return k.raw
	}
	return nil
}

func (d *visitDocs) put(id bson.ObjectID, version int64, raw bson.Raw) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.docs == nil {
		d.docs = map[bson.ObjectID]keptVisit{}
	}
	if _, ok := d.docs[id]; !ok && len(d.docs) >= maxKeptVisits {
		for other := range d.docs { // any one: map order is random
			delete(d.docs, other)
			break
		}
	}
	d.docs[id] = keptVisit{version: version, raw: raw}
}

// visitDoc reads visit id, from the kept bytes when the view says they
// are still the current version.
func (s *Store) visitDoc(ctx context.Context, id bson.ObjectID) (*Visit, error) {
	vw, err := s.syncView(ctx)
	if err != nil {
		return nil, err
	}
	return s.visitDocFrom(ctx, vw, id)
}

// visitDocFrom is visitDoc against a view the caller has just synced (a
// loop over many visits syncs once).
func (s *Store) visitDocFrom(ctx context.Context, vw *memView, id bson.ObjectID) (*Visit, error) {
	vw.mu.RLock()
	listed, inView := vw.visits[id]
	vw.mu.RUnlock()
	if inView {
		if raw := s.docs.get(id, listed.Version); raw != nil {
			var v Visit
			if err := bson.Unmarshal(raw, &v); err == nil {
				return &v, nil
			}
		}
	}
	raw, err := s.db.Collection(colVisits).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		return nil, notFound(err)
	}
	var v Visit
	if err := bson.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	if inView && v.Version == listed.Version {
		// A copy: the driver's bytes may belong to a reused buffer.
		s.docs.put(id, v.Version, slices.Clone(raw))
	}
	return &v, nil
}
