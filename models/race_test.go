package models_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"studitiru/models"
)

// TestConcurrentVersionedUpdatesHaveOneWinner: many writers holding the
// same version race; exactly one may win, the rest get ErrConflict. This is
// the guarantee every "nothing silently overwritten" rule rests on, so it is
// checked on the engine itself.
func TestConcurrentVersionedUpdatesHaveOneWinner(t *testing.T) {
	st := server.Open(t)
	u, err := st.CreateUser(ctx(t), models.UserInput{Email: "race@badungkab.go.id", Name: "Balapan", Role: "escort", Password: "rahasia-sekali"}, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 5; round++ {
		base, _ := st.UserByID(ctx(t), u.ID)
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := *base
				err := st.UpdateUser(ctx(t), &mine, models.UserInput{Email: base.Email, Name: fmt.Sprintf("Penulis %d", i), Role: "escort"}, true, time.Now())
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, models.ErrConflict):
					conflicts.Add(1)
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != 7 {
			t.Fatalf("round %d: %d winners, %d conflicts; want exactly one winner", round, wins.Load(), conflicts.Load())
		}
	}
}

// TestConcurrentInsertsOfOneKeyHaveOneWinner: the duplicate-key error on
// _id and on unique indexes must hold under concurrency on the engine, since
// claims rest on it.
func TestConcurrentInsertsOfOneKeyHaveOneWinner(t *testing.T) {
	st := server.Open(t)
	for round := 0; round < 5; round++ {
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := st.CreateUser(ctx(t), models.UserInput{
					Email: fmt.Sprintf("sama%d@badungkab.go.id", round), Name: "Sama", Role: "escort", Password: "rahasia-sekali",
				}, false, time.Now())
				if err == nil {
					wins.Add(1)
				} else if _, ok := models.AsValidation(err); !ok {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("round %d: %d accounts created with one email", round, wins.Load())
		}
	}
}

// TestClaimLeftByACrashIsSweptAway: a writer that died between claiming a
// version and writing leaves a claim that blocks the document until the
// sweep removes it.
func TestClaimLeftByACrashIsSweptAway(t *testing.T) {
	st := server.Open(t)
	t0 := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	u, err := st.CreateUser(ctx(t), models.UserInput{Email: "crash@badungkab.go.id", Name: "Crash", Role: "escort", Password: "rahasia-sekali"}, false, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Claim(ctx(t), "v:users/"+u.ID.Hex()+"@1", t0); err != nil {
		t.Fatal(err)
	}
	in := models.UserInput{Email: u.Email, Name: "Setelah crash", Role: "escort"}
	if err := st.UpdateUser(ctx(t), u, in, true, t0); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("update against a dangling claim: %v, want ErrConflict", err)
	}
	if n, _ := st.SweepClaims(ctx(t), t0.Add(time.Minute)); n != 0 {
		t.Errorf("a fresh claim was swept (%d)", n)
	}
	if n, _ := st.SweepClaims(ctx(t), t0.Add(10*time.Minute)); n != 1 {
		t.Errorf("swept %d stale claims, want 1", n)
	}
	if err := st.UpdateUser(ctx(t), u, in, true, t0); err != nil {
		t.Fatalf("update after the sweep: %v", err)
	}
	// Issued reference codes are claims too, and are never swept.
	code, _ := st.NextVisitCode(ctx(t), t0, time.UTC)
	st.SweepClaims(ctx(t), t0.AddDate(1, 0, 0))
	if err := st.Claim(ctx(t), "code:"+code, t0); !errors.Is(err, models.ErrConflict) {
		t.Errorf("code claim was swept: %v", err)
	}
}
