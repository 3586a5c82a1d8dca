package models

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Double booking is prevented without transactions (DESIGN.md §3):
//
//   - a session's capacity (delegations and participants) lives in one
//     ledger document per date and session (collection slots). Entries are
//     added and removed by versioned writes, which claims make atomic (see
//     claims.go); the capacity check runs in Go on the ledger just read, so
//     the winner of the version race is the only one whose check counted.
//   - a room or an escort in a session is a reservation whose _id names it
//     ("room:aula:2026-03-05/pagi"): of two concurrent inserts one gets the
//     duplicate-key error, and that is the conflict.
//
// Every change of a visit goes through UpdateVisit, which compares what the
// visit needs before and after (reservationsOf), acquires what is new, saves
// the visit at its version, then releases what is no longer needed. If the
// save loses, what was acquired is released again, so nothing half-written
// remains. A crash between these steps leaves at most extra reservations,
// which ReconcileReservations removes.

// Reservation errors. Each says what is taken, for a clear message.
var (
	ErrRoomTaken  = errors.New("ruangan sudah dipakai pada sesi itu")
	ErrEscortBusy = errors.New("pendamping sudah bertugas pada sesi itu")
	ErrNotAllowed = errors.New("tindakan ini tidak dapat dilakukan pada status sekarang")
)

// Collections of the scheduling guards.
const (
	colSlots        = "slots"
	colReservations = "reservations"
)

// slotEntry is one visit occupying a session, firmly or held until a time.
type slotEntry struct {
	VisitID      bson.ObjectID `bson:"visit_id"`
	Participants int           `bson:"participants"`
	HeldUntil    time.Time     `bson:"held_until,omitempty"` // zero: approved
	At           time.Time     `bson:"at"`
}

func (e slotEntry) live(now time.Time) bool { return e.HeldUntil.IsZero() || now.Before(e.HeldUntil) }

// slotLedger is the occupancy of one session on one date.
type slotLedger struct {
	ID        string      `bson:"_id"` // "2026-03-05/pagi"
	Date      string      `bson:"date"`
	SessionID string      `bson:"session_id"`
	Entries   []slotEntry `bson:"entries"`
	Version   int64       `bson:"version"`
}

// slotNeed is a session a visit occupies.
type slotNeed struct {
	Date, SessionID string
	Participants    int
	HeldUntil       time.Time
}

func (n slotNeed) key() string { return n.Date + "/" + n.SessionID }

// visitNeeds is everything a visit in its current state reserves.
type visitNeeds struct {
	Slots []slotNeed
	Keys  []string // room and escort reservation ids
}

// reservationsOf derives what a visit must hold from its status: an
// approved visit its session, room and escorts; an offer the sessions it
// holds for the delegation; anything else nothing.
func reservationsOf(v *Visit, loc *time.Location) visitNeeds {
	var n visitNeeds
	switch v.Status {
	case StatusApproved:
		date := DateKey(v.Start.In(loc))
		slot := slotNeed{Date: date, SessionID: v.SessionID, Participants: v.Participants}
		n.Slots = append(n.Slots, slot)
		if v.RoomID != "" {
			n.Keys = append(n.Keys, roomKey(v.RoomID, slot.key()))
		}
		for _, id := range v.EscortIDs {
			n.Keys = append(n.Keys, escortKey(id, slot.key()))
		}
	case StatusOffered:
		for _, o := range v.Offers {
			n.Slots = append(n.Slots, slotNeed{Date: o.Date, SessionID: o.SessionID, Participants: v.Participants, HeldUntil: o.ExpiresAt.UTC()})
		}
	}
	return n
}

func roomKey(roomID, slot string) string { return "room:" + roomID + ":" + slot }
func escortKey(id bson.ObjectID, slot string) string {
	return "escort:" + id.Hex() + ":" + slot
}

// reservation is a room or an escort taken by a visit.
type reservation struct {
	ID      string        `bson:"_id"`
	Slot    string        `bson:"slot"` // "2026-03-05/pagi"
	VisitID bson.ObjectID `bson:"visit_id"`
	At      time.Time     `bson:"at"`
}

// Taken says which rooms and escorts are reserved in one session, and by
// which visit, so that the approval form can grey them out.
type Taken struct {
	Rooms   map[string]bson.ObjectID
	Escorts map[bson.ObjectID]bson.ObjectID
}

// TakenIn lists the reservations of a session ("2026-03-05", "pagi"). It
// looks up each room of the settings and each escort by the reservation's
// _id: the reservations of ten years are many, and on the embedded engine
// a query on their slot reads them all.
func (s *Store) TakenIn(ctx context.Context, date, sessionID string) (Taken, error) {
	t := Taken{Rooms: map[string]bson.ObjectID{}, Escorts: map[bson.ObjectID]bson.ObjectID{}}
	slot := date + "/" + sessionID
	settings, err := s.HostSettings(ctx)
	if err != nil {
		return t, err
	}
	// Every escort account, active or not: a deactivated one may still
	// hold a reservation.
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.D{{Key: "role", Value: RoleEscort}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return t, err
	}
	var escorts []User
	if err := cur.All(ctx, &escorts); err != nil {
		return t, err
	}
	col := s.db.Collection(colReservations)
	holder := func(key string) (bson.ObjectID, bool, error) {
		var r reservation
		err := col.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&r)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return bson.ObjectID{}, false, nil
		}
		return r.VisitID, err == nil, err
	}
	for _, room := range settings.Rooms {
		id, ok, err := holder(roomKey(room.ID, slot))
		if err != nil {
			return t, err
		}
		if ok {
			t.Rooms[room.ID] = id
		}
	}
	for _, e := range escorts {
		id, ok, err := holder(escortKey(e.ID, slot))
		if err != nil {
			return t, err
		}
		if ok {
			t.Escorts[e.ID] = id
		}
	}
	return t, nil
}

// UpdateVisit saves the visit after, which was read as before, and moves its
// reservations along: a new session, room or escort is taken first (the
// loser gets ErrSlotFull, ErrRoomTaken or ErrEscortBusy), then the visit is
// saved at its version (ErrConflict when somebody else changed it), then
// what it no longer needs is freed. On any failure the visit is unchanged
// and the reservations are as they were.
func (s *Store) UpdateVisit(ctx context.Context, before, after *Visit, settings HostSettings, loc *time.Location, now time.Time) error {
	old, next := reservationsOf(before, loc), reservationsOf(after, loc)
	var acquiredSlots []slotNeed
	var acquiredKeys []string
	undo := func() {
		bg := context.WithoutCancel(ctx)
		for _, k := range acquiredKeys {
			_ = s.releaseKey(bg, k, after.ID)
		}
		for _, sl := range acquiredSlots {
			if prev, ok := findSlot(old.Slots, sl.key()); ok {
				_ = s.putSlotEntry(bg, prev, after.ID, settings, now, false) // back to how it was
			} else {
				_ = s.removeSlotEntry(bg, sl, after.ID, now)
			}
		}
	}
	for _, sl := range next.Slots {
		if prev, ok := findSlot(old.Slots, sl.key()); ok && prev == sl {
			continue // unchanged
		}
		if err := s.putSlotEntry(ctx, sl, after.ID, settings, now, true); err != nil {
			undo()
			return err
		}
		acquiredSlots = append(acquiredSlots, sl)
	}
	for _, k := range next.Keys {
		if slices.Contains(old.Keys, k) {
			continue
		}
		if err := s.takeKey(ctx, k, after.ID, now); err != nil {
			undo()
			return err
		}
		acquiredKeys = append(acquiredKeys, k)
	}
	if err := s.SaveVisit(ctx, after, now); err != nil {
		// A conflict or a missing visit: nothing was saved, give back what
		// was taken. Any other error (the store's answer timed out, the
		// connection broke) leaves it unknown whether the save landed;
		// then everything taken stays held — too much is safe, too little
		// is a double booking — and ReconcileReservations frees what the
		// visit turns out not to need.
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
			undo()
		}
		return err
	}
	bg := context.WithoutCancel(ctx) // the visit is saved: finish the cleanup
	for _, sl := range old.Slots {
		if _, ok := findSlot(next.Slots, sl.key()); !ok {
			if err := s.removeSlotEntry(bg, sl, after.ID, now); err != nil {
				return fmt.Errorf("store: free session %s: %w", sl.key(), err)
			}
		}
	}
	for _, k := range old.Keys {
		if !slices.Contains(next.Keys, k) {
			if err := s.releaseKey(bg, k, after.ID); err != nil {
				return fmt.Errorf("store: free %s: %w", k, err)
			}
		}
	}
	return nil
}

func findSlot(slots []slotNeed, key string) (slotNeed, bool) {
	for _, s := range slots {
		if s.key() == key {
			return s, true
		}
	}
	return slotNeed{}, false
}

// maxLedgerAttempts bounds the retries of a contended ledger write. Each
// retry re-reads the ledger, so a full session ends the loop early.
const maxLedgerAttempts = 400

// putSlotEntry adds (or replaces) the visit's entry in a session's ledger.
// With check set the session's capacity must allow it (ErrSlotFull).
func (s *Store) putSlotEntry(ctx context.Context, need slotNeed, visitID bson.ObjectID, settings HostSettings, now time.Time, check bool) error {
	return s.changeLedger(ctx, need, now, func(l *slotLedger) error {
		entries := l.Entries[:0:0]
		delegations, participants := 0, 0
		for _, e := range l.Entries {
			if e.VisitID == visitID || !e.live(now) {
				continue // our own old entry, or an expired hold
			}
			entries = append(entries, e)
			delegations++
			participants += e.Participants
		}
		if check && (delegations+1 > settings.MaxDelegations || participants+need.Participants > settings.MaxParticipants) {
			return ErrSlotFull
		}
		l.Entries = append(entries, slotEntry{VisitID: visitID, Participants: need.Participants, HeldUntil: need.HeldUntil, At: now.UTC()})
		return nil
	})
}

// removeSlotEntry takes the visit out of a session's ledger.
func (s *Store) removeSlotEntry(ctx context.Context, need slotNeed, visitID bson.ObjectID, now time.Time) error {
	return s.changeLedger(ctx, need, now, func(l *slotLedger) error {
		l.Entries = slices.DeleteFunc(l.Entries, func(e slotEntry) bool { return e.VisitID == visitID || !e.live(now) })
		return nil
	})
}

// changeLedger reads a session's ledger (creating it empty when missing),
// applies change and writes it back at its version, retrying when another
// writer got there first.
func (s *Store) changeLedger(ctx context.Context, need slotNeed, now time.Time, change func(*slotLedger) error) error {
	defer s.writes.ledgers.Add(1) // the cached ledgers are reloaded (readcache.go)
	col := s.db.Collection(colSlots)
	for attempt := 0; attempt < maxLedgerAttempts; attempt++ {
		var l slotLedger
		err := col.FindOne(ctx, bson.D{{Key: "_id", Value: need.key()}}).Decode(&l)
		if errors.Is(err, mongo.ErrNoDocuments) {
			l = slotLedger{ID: need.key(), Date: need.Date, SessionID: need.SessionID, Entries: []slotEntry{}, Version: 1}
			if _, err := col.InsertOne(ctx, l); err != nil && !isDuplicateKey(err) {
				return err
			}
			continue // read it back, whoever created it
		}
		if err != nil {
			return err
		}
		if err := change(&l); err != nil {
			return err
		}
		err = s.updateVersioned(ctx, colSlots, l.ID, l.Version, bson.D{{Key: "entries", Value: l.Entries}}, now)
		if !errors.Is(err, ErrConflict) {
			return err
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
	return errClaimsExhausted
}

// backoff waits a little, longer as attempts grow, with jitter so that
// contending writers spread out.
func backoff(ctx context.Context, attempt int) error {
	ceiling := time.Duration(min(attempt+1, 20)) * time.Millisecond
	t := time.NewTimer(time.Duration(rand.Int64N(int64(ceiling))))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// takeKey reserves a room or escort for the visit. Holding it already is
// fine; a reservation left by a crashed writer for a visit that no longer
// needs it is taken over.
func (s *Store) takeKey(ctx context.Context, key string, visitID bson.ObjectID, now time.Time) error {
	col := s.db.Collection(colReservations)
	for attempt := 0; attempt < 3; attempt++ {
		slot := key[strings.LastIndex(key, ":")+1:]
		_, err := col.InsertOne(ctx, reservation{ID: key, Slot: slot, VisitID: visitID, At: now.UTC()})
		if err == nil {
			return nil
		}
		if !isDuplicateKey(err) {
			return err
		}
		var held reservation
		if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&held); err != nil {
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue // freed in between
			}
			return err
		}
		if held.VisitID == visitID {
			return nil
		}
		return keyTaken(key)
	}
	return keyTaken(key)
}

func keyTaken(key string) error {
	if strings.HasPrefix(key, "room:") {
		return ErrRoomTaken
	}
	return ErrEscortBusy
}

// releaseKey frees a reservation, only if this visit holds it. The owner
// is checked by a read and the delete filters on _id alone (the embedded
// engine reads the whole collection for any other filter); a claim on the
// release keeps two releasers from both passing the check while a third
// takes the key in between.
func (s *Store) releaseKey(ctx context.Context, key string, visitID bson.ObjectID) error {
	col := s.db.Collection(colReservations)
	claim := "v:" + colReservations + "/" + key + "@release"
	for attempt := 0; ; attempt++ {
		err := s.Claim(ctx, claim, time.Now())
		if err == nil {
			break
		}
		if !errors.Is(err, ErrConflict) || attempt == maxLedgerAttempts {
			return err
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
	defer s.Release(context.WithoutCancel(ctx), claim)
	var held reservation
	err := col.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&held)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && held.VisitID != visitID) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = col.DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
	return err
}

// Bookings lists what occupies sessions between two times, from the
// ledgers: approved visits and live holds of counter-offers.
//
// The ledgers are read whole and kept for a moment (readcache.go): the
// public calendar and every tracking page ask, and on the embedded engine
// a query on dates reads the collection anyway.
func (s *Store) Bookings(ctx context.Context, from, to, now time.Time) ([]Booking, error) {
	ledgers, err := s.caches.ledgers.get(&s.writes.ledgers, func() ([]slotLedger, error) {
		cur, err := s.db.Collection(colSlots).Find(ctx, bson.D{})
		if err != nil {
			return nil, err
		}
		var ledgers []slotLedger
		err = cur.All(ctx, &ledgers)
		return ledgers, err
	})
	if err != nil {
		return nil, err
	}
	first, end := DateKey(from), DateKey(to)
	var out []Booking
	for _, l := range ledgers {
		if l.Date < first || l.Date >= end {
			continue
		}
		for _, e := range l.Entries {
			if e.live(now) {
				out = append(out, Booking{Date: l.Date, SessionID: l.SessionID, Participants: e.Participants, VisitID: e.VisitID, Held: !e.HeldUntil.IsZero()})
			}
		}
	}
	return out, nil
}

// ReservationKeys lists the room and escort reservations held by visits,
// for tests and the reconciliation.
func (s *Store) ReservationKeys(ctx context.Context) (map[string]bson.ObjectID, error) {
	cur, err := s.db.Collection(colReservations).Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	var rs []reservation
	if err := cur.All(ctx, &rs); err != nil {
		return nil, err
	}
	out := make(map[string]bson.ObjectID, len(rs))
	for _, r := range rs {
		out[r.ID] = r.VisitID
	}
	return out, nil
}

// ReconcileReservations removes reservations and ledger entries that no
// visit needs any more: what a writer left behind when it crashed between
// taking a reservation and saving the visit, or between saving and freeing.
// Only entries older than staleClaimAge are touched, so writers in flight
// are left alone. It returns how many it removed.
func (s *Store) ReconcileReservations(ctx context.Context, loc *time.Location, now time.Time) (int, error) {
	cutoff := now.Add(-staleClaimAge)
	needed := map[bson.ObjectID]visitNeeds{}
	needsOf := func(id bson.ObjectID) (visitNeeds, error) {
		if n, ok := needed[id]; ok {
			return n, nil
		}
		v, err := s.findVisitProjected(ctx, id)
		if errors.Is(err, ErrNotFound) {
			needed[id] = visitNeeds{}
			return visitNeeds{}, nil
		}
		if err != nil {
			return visitNeeds{}, err
		}
		n := reservationsOf(v, loc)
		needed[id] = n
		return n, nil
	}
	removed := 0
	cur, err := s.db.Collection(colReservations).Find(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}}})
	if err != nil {
		return 0, err
	}
	var rs []reservation
	if err := cur.All(ctx, &rs); err != nil {
		return 0, err
	}
	for _, r := range rs {
		n, err := needsOf(r.VisitID)
		if err != nil {
			return removed, err
		}
		if !slices.Contains(n.Keys, r.ID) {
			if err := s.releaseKey(ctx, r.ID, r.VisitID); err != nil {
				return removed, err
			}
			removed++
		}
	}
	// Past sessions cannot be booked any more, so only coming ones matter.
	cur, err = s.db.Collection(colSlots).Find(ctx, bson.D{{Key: "date", Value: bson.D{{Key: "$gte", Value: DateKey(now.In(loc).AddDate(0, 0, -1))}}}})
	if err != nil {
		return removed, err
	}
	var ledgers []slotLedger
	if err := cur.All(ctx, &ledgers); err != nil {
		return removed, err
	}
	for _, l := range ledgers {
		for _, e := range l.Entries {
			if !e.At.Before(cutoff) {
				continue
			}
			n, err := needsOf(e.VisitID)
			if err != nil {
				return removed, err
			}
			if _, ok := findSlot(n.Slots, l.ID); !ok {
				if err := s.removeSlotEntry(ctx, slotNeed{Date: l.Date, SessionID: l.SessionID}, e.VisitID, now); err != nil {
					return removed, err
				}
				removed++
			}
		}
	}
	return removed, nil
}

// findVisitProjected reads what reservationsOf needs of a visit.
func (s *Store) findVisitProjected(ctx context.Context, id bson.ObjectID) (*Visit, error) {
	var v Visit
	err := s.db.Collection(colVisits).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: "history", Value: 0}, {Key: "roster", Value: 0}})).Decode(&v)
	if err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

// StillBookedError says that new host settings would drop rooms or
// sessions that coming visits or held offers occupy.
type StillBookedError struct {
	Rooms    []string // room IDs
	Sessions []string // "2026-03-05 pagi"
}

func (e *StillBookedError) Error() string {
	return "masih dipakai kunjungan mendatang: " + strings.Join(append(slices.Clone(e.Rooms), e.Sessions...), ", ")
}

// CheckSettingsKeepBookings refuses settings that remove a room or a
// session still booked from today on: those visits must be moved first.
func (s *Store) CheckSettingsKeepBookings(ctx context.Context, next HostSettings, now time.Time, loc *time.Location) error {
	today := DateKey(now.In(loc))
	e := &StillBookedError{}
	cur, err := s.db.Collection(colReservations).Find(ctx, bson.D{{Key: "slot", Value: bson.D{{Key: "$gte", Value: today}}}})
	if err != nil {
		return err
	}
	var rs []reservation
	if err := cur.All(ctx, &rs); err != nil {
		return err
	}
	for _, r := range rs {
		kind, rest, _ := strings.Cut(r.ID, ":")
		room := strings.TrimSuffix(rest, ":"+r.Slot)
		if _, ok := next.RoomByID(room); kind == "room" && !ok && !slices.Contains(e.Rooms, room) {
			e.Rooms = append(e.Rooms, room)
		}
	}
	cur, err = s.db.Collection(colSlots).Find(ctx, bson.D{{Key: "date", Value: bson.D{{Key: "$gte", Value: today}}}})
	if err != nil {
		return err
	}
	var ledgers []slotLedger
	if err := cur.All(ctx, &ledgers); err != nil {
		return err
	}
	for _, l := range ledgers {
		day, err := ParseDateKey(l.Date, loc)
		if err != nil || !slices.ContainsFunc(l.Entries, func(en slotEntry) bool { return en.live(now) }) {
			continue
		}
		if _, ok := next.SessionByID(day, l.SessionID); !ok {
			e.Sessions = append(e.Sessions, l.Date+" "+l.SessionID)
		}
	}
	if len(e.Rooms) > 0 || len(e.Sessions) > 0 {
		return e
	}
	return nil
}
