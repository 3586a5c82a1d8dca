package models_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"studitiru/models"
)

func TestDefaultHostSettingsAreValid(t *testing.T) {
	if err := models.DefaultHostSettings().Validate(); err != nil {
		t.Fatal(err)
	}
	p := models.DefaultHostProfile()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestHostSettingsValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*models.HostSettings)
		field  string
		key    string
	}{
		{"time without dot", func(h *models.HostSettings) { h.Weekly[1][0].Start = "0900" }, "weekly_1_0_start", "settings.err_time"},
		{"hour 25", func(h *models.HostSettings) { h.Weekly[2][1].End = "25.00" }, "weekly_2_1_end", "settings.err_time"},
		{"end before start", func(h *models.HostSettings) { h.Weekly[5][0].End = "08.00" }, "weekly_5_0_end", "settings.err_time_order"},
		{"end equals start", func(h *models.HostSettings) { h.Weekly[5][0].End = "08.30" }, "weekly_5_0_end", "settings.err_time_order"},
		{"overlap", func(h *models.HostSettings) { h.Weekly[3][1].Start = "11.00" }, "weekly_3_1_start", "settings.err_overlap"},
		{"overlap in other order", func(h *models.HostSettings) {
			h.Weekly[4] = []models.VisitSession{{ID: "siang", Start: "13.00", End: "15.00"}, {ID: "pagi", Start: "09.00", End: "13.30"}}
		}, "weekly_4_1_start", "settings.err_overlap"},
		{"duplicate session ID", func(h *models.HostSettings) { h.Weekly[1][1].ID = "pagi" }, "weekly_1_1_id", "settings.err_session_dup"},
		{"session ID with capitals", func(h *models.HostSettings) { h.Weekly[1][0].ID = "Pagi" }, "weekly_1_0_id", "settings.err_slug"},
		{"session ID with colon", func(h *models.HostSettings) { h.Weekly[1][0].ID = "a:b" }, "weekly_1_0_id", "settings.err_slug"},
		{"session ID empty", func(h *models.HostSettings) { h.Weekly[1][0].ID = "" }, "weekly_1_0_id", "err.required"},
		{"saturday session", func(h *models.HostSettings) { h.SaturdaySessions[0].End = "9.00" }, "saturday_0_end", "settings.err_time"},
		{"open saturday on a Friday", func(h *models.HostSettings) { h.OpenSaturdays = []string{"2026-07-10"} }, "open_saturdays", "settings.err_not_saturday"},
		{"open saturday not a date", func(h *models.HostSettings) { h.OpenSaturdays = []string{"11 Juli"} }, "open_saturdays", "err.date"},
		{"zero delegations", func(h *models.HostSettings) { h.MaxDelegations = 0 }, "max_delegations", "settings.err_min1"},
		{"zero participants", func(h *models.HostSettings) { h.MaxParticipants = 0 }, "max_participants", "settings.err_min1"},
		{"nearly full negative", func(h *models.HostSettings) { h.NearlyFullAt = -1 }, "nearly_full_at", "settings.err_min0"},
		{"nearly full at capacity", func(h *models.HostSettings) { h.NearlyFullAt = 60 }, "nearly_full_at", "settings.err_nearly_full"},
		{"negative notice", func(h *models.HostSettings) { h.MinNoticeDays = -1 }, "min_notice_days", "settings.err_min0"},
		{"horizon within notice", func(h *models.HostSettings) { h.HorizonDays = 3 }, "horizon_days", "settings.err_horizon"},
		{"negative roster deadline", func(h *models.HostSettings) { h.RosterDeadlineDays = -2 }, "roster_deadline_days", "settings.err_min0"},
		{"offer hold 0", func(h *models.HostSettings) { h.OfferHoldDays = 0 }, "offer_hold_days", "settings.err_offer_hold"},
		{"offer hold 31", func(h *models.HostSettings) { h.OfferHoldDays = 31 }, "offer_hold_days", "settings.err_offer_hold"},
		{"room without ID", func(h *models.HostSettings) { h.Rooms[1].ID = "" }, "room_1_id", "err.required"},
		{"room IDs repeat", func(h *models.HostSettings) { h.Rooms[1].ID = "aula" }, "room_1_id", "settings.err_room_dup"},
		{"room capacity 0", func(h *models.HostSettings) { h.Rooms[0].Capacity = 0 }, "room_0_capacity", "settings.err_min1"},
		{"room without name", func(h *models.HostSettings) { h.Rooms[0].Name = " " }, "room_0_name", "err.required"},
		{"blackout reversed", func(h *models.HostSettings) {
			h.Blackouts = []models.Blackout{{From: "2026-07-10", To: "2026-07-01", Reason: "Renovasi"}}
		}, "blackout_0_to", "settings.err_date_order"},
		{"blackout without reason", func(h *models.HostSettings) {
			h.Blackouts = []models.Blackout{{From: "2026-07-01", To: "2026-07-01"}}
		}, "blackout_0_reason", "err.required"},
		{"blackout bad date", func(h *models.HostSettings) {
			h.Blackouts = []models.Blackout{{From: "2026-02-30", To: "2026-03-01", Reason: "x"}}
		}, "blackout_0_from", "err.date"},
		{"no topics", func(h *models.HostSettings) { h.Topics = nil }, "topics", "err.required"},
		{"topic twice", func(h *models.HostSettings) { h.Topics = []string{"MPP digital", "mpp digital"} }, "topics", "settings.err_duplicate_line"},
		{"empty agenda item", func(h *models.HostSettings) { h.AgendaTemplate = []string{"Penyambutan", " "} }, "agenda", "settings.err_empty_line"},
		{"no agenda", func(h *models.HostSettings) { h.AgendaTemplate = nil }, "agenda", "err.required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := models.DefaultHostSettings()
			// Weekly shares one slice for Monday–Thursday: give each day its
			// own so that a change hits one day only.
			for wd := range h.Weekly {
				h.Weekly[wd] = append([]models.VisitSession(nil), h.Weekly[wd]...)
			}
			h.Rooms = append([]models.Room(nil), h.Rooms...)
			c.change(&h)
			v, ok := models.AsValidation(h.Validate())
			if !ok {
				t.Fatalf("valid, want %s on %s", c.key, c.field)
			}
			if v.Fields[c.field] != c.key {
				t.Errorf("fields %v, want %s = %s", v.Fields, c.field, c.key)
			}
		})
	}
}

func TestHostProfileValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*models.HostProfile)
		field  string
		key    string
	}{
		{"name required", func(p *models.HostProfile) { p.Name = "  " }, "name", "err.required"},
		{"agency required", func(p *models.HostProfile) { p.Agency = "" }, "agency", "err.required"},
		{"address required", func(p *models.HostProfile) { p.Address = "" }, "address", "err.required"},
		{"email syntax", func(p *models.HostProfile) { p.Email = "dpmptsp@" }, "email", "err.email"},
		{"phone", func(p *models.HostProfile) { p.Phone = "0361 123" }, "phone", "settings.err_phone"},
		{"map URL javascript", func(p *models.HostProfile) { p.MapURL = "javascript:alert(1)" }, "map_url", "settings.err_url"},
		{"map URL relative", func(p *models.HostProfile) { p.MapURL = "/peta" }, "map_url", "settings.err_url"},
		{"NIP", func(p *models.HostProfile) { p.SignatoryNIP = "1970 0101" }, "signatory_nip", "settings.err_nip"},
		{"line break in a name", func(p *models.HostProfile) { p.SignatoryName = "Dr. A\x00B" }, "signatory_name", "settings.err_text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := models.DefaultHostProfile()
			c.change(&p)
			v, ok := models.AsValidation(p.Validate())
			if !ok || v.Fields[c.field] != c.key {
				t.Fatalf("got %v, want %s = %s", p.Validate(), c.field, c.key)
			}
		})
	}

	p := models.DefaultHostProfile()
	p.Phone, p.Email, p.SignatoryNIP = " 0812-3456-7890 ", " DPMPTSP@BadungKab.go.id ", "19700101 199503 1 002"
	p.OfficeHours = []string{" Senin–Kamis 08.00–16.00 WITA ", "", "Jumat 06.30–12.00 WITA"}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Phone != "+6281234567890" || p.Email != "dpmptsp@badungkab.go.id" || p.SignatoryNIP != "197001011995031002" || len(p.OfficeHours) != 2 {
		t.Errorf("not normalised: %q %q %q %q", p.Phone, p.Email, p.SignatoryNIP, p.OfficeHours)
	}
}

func TestSaveHostSettingsRoundTripAndStaleVersion(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	h, err := st.HostSettings(ctx(t))
	if err != nil || h.Version != 0 {
		t.Fatalf("defaults: version %d, %v", h.Version, err)
	}
	h.Topics = append(h.Topics, "Mal Pelayanan Publik Digital")
	h.Weekly[1] = []models.VisitSession{{ID: "siang", Start: "13.00", End: "15.00"}, {ID: "pagi", Start: "9:00", End: "11.30"}}
	if err := st.SaveHostSettings(ctx(t), &h, now); err != nil {
		t.Fatal(err)
	}
	if h.Version != 1 {
		t.Errorf("version after first save %d, want 1", h.Version)
	}
	got, _ := st.HostSettings(ctx(t))
	if got.Version != 1 || got.Topics[len(got.Topics)-1] != "Mal Pelayanan Publik Digital" {
		t.Fatalf("stored %+v", got)
	}
	if mon := got.Weekly[1]; mon[0].ID != "pagi" || mon[0].Start != "09.00" {
		t.Errorf("Monday not normalised and sorted: %+v", mon)
	}

	// A save from the defaults (version 0) after the first save is stale.
	stale := models.DefaultHostSettings()
	if err := st.SaveHostSettings(ctx(t), &stale, now); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale first save: %v, want ErrConflict", err)
	}
	got.MaxParticipants = 40
	if err := st.SaveHostSettings(ctx(t), &got, now); err != nil {
		t.Fatal(err)
	}
	h.MaxParticipants = 80 // h is still at version 1
	if err := st.SaveHostSettings(ctx(t), &h, now); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale save: %v, want ErrConflict", err)
	}
	if final, _ := st.HostSettings(ctx(t)); final.MaxParticipants != 40 || final.Version != 2 {
		t.Errorf("stored %d participants at version %d, want 40 at 2", final.MaxParticipants, final.Version)
	}

	// Invalid settings are not written.
	got.MaxDelegations = 0
	if _, ok := models.AsValidation(st.SaveHostSettings(ctx(t), &got, now)); !ok {
		t.Error("invalid settings saved")
	}
}

// TestConcurrentSettingsSavesHaveOneWinner: admins saving at once from the
// same version, the first save (no document yet) included: exactly one
// wins, the others get ErrConflict.
func TestConcurrentSettingsSavesHaveOneWinner(t *testing.T) {
	st := server.Open(t)
	for round := 0; round < 4; round++ {
		base, err := st.HostSettings(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		baseProfile, err := st.HostProfile(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		var wins, conflicts, profileWins atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 6; i++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				mine := base
				mine.MaxParticipants = 30 + i
				switch err := st.SaveHostSettings(ctx(t), &mine, time.Now()); {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, models.ErrConflict):
					conflicts.Add(1)
				default:
					t.Error(err)
				}
			}()
			go func() {
				defer wg.Done()
				mine := baseProfile
				mine.SignatoryName = "Penandatangan " + string(rune('A'+i))
				switch err := st.SaveHostProfile(ctx(t), &mine, time.Now()); {
				case err == nil:
					profileWins.Add(1)
				case errors.Is(err, models.ErrConflict):
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != 5 || profileWins.Load() != 1 {
			t.Fatalf("round %d (from version %d): %d settings winners, %d conflicts, %d profile winners; want exactly one each",
				round, base.Version, wins.Load(), conflicts.Load(), profileWins.Load())
		}
		if got, _ := st.HostSettings(ctx(t)); got.Version != base.Version+1 {
			t.Fatalf("round %d: version %d, want %d", round, got.Version, base.Version+1)
		}
	}
}

func TestSaveHostProfile(t *testing.T) {
	st := server.Open(t)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	p, err := st.HostProfile(ctx(t))
	if err != nil || p.Name != models.DefaultHostProfile().Name {
		t.Fatalf("defaults: %+v %v", p, err)
	}
	p.SignatoryName = "Dr. H. I Made Agus Aryawan, S.T., M.Si."
	p.Phone = "0812 3456 7890"
	if err := st.SaveHostProfile(ctx(t), &p, now); err != nil {
		t.Fatal(err)
	}
	got, _ := st.HostProfile(ctx(t))
	if got.SignatoryName != p.SignatoryName || got.Phone != "+6281234567890" || got.Version != 1 {
		t.Errorf("stored %+v", got)
	}
	old := got
	got.LetterCity = "Mengwi"
	if err := st.SaveHostProfile(ctx(t), &got, now); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveHostProfile(ctx(t), &old, now); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale profile save: %v", err)
	}
}

// TestAnotherInstanceSeesSettingsWithinReadCacheAge: each Store keeps the
// host settings and the stored holidays for at most ReadCacheAge (a
// second), so another instance sees a save within it; the instance that
// saved sees it at once (docs/DEPLOY.md, "Several instances").
func TestAnotherInstanceSeesSettingsWithinReadCacheAge(t *testing.T) {
	if models.ReadCacheAge > time.Second {
		t.Errorf("ReadCacheAge %v, the documents say at most a second", models.ReadCacheAge)
	}
	a := server.Open(t)
	b := secondStore(t, a)
	now := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	before, err := b.HostSettings(ctx(t)) // b keeps them now
	if err != nil {
		t.Fatal(err)
	}
	holidays, err := b.NationalHolidays(ctx(t))
	if err != nil {
		t.Fatal(err)
	}

	hs, _ := a.HostSettings(ctx(t))
	hs.MaxParticipants = before.MaxParticipants + 1
	if err := a.SaveHostSettings(ctx(t), &hs, now); err != nil {
		t.Fatal(err)
	}
	if err := a.AddHoliday(ctx(t), &models.Holiday{Date: "2027-01-01", Name: "Tahun Baru 2027 Masehi", Kind: models.HolidayNational}, now); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.HostSettings(ctx(t)); got.MaxParticipants != hs.MaxParticipants {
		t.Errorf("the saving instance reads %d, want its own save %d", got.MaxParticipants, hs.MaxParticipants)
	}
	if got, _ := a.NationalHolidays(ctx(t)); len(got) != len(holidays)+1 {
		t.Errorf("the saving instance lists %d holidays, want %d", len(got), len(holidays)+1)
	}

	time.Sleep(models.ReadCacheAge + 100*time.Millisecond)
	if got, _ := b.HostSettings(ctx(t)); got.MaxParticipants != hs.MaxParticipants {
		t.Errorf("another instance reads %d after %v, want %d", got.MaxParticipants, models.ReadCacheAge, hs.MaxParticipants)
	}
	if got, _ := b.NationalHolidays(ctx(t)); len(got) != len(holidays)+1 {
		t.Errorf("another instance lists %d holidays after %v, want %d", len(got), models.ReadCacheAge, len(holidays)+1)
	}
}
