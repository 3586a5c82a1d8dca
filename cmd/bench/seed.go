package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// account is a seeded staff account the load signs in with.
type account struct {
	ID              bson.ObjectID
	Email, Password string
}

// poolVisit is a pending request the approval load decides on: the slot it
// asked for, and the room and escorts its approval names.
type poolVisit struct {
	ID      bson.ObjectID
	Slot    models.RequestedSlot
	Room    string
	Escorts []bson.ObjectID
}

// seeded is what the load needs to know about the store it filled.
type seeded struct {
	Coordinator, Leadership account
	TrackToken              string // tracking link of a seeded request
	FeedToken               string // the coordinator's calendar subscription
	SubmitSlot              models.RequestedSlot
	Pool                    []poolVisit
	// Approvals fall in [From, To): the over-booking check reads it.
	From, To time.Time
	Settings models.HostSettings

	Demo, History, Answers int
	Notes                  []string
	// How long each part of the seeding took.
	DemoTime, HistoryTime, PendingTime time.Duration
}

// contenders is how many pending requests of the pool ask for one session:
// two, so that approvals race for it and the scheduling guards are put to
// the test (one wins, the other is refused with 409).
const contenders = 2

// seedStore fills an empty store: the demo (staff accounts, escorts, four
// years of history, current requests and approved visits with their
// reservations), the synthetic history of opt.Visits visits over the ten
// years before this one, and opt.Pending pending requests to approve.
func seedStore(ctx context.Context, st *models.Store, opt options, now time.Time, loc *time.Location) (*seeded, error) {
	s := &seeded{}
	t := time.Now()
	demo, err := models.SeedDemo(ctx, st, now, loc)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	s.Demo = demo.Visits
	for _, u := range demo.Users {
		acc := account{Email: u.Email, Password: u.Password}
		user, err := st.UserByEmail(ctx, u.Email)
		if err != nil {
			return nil, err
		}
		acc.ID = user.ID
		switch u.Role {
		case models.RoleCoordinator:
			s.Coordinator = acc
		case models.RoleLeadership:
			s.Leadership = acc
		}
	}
	if s.Coordinator.Email == "" || s.Leadership.Email == "" {
		return nil, errors.New("demo: no coordinator or leadership account")
	}

	s.DemoTime = time.Since(t)
	t = time.Now()
	lastYear := now.In(loc).Year() - 1
	if s.Answers, err = models.SyntheticHistory(ctx, st, opt.Visits, lastYear, loc); err != nil {
		return nil, fmt.Errorf("synthetic history: %w", err)
	}
	s.History = opt.Visits
	s.HistoryTime = time.Since(t)
	t = time.Now()

	if s.Settings, err = st.HostSettings(ctx); err != nil {
		return nil, err
	}
	escorts, err := st.Escorts(ctx)
	if err != nil {
		return nil, err
	}
	if len(escorts) < 3 {
		return nil, fmt.Errorf("demo: %d escorts, want 3", len(escorts))
	}

	// Free sessions from tomorrow to a year ahead (the holiday calendar
	// staff decisions use covers a year), as a coordinator may schedule
	// them: no notice or horizon rule, but holidays, closed days and the
	// demo's bookings count.
	today := now.In(loc)
	s.From = time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, loc)
	s.To = s.From.AddDate(1, 0, 0)
	cal, err := st.HolidayCalendar(ctx, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	bookings, err := st.Bookings(ctx, s.From, s.To, now)
	if err != nil {
		return nil, err
	}
	public := models.Availability{Settings: s.Settings, Calendar: cal, Bookings: bookings, Now: now, Location: loc}
	staff := public
	staff.Settings.MinNoticeDays, staff.Settings.HorizonDays = 0, 1<<20
	const participants = 24
	var free []models.RequestedSlot
	for day := s.From; day.Before(s.To); day = day.AddDate(0, 0, 1) {
		for _, sess := range s.Settings.SessionsOn(day) {
			if r, _ := staff.Check(day, sess.ID, participants); r != "" {
				continue
			}
			slot := models.RequestedSlot{Date: models.DateKey(day), SessionID: sess.ID}
			// The public form's submissions ask for the first session a
			// delegation may request; nobody approves into it.
			if s.SubmitSlot.Date == "" {
				if r, _ := public.Check(day, sess.ID, participants); r == "" {
					s.SubmitSlot = slot
					continue
				}
			}
			free = append(free, slot)
		}
	}
	if s.SubmitSlot.Date == "" {
		return nil, errors.New("no session open to the public form within a year")
	}
	pending := opt.Pending - opt.Pending%contenders
	if need := (pending + contenders - 1) / contenders; need > len(free) {
		pending = len(free) * contenders
		s.Notes = append(s.Notes, fmt.Sprintf("only %d free sessions within a year: the approval pool is %d requests, not %d", len(free), pending, opt.Pending))
	}

	// The pending requests: full documents as the public form stores them.
	// Both contenders for a session name different rooms and escorts, so
	// that only the session's capacity (one delegation) stands between them.
	trackKey, err := st.SecretKey(ctx, "tracking")
	if err != nil {
		return nil, err
	}
	var visits []models.Visit
	request := func(i int, slot models.RequestedSlot) (models.Visit, string) {
		day, _ := models.ParseDateKey(slot.Date, loc)
		sess, _ := s.Settings.SessionByID(day, slot.SessionID)
		start, end := sess.On(day, loc)
		created := now.Add(-time.Duration(1+i%72) * time.Hour).UTC()
		key := models.NewToken()
		token := models.TrackingToken(trackKey, key)
		name := fmt.Sprintf("Pemerintah Kabupaten Uji Beban %d", i+1)
		contact := models.Person{Name: fmt.Sprintf("Narahubung Uji %d", i+1), Position: "Staf Bagian Organisasi",
			Email: fmt.Sprintf("narahubung%d@example.go.id", i+1), Phone: "+6281234567890"}
		return models.Visit{
			ID: bson.NewObjectID(), Status: models.StatusSubmitted,
			InstitutionName: name, InstitutionType: models.InstRegency,
			ProvinceCode: "33", RegencyCode: "33.16", Region: "Kabupaten Blora, Jawa Tengah",
			Leader:       models.Person{Name: "Drs. Bambang Santoso, M.M.", Position: "Sekretaris Daerah"},
			Contact:      contact,
			Participants: participants, Topics: []string{"MPP digital", "Integrasi OSS"}, Protocol: "standar",
			Requested: []models.RequestedSlot{slot}, SessionID: sess.ID, Start: start.UTC(), End: end.UTC(),
			Letter:   models.Letter{Number: fmt.Sprintf("000.1.2.3/%d/Setda", 5000+i), Date: models.DateKey(created.In(loc))},
			Roster:   []models.RosterEntry{{Name: "Drs. Bambang Santoso, M.M.", Position: "Sekretaris Daerah", Gender: models.GenderMale}},
			Language: models.LangID, TrackingHash: models.TrackingHash(token), SubmissionKey: key,
			CreatedAt: created, UpdatedAt: created,
			History: []models.Event{{At: created, Actor: contact.Name, Action: string(models.StatusSubmitted)}},
		}, token
	}
	for i := range pending {
		slot := free[i/contenders]
		v, _ := request(i, slot)
		p := poolVisit{ID: v.ID, Slot: slot, Room: "aula", Escorts: []bson.ObjectID{escorts[0].ID, escorts[1].ID}}
		if i%contenders == 1 {
			p.Room, p.Escorts = "rapat", []bson.ObjectID{escorts[2].ID}
		}
		visits = append(visits, v)
		s.Pool = append(s.Pool, p)
	}
	// One more request, followed through its tracking link.
	tracked, token := request(pending, s.SubmitSlot)
	visits = append(visits, tracked)
	s.TrackToken = token
	if err := st.InsertVisitsBulk(ctx, visits, now, loc); err != nil {
		return nil, fmt.Errorf("pending requests: %w", err)
	}

	if s.FeedToken, err = st.FeedToken(ctx, s.Coordinator.ID, models.FeedHost, now); err != nil {
		return nil, err
	}
	s.PendingTime = time.Since(t)
	return s, nil
}
