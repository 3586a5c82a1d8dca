package models_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

func TestFeedTokenIsStableUntilRotated(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	user := bson.NewObjectID()

	first, err := st.FeedToken(ctx(t), user, models.FeedEscort, now)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(first); err != nil || len(raw) != 24 {
		t.Errorf("token %q is not 192 bits in URL-safe base64 (%v)", first, err)
	}
	again, err := st.FeedToken(ctx(t), user, models.FeedEscort, now.Add(time.Hour))
	if err != nil || again != first {
		t.Fatalf("second FeedToken = %q (%v), want the first token %q", again, err, first)
	}
	f, err := st.FeedByToken(ctx(t), first)
	if err != nil {
		t.Fatal(err)
	}
	if f.UserID != user || f.Kind != models.FeedEscort || f.TokenHash == first {
		t.Errorf("feed %+v: wrong owner or kind, or the token itself is stored", f)
	}
	host, err := st.FeedToken(ctx(t), user, models.FeedHost, now)
	if err != nil || host == first {
		t.Errorf("host feed token %q (%v) must differ from the escort feed's", host, err)
	}
	other, _ := st.FeedToken(ctx(t), bson.NewObjectID(), models.FeedEscort, now)
	if other == first {
		t.Error("two users share a token")
	}

	rotated, err := st.RotateFeedToken(ctx(t), user, models.FeedEscort, now)
	if err != nil || rotated == first {
		t.Fatalf("rotate: %q (%v)", rotated, err)
	}
	if _, err := st.FeedByToken(ctx(t), first); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("old token after rotation: %v, want ErrNotFound", err)
	}
	if f, err := st.FeedByToken(ctx(t), rotated); err != nil || f.UserID != user {
		t.Errorf("new token: %+v %v", f, err)
	}
	if shown, _ := st.FeedToken(ctx(t), user, models.FeedEscort, now); shown != rotated {
		t.Errorf("FeedToken after rotation = %q, want the new token", shown)
	}
	if f, err := st.FeedByToken(ctx(t), host); err != nil || f.Kind != models.FeedHost {
		t.Errorf("rotating the escort feed touched the host feed: %v", err)
	}
	for _, bad := range []string{"", "pendek", models.NewToken()} {
		if _, err := st.FeedByToken(ctx(t), bad); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FeedByToken(%q) = %v, want ErrNotFound", bad, err)
		}
	}
	if _, err := st.FeedToken(ctx(t), user, "lainnya", now); err == nil {
		t.Error("an unknown feed kind was accepted")
	}
}

// TestFeedTokenFirstUseRace: the calendar page opened in two tabs at once
// must not leave two live tokens.
func TestFeedTokenFirstUseRace(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	user := bson.NewObjectID()
	const n = 8
	tokens := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { tokens[i], errs[i] = st.FeedToken(ctx(t), user, models.FeedHost, now) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if tokens[i] != tokens[0] {
			t.Fatalf("concurrent first uses gave different tokens: %q", tokens)
		}
	}
}

func TestFeedVisits(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	escort, colleague := bson.NewObjectID(), bson.NewObjectID()
	add := func(code string, status models.VisitStatus, start time.Time, escorts ...bson.ObjectID) {
		t.Helper()
		v := icalVisit()
		v.Code, v.Status, v.EscortIDs = code, status, escorts
		v.Start, v.End = start, start.Add(3*time.Hour)
		v.TrackingHash, v.SubmissionKey = "hash-"+code, "key-"+code
		v.History = []models.Event{{At: now, Actor: "Uji", Action: string(status)}}
		v.Roster = []models.RosterEntry{{Name: "Peserta"}}
		if err := st.InsertVisit(ctx(t), v); err != nil {
			t.Fatal(err)
		}
	}
	day := func(d int) time.Time { return now.AddDate(0, 0, d) }
	add("OWN-APPROVED", models.StatusApproved, day(7), escort, colleague)
	add("OWN-COMPLETED", models.StatusCompleted, day(-30), escort)
	add("OWN-CANCELLED", models.StatusCancelled, day(9), escort)
	add("OWN-PENDING", models.StatusSubmitted, day(10), escort)
	add("OWN-TOO-OLD", models.StatusCompleted, now.AddDate(0, -7, 0), escort)
	add("OWN-TOO-FAR", models.StatusApproved, now.AddDate(0, 19, 0), escort)
	add("OTHER", models.StatusApproved, day(8), colleague)
	add("NOBODY", models.StatusApproved, day(11))

	codes := func(kind models.FeedKind) []string {
		visits, err := st.FeedVisits(ctx(t), models.Feed{UserID: escort, Kind: kind}, now)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range visits {
			if len(v.Roster) > 0 {
				t.Errorf("%s: roster loaded", v.Code) // lists come from the view, which keeps none
			}
			out = append(out, v.Code)
		}
		return out
	}
	if got, want := fmt.Sprint(codes(models.FeedEscort)), "[OWN-COMPLETED OWN-APPROVED]"; got != want {
		t.Errorf("escort feed = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(codes(models.FeedHost)), "[OWN-COMPLETED OWN-APPROVED OTHER NOBODY]"; got != want {
		t.Errorf("host feed = %s, want %s", got, want)
	}
	for role, want := range map[models.Role]models.FeedKind{
		models.RoleEscort: models.FeedEscort, models.RoleCoordinator: models.FeedHost,
		models.RoleAdmin: models.FeedHost, models.RoleLeadership: models.FeedHost, "tamu": "",
	} {
		if got := models.FeedKindFor(role); got != want {
			t.Errorf("FeedKindFor(%s) = %q, want %q", role, got, want)
		}
	}
}
