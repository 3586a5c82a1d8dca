package models_test

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestLegacyClaimsAreSweptOncePerDatabase: version claims an older release
// left among the permanent claims are removed at the first start, and the
// permanent claims are not read again at every start after it.
func TestLegacyClaimsAreSweptOncePerDatabase(t *testing.T) {
	st := server.Open(t)
	claims := pastTheStore(t, st.DatabaseName()).Collection("claims")
	insert := func(id string) {
		if _, err := claims.InsertOne(t.Context(), bson.D{{Key: "_id", Value: id}, {Key: "at", Value: time.Now()}}); err != nil {
			t.Fatal(err)
		}
	}
	insert("v:visits/65f0@3")
	insert("code:ST-2026-0001")
	if n, err := st.SweepLegacyClaims(t.Context()); err != nil || n != 1 {
		t.Fatalf("first sweep removed %d (%v), want the one version claim", n, err)
	}
	if n, _ := claims.CountDocuments(t.Context(), bson.D{{Key: "_id", Value: "code:ST-2026-0001"}}); n != 1 {
		t.Error("a permanent claim was swept")
	}
	insert("v:visits/65f1@1") // no release writes these any more
	if n, err := st.SweepLegacyClaims(t.Context()); err != nil || n != 0 {
		t.Errorf("second sweep removed %d (%v), want none: it runs once", n, err)
	}
}
