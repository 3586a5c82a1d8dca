package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The survey link of a completed visit and the rules of who may answer.
//
// The link's token is the visit's id followed by an HMAC of
// "survey:"+SubmissionKey under the server key that also derives tracking
// tokens. Nothing new is stored on the visit: the id finds it, the MAC
// proves the link was made by the server (and differs from the tracking
// token, so the survey link grants nothing on the tracking page). Visits
// completed before the survey existed get a working link too.

// SurveyWindow is how long after the visit answers are accepted.
const SurveyWindow = 90 * 24 * time.Hour

// SurveyTextMax bounds the comment and the suggestion (in characters).
const SurveyTextMax = 2000

// ErrSurveyFull means every participant of the visit has answered.
var ErrSurveyFull = errors.New("survei: semua peserta sudah menjawab")

// SurveyToken derives the survey link's token of a visit.
func SurveyToken(serverKey []byte, visitID bson.ObjectID, submissionKey string) string {
	return visitID.Hex() + surveyMAC(serverKey, submissionKey)
}

func surveyMAC(serverKey []byte, submissionKey string) string {
	mac := hmac.New(sha256.New, serverKey)
	mac.Write([]byte("survey:" + submissionKey))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18]) // 144 bits
}

// VisitBySurveyToken finds the visit of a survey link; a malformed, forged
// or unknown token is ErrNotFound, without saying which.
func (s *Store) VisitBySurveyToken(ctx context.Context, serverKey []byte, token string) (*Visit, error) {
	id, mac, ok := splitSurveyToken(token)
	if !ok {
		return nil, ErrNotFound
	}
	v, err := s.VisitByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !surveyMACValid(serverKey, v.SubmissionKey, mac) {
		return nil, ErrNotFound
	}
	return v, nil
}

// surveyTokenLength: 24 hex digits of the visit id and 24 characters of MAC.
const surveyTokenLength = 48

// splitSurveyToken takes a survey link's token apart into the visit id and
// the MAC, without any lookup; ok is false for a malformed token.
func splitSurveyToken(token string) (id bson.ObjectID, mac string, ok bool) {
	if len(token) != surveyTokenLength {
		return id, "", false
	}
	id, err := bson.ObjectIDFromHex(token[:24])
	if err != nil {
		return id, "", false
	}
	return id, token[24:], true
}

// surveyMACValid checks a token's MAC in constant time.
func surveyMACValid(serverKey []byte, submissionKey, mac string) bool {
	return hmac.Equal([]byte(mac), []byte(surveyMAC(serverKey, submissionKey)))
}

// SurveyLimit is how many answers a visit accepts: one per participant.
func SurveyLimit(v *Visit) int { return max(1, v.Participants) }

// SurveyClosed says why a visit's survey does not accept an answer now
// (a catalogue key), or "" when it does: only completed visits, at most
// one answer per participant, and until SurveyWindow after the visit.
func SurveyClosed(v *Visit, answers int, now time.Time) string {
	if v.Status != StatusCompleted {
		return "survey.closed.not_completed"
	}
	end := v.End
	if end.IsZero() {
		end = v.Start
	}
	if !end.IsZero() && now.After(end.Add(SurveyWindow)) {
		return "survey.closed.expired"
	}
	if answers >= SurveyLimit(v) {
		return "survey.closed.full"
	}
	return ""
}

// SurveyInput is the survey form as typed: per element the chosen option
// ("1"–"4"), in SKMElementKeys order.
type SurveyInput struct {
	Answers    [SKMElements]string
	Comment    string
	Suggestion string
}

// SurveyField is the form field of an element.
func SurveyField(key string) string { return "q_" + key }

// Validate checks the input: every element answered 1–4, texts at most
// SurveyTextMax characters. Field messages are catalogue keys.
func (in SurveyInput) Validate() (SKMScores, error) {
	var scores SKMScores
	ve := &ValidationError{}
	for i, key := range skmElementKeys {
		n, err := strconv.Atoi(strings.TrimSpace(in.Answers[i]))
		if err != nil || n < 1 || n > 4 {
			ve.Add(SurveyField(key), "survey.err.choose")
			continue
		}
		scores[i] = n
	}
	if utf8.RuneCountInString(in.Comment) > SurveyTextMax {
		ve.Add("comment", "err.too_long")
	}
	if utf8.RuneCountInString(in.Suggestion) > SurveyTextMax {
		ve.Add("suggestion", "err.too_long")
	}
	return scores, ve.Err()
}

// SubmitSurveyResponse stores an answer about v unless every participant
// has answered already (ErrSurveyFull). FerretDB has no transactions, so
// "count, then insert" would let two simultaneous answers pass the limit:
// each answer first takes the claim of its seat ("survey:<visit>:<n>"),
// and only the seats 1…limit exist.
func (s *Store) SubmitSurveyResponse(ctx context.Context, v *Visit, r *SurveyResponse, now time.Time) error {
	existing, err := s.SurveyResponsesFor(ctx, v.ID)
	if err != nil {
		return err
	}
	for seat := len(existing) + 1; seat <= SurveyLimit(v); seat++ {
		key := "survey:" + v.ID.Hex() + ":" + strconv.Itoa(seat)
		err := s.Claim(ctx, key, now)
		if errors.Is(err, ErrConflict) {
			continue // someone else took this seat a moment ago
		}
		if err != nil {
			return err
		}
		r.VisitID, r.VisitStart, r.At = v.ID, v.Start, now
		if err := s.InsertSurveyResponse(ctx, r); err != nil {
			_ = s.Release(ctx, key)
			return err
		}
		return nil
	}
	return ErrSurveyFull
}
