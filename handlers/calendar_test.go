package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// calendarVisits are March 2026 as the tests see it ("now" is Thursday
// 5 March, 09.00 WITA).
type calendarVisits struct {
	konawe, semarang, makassar, jateng, submitted *models.Visit
}

// seedCalendar stores: Konawe (approved, 10 March, aula, escorted by the
// escort user), Semarang (approved, 26 March, rapat, escorted by the
// subject), Makassar (completed, 2 March, aula, escort user), Jawa Tengah
// (offered: 12 March held, 13 March expired) and a submitted request.
func seedCalendar(t *testing.T, e *env) calendarVisits {
	t.Helper()
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, e.loc).UTC() }
	escort := e.users[models.RoleEscort]
	n := 0
	visit := func(v models.Visit) *models.Visit {
		n++
		v.ID = bson.NewObjectID()
		v.Code = fmt.Sprintf("ST-2026-%04d", n)
		v.TrackingHash, v.SubmissionKey = fmt.Sprintf("hash-%d", n), fmt.Sprintf("key-%d", n)
		v.Participants = 20 + n
		if err := e.store.InsertVisit(context.Background(), &v); err != nil {
			t.Fatal(err)
		}
		return &v
	}
	now := e.clock.Now()
	return calendarVisits{
		konawe: visit(models.Visit{Status: models.StatusApproved, InstitutionName: "Pemerintah Kabupaten Konawe",
			Start: at(10, 9, 0), End: at(10, 12, 0), SessionID: "pagi", RoomID: "aula", Room: "Aula MPP Lantai 2",
			EscortIDs: []bson.ObjectID{escort.ID}, Escorts: []string{escort.Name}}),
		semarang: visit(models.Visit{Status: models.StatusApproved, InstitutionName: "DPRD Kota Semarang",
			Start: at(26, 13, 0), End: at(26, 15, 30), SessionID: "siang", RoomID: "rapat", Room: "Ruang Rapat DPMPTSP",
			EscortIDs: []bson.ObjectID{e.subject.ID}, Escorts: []string{e.subject.Name}}),
		makassar: visit(models.Visit{Status: models.StatusCompleted, InstitutionName: "Pemerintah Kota Makassar",
			Start: at(2, 9, 0), End: at(2, 12, 0), SessionID: "pagi", RoomID: "aula", Room: "Aula MPP Lantai 2",
			EscortIDs: []bson.ObjectID{escort.ID}, Escorts: []string{escort.Name}}),
		jateng: visit(models.Visit{Status: models.StatusOffered, InstitutionName: "Pemerintah Provinsi Jawa Tengah",
			Offers: []models.OfferedSlot{
				{Date: "2026-03-12", SessionID: "pagi", ExpiresAt: now.Add(48 * time.Hour)},
				{Date: "2026-03-13", SessionID: "pagi", ExpiresAt: now.Add(-time.Hour)},
			}}),
		submitted: visit(models.Visit{Status: models.StatusSubmitted, InstitutionName: "Kabupaten Belum Diputus",
			Start: at(11, 9, 0), End: at(11, 12, 0), SessionID: "pagi"}),
	}
}

// feedEvent is what the widget reads.
type feedEvent struct {
	ID            string   `json:"id"`
	Title         string   `json:"title"`
	Start         string   `json:"start"`
	End           string   `json:"end"`
	AllDay        bool     `json:"allDay"`
	ClassNames    []string `json:"classNames"`
	ExtendedProps struct {
		Kind    string   `json:"kind"`
		Status  string   `json:"status"`
		URL     string   `json:"url"`
		Room    string   `json:"room"`
		Escorts []string `json:"escorts"`
	} `json:"extendedProps"`
}

func (e *env) feed(path, session string) []feedEvent {
	e.t.Helper()
	res := e.do("GET", path, nil, session)
	if res.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, res.status, res.body)
	}
	var events []feedEvent
	if err := json.Unmarshal([]byte(res.body), &events); err != nil {
		e.t.Fatalf("GET %s: %v in %s", path, err, res.body)
	}
	return events
}

// titles lists the titles of the events of one kind.
func titles(events []feedEvent, kind string) []string {
	var out []string
	for _, ev := range events {
		if ev.ExtendedProps.Kind == kind {
			out = append(out, ev.Title)
		}
	}
	return out
}

func findEvent(events []feedEvent, title string) (feedEvent, bool) {
	for _, ev := range events {
		if ev.Title == title {
			return ev, true
		}
	}
	return feedEvent{}, false
}

const marchFeed = "/staf/api/kalender?start=2026-03-01&end=2026-04-01"

func TestCalendarShowsVisitsHeldSlotsAndHolidays(t *testing.T) {
	e := newEnv(t)
	v := seedCalendar(t, e)
	coord := e.sessionFor(models.RoleCoordinator)

	// The widget asks with its own format: local date-times.
	events := e.feed("/staf/api/kalender?start=2026-02-23T00:00:00&end=2026-04-06T00:00:00", coord)
	konawe, ok := findEvent(events, "Pemerintah Kabupaten Konawe")
	if !ok {
		t.Fatalf("approved visit missing: %+v", events)
	}
	if konawe.ExtendedProps.Kind != "visit" || konawe.Start != "2026-03-10T09:00:00+08:00" || konawe.End != "2026-03-10T12:00:00+08:00" ||
		konawe.AllDay || konawe.ExtendedProps.URL != "/staf/permohonan/"+v.konawe.ID.Hex() || konawe.ExtendedProps.Room != "Aula MPP Lantai 2" {
		t.Errorf("approved visit: %+v", konawe)
	}
	held, ok := findEvent(events, "Ditahan: Pemerintah Provinsi Jawa Tengah")
	if !ok || held.ExtendedProps.Kind != "held" || held.Start != "2026-03-12T09:00:00+08:00" ||
		held.ExtendedProps.URL != "/staf/permohonan/"+v.jateng.ID.Hex() || !contains(held.ClassNames, "cal-ev-held") {
		t.Errorf("held slot: %+v (found %v)", held, ok)
	}
	if n := len(titles(events, "held")); n != 1 {
		t.Errorf("%d held slots, want 1 (the expired offer holds nothing)", n)
	}
	makassar, ok := findEvent(events, "Pemerintah Kota Makassar")
	if !ok || makassar.ExtendedProps.Status != "selesai" || !contains(makassar.ClassNames, "cal-ev-completed") {
		t.Errorf("completed visit: %+v (found %v)", makassar, ok)
	}
	nyepi, ok := findEvent(events, "Hari Suci Nyepi (Tahun Baru Saka 1948)")
	if !ok || !nyepi.AllDay || nyepi.Start != "2026-03-19" || nyepi.End != "2026-03-20" || nyepi.ExtendedProps.Kind != "holiday" {
		t.Errorf("Nyepi: %+v (found %v)", nyepi, ok)
	}
	if _, ok := findEvent(events, "Kabupaten Belum Diputus"); ok {
		t.Error("a submitted request is on the calendar")
	}

	// The page: the same month as a table, with links, under the widget.
	res := e.do("GET", "/staf/kalender", nil, coord)
	if res.status != http.StatusOK {
		t.Fatalf("page: %d", res.status)
	}
	for _, want := range []string{
		"Pemerintah Kabupaten Konawe", "Ditahan: Pemerintah Provinsi Jawa Tengah", "Pemerintah Kota Makassar",
		"Kunjungan selesai", "Hari Suci Nyepi (Tahun Baru Saka 1948)", "Selasa, 10 Maret 2026", "09.00–12.00 WITA",
		`href="/staf/permohonan/` + v.konawe.ID.Hex() + `"`, `href="/staf/permohonan/` + v.jateng.ID.Hex() + `"`,
		`data-feed="/staf/api/kalender"`, `data-tz="&#43;08:00"`, `data-date="2026-03-01"`,
		`src="/static/js/calendar.js"`, `href="/staf/kalender?bulan=2026-04"`, `href="/staf/kalender?bulan=2026-02"`,
		`id="f-ruang"`, `id="f-pendamping"`, `>Subjek Uji</option>`, `aria-current="page" href="/staf/kalender"`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, not := range []string{"Kabupaten Belum Diputus", "Jumat, 13 Maret 2026"} {
		if strings.Contains(res.body, not) {
			t.Errorf("page shows %q", not)
		}
	}
	// Another month is reachable by link.
	april := e.do("GET", "/staf/kalender?bulan=2026-04", nil, coord)
	if !strings.Contains(april.body, "Daftar kegiatan April 2026") || strings.Contains(april.body, "Konawe") {
		t.Error("April page: wrong month")
	}
	// Pagerwesi (8 April 2026) is shown, but the office stays open that day.
	if !strings.Contains(april.body, `cal-badge-holiday">Hari raya</span> Pagerwesi (kantor tetap buka)`) {
		t.Error("April page: Pagerwesi not shown as a feast day the office is open on")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestCalendarFiltersByRoomAndEscort(t *testing.T) {
	e := newEnv(t)
	seedCalendar(t, e)
	coord := e.sessionFor(models.RoleCoordinator)

	byRoom := e.feed(marchFeed+"&ruang=rapat", coord)
	if got := titles(byRoom, "visit"); len(got) != 1 || got[0] != "DPRD Kota Semarang" {
		t.Errorf("room rapat: visits %v", got)
	}
	if len(titles(byRoom, "held")) != 0 {
		t.Error("room rapat: a held slot without a room is shown")
	}
	if len(titles(byRoom, "holiday")) == 0 {
		t.Error("room filter hid the holidays")
	}

	byEscort := e.feed(marchFeed+"&pendamping="+e.users[models.RoleEscort].ID.Hex(), coord)
	if got := titles(byEscort, "visit"); len(got) != 2 || !contains(got, "Pemerintah Kabupaten Konawe") || !contains(got, "Pemerintah Kota Makassar") {
		t.Errorf("escort filter: visits %v", got)
	}

	both := e.feed(marchFeed+"&ruang=rapat&pendamping="+e.users[models.RoleEscort].ID.Hex(), coord)
	if got := titles(both, "visit"); len(got) != 0 {
		t.Errorf("room rapat and the escort user: %v", got)
	}

	// The page applies the same filters and keeps them in its links.
	res := e.do("GET", "/staf/kalender?bulan=2026-03&ruang=aula", nil, coord)
	if !strings.Contains(res.body, "Pemerintah Kabupaten Konawe") || strings.Contains(res.body, "DPRD Kota Semarang") {
		t.Error("page with room aula shows the wrong visits")
	}
	for _, want := range []string{`<option value="aula" selected>`, `data-feed="/staf/api/kalender?ruang=aula"`,
		`href="/staf/kalender?bulan=2026-04&amp;ruang=aula"`, "Hapus saringan"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("filtered page lacks %s", want)
		}
	}
	res = e.do("GET", "/staf/kalender?bulan=2026-03&pendamping="+e.subject.ID.Hex(), nil, coord)
	if !strings.Contains(res.body, "DPRD Kota Semarang") || strings.Contains(res.body, "Konawe") {
		t.Error("page with an escort filter shows the wrong visits")
	}
}

func TestCalendarEscortSeesOnlyOwnVisits(t *testing.T) {
	e := newEnv(t)
	seedCalendar(t, e)
	escort := e.sessionFor(models.RoleEscort)

	// Filters in the query do not widen or change what an escort sees.
	events := e.feed(marchFeed+"&ruang=rapat&pendamping="+e.subject.ID.Hex(), escort)
	got := titles(events, "visit")
	if len(got) != 2 || !contains(got, "Pemerintah Kabupaten Konawe") || !contains(got, "Pemerintah Kota Makassar") {
		t.Errorf("escort sees visits %v, want only their own two", got)
	}
	if held := titles(events, "held"); len(held) != 0 {
		t.Errorf("escort sees held slots %v", held)
	}
	if len(titles(events, "holiday")) == 0 {
		t.Error("escort does not see holidays")
	}

	res := e.do("GET", "/staf/kalender?bulan=2026-03&pendamping="+e.subject.ID.Hex(), nil, escort)
	if res.status != http.StatusOK {
		t.Fatalf("escort page: %d", res.status)
	}
	if !strings.Contains(res.body, "Pemerintah Kabupaten Konawe") || strings.Contains(res.body, "DPRD Kota Semarang") ||
		strings.Contains(res.body, "Ditahan:") || strings.Contains(res.body, `id="f-pendamping"`) {
		t.Error("escort page shows others' visits, held slots or the filters")
	}
	if !strings.Contains(res.body, "Kunjungan yang Bapak/Ibu dampingi") {
		t.Error("escort page does not say it shows their own visits")
	}
}

func TestCalendarFeedRejectsBadRanges(t *testing.T) {
	e := newEnv(t)
	coord := e.sessionFor(models.RoleCoordinator)
	for _, q := range []string{
		"start=2026-04-01&end=2026-03-01", // backwards
		"start=2026-03-01&end=2026-03-01", // empty
		"start=2026-01-01&end=2026-06-01", // more than 100 days
		"start=kemarin&end=2026-03-01",    // not a date
		"start=2026-03-01",                // half a range
		"start=2026-03-01&end=2026-04-01&pendamping=bukan-id",
	} {
		res := e.do("GET", "/staf/api/kalender?"+q, nil, coord)
		var body struct {
			Error string `json:"error"`
		}
		if res.status != http.StatusBadRequest || json.Unmarshal([]byte(res.body), &body) != nil || body.Error == "" {
			t.Errorf("%s: %d %s, want 400 with a JSON error", q, res.status, res.body)
		}
	}
	// Without a range the feed gives the current month.
	events := e.feed("/staf/api/kalender", coord)
	if _, ok := findEvent(events, "Hari Suci Nyepi (Tahun Baru Saka 1948)"); !ok {
		t.Error("feed without a range does not cover the current month")
	}
}

func TestLeadershipViewsTheCalendar(t *testing.T) {
	e := newEnv(t)
	seedCalendar(t, e)
	lead := e.sessionFor(models.RoleLeadership)
	events := e.feed(marchFeed, lead)
	if _, ok := findEvent(events, "DPRD Kota Semarang"); !ok {
		t.Error("leadership does not see visits")
	}
	res := e.do("GET", "/staf/kalender?bulan=2026-03", nil, lead)
	if res.status != http.StatusOK || !strings.Contains(res.body, "DPRD Kota Semarang") {
		t.Errorf("leadership page: %d", res.status)
	}
}
