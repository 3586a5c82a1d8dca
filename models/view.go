package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The in-memory view of visits and survey answers.
//
// Why: on the embedded engine (FerretDB v1 on SQLite) only a filter on _id
// reaches an index. Any other query reads and decodes every document of the
// collection, about a millisecond per visit, so the inbox, calendar, history
// and dashboard cost seconds at 5,000 visits and a minute at 50,000 (see
// docs/PERFORMANCE.md). So each Store keeps the visits — without their
// rosters and most of their history, which lists never show — and the
// survey answers in memory, filters and sorts them in Go, and reads whole
// documents by _id. A real MongoDB is served the same way: one code path.
//
// Several instances on one database stay in step through a change log, the
// collection `changes`: every write of a visit or an answer appends an
// entry {_id: n, col, doc}. Numbers are taken by inserting — of concurrent
// inserts of one _id exactly one wins, as with claims — so the log has no
// gaps and a reader only ever asks for "the entry after the last one I
// applied", a lookup by _id, and re-reads the document it names. A Store
// applies its own writes at once. Correctness never rests on the view being
// fresh: approvals re-check capacity in the slot ledgers with claims.
//
// Log entries are keyed by their number written as a fixed-width string:
// the embedded engine finds a string _id through SQLite's key, an integer
// one only by reading the whole collection. Looking up an entry that does
// not exist yet (every sync ends with one) still costs a pass over the
// collection there, so the log is pruned behind the snapshots
// (view_snapshot.go) and stays a few hundred entries long.
//
// A write whose log entry is lost (a crash between the two inserts) is seen
// by other instances when the document next changes or when they restart;
// the instance that wrote it had applied it already.

// colChanges is the change log.
const colChanges = "changes"

// changeHeadID names the counters document that remembers roughly where the
// log ends, so a starting instance need not probe it from the beginning.
const changeHeadID = "changes"

// headHintEvery is how often (in entries) a writer refreshes that hint.
const headHintEvery = 32

// changeEntry is one line of the change log. A zero Doc means "the whole
// collection changed" (bulk inserts of the demo seed and benchmarks).
type changeEntry struct {
	ID  string        `bson:"_id"` // changeKey(Seq)
	Seq int64         `bson:"seq"`
	Col string        `bson:"col"`
	Doc bson.ObjectID `bson:"doc"`
	At  time.Time     `bson:"at"`
}

// changeKey is the _id of log entry seq; keys sort as their numbers.
func changeKey(seq int64) string { return fmt.Sprintf("%019d", seq) }

// changeAt reads log entry seq; ok is false when it does not exist.
func (s *Store) changeAt(ctx context.Context, seq int64) (e changeEntry, ok bool, err error) {
	err = s.db.Collection(colChanges).FindOne(ctx, bson.D{{Key: "_id", Value: changeKey(seq)}}).Decode(&e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("store: change log: %w", err)
	}
	return e, true, nil
}

// memView is a Store's view. mu guards the maps; syncMu makes one caller at
// a time read the log, the others wait for its result.
type memView struct {
	syncMu sync.Mutex
	mu     sync.RWMutex

	loaded bool
	next   int64          // the next log entry to apply
	head   int64          // the highest entry known to exist
	own    map[int64]bool // entries this Store wrote and already applied
	// epoch counts the times the maps were replaced wholesale (a load, a
	// collection reload): an own write applied to maps since replaced is
	// not in the view, so its entry must be applied like anyone's.
	epoch      int64
	syncedFrom time.Time // when the last completed sync began

	snapshotKnown bool  // a snapshot exists (view_snapshot.go)
	snapshotSeq   int64 // the log position of the newest one
	fromSnapshot  bool  // the view was loaded from one (for tests)
	keptChanges   int64 // log entries kept behind a snapshot (view_snapshot.go)

	visits       map[bson.ObjectID]*Visit
	byStatus     map[VisitStatus]int // visits per status, kept with visits
	byTracking   map[string]bson.ObjectID
	bySubmission map[string]bson.ObjectID
	surveys      map[bson.ObjectID]*SurveyResponse
}

func newMemView() *memView {
	return &memView{own: map[int64]bool{}, keptChanges: defaultKeptChanges}
}

// listCopy is what the view keeps of a visit: everything lists, calendars,
// feeds and statistics use. The roster is left out, and of the history only
// the events the lists derive something from (WaitingSince, the first
// answer for the statistics).
func listCopy(v *Visit) *Visit {
	c := *v
	c.Roster = nil
	c.History = nil
	firstAnswer, lastRevision := -1, -1
	for i, e := range v.History {
		if firstAnswer < 0 && staffAnswers[e.Action] {
			firstAnswer = i
		}
		if e.Action == ActionRevised {
			lastRevision = i
		}
	}
	for i, e := range v.History {
		if i == firstAnswer || i == lastRevision {
			c.History = append(c.History, e)
		}
	}
	return &c
}

// notApplied is the epoch passed to noteChange for a change this Store's
// view does not hold.
const notApplied = -1

// putVisit applies a visit to the view unless the view holds a newer
// version. It returns the epoch of the maps it was applied to, or
// notApplied when the view is not loaded (it will read the visit when it
// loads).
func (vw *memView) putVisit(v *Visit) int64 {
	vw.mu.Lock()
	defer vw.mu.Unlock()
	if !vw.loaded {
		return notApplied
	}
	vw.putVisitLocked(listCopy(v))
	return vw.epoch
}

// replacedLocked records that the maps were replaced wholesale: marks of
// own entries no longer say anything about what the view holds.
func (vw *memView) replacedLocked() {
	vw.epoch++
	vw.own = map[int64]bool{}
}

// replaceVisitsLocked makes visits the view's whole set of visits.
func (vw *memView) replaceVisitsLocked(visits []*Visit) {
	vw.replacedLocked()
	vw.visits = make(map[bson.ObjectID]*Visit, len(visits))
	vw.byStatus = map[VisitStatus]int{}
	vw.byTracking, vw.bySubmission = map[string]bson.ObjectID{}, map[string]bson.ObjectID{}
	for _, v := range visits {
		vw.putVisitLocked(v)
	}
}

func (vw *memView) putVisitLocked(v *Visit) {
	if old, ok := vw.visits[v.ID]; ok {
		if old.Version > v.Version {
			return
		}
		delete(vw.byTracking, old.TrackingHash)
		delete(vw.bySubmission, old.SubmissionKey)
		vw.byStatus[old.Status]--
	}
	vw.visits[v.ID] = v
	vw.byStatus[v.Status]++
	if v.TrackingHash != "" {
		vw.byTracking[v.TrackingHash] = v.ID
	}
	if v.SubmissionKey != "" {
		vw.bySubmission[v.SubmissionKey] = v.ID
	}
}

func (vw *memView) putSurvey(r *SurveyResponse) int64 {
	vw.mu.Lock()
	defer vw.mu.Unlock()
	if !vw.loaded {
		return notApplied
	}
	c := *r
	vw.surveys[r.ID] = &c
	return vw.epoch
}

// reset forgets everything (the database was dropped).
func (vw *memView) reset() {
	vw.syncMu.Lock()
	defer vw.syncMu.Unlock()
	vw.mu.Lock()
	defer vw.mu.Unlock()
	vw.loaded, vw.next, vw.head = false, 0, 0
	vw.snapshotKnown, vw.snapshotSeq = false, 0
	vw.own = map[int64]bool{}
	vw.visits, vw.byTracking, vw.bySubmission, vw.surveys, vw.byStatus = nil, nil, nil, nil, nil
}

// noteChange appends a log entry for document id of col (zero id: the whole
// collection). appliedAt is the view epoch the change was applied to
// (notApplied: it was not); while the maps are still of that epoch, this
// Store's own sync skips the entry. A failure is returned for logging
// only: the document itself was written.
func (s *Store) noteChange(ctx context.Context, col string, id bson.ObjectID, appliedAt int64, now time.Time) error {
	vw := s.view
	// Start past the head hint too: entries behind a snapshot are pruned,
	// and a number whose entry was deleted could be taken again by an
	// instance that fell behind — an entry the others, already past that
	// number, would never read. The hint is raised before every pruning.
	hint, err := s.headHint(ctx)
	if err != nil {
		return err
	}
	vw.mu.Lock()
	if vw.head == 0 {
		vw.mu.Unlock()
		head, err := s.logHead(ctx, hint)
		if err != nil {
			return err
		}
		vw.mu.Lock()
		vw.head = max(vw.head, head)
	}
	seq := max(vw.head, vw.next-1, hint) + 1
	vw.mu.Unlock()
	for attempt := 0; attempt < 1000; attempt++ {
		if appliedAt != notApplied {
			vw.mu.Lock()
			if vw.epoch == appliedAt {
				vw.own[seq] = true
			}
			vw.mu.Unlock()
		}
		_, err := s.db.Collection(colChanges).InsertOne(ctx, changeEntry{ID: changeKey(seq), Seq: seq, Col: col, Doc: id, At: now.UTC()})
		if err == nil {
			vw.mu.Lock()
			vw.head = max(vw.head, seq)
			vw.mu.Unlock()
			if seq%headHintEvery == 0 {
				_ = s.raiseHeadHint(ctx, seq) // only a hint: a later write raises it again
			}
			return nil
		}
		vw.mu.Lock()
		delete(vw.own, seq)
		vw.mu.Unlock()
		if !isDuplicateKey(err) {
			return fmt.Errorf("store: change log: %w", err)
		}
		seq++ // another writer took it
	}
	return errClaimsExhausted
}

// raiseHeadHint records that the log reaches at least seq.
func (s *Store) raiseHeadHint(ctx context.Context, seq int64) error {
	_, err := s.db.Collection(colCounters).UpdateOne(ctx, bson.D{{Key: "_id", Value: changeHeadID}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: seq}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("store: change log hint: %w", err)
	}
	return nil
}

// headHint reads where writers last said the log ends (at most
// headHintEvery entries behind, or more when two hints raced).
func (s *Store) headHint(ctx context.Context) (int64, error) {
	var hint struct {
		Seq int64 `bson:"seq"`
	}
	err := s.db.Collection(colCounters).FindOne(ctx, bson.D{{Key: "_id", Value: changeHeadID}}).Decode(&hint)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, err
	}
	return hint.Seq, nil
}

// logHead finds the last entry of the change log at or after from: the hint
// first, then lookups by _id until one is missing.
func (s *Store) logHead(ctx context.Context, from int64) (int64, error) {
	hint, err := s.headHint(ctx)
	if err != nil {
		return 0, err
	}
	head := max(from, hint)
	for {
		_, ok, err := s.changeAt(ctx, head+1)
		if err != nil || !ok {
			return head, err
		}
		head++
	}
}

// syncView makes the view current: loads it the first time, then applies
// the log entries written since. A sync that began after this call began
// has seen every change committed before it, so waiting callers reuse it.
func (s *Store) syncView(ctx context.Context) (*memView, error) {
	arrived := time.Now()
	vw := s.view
	vw.syncMu.Lock()
	defer vw.syncMu.Unlock()
	if !vw.loaded {
		return vw, s.loadView(ctx)
	}
	if vw.syncedFrom.After(arrived) {
		return vw, nil
	}
	return vw, s.applyLog(ctx)
}

// applyLog applies the log entries from vw.next on; syncMu is held.
func (s *Store) applyLog(ctx context.Context) error {
	vw := s.view
	started := time.Now()
	for {
		e, ok, err := s.changeAt(ctx, vw.next)
		if err != nil {
			return err
		}
		if !ok {
			// The end of the log — or a pruned entry this view fell
			// behind (the hint only names entries that were written):
			// then start again from the newest snapshot. The entry is
			// asked for once more after the hint: it may have been
			// written, with the hint raised past it, in between.
			hint, err := s.headHint(ctx)
			if err != nil {
				return err
			}
			if hint >= vw.next {
				if _, written, err := s.changeAt(ctx, vw.next); err != nil || written {
					if err != nil {
						return err
					}
					continue
				}
				vw.mu.Lock()
				vw.loaded = false
				vw.mu.Unlock()
				return s.loadView(ctx)
			}
			break
		}
		vw.mu.Lock()
		own := vw.own[e.Seq]
		delete(vw.own, e.Seq)
		vw.mu.Unlock()
		if !own {
			if err := s.applyChange(ctx, e); err != nil {
				return err
			}
		}
		vw.mu.Lock()
		vw.next = e.Seq + 1
		vw.head = max(vw.head, e.Seq)
		vw.mu.Unlock()
	}
	vw.syncedFrom = started
	return nil
}

// applyChange re-reads what a log entry names.
func (s *Store) applyChange(ctx context.Context, e changeEntry) error {
	vw := s.view
	if e.Doc.IsZero() {
		return s.reloadCollection(ctx, e.Col)
	}
	switch e.Col {
	case colVisits:
		var v Visit
		err := s.db.Collection(colVisits).FindOne(ctx, bson.D{{Key: "_id", Value: e.Doc}}).Decode(&v)
		vw.mu.Lock()
		defer vw.mu.Unlock()
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			if old, ok := vw.visits[e.Doc]; ok {
				delete(vw.byTracking, old.TrackingHash)
				delete(vw.bySubmission, old.SubmissionKey)
				delete(vw.visits, e.Doc)
				vw.byStatus[old.Status]--
			}
		case err != nil:
			return fmt.Errorf("store: view: %w", err)
		default:
			vw.putVisitLocked(listCopy(&v))
		}
	case colSurveys:
		var r SurveyResponse
		err := s.db.Collection(colSurveys).FindOne(ctx, bson.D{{Key: "_id", Value: e.Doc}}).Decode(&r)
		vw.mu.Lock()
		defer vw.mu.Unlock()
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			delete(vw.surveys, e.Doc)
		case err != nil:
			return fmt.Errorf("store: view: %w", err)
		default:
			vw.surveys[r.ID] = &r
		}
	}
	return nil
}

// loadView fills the view: from the newest snapshot and the log entries
// written since, or — without a snapshot — from both collections whole.
// Then the log position is taken first, so whatever changes during the
// scan is applied again afterwards.
func (s *Store) loadView(ctx context.Context) error {
	vw := s.view
	seq, ok, err := s.loadSnapshot(ctx)
	if err != nil {
		return err
	}
	if ok {
		vw.mu.Lock()
		vw.loaded, vw.next, vw.head, vw.fromSnapshot = true, seq+1, max(vw.head, seq), true
		vw.mu.Unlock()
		return s.applyLog(ctx)
	}
	head, err := s.logHead(ctx, 0)
	if err != nil {
		return fmt.Errorf("store: change log: %w", err)
	}
	for _, col := range []string{colVisits, colSurveys} {
		if err := s.reloadCollection(ctx, col); err != nil {
			return err
		}
	}
	vw.mu.Lock()
	vw.loaded, vw.next, vw.head = true, head+1, max(vw.head, head)
	vw.mu.Unlock()
	return s.applyLog(ctx)
}

// reloadCollection replaces the view's copy of one collection.
func (s *Store) reloadCollection(ctx context.Context, col string) error {
	vw := s.view
	cur, err := s.db.Collection(col).Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("store: view %s: %w", col, err)
	}
	defer cur.Close(ctx)
	switch col {
	case colVisits:
		var visits []*Visit
		for cur.Next(ctx) {
			var v Visit
			if err := cur.Decode(&v); err != nil {
				return fmt.Errorf("store: view visits: %w", err)
			}
			visits = append(visits, listCopy(&v))
		}
		if err := cur.Err(); err != nil {
			return fmt.Errorf("store: view visits: %w", err)
		}
		vw.mu.Lock()
		vw.replaceVisitsLocked(visits)
		vw.mu.Unlock()
	case colSurveys:
		surveys := map[bson.ObjectID]*SurveyResponse{}
		for cur.Next(ctx) {
			var r SurveyResponse
			if err := cur.Decode(&r); err != nil {
				return fmt.Errorf("store: view surveys: %w", err)
			}
			surveys[r.ID] = &r
		}
		if err := cur.Err(); err != nil {
			return fmt.Errorf("store: view surveys: %w", err)
		}
		vw.mu.Lock()
		vw.replacedLocked()
		vw.surveys = surveys
		vw.mu.Unlock()
	}
	return nil
}

// visitsWhere returns copies of the visits keep accepts, in no particular
// order. The copies share their slices with the view: read, never modify.
func (s *Store) visitsWhere(ctx context.Context, keep func(*Visit) bool) ([]Visit, error) {
	vw, err := s.syncView(ctx)
	if err != nil {
		return nil, err
	}
	vw.mu.RLock()
	defer vw.mu.RUnlock()
	var out []Visit
	for _, v := range vw.visits {
		if keep(v) {
			out = append(out, *v)
		}
	}
	return out, nil
}

// visitsSorted returns the visits keep accepts in order's order: copies of
// the limit visits from offset on (limit < 0: all from offset), and how
// many matched in all. Lists show a page of thousands of visits: the view's
// entries are never changed in place (a write replaces the pointer), so
// they are ranked as pointers, and only the page is copied.
func (s *Store) visitsSorted(ctx context.Context, keep func(*Visit) bool, order func(a, b *Visit) int, offset, limit int) ([]Visit, int, error) {
	vw, err := s.syncView(ctx)
	if err != nil {
		return nil, 0, err
	}
	vw.mu.RLock()
	ranked, total := rankVisits(vw.visits, keep, order, offset, limit)
	vw.mu.RUnlock()
	out := make([]Visit, len(ranked))
	for i, v := range ranked {
		out[i] = *v
	}
	return out, total, nil
}

// rankVisits is visitsSorted's ranking: the matching visits from offset,
// at most limit of them (limit < 0: all), and the number that matched. For
// the first pages it keeps only the best offset+limit candidates while
// scanning, instead of sorting every match.
func rankVisits(visits map[bson.ObjectID]*Visit, keep func(*Visit) bool, order func(a, b *Visit) int, offset, limit int) ([]*Visit, int) {
	offset = max(0, offset)
	want := offset + limit
	bounded := limit >= 0 && want <= 1000
	var ranked []*Visit
	total := 0
	for _, v := range visits {
		if !keep(v) {
			continue
		}
		total++
		switch {
		case !bounded:
			ranked = append(ranked, v)
		case want == 0:
		case len(ranked) == want && order(v, ranked[want-1]) >= 0:
		default:
			i, _ := slices.BinarySearchFunc(ranked, v, order)
			ranked = slices.Insert(ranked, i, v)
			if len(ranked) > want {
				ranked = ranked[:want]
			}
		}
	}
	if !bounded {
		slices.SortFunc(ranked, order)
	}
	ranked = ranked[min(offset, len(ranked)):]
	if limit >= 0 {
		ranked = ranked[:min(limit, len(ranked))]
	}
	return ranked, total
}

// surveysWhere is visitsWhere for survey answers.
func (s *Store) surveysWhere(ctx context.Context, keep func(*SurveyResponse) bool) ([]SurveyResponse, error) {
	vw, err := s.syncView(ctx)
	if err != nil {
		return nil, err
	}
	vw.mu.RLock()
	defer vw.mu.RUnlock()
	var out []SurveyResponse
	for _, r := range vw.surveys {
		if keep(r) {
			out = append(out, *r)
		}
	}
	return out, nil
}

// visitIDBy finds a visit's ID through one of the view's keys, syncing once
// when it is not there (the visit may have been created elsewhere).
func (s *Store) visitIDBy(ctx context.Context, index func(*memView) map[string]bson.ObjectID, key string) (bson.ObjectID, error) {
	lookup := func(vw *memView) (bson.ObjectID, bool) {
		vw.mu.RLock()
		defer vw.mu.RUnlock()
		if !vw.loaded {
			return bson.ObjectID{}, false
		}
		id, ok := index(vw)[key]
		return id, ok
	}
	if id, ok := lookup(s.view); ok {
		return id, nil
	}
	vw, err := s.syncView(ctx)
	if err != nil {
		return bson.ObjectID{}, err
	}
	if id, ok := lookup(vw); ok {
		return id, nil
	}
	return bson.ObjectID{}, ErrNotFound
}

// visitSaved applies a written visit to the view and logs the change.
func (s *Store) visitSaved(ctx context.Context, v *Visit, now time.Time) {
	appliedAt := s.view.putVisit(v)
	_ = s.noteChange(context.WithoutCancel(ctx), colVisits, v.ID, appliedAt, now)
}

// surveySaved applies a stored answer to the view and logs the change.
func (s *Store) surveySaved(ctx context.Context, r *SurveyResponse, now time.Time) {
	appliedAt := s.view.putSurvey(r)
	_ = s.noteChange(context.WithoutCancel(ctx), colSurveys, r.ID, appliedAt, now)
}

// collectionReplaced logs that a whole collection changed (bulk inserts),
// reloads this Store's view of it and saves a snapshot, so that no
// instance has to read the whole collection again.
func (s *Store) collectionReplaced(ctx context.Context, col string, now time.Time) error {
	vw := s.view
	vw.syncMu.Lock()
	appliedAt := int64(notApplied)
	var err error
	if vw.loaded {
		err = s.reloadCollection(ctx, col)
		vw.mu.RLock()
		appliedAt = vw.epoch
		vw.mu.RUnlock()
	}
	vw.syncMu.Unlock()
	if err != nil {
		return err
	}
	if err := s.noteChange(ctx, col, bson.ObjectID{}, appliedAt, now); err != nil {
		return err
	}
	return s.SaveViewSnapshot(ctx)
}

// visitFromStore finds a visit by a unique field in the store itself, for
// the rare case that the view lacks a visit that exists: a crash between
// writing it and logging the change. The visit is then applied and logged,
// so every instance sees it. Only paths that already know the visit must
// exist call it (a form's key whose claim is taken): on the embedded
// engine the query reads the whole collection.
func (s *Store) visitFromStore(ctx context.Context, field, value string, now time.Time) (*Visit, error) {
	v, err := s.findVisit(ctx, bson.D{{Key: field, Value: value}})
	if err != nil {
		return nil, err
	}
	s.visitSaved(ctx, v, now)
	return v, nil
}
