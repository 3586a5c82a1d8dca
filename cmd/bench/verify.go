package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// bookingCheck is the verdict on the approvals: what the load was told,
// what the store holds, and every way in which a session, room or escort
// was given out more often than it exists.
type bookingCheck struct {
	Ran               bool
	Pool              int
	Approved, Refused int64 // answers: 303 and 409
	StoredApproved    int   // pool requests approved in the store
	StillPending      int
	Sessions          int // sessions of the approval range with an approved visit
	Violations        []string
	// Leftovers are ledger entries and reservations held for a visit that
	// is not approved there: what a write that failed half-way (a store
	// timeout under load) left behind. They block, never over-book, and
	// ReconcileReservations (run by the app every minute) releases them.
	Leftovers           int
	MaxDelegations, Cap int
}

// OK is true when nothing is over-booked and no approval the load was
// told about is missing from the store.
func (b *bookingCheck) OK() bool { return len(b.Violations) == 0 }

// checkBookings reads back the approval range: the session ledgers against
// the capacity (delegations and participants), the approved visits per
// session, room and escort, and each request of the pool against its
// ledger entry and reservations.
func checkBookings(ctx context.Context, st *models.Store, s *seeded, r *result, now time.Time, loc *time.Location) (*bookingCheck, error) {
	b := &bookingCheck{Ran: true, Pool: len(s.Pool), Approved: r.Outcomes["approved"], Refused: r.Outcomes["refused"],
		MaxDelegations: s.Settings.MaxDelegations, Cap: s.Settings.MaxParticipants}
	bad := func(format string, a ...any) {
		if len(b.Violations) < 20 {
			b.Violations = append(b.Violations, fmt.Sprintf(format, a...))
		} else if len(b.Violations) == 20 {
			b.Violations = append(b.Violations, "…")
		}
	}

	// The ledgers: firm entries (approved visits) against the capacity.
	bookings, err := st.Bookings(ctx, s.From, s.To, now)
	if err != nil {
		return nil, err
	}
	type load struct{ delegations, participants int }
	ledger := map[string]*load{}
	inLedger := map[bson.ObjectID]string{}
	for _, bk := range bookings {
		if bk.Held {
			continue
		}
		key := bk.Date + "/" + bk.SessionID
		if ledger[key] == nil {
			ledger[key] = &load{}
		}
		ledger[key].delegations++
		ledger[key].participants += bk.Participants
		inLedger[bk.VisitID] = key
	}
	for key, l := range ledger {
		if l.delegations > s.Settings.MaxDelegations || l.participants > s.Settings.MaxParticipants {
			bad("ledger %s: %d delegations, %d participants (capacity %d, %d)", key, l.delegations, l.participants,
				s.Settings.MaxDelegations, s.Settings.MaxParticipants)
		}
	}

	// The visits: approved ones per session, room and escort.
	approved, err := st.ApprovedStartingBetween(ctx, s.From, s.To)
	if err != nil {
		return nil, err
	}
	perSession := map[string]int{}
	taken := map[string]bson.ObjectID{}
	approvedAt := map[bson.ObjectID]string{}
	for _, v := range approved {
		key := models.DateKey(v.Start.In(loc)) + "/" + v.SessionID
		approvedAt[v.ID] = key
		perSession[key]++
		use := func(what string) {
			if other, ok := taken[what]; ok && other != v.ID {
				bad("%s given to two visits: %s and %s", what, other.Hex(), v.ID.Hex())
			}
			taken[what] = v.ID
		}
		use("room " + v.RoomID + " in " + key)
		for _, e := range v.EscortIDs {
			use("escort " + e.Hex() + " in " + key)
		}
		if inLedger[v.ID] != key {
			bad("approved visit %s in %s has no ledger entry there", v.ID.Hex(), key)
		}
	}
	b.Sessions = len(perSession)
	for key, n := range perSession {
		if n > s.Settings.MaxDelegations {
			bad("session %s: %d approved visits (capacity %d)", key, n, s.Settings.MaxDelegations)
		}
	}
	for id, key := range inLedger {
		if approvedAt[id] != key {
			b.Leftovers++
		}
	}

	// The pool: each approval stored with its reservations; the refused
	// ones still pending.
	keys, err := st.ReservationKeys(ctx)
	if err != nil {
		return nil, err
	}
	from, to := models.DateKey(s.From), models.DateKey(s.To)
	for k, id := range keys {
		slot := k[strings.LastIndex(k, ":")+1:]
		if slot >= from && slot < to && approvedAt[id] != slot {
			b.Leftovers++
		}
	}
	for _, p := range s.Pool {
		v, err := st.VisitByID(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		slot := p.Slot.Date + "/" + p.Slot.SessionID
		switch v.Status {
		case models.StatusApproved:
			b.StoredApproved++
			if approvedAt[v.ID] != slot {
				bad("request %s approved outside its session %s", v.ID.Hex(), slot)
			}
			for _, k := range append([]string{"room:" + v.RoomID + ":" + slot}, escortKeys(v.EscortIDs, slot)...) {
				if keys[k] != v.ID {
					bad("reservation %s is not held by its approved visit %s", k, v.ID.Hex())
				}
			}
		case models.StatusSubmitted:
			b.StillPending++
		default:
			bad("request %s ended as %s", v.ID.Hex(), v.Status)
		}
	}
	if int64(b.StoredApproved) < b.Approved {
		bad("%d approvals answered 303 but only %d stored", b.Approved, b.StoredApproved)
	}
	return b, nil
}

func escortKeys(ids []bson.ObjectID, slot string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, "escort:"+id.Hex()+":"+slot)
	}
	return out
}
