package models_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"studitiru/models"
)

// TestStoreUnreachableReadsTheDriversErrors: a server that is not there
// is "unreachable" (the handlers' 503 and the outage gate), a timeout
// alone is "unavailable" (503) but not unreachable, and domain errors or
// a caller who went away are neither.
func TestStoreUnreachableReadsTheDriversErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens there now
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, down := models.Open(ctx, "mongodb://"+addr+"/?directConnection=true", "x")
	if down == nil {
		t.Fatal("opened a store on a closed port")
	}
	slow := fmt.Errorf("store: %w", context.DeadlineExceeded)
	for _, tc := range []struct {
		name                     string
		err                      error
		unreachable, unavailable bool
	}{
		{"no server", down, true, true},
		{"timeout", slow, false, true},
		{"caller gone", fmt.Errorf("x: %w", context.Canceled), false, false},
		{"not found", models.ErrNotFound, false, false},
		{"conflict", models.ErrConflict, false, false},
		{"other", errors.New("boom"), false, false},
		{"nil", nil, false, false},
	} {
		if got := models.StoreUnreachable(tc.err); got != tc.unreachable {
			t.Errorf("%s: StoreUnreachable = %v (%v)", tc.name, got, tc.err)
		}
		if got := models.StoreUnavailable(tc.err); got != tc.unavailable {
			t.Errorf("%s: StoreUnavailable = %v (%v)", tc.name, got, tc.err)
		}
	}
}
