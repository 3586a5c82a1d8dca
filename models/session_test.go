package models_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// TestSignInAndSessionLimitsAreTheDocumentedOnes pins the limits that
// docs/SECURITY.md and docs/OPERATIONS.md state: 5 wrong passwords for one
// account or 30 from one address within 15 minutes lock for 15 minutes,
// 30 request forms per address and hour, sessions end after 2 idle hours
// and at most 12 hours after sign-in. The tests of their behaviour use
// these policies, so a change here must change the documents too.
func TestSignInAndSessionLimitsAreTheDocumentedOnes(t *testing.T) {
	for name, tc := range map[string]struct{ got, want models.ThrottlePolicy }{
		"account":    {models.AccountThrottle(), models.ThrottlePolicy{Window: 15 * time.Minute, Lock: 15 * time.Minute, Max: 5}},
		"address":    {models.AddressThrottle(), models.ThrottlePolicy{Window: 15 * time.Minute, Lock: 15 * time.Minute, Max: 30}},
		"submission": {models.SubmissionThrottle(), models.ThrottlePolicy{Window: time.Hour, Lock: time.Hour, Max: 30}},
	} {
		if tc.got != tc.want {
			t.Errorf("%s throttle %+v, the documents say %+v", name, tc.got, tc.want)
		}
	}
	if p := models.DefaultSessionPolicy(); p.IdleTimeout != 2*time.Hour || p.MaxAge != 12*time.Hour {
		t.Errorf("session policy %+v, the documents say 2 idle hours, 12 hours at most", p)
	}
}

// TestParallelFailuresAllCount: wrong passwords sent at the same instant
// all count towards the lock (each failure is its own insert, not a
// counter that concurrent writers could both read at the same value).
func TestParallelFailuresAllCount(t *testing.T) {
	st := server.Open(t)
	p := models.ThrottlePolicy{Window: 10 * time.Minute, Lock: 5 * time.Minute, Max: 10}
	t0 := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	key := "account:paralel@badungkab.go.id"
	var wg sync.WaitGroup
	for range p.Max {
		wg.Go(func() {
			if _, err := st.RecordFailure(ctx(t), key, p, t0); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if until, err := st.LockedUntil(ctx(t), key, p, t0.Add(time.Second)); err != nil || !until.Equal(t0.Add(p.Lock)) {
		t.Errorf("after %d parallel failures: locked until %v (%v), want %v", p.Max, until, err, t0.Add(p.Lock))
	}
}

func TestSessionLifetime(t *testing.T) {
	st := server.Open(t)
	p := models.SessionPolicy{IdleTimeout: time.Hour, MaxAge: 3 * time.Hour}
	start := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	user := bson.NewObjectID()
	token, err := st.CreateSession(ctx(t), user, p, start)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionByToken(ctx(t), "tebakan", p, start); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	// Seen every 50 minutes it stays alive, until the absolute limit.
	at := start
	for i := 0; i < 3; i++ {
		at = at.Add(50 * time.Minute)
		s, err := st.SessionByToken(ctx(t), token, p, at)
		if err != nil {
			t.Fatalf("at +%v: %v", at.Sub(start), err)
		}
		if s.UserID != user {
			t.Fatal("wrong user")
		}
	}
	if _, err := st.SessionByToken(ctx(t), token, p, start.Add(3*time.Hour)); !errors.Is(err, models.ErrSessionExpired) {
		t.Errorf("past the maximum age: %v, want ErrSessionExpired", err)
	}
	// An expired session is gone, not just refused.
	if _, err := st.SessionByToken(ctx(t), token, p, start.Add(time.Minute)); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("expired session still stored: %v", err)
	}

	idle, _ := st.CreateSession(ctx(t), user, p, start)
	if _, err := st.SessionByToken(ctx(t), idle, p, start.Add(61*time.Minute)); !errors.Is(err, models.ErrSessionExpired) {
		t.Errorf("idle session: %v, want ErrSessionExpired", err)
	}
}

func TestDeleteUserSessionsKeepsTheCurrentOne(t *testing.T) {
	st := server.Open(t)
	p := models.DefaultSessionPolicy()
	now := time.Now()
	user := bson.NewObjectID()
	keep, _ := st.CreateSession(ctx(t), user, p, now)
	drop, _ := st.CreateSession(ctx(t), user, p, now)
	other, _ := st.CreateSession(ctx(t), bson.NewObjectID(), p, now)
	if err := st.DeleteUserSessions(ctx(t), user, keep); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionByToken(ctx(t), keep, p, now); err != nil {
		t.Errorf("kept session: %v", err)
	}
	if _, err := st.SessionByToken(ctx(t), drop, p, now); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("other session of the user: %v", err)
	}
	if _, err := st.SessionByToken(ctx(t), other, p, now); err != nil {
		t.Errorf("another user's session was touched: %v", err)
	}
}

func TestThrottleLocksAtTheLimitAndForgetsOldFailures(t *testing.T) {
	st := server.Open(t)
	p := models.ThrottlePolicy{Window: 10 * time.Minute, Lock: 5 * time.Minute, Max: 3}
	t0 := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	key := "account:ayu@badungkab.go.id"

	// Two failures, then a long pause: the window starts again.
	for i := 0; i < 2; i++ {
		if until, err := st.RecordFailure(ctx(t), key, p, t0); err != nil || !until.IsZero() {
			t.Fatalf("failure %d: %v %v", i, until, err)
		}
	}
	later := t0.Add(11 * time.Minute)
	for i := 0; i < 2; i++ {
		if until, _ := st.RecordFailure(ctx(t), key, p, later); !until.IsZero() {
			t.Fatalf("old failures still counted: locked at failure %d of the new window", i+1)
		}
	}
	until, err := st.RecordFailure(ctx(t), key, p, later)
	if err != nil || !until.Equal(later.Add(p.Lock)) {
		t.Fatalf("third failure in the window: until %v, err %v", until, err)
	}
	if got, _ := st.LockedUntil(ctx(t), key, p, later.Add(time.Minute)); !got.Equal(until) {
		t.Errorf("LockedUntil = %v, want %v", got, until)
	}
	if got, _ := st.LockedUntil(ctx(t), key, p, until); !got.IsZero() {
		t.Errorf("still locked at the end of the lock: %v", got)
	}
	if got, _ := st.LockedUntil(ctx(t), "account:lain@x.id", p, later); !got.IsZero() {
		t.Error("an unrelated key is locked")
	}
	// Cleanup removes the expired counter.
	if err := st.DeleteExpired(ctx(t), until.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if until, _ := st.RecordFailure(ctx(t), key, p, until.Add(time.Hour)); !until.IsZero() {
		t.Error("counter survived cleanup")
	}
}

func TestSecretKeyIsSharedAndStable(t *testing.T) {
	st := server.Open(t)
	a, err := st.SecretKey(ctx(t), "csrf")
	if err != nil || len(a) != 32 {
		t.Fatalf("key: %v %d", err, len(a))
	}
	b, _ := st.SecretKey(ctx(t), "csrf")
	if !bytes.Equal(a, b) {
		t.Error("a second instance would get another key")
	}
	c, _ := st.SecretKey(ctx(t), "lain")
	if bytes.Equal(a, c) {
		t.Error("different names share a key")
	}
}
