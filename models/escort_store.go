package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RecentWindow is how far back assignments count for fairness when escorts
// are ranked.
const RecentWindow = 90 * 24 * time.Hour

// EscortProfile loads the profile of the escort userID, or the zero profile
// (version 0, UserID set) when none has been saved yet.
func (s *Store) EscortProfile(ctx context.Context, userID bson.ObjectID) (*EscortProfile, error) {
	var p EscortProfile
	err := s.db.Collection(colEscorts).FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&p)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return &EscortProfile{UserID: userID}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: escort profile: %w", err)
	}
	return &p, nil
}

// SaveEscortProfile validates p against the host's topics and saves all of
// it, provided nobody saved the profile since p.Version was read. On success
// p.Version is the new version. Validation errors are *ValidationError.
func (s *Store) SaveEscortProfile(ctx context.Context, p *EscortProfile, now time.Time) error {
	host, err := s.HostSettings(ctx)
	if err != nil {
		return err
	}
	if err := p.Validate(host.Topics); err != nil {
		return err
	}
	return s.saveEscortProfile(ctx, p, bson.D{
		{Key: "unit", Value: p.Unit},
		{Key: "topics", Value: profileList(p.Topics)},
		{Key: "languages", Value: profileList(p.Languages)},
		{Key: "leave", Value: profileLeave(p.Leave)},
	}, now)
}

// SaveEscortLeave saves only p.Leave (an escort editing their own leave),
// with the same version rule as SaveEscortProfile. The other fields of p
// are written only when the profile did not exist yet.
func (s *Store) SaveEscortLeave(ctx context.Context, p *EscortProfile, now time.Time) error {
	if err := p.ValidateLeave(); err != nil {
		return err
	}
	return s.saveEscortProfile(ctx, p, bson.D{{Key: "leave", Value: profileLeave(p.Leave)}}, now)
}

// saveEscortProfile writes set at p.Version+1. Version 0 means the profile
// was never stored: it is inserted with the user's ID as _id, so of two
// concurrent first saves exactly one succeeds and the other gets
// ErrConflict, as a stale versioned update does.
func (s *Store) saveEscortProfile(ctx context.Context, p *EscortProfile, set bson.D, now time.Time) error {
	if p.UserID.IsZero() {
		return errors.New("store: escort profile without user")
	}
	now = now.UTC()
	if p.Version == 0 {
		doc := *p
		doc.Topics, doc.Languages, doc.Leave = profileList(p.Topics), profileList(p.Languages), profileLeave(p.Leave)
		doc.Version, doc.UpdatedAt = 1, now
		if _, err := s.db.Collection(colEscorts).InsertOne(ctx, doc); err != nil {
			if isDuplicateKey(err) {
				return ErrConflict
			}
			return fmt.Errorf("store: insert escort profile: %w", err)
		}
		p.Version, p.UpdatedAt = 1, now
		return nil
	}
	set = append(set, bson.E{Key: "updated_at", Value: now})
	if err := s.updateVersioned(ctx, colEscorts, p.UserID, p.Version, set, now); err != nil {
		// The profile was read at a version but is gone: somebody else's
		// view of it is no longer the stored one either way.
		if errors.Is(err, ErrNotFound) {
			return ErrConflict
		}
		return err
	}
	p.Version++
	p.UpdatedAt = now
	return nil
}

// Escorts returns every active escort account with its profile, sorted by
// name. Two queries whatever the number of escorts: the accounts, then
// their profiles.
func (s *Store) Escorts(ctx context.Context) ([]Escort, error) {
	cur, err := s.db.Collection(colUsers).Find(ctx,
		bson.D{{Key: "role", Value: RoleEscort}, {Key: "active", Value: true}},
		options.Find().SetSort(bson.D{{Key: "name", Value: 1}}).
			SetProjection(bson.D{{Key: "name", Value: 1}, {Key: "email", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("store: escorts: %w", err)
	}
	var users []User
	if err := cur.All(ctx, &users); err != nil {
		return nil, fmt.Errorf("store: escorts: %w", err)
	}
	if len(users) == 0 {
		return nil, nil
	}
	ids := make([]bson.ObjectID, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	cur, err = s.db.Collection(colEscorts).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, fmt.Errorf("store: escort profiles: %w", err)
	}
	var profiles []EscortProfile
	if err := cur.All(ctx, &profiles); err != nil {
		return nil, fmt.Errorf("store: escort profiles: %w", err)
	}
	byID := make(map[bson.ObjectID]EscortProfile, len(profiles))
	for _, p := range profiles {
		byID[p.UserID] = p
	}
	out := make([]Escort, len(users))
	for i, u := range users {
		p, ok := byID[u.ID]
		if !ok {
			p = EscortProfile{UserID: u.ID}
		}
		out[i] = Escort{ID: u.ID, Name: u.Name, Email: u.Email, Profile: p}
	}
	return out, nil
}

// EscortOptions ranks the active escorts for a visit on date (a DateKey in
// loc) in session sessionID about topics (see RankEscorts). exclude is the
// visit being decided: its own escorts are neither busy with it nor
// charged with it.
//
// Busy: escorts of the other approved visits of that civil day whose
// session is sessionID. Recent: assignments in approved or completed visits
// that start from RecentWindow before now onwards — upcoming ones included,
// because a coordinator approving several visits in a row would otherwise
// give them all to the same best-ranked escort.
func (s *Store) EscortOptions(ctx context.Context, date string, sessionID string, topics []string, exclude bson.ObjectID, now time.Time, loc *time.Location) ([]EscortOption, error) {
	day, err := ParseDateKey(date, loc)
	if err != nil {
		v := &ValidationError{}
		v.Add("date", "err.date")
		return nil, v
	}
	escorts, err := s.Escorts(ctx)
	if err != nil {
		return nil, err
	}
	// The index on (status, start) serves both queries; the session is
	// matched here because a day has only a handful of visits.
	sameDay, err := s.visitAssignments(ctx, []VisitStatus{StatusApproved}, day, day.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	busy := map[bson.ObjectID]bool{}
	for _, v := range sameDay {
		if v.ID == exclude || v.SessionID != sessionID {
			continue
		}
		for _, id := range v.EscortIDs {
			busy[id] = true
		}
	}
	window, err := s.visitAssignments(ctx, []VisitStatus{StatusApproved, StatusCompleted}, now.Add(-RecentWindow), time.Time{})
	if err != nil {
		return nil, err
	}
	recent := map[bson.ObjectID]int{}
	for _, v := range window {
		if v.ID == exclude {
			continue
		}
		for _, id := range v.EscortIDs {
			recent[id]++
		}
	}
	return RankEscorts(escorts, busy, recent, topics, date), nil
}

// UpcomingAssignments counts, per escort, the approved visits that start at
// or after now: the workload the escort list shows.
func (s *Store) UpcomingAssignments(ctx context.Context, now time.Time) (map[bson.ObjectID]int, error) {
	visits, err := s.visitAssignments(ctx, []VisitStatus{StatusApproved}, now, time.Time{})
	if err != nil {
		return nil, err
	}
	counts := map[bson.ObjectID]int{}
	for _, v := range visits {
		for _, id := range v.EscortIDs {
			counts[id]++
		}
	}
	return counts, nil
}

// visitAssignments loads the ID, session and escorts of the visits with one
// of statuses whose start is in [from, to) (to zero: no upper bound).
func (s *Store) visitAssignments(ctx context.Context, statuses []VisitStatus, from, to time.Time) ([]Visit, error) {
	visits, err := s.visitsWhere(ctx, func(v *Visit) bool {
		return slices.Contains(statuses, v.Status) && !v.Start.Before(from) && (to.IsZero() || v.Start.Before(to))
	})
	if err != nil {
		return nil, fmt.Errorf("store: visit assignments: %w", err)
	}
	return visits, nil
}

// profileList stores an empty list as [] rather than null, so that documents
// look the same whether or not a list was ever filled.
func profileList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func profileLeave(s []Leave) []Leave {
	if s == nil {
		return []Leave{}
	}
	return s
}
