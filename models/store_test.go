package models_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"studitiru/app/embedded"
	"studitiru/models"
	"studitiru/models/storetest"
)

var server *storetest.Server

func TestMain(m *testing.M) { storetest.Main(m, &server) }

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func TestVersionedUpdateThatLostARaceIsConflict(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	u, err := st.CreateUser(ctx(t), models.UserInput{Email: "Ayu@Badungkab.go.id", Name: "Ni Luh Ayu", Role: "coordinator", Password: "rahasia-sekali"}, false, now)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ayu@badungkab.go.id" {
		t.Errorf("email not normalised: %q", u.Email)
	}
	first, _ := st.UserByID(ctx(t), u.ID)
	second, _ := st.UserByID(ctx(t), u.ID)
	in := models.UserInput{Email: first.Email, Name: "Ni Luh Ayu Lestari", Role: "coordinator"}
	if err := st.UpdateUser(ctx(t), first, in, true, now); err != nil {
		t.Fatalf("first update: %v", err)
	}
	in.Name = "Ayu (ditimpa)"
	if err := st.UpdateUser(ctx(t), second, in, true, now); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("stale update: got %v, want ErrConflict", err)
	}
	got, _ := st.UserByID(ctx(t), u.ID)
	if got.Name != "Ni Luh Ayu Lestari" || got.Version != 2 {
		t.Errorf("stored %q v%d, want the first writer's name at version 2", got.Name, got.Version)
	}
}

func TestDuplicateEmailIsAFieldError(t *testing.T) {
	st := server.Open(t)
	in := models.UserInput{Email: "made@badungkab.go.id", Name: "I Made", Role: "escort", Password: "rahasia-sekali"}
	if _, err := st.CreateUser(ctx(t), in, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	in.Email = " MADE@badungkab.go.id "
	_, err := st.CreateUser(ctx(t), in, false, time.Now())
	v, ok := models.AsValidation(err)
	if !ok || v.Fields["email"] != "err.email_taken" {
		t.Fatalf("got %v, want email_taken on the email field", err)
	}
}

// TestRestartKeepsDataAndIndexes restarts the embedded engine on the same
// directory: the document is still there and ensuring indexes again is a no-op.
func TestRestartKeepsDataAndIndexes(t *testing.T) {
	if os.Getenv("MONGODB_TEST_URI") != "" {
		t.Skip("restart test needs the embedded engine")
	}
	dir, err := os.MkdirTemp("", "st-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	open := func() (*embedded.Engine, *models.Store) {
		eng, err := embedded.Start(dir, quiet)
		if err != nil {
			t.Fatal(err)
		}
		st, err := models.Open(ctx(t), eng.URI(), "studitiru")
		if err != nil {
			eng.Stop()
			t.Fatal(err)
		}
		return eng, st
	}

	eng, st := open()
	u, err := st.CreateUser(ctx(t), models.UserInput{Email: "kadis@badungkab.go.id", Name: "Kepala Dinas", Role: "leadership", Password: "rahasia-sekali"}, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	st.Close(ctx(t))
	eng.Stop()

	eng, st = open() // EnsureIndexes runs again inside Open
	defer eng.Stop()
	defer st.Close(ctx(t))
	if err := st.EnsureIndexes(ctx(t)); err != nil {
		t.Fatalf("ensure indexes a third time: %v", err)
	}
	got, err := st.UserByEmail(ctx(t), "kadis@badungkab.go.id")
	if err != nil {
		t.Fatalf("user written before restart: %v", err)
	}
	if got.ID != u.ID || !got.CheckPassword("rahasia-sekali") {
		t.Errorf("user after restart differs: %+v", got)
	}
	// The unique index survived the restart too.
	_, err = st.CreateUser(ctx(t), models.UserInput{Email: "kadis@badungkab.go.id", Name: "Lain", Role: "escort", Password: "rahasia-sekali"}, false, time.Now())
	if v, ok := models.AsValidation(err); !ok || v.Fields["email"] != "err.email_taken" {
		t.Errorf("duplicate after restart: got %v", err)
	}
}
