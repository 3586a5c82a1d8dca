package models_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

func TestSurveyTokenFindsOnlyItsVisit(t *testing.T) {
	st := server.Open(t)
	key := []byte("kunci-server-uji")
	v := &models.Visit{ID: bson.NewObjectID(), Code: "ST-2026-0901", Status: models.StatusCompleted, Participants: 2,
		TrackingHash: "h-survei", SubmissionKey: "k-survei"}
	if err := st.InsertVisit(ctx(t), v); err != nil {
		t.Fatal(err)
	}
	token := models.SurveyToken(key, v.ID, v.SubmissionKey)
	if token != models.SurveyToken(key, v.ID, v.SubmissionKey) || len(token) != 48 {
		t.Fatalf("token %q is not stable or not 48 characters", token)
	}
	if got, err := st.VisitBySurveyToken(ctx(t), key, token); err != nil || got.ID != v.ID {
		t.Fatalf("lookup: %v", err)
	}
	forged := token[:24] + strings.Repeat("A", 24)
	for _, bad := range []string{forged, token[:47], "", models.SurveyToken([]byte("kunci-lain"), v.ID, v.SubmissionKey),
		models.TrackingToken(key, v.SubmissionKey)} {
		if _, err := st.VisitBySurveyToken(ctx(t), key, bad); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("token %q: %v, want ErrNotFound", bad, err)
		}
	}
}

func TestSurveyInputValidation(t *testing.T) {
	in := models.SurveyInput{Answers: [9]string{"4", "3", "2", "1", "4", "3", "", "5", "x"}, Comment: strings.Repeat("é", 2001)}
	_, err := in.Validate()
	ve, ok := models.AsValidation(err)
	if !ok {
		t.Fatalf("want a validation error, got %v", err)
	}
	for _, f := range []string{"q_perilaku", "q_pengaduan", "q_sarana", "comment"} {
		if ve.Fields[f] == "" {
			t.Errorf("no message for %s", f)
		}
	}
	if ve.Fields["q_persyaratan"] != "" || ve.Fields["suggestion"] != "" {
		t.Errorf("valid fields flagged: %v", ve.Fields)
	}
	in = models.SurveyInput{Answers: [9]string{"4", "3", "2", "1", "4", "3", "2", "1", "4"}, Comment: strings.Repeat("é", 2000)}
	scores, err := in.Validate()
	if err != nil || scores != (models.SKMScores{4, 3, 2, 1, 4, 3, 2, 1, 4}) {
		t.Fatalf("valid input: %v %v", scores, err)
	}
}

func TestSurveyClosedRules(t *testing.T) {
	end := time.Date(2026, 3, 12, 4, 0, 0, 0, time.UTC)
	v := &models.Visit{Status: models.StatusApproved, Participants: 3, Start: end.Add(-3 * time.Hour), End: end}
	if got := models.SurveyClosed(v, 0, end); got != "survey.closed.not_completed" {
		t.Errorf("approved visit: %q", got)
	}
	v.Status = models.StatusCompleted
	if got := models.SurveyClosed(v, 2, end.Add(models.SurveyWindow)); got != "" {
		t.Errorf("last day, a seat left: %q", got)
	}
	if got := models.SurveyClosed(v, 3, end); got != "survey.closed.full" {
		t.Errorf("all answered: %q", got)
	}
	if got := models.SurveyClosed(v, 0, end.Add(models.SurveyWindow+time.Minute)); got != "survey.closed.expired" {
		t.Errorf("after 90 days: %q", got)
	}
}

func TestSurveySimultaneousAnswersNeverExceedTheParticipants(t *testing.T) {
	st := server.Open(t)
	v := &models.Visit{ID: bson.NewObjectID(), Code: "ST-2026-0902", Status: models.StatusCompleted, Participants: 3,
		TrackingHash: "h-serentak", SubmissionKey: "k-serentak"}
	if err := st.InsertVisit(ctx(t), v); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 13, 1, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var mu sync.Mutex
	full := 0
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := st.SubmitSurveyResponse(ctx(t), v, &models.SurveyResponse{Scores: models.SKMScores{4, 4, 4, 4, 4, 4, 4, 4, 4}}, now)
			mu.Lock()
			defer mu.Unlock()
			if errors.Is(err, models.ErrSurveyFull) {
				full++
			} else if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := st.SurveyResponsesFor(ctx(t), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || full != 3 {
		t.Fatalf("%d answers stored, %d refused; want 3 and 3", len(got), full)
	}
}
