package models

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// VisitSession is one visit slot of the host's week, in the host's zone.
type VisitSession struct {
	ID    string `bson:"id"`    // "pagi", "siang": stable, used in forms and bookings
	Start string `bson:"start"` // "09.00"
	End   string `bson:"end"`   // "12.00"
}

// clock parses "09.00" into hours and minutes.
func (s VisitSession) clock(v string) (int, int) {
	t, err := time.Parse("15.04", v)
	if err != nil {
		return 0, 0
	}
	return t.Hour(), t.Minute()
}

// On returns the session's start and end on the civil date of day in loc.
func (s VisitSession) On(day time.Time, loc *time.Location) (time.Time, time.Time) {
	sh, sm := s.clock(s.Start)
	eh, em := s.clock(s.End)
	y, m, d := day.Date()
	return time.Date(y, m, d, sh, sm, 0, 0, loc), time.Date(y, m, d, eh, em, 0, 0, loc)
}

// Blackout closes a range of dates (inclusive) for a reason the public sees.
type Blackout struct {
	From   string `bson:"from"` // "2026-07-01"
	To     string `bson:"to"`
	Reason string `bson:"reason"`
}

// HostSettings are the host's rules for receiving visits. The settings
// issue makes them editable by admins; until then DefaultHostSettings apply.
type HostSettings struct {
	// Weekly sessions by weekday (time.Weekday as index 0=Sunday…6=Saturday).
	// Stored by MarshalBSON as a list of days (settings_store.go): FerretDB
	// v1 cannot store an array of arrays.
	Weekly [7][]VisitSession `bson:"-"`
	// SaturdaySessions are offered on the Saturdays listed in OpenSaturdays.
	SaturdaySessions []VisitSession `bson:"saturday_sessions"`
	OpenSaturdays    []string       `bson:"open_saturdays"`
	// Capacity of one session.
	MaxDelegations  int `bson:"max_delegations"`
	MaxParticipants int `bson:"max_participants"`
	// NearlyFullAt: a session with at most this many participant places
	// left is shown as nearly full.
	NearlyFullAt int `bson:"nearly_full_at"`
	// Booking window in working days from today.
	MinNoticeDays int `bson:"min_notice_days"`
	HorizonDays   int `bson:"horizon_days"`
	// RosterDeadlineDays: the roster can be changed until this many working
	// days before the visit.
	RosterDeadlineDays int        `bson:"roster_deadline_days"`
	Blackouts          []Blackout `bson:"blackouts"`
	Topics             []string   `bson:"topics"`
	// Rooms where delegations are received.
	Rooms []Room `bson:"rooms"`
	// AgendaTemplate is the default programme of a visit, one item per line.
	AgendaTemplate []string `bson:"agenda_template"`
	// OfferHoldDays: how many calendar days a counter-offer holds its slots.
	OfferHoldDays int   `bson:"offer_hold_days"`
	Version       int64 `bson:"version"`
}

// Room is a meeting room of the host. ID is stable (reservations use it).
type Room struct {
	ID       string `bson:"id"`
	Name     string `bson:"name"`
	Capacity int    `bson:"capacity"`
}

// RoomByID finds a room.
func (h HostSettings) RoomByID(id string) (Room, bool) {
	for _, r := range h.Rooms {
		if r.ID == id {
			return r, true
		}
	}
	return Room{}, false
}

// DefaultHostSettings follow Badung's office hours (Keputusan Bupati
// 1627/053/HK/2022: Mon–Thu 08.00–16.00, Fri 06.30–12.00 WITA) and the
// practice of other MPPs: letters at least 3 working days ahead, at most 60
// participants, one delegation per session.
func DefaultHostSettings() HostSettings {
	monThu := []VisitSession{{ID: "pagi", Start: "09.00", End: "12.00"}, {ID: "siang", Start: "13.00", End: "15.30"}}
	return HostSettings{
		Weekly: [7][]VisitSession{
			time.Monday: monThu, time.Tuesday: monThu, time.Wednesday: monThu, time.Thursday: monThu,
			time.Friday: {{ID: "pagi", Start: "08.30", End: "11.30"}},
		},
		SaturdaySessions:   []VisitSession{{ID: "pagi", Start: "09.00", End: "12.00"}},
		MaxDelegations:     1,
		MaxParticipants:    60,
		NearlyFullAt:       10,
		MinNoticeDays:      3,
		HorizonDays:        120,
		RosterDeadlineDays: 2,
		Topics: []string{
			"Perizinan dan investasi", "Pembentukan MPP", "MPP digital",
			"Integrasi OSS", "Pengelolaan tenant", "SKM dan pengaduan",
		},
		Rooms: []Room{
			{ID: "aula", Name: "Aula MPP Lantai 2", Capacity: 80},
			{ID: "rapat", Name: "Ruang Rapat DPMPTSP", Capacity: 30},
		},
		AgendaTemplate: []string{
			"Penyambutan", "Paparan profil MPP Badung", "Tanya jawab",
			"Peninjauan loket dan tenant", "Foto bersama",
		},
		OfferHoldDays: 5,
	}
}

// SessionsOn returns the sessions offered on the civil date of day.
func (h HostSettings) SessionsOn(day time.Time) []VisitSession {
	if day.Weekday() == time.Saturday {
		key := DateKey(day)
		for _, d := range h.OpenSaturdays {
			if d == key {
				return h.SaturdaySessions
			}
		}
		return nil
	}
	return h.Weekly[day.Weekday()]
}

// SessionByID finds a session offered on day by its ID.
func (h HostSettings) SessionByID(day time.Time, id string) (VisitSession, bool) {
	for _, s := range h.SessionsOn(day) {
		if s.ID == id {
			return s, true
		}
	}
	return VisitSession{}, false
}

// BlackoutOn returns the blackout covering the civil date of day.
func (h HostSettings) BlackoutOn(day time.Time) (Blackout, bool) {
	key := DateKey(day)
	for _, b := range h.Blackouts {
		if b.From <= key && key <= b.To {
			return b, true
		}
	}
	return Blackout{}, false
}

// HostSettings loads the stored settings, or the defaults before an admin
// has saved any.
func (s *Store) HostSettings(ctx context.Context) (HostSettings, error) {
	hs, err := s.caches.settings.get(&s.writes.settings, func() (HostSettings, error) { return s.readHostSettings(ctx) })
	hs.cloneLists() // callers may change their copy
	return hs, err
}

func (s *Store) readHostSettings(ctx context.Context) (HostSettings, error) {
	var doc struct {
		Settings HostSettings `bson:"settings"`
	}
	err := s.db.Collection(colSettings).FindOne(ctx, bson.D{{Key: "_id", Value: "host"}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return DefaultHostSettings(), nil
	}
	if err != nil {
		return HostSettings{}, err
	}
	return doc.Settings, nil
}
