package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"studitiru/models"
)

// TestPrivateLinkPagesAreNeitherCachedNorReferred: the pages and files
// behind a private link (tracking page, the request and reply letters, the
// survey, a staff calendar subscription) tell shared caches not to keep
// them and browsers not to send the link as a referrer to other sites.
func TestPrivateLinkPagesAreNeitherCachedNorReferred(t *testing.T) {
	e := newEnv(t)
	v := surveyVisit(t, e, 2, true)
	key, err := e.store.SecretKey(t.Context(), "tracking")
	if err != nil {
		t.Fatal(err)
	}
	track := "/lacak/" + models.TrackingToken(key, v.SubmissionKey)
	feed, _ := e.feedPath(e.sessionFor(models.RoleCoordinator))
	for _, path := range []string{track, track + "/surat", track + "/surat-balasan.pdf",
		surveyPath(t, e, v), feed} {
		res, err := e.app.Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, res.StatusCode)
			continue
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") && !strings.HasPrefix(cc, "private") {
			t.Errorf("%s: Cache-Control %q lets shared caches keep it", path, cc)
		}
		if rp := res.Header.Get("Referrer-Policy"); rp != "no-referrer" && rp != "same-origin" {
			t.Errorf("%s: Referrer-Policy %q", path, rp)
		}
	}
}
