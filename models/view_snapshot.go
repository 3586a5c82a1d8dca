package models

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// View snapshots: loading the view by reading every visit costs a
// millisecond or more per visit on the embedded engine (a minute at 50,000
// visits), so a Store saves its view now and then as one compressed GridFS
// file — the list copies as BSON, one after another — and a starting
// Store reads the newest snapshot and then applies the change log from the
// snapshot's position on. A snapshot is only a shortcut: without one, or
// with a damaged one, the view is read from the collections.

// bucketViewSnapshots holds the snapshots; filename viewSnapshotName.
const (
	bucketViewSnapshots = "view_snapshots"
	viewSnapshotName    = "view"
)

// SnapshotAfterChanges is how many log entries since the last snapshot make
// MaintainView write a new one.
const SnapshotAfterChanges = 200

// defaultKeptChanges is how many log entries behind the newest snapshot are
// kept. An instance further behind (paused for a long time) reloads from
// the snapshot when it finds its next entry pruned.
const defaultKeptChanges = 500

// Record kinds in a snapshot file.
const (
	snapVisit  byte = 'v'
	snapSurvey byte = 's'
)

type snapshotMeta struct {
	Seq     int64 `bson:"seq"`
	Visits  int   `bson:"visits"`
	Surveys int   `bson:"surveys"`
}

func (s *Store) snapshotBucket() *mongo.GridFSBucket {
	return s.db.GridFSBucket(options.GridFSBucket().SetName(bucketViewSnapshots))
}

// MaintainView brings the view up to date and writes a snapshot when
// enough has changed since the last one (or none exists). The app calls it
// from its periodic job and once at start, which also loads the view
// before the first staff page asks for it.
func (s *Store) MaintainView(ctx context.Context) error {
	vw, err := s.syncView(ctx)
	if err != nil {
		return err
	}
	vw.mu.RLock()
	due := !vw.snapshotKnown || vw.next-1-vw.snapshotSeq >= SnapshotAfterChanges
	vw.mu.RUnlock()
	if !due {
		return nil
	}
	return s.SaveViewSnapshot(ctx)
}

// SaveViewSnapshot writes the view as a snapshot and removes older ones.
func (s *Store) SaveViewSnapshot(ctx context.Context) error {
	vw, err := s.syncView(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	vw.mu.RLock()
	meta := snapshotMeta{Seq: vw.next - 1, Visits: len(vw.visits), Surveys: len(vw.surveys)}
	err = func() error {
		for _, v := range vw.visits {
			if err := writeSnapRecord(zw, snapVisit, v); err != nil {
				return err
			}
		}
		for _, r := range vw.surveys {
			if err := writeSnapRecord(zw, snapSurvey, r); err != nil {
				return err
			}
		}
		return nil
	}()
	vw.mu.RUnlock()
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return fmt.Errorf("store: view snapshot: %w", err)
	}
	bucket := s.snapshotBucket()
	if _, err := bucket.UploadFromStream(ctx, viewSnapshotName, &buf,
		options.GridFSUpload().SetMetadata(meta)); err != nil {
		return fmt.Errorf("store: view snapshot: %w", err)
	}
	vw.mu.Lock()
	vw.snapshotKnown, vw.snapshotSeq = true, max(vw.snapshotSeq, meta.Seq)
	vw.mu.Unlock()
	// The log behind the snapshot is no longer needed by a starting
	// instance; keep keptChanges of it for running ones that lag.
	if bound := meta.Seq - vw.keptChanges; bound > 0 {
		// First the hint: it must reach past every pruned entry, so that
		// a lagging instance can tell a pruned entry from the log's end.
		if err := s.raiseHeadHint(ctx, meta.Seq); err != nil {
			return err
		}
		if _, err := s.db.Collection(colChanges).DeleteMany(ctx,
			bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: changeKey(bound)}}}}); err != nil {
			return fmt.Errorf("store: change log: %w", err)
		}
	}
	// Remove the older ones. Only snapshots behind this one go, so of two
	// instances writing at once the newer snapshot always stays.
	files, err := s.snapshotFiles(ctx)
	if err != nil {
		return err
	}
	for _, f := range files {
		if f.Metadata.Seq < meta.Seq {
			if err := bucket.Delete(ctx, f.ID); err != nil && !errors.Is(err, mongo.ErrFileNotFound) {
				return fmt.Errorf("store: view snapshot: %w", err)
			}
		}
	}
	return nil
}

func writeSnapRecord(w io.Writer, kind byte, doc any) error {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte{kind}); err != nil {
		return err
	}
	_, err = w.Write(raw)
	return err
}

type snapshotFile struct {
	ID       bson.ObjectID `bson:"_id"`
	Metadata snapshotMeta  `bson:"metadata"`
}

// snapshotFiles lists the stored snapshots, newest (highest position) first.
func (s *Store) snapshotFiles(ctx context.Context) ([]snapshotFile, error) {
	cur, err := s.snapshotBucket().Find(ctx, bson.D{{Key: "filename", Value: viewSnapshotName}},
		options.GridFSFind().SetSort(bson.D{{Key: "metadata.seq", Value: -1}}))
	if err != nil {
		return nil, fmt.Errorf("store: view snapshots: %w", err)
	}
	var files []snapshotFile
	if err := cur.All(ctx, &files); err != nil {
		return nil, fmt.Errorf("store: view snapshots: %w", err)
	}
	return files, nil
}

// loadSnapshot fills the view from the newest snapshot. ok is false when
// there is none or it cannot be read; the caller then reads the
// collections.
func (s *Store) loadSnapshot(ctx context.Context) (seq int64, ok bool, err error) {
	files, err := s.snapshotFiles(ctx)
	if err != nil || len(files) == 0 {
		return 0, false, err
	}
	newest := files[0]
	stream, err := s.snapshotBucket().OpenDownloadStream(ctx, newest.ID)
	if errors.Is(err, mongo.ErrFileNotFound) {
		return 0, false, nil // removed meanwhile by a newer snapshot's writer
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: view snapshot: %w", err)
	}
	defer stream.Close()
	visits, surveys, err := readSnapshot(stream)
	if err != nil || len(visits) != newest.Metadata.Visits || len(surveys) != newest.Metadata.Surveys {
		return 0, false, nil // damaged: read the collections instead
	}
	vw := s.view
	vw.mu.Lock()
	defer vw.mu.Unlock()
	vw.replaceVisitsLocked(visits)
	vw.surveys = surveys
	vw.snapshotKnown, vw.snapshotSeq = true, newest.Metadata.Seq
	return newest.Metadata.Seq, true, nil
}

func readSnapshot(r io.Reader) ([]*Visit, map[bson.ObjectID]*SurveyResponse, error) {
	zr, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReader(zr)
	var visits []*Visit
	surveys := map[bson.ObjectID]*SurveyResponse{}
	for {
		kind, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			return visits, surveys, nil
		}
		if err != nil {
			return nil, nil, err
		}
		var size [4]byte
		if _, err := io.ReadFull(br, size[:]); err != nil {
			return nil, nil, err
		}
		n := binary.LittleEndian.Uint32(size[:])
		if n < 5 || n > 16<<20 {
			return nil, nil, fmt.Errorf("snapshot record of %d bytes", n)
		}
		raw := make([]byte, n)
		copy(raw, size[:])
		if _, err := io.ReadFull(br, raw[4:]); err != nil {
			return nil, nil, err
		}
		switch kind {
		case snapVisit:
			v := new(Visit)
			if err := bson.Unmarshal(raw, v); err != nil {
				return nil, nil, err
			}
			visits = append(visits, v)
		case snapSurvey:
			r := new(SurveyResponse)
			if err := bson.Unmarshal(raw, r); err != nil {
				return nil, nil, err
			}
			surveys[r.ID] = r
		default:
			return nil, nil, fmt.Errorf("snapshot record kind %q", kind)
		}
	}
}
