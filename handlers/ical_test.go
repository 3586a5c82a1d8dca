package handlers_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// raw sends a GET and returns the whole response, headers included.
func (e *env) raw(path, session string) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", path, nil)
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "st_session", Value: session})
	}
	res, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// calendarFile checks the response is an iCalendar file and parses it.
func calendarFile(t *testing.T, res *http.Response, body []byte) *ical.Calendar {
	t.Helper()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200: %.200s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("not a calendar: %v\n%s", err, body)
	}
	return cal
}

func eventUIDs(cal *ical.Calendar) []string {
	var uids []string
	for _, ev := range cal.Events() {
		if p := ev.Props.Get("UID"); p != nil {
			uids = append(uids, p.Value)
		}
	}
	sort.Strings(uids)
	return uids
}

var feedLinkRe = regexp.MustCompile(`id="tautan-langganan" type="text" value="http://localhost:3000(/kalender/[A-Za-z0-9_-]+\.ics)"`)

// feedPath opens the staff calendar page and returns the path of the
// subscription link it shows.
func (e *env) feedPath(session string) (string, string) {
	e.t.Helper()
	page := e.do("GET", "/staf/kalender", nil, session)
	if page.status != http.StatusOK {
		e.t.Fatalf("calendar page: %d", page.status)
	}
	m := feedLinkRe.FindStringSubmatch(page.body)
	if m == nil || !strings.Contains(page.body, "Langganan kalender") ||
		!strings.Contains(page.body, `href="webcal://localhost:3000`+m[1]+`"`) {
		e.t.Fatalf("calendar page shows no subscription card with a webcal and an http link")
	}
	return m[1], page.body
}

// assignedVisit stores a visit on Thursday 5 March 2026, 09.00–12.00 WITA,
// with the given status and escorts.
func assignedVisit(t *testing.T, e *env, code string, status models.VisitStatus, escorts ...*models.User) *models.Visit {
	t.Helper()
	v := &models.Visit{
		Code: code, Status: status, InstitutionName: "Pemerintah Kota Kendari", InstitutionType: models.InstCity,
		Room: "Ruang Rapat Lantai 2", SessionID: "pagi", Participants: 20,
		Start:        time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC),
		End:          time.Date(2026, 3, 5, 4, 0, 0, 0, time.UTC),
		TrackingHash: "hash-" + code, SubmissionKey: "key-" + code,
		CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now(),
	}
	for _, u := range escorts {
		v.EscortIDs = append(v.EscortIDs, u.ID)
		v.Escorts = append(v.Escorts, u.Name)
	}
	if err := e.store.InsertVisit(t.Context(), v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCalendarFeeds(t *testing.T) {
	e := newEnv(t)
	escort := e.users[models.RoleEscort]
	own := assignedVisit(t, e, "ST-2026-0001", models.StatusApproved, escort)
	others := assignedVisit(t, e, "ST-2026-0002", models.StatusApproved, e.subject)
	assignedVisit(t, e, "ST-2026-0003", models.StatusCancelled, escort, e.subject)
	assignedVisit(t, e, "ST-2026-0004", models.StatusSubmitted, escort)

	escortSession := e.sessionFor(models.RoleEscort)
	path, _ := e.feedPath(escortSession)
	if again, _ := e.feedPath(escortSession); again != path {
		t.Errorf("the link changed between two visits to the page: %s, %s", path, again)
	}
	res, body := e.raw(path, "") // calendar programs send no cookie
	cal := calendarFile(t, res, body)
	if cc := res.Header.Get("Cache-Control"); cc != "private, max-age=300" {
		t.Errorf("Cache-Control %q", cc)
	}
	if p := cal.Props.Get("METHOD"); p == nil || p.Value != "PUBLISH" {
		t.Errorf("METHOD %v, want PUBLISH", p)
	}
	if got, want := eventUIDs(cal), []string{models.VisitUID(own)}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("escort feed has %v, want only their own approved visit %v", got, want)
	}
	if bytes.Contains(body, []byte("ATTENDEE")) {
		t.Error("feed lists attendees")
	}

	coordinator := e.sessionFor(models.RoleCoordinator)
	coordPath, page := e.feedPath(coordinator)
	if coordPath == path {
		t.Fatal("coordinator and escort share a feed link")
	}
	if strings.Contains(page, "langganan-baru") {
		t.Error("the rotation notice shows without a rotation")
	}
	res, body = e.raw(coordPath, "")
	want := []string{models.VisitUID(own), models.VisitUID(others)}
	sort.Strings(want)
	if got := eventUIDs(calendarFile(t, res, body)); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("coordinator feed has %v, want every approved visit %v", got, want)
	}
	if !bytes.Contains(body, []byte("URL:http://localhost:3000/staf/permohonan/"+own.ID.Hex())) {
		t.Errorf("coordinator feed events do not link to the request page:\n%s", body)
	}

	// Rotation: the old link dies at once, the page shows the new one.
	rot := e.post("/staf/kalender/langganan/ganti", url.Values{}, escortSession)
	if rot.status != http.StatusSeeOther || rot.location != "/staf/kalender?langganan=baru#langganan" {
		t.Fatalf("rotate: %d → %q", rot.status, rot.location)
	}
	if res, _ := e.raw(path, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("old link after rotation: %d, want 404", res.StatusCode)
	}
	page = e.do("GET", rot.location, nil, escortSession).body
	if !strings.Contains(page, "Tautan langganan baru telah dibuat") {
		t.Error("no notice after the rotation")
	}
	newPath, _ := e.feedPath(escortSession)
	if newPath == path {
		t.Fatal("the page still shows the old link")
	}
	if res, body := e.raw(newPath, ""); len(eventUIDs(calendarFile(t, res, body))) != 1 {
		t.Error("the new link does not serve the escort's feed")
	}
	if res, _ := e.raw(coordPath, ""); res.StatusCode != http.StatusOK {
		t.Errorf("rotating the escort's link broke the coordinator's: %d", res.StatusCode)
	}

	for _, bad := range []string{"/kalender/" + models.NewToken() + ".ics", "/kalender/pendek.ics", "/kalender/.ics"} {
		if res, _ := e.raw(bad, ""); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, res.StatusCode)
		}
	}

	// A deactivated account's feed is gone.
	u := e.users[models.RoleCoordinator]
	if err := e.store.UpdateUser(t.Context(), u, models.UserInput{Email: u.Email, Name: u.Name, Role: string(u.Role)}, false, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if res, _ := e.raw(coordPath, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("feed of a deactivated account: %d, want 404", res.StatusCode)
	}
	// Audited (docs/OPERATIONS.md, "Audit log").
	e.wantAudited(t, models.AuditFeedRotate)
}

func TestInvitationDownloads(t *testing.T) {
	e := newEnv(t)
	v, token := visitWithLink(t, e, "ST-2026-0001", models.StatusApproved)

	page := e.do("GET", "/lacak/"+token, nil, "")
	if !strings.Contains(page.body, `href="/lacak/`+token+`/undangan.ics"`) || !strings.Contains(page.body, "Tambahkan ke kalender (.ics)") {
		t.Error("the tracking page of an approved visit offers no calendar file")
	}
	res, body := e.raw("/lacak/"+token+"/undangan.ics", "")
	cal := calendarFile(t, res, body)
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="ST-2026-0001.ics"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if p := cal.Props.Get("METHOD"); p == nil || p.Value != "PUBLISH" {
		t.Errorf("METHOD %v: a download is not an iTIP message", p)
	}
	if got := eventUIDs(cal); len(got) != 1 || got[0] != models.VisitUID(v) {
		t.Errorf("UIDs %v, want %s", got, models.VisitUID(v))
	}
	if !bytes.Contains(body, []byte("URL:http://localhost:3000/lacak/"+token)) || bytes.Contains(body, []byte("ATTENDEE")) {
		t.Errorf("delegation's file: no tracking link, or attendees:\n%s", body)
	}

	pending, pendingToken := visitWithLink(t, e, "ST-2026-0002", models.StatusSubmitted)
	if page := e.do("GET", "/lacak/"+pendingToken, nil, ""); strings.Contains(page.body, "undangan.ics") {
		t.Error("the tracking page of a pending request links a calendar file")
	}
	for name, path := range map[string]string{
		"pending":     "/lacak/" + pendingToken + "/undangan.ics",
		"wrong token": "/lacak/" + models.NewToken() + "/undangan.ics",
	} {
		if res := e.do("GET", path, nil, ""); res.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, res.status)
		}
	}

	coordinator := e.sessionFor(models.RoleCoordinator)
	staffPath := "/staf/kunjungan/" + v.ID.Hex() + "/undangan.ics"
	if page := e.do("GET", "/staf/permohonan/"+v.ID.Hex(), nil, coordinator); !strings.Contains(page.body, `href="`+staffPath+`"`) {
		t.Error("the staff visit page offers no calendar file")
	}
	res, body = e.raw(staffPath, coordinator)
	if got := eventUIDs(calendarFile(t, res, body)); len(got) != 1 || got[0] != models.VisitUID(v) {
		t.Errorf("staff file UIDs %v", got)
	}
	if res.Header.Get("Content-Disposition") != `attachment; filename="ST-2026-0001.ics"` {
		t.Errorf("staff Content-Disposition %q", res.Header.Get("Content-Disposition"))
	}
	if bytes.Contains(body, []byte("URL:")) {
		t.Error("a visit whose tracking token cannot be derived got a (dead) tracking link")
	}
	if res := e.do("GET", staffPath, nil, e.sessionFor(models.RoleLeadership)); res.status != http.StatusOK {
		t.Errorf("leadership: %d, want 200", res.status)
	}
	if res := e.do("GET", staffPath, nil, e.sessionFor(models.RoleEscort)); res.status != http.StatusForbidden {
		t.Errorf("escort: %d, want 403", res.status)
	}
	for name, path := range map[string]string{
		"pending": "/staf/kunjungan/" + pending.ID.Hex() + "/undangan.ics",
		"unknown": "/staf/kunjungan/" + bson.NewObjectID().Hex() + "/undangan.ics",
		"bad id":  "/staf/kunjungan/bukan-id/undangan.ics",
	} {
		if res := e.do("GET", path, nil, coordinator); res.status != http.StatusNotFound {
			t.Errorf("staff %s: %d, want 404", name, res.status)
		}
	}
}
