package models_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"studitiru/models"
	"studitiru/models/storetest"
)

// TestSecretsAreStoredOnlyAsHashes: a store opened as the app opens it
// hashes passwords with bcrypt at DefaultPasswordCost (≥ 12; the tests'
// stores use bcrypt's minimum to stay fast, and a hash at 12 takes half a
// minute under -race, so the cost is read rather than spent). A password
// is kept only as a bcrypt hash at the store's cost, and a session only
// under the SHA-256 of its cookie token: a copy of the database lets nobody
// sign in.
func TestSecretsAreStoredOnlyAsHashes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	app, err := models.Open(ctx, server.URI, storetest.DatabaseName(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = app.Drop(context.Background()); _ = app.Close(context.Background()) }()
	if got := models.PasswordCostOf(app); got != models.DefaultPasswordCost || got < 12 {
		t.Errorf("the app's store hashes at cost %d, want DefaultPasswordCost (%d) ≥ 12", got, models.DefaultPasswordCost)
	}

	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	const password = "kalimat-sandi-rahasia"
	u, err := st.CreateUser(ctx, models.UserInput{Email: "ayu@badungkab.go.id", Name: "Ni Luh Ayu",
		Role: string(models.RoleCoordinator), Password: password}, false, now)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(stored.PasswordHash)); err != nil || cost != models.PasswordCostOf(st) {
		t.Errorf("stored %q: cost %d (%v), want a bcrypt hash at the store's cost", stored.PasswordHash, cost, err)
	}
	if strings.Contains(stored.PasswordHash, password) || !stored.CheckPassword(password) {
		t.Error("the stored hash does not check the password")
	}

	token, err := st.CreateSession(ctx, u.ID, models.DefaultSessionPolicy(), now)
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.SessionByToken(ctx, token, models.DefaultSessionPolicy(), now.Add(time.Minute))
	sum := sha256.Sum256([]byte(token))
	if err != nil || s.ID == token || s.ID != hex.EncodeToString(sum[:]) || len(token) < 43 {
		t.Errorf("session %+v for token %q (%v): want it stored under the token's SHA-256, 256-bit token", s, token, err)
	}
}
