package models

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"
)

// StoreUnreachable reports whether err means the store could not be
// reached at all: no server could be selected (it is down, or the network
// to it is) or the connection broke. Such an outage passes by itself when
// the server returns; the driver reconnects on its own.
//
// The store's methods return the driver's errors unwrapped into domain
// errors, so this is where the driver's vocabulary is read once.
func StoreUnreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false // the caller went away; the store may be fine
	}
	var sel topology.ServerSelectionError
	return errors.As(err, &sel) || mongo.IsNetworkError(err)
}

// StoreUnavailable reports whether err is a temporary failure of the
// store: unreachable (StoreUnreachable) or too slow to answer in time
// (a driver or context timeout). Retrying later may succeed, so the
// handlers answer 503 with Retry-After rather than 500.
func StoreUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	return StoreUnreachable(err) || mongo.IsTimeout(err)
}
