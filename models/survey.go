package models

import (
	"cmp"
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// colSurveys holds the answers to the satisfaction survey, one document per
// respondent. Several participants of one delegation may answer (up to the
// participant count), through the visit's survey link.
const colSurveys = "surveys"

// SurveyResponse is one respondent's answers.
type SurveyResponse struct {
	ID         bson.ObjectID `bson:"_id"`
	VisitID    bson.ObjectID `bson:"visit_id"`
	VisitStart time.Time     `bson:"visit_start"` // copied, so periods need no join
	Scores     SKMScores     `bson:"scores"`
	Comment    string        `bson:"comment,omitempty"`
	Suggestion string        `bson:"suggestion,omitempty"`
	At         time.Time     `bson:"at"`
}

// InsertSurveyResponse stores an answer as it is; the caller validated it
// and checked the visit's respondent limit.
func (s *Store) InsertSurveyResponse(ctx context.Context, r *SurveyResponse) error {
	if r.ID.IsZero() {
		r.ID = bson.NewObjectID()
	}
	r.At, r.VisitStart = r.At.UTC(), r.VisitStart.UTC()
	if _, err := s.db.Collection(colSurveys).InsertOne(ctx, r); err != nil {
		return err
	}
	s.surveySaved(ctx, r, r.At)
	return nil
}

// SurveyResponsesFor lists the answers of one visit, in the order given.
func (s *Store) SurveyResponsesFor(ctx context.Context, visitID bson.ObjectID) ([]SurveyResponse, error) {
	return s.findSurveys(ctx, func(r *SurveyResponse) bool { return r.VisitID == visitID })
}

// SurveyResponsesBetween lists the answers about visits that started in
// [from, to).
func (s *Store) SurveyResponsesBetween(ctx context.Context, from, to time.Time) ([]SurveyResponse, error) {
	return s.findSurveys(ctx, func(r *SurveyResponse) bool {
		return !r.VisitStart.Before(from) && r.VisitStart.Before(to)
	})
}

func (s *Store) findSurveys(ctx context.Context, keep func(*SurveyResponse) bool) ([]SurveyResponse, error) {
	out, err := s.surveysWhere(ctx, keep)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b SurveyResponse) int {
		return cmp.Or(a.At.Compare(b.At), compareIDs(a.ID, b.ID))
	})
	return out, nil
}

// Scores extracts the scores of responses for ComputeIKM.
func Scores(responses []SurveyResponse) []SKMScores {
	out := make([]SKMScores, len(responses))
	for i, r := range responses {
		out[i] = r.Scores
	}
	return out
}
