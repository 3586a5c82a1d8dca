package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ErrNotEmpty stops the demo seed from mixing samples into real records.
var ErrNotEmpty = errors.New("penyimpanan sudah berisi data")

// DemoUser is a sample staff account and its generated password.
type DemoUser struct {
	Email, Password string
	Role            Role
}

// DemoResult says what SeedDemo created.
type DemoResult struct {
	Users  []DemoUser
	Visits int // all visits, the history included
	// History is the number of past visits inserted as records.
	History int
}

// demoVisit is one sample request, placed relative to the seeding day so
// that the app looks alive whenever it is started.
type demoVisit struct {
	status      VisitStatus
	daysFromNow int // visit day relative to today (negative: in the past)
	hour, min   int
	submitted   int // days before today the request came in
	visit       Visit
}

// demoVisits draws on real practice (the seed reports of DESIGN.md §1):
// delegations of 24–30 led by a Sekda or Asisten, from all over Indonesia.
// The people's names are invented.
func demoVisits() []demoVisit {
	return []demoVisit{
		{StatusCompleted, -41, 9, 0, 60, Visit{
			InstitutionName: "Kementerian Dalam Negeri bersama Pemerintah Kabupaten Konawe",
			InstitutionType: InstMinistry, ProvinceCode: "74", RegencyCode: "74.02",
			Region:       "Kabupaten Konawe, Sulawesi Tenggara",
			Leader:       Person{Name: "Dr. H. Ahmad Syarif, S.STP., M.Si.", Position: "Asisten Pemerintahan dan Kesejahteraan Rakyat Kabupaten Konawe"},
			Contact:      Person{Name: "Rina Kartika, S.E.", Position: "Analis Kebijakan DPMPTSP Kabupaten Konawe", Email: "rina.kartika@example.go.id", Phone: "+6281234500001"},
			Participants: 30,
			Topics:       []string{"Pembentukan MPP", "Integrasi OSS", "Pengelolaan tenant"},
			Notes:        "Rombongan tiba dengan bus dari Bandara I Gusti Ngurah Rai.",
		}},
		{StatusApproved, 12, 9, 0, 9, Visit{
			InstitutionName: "Pemerintah Kabupaten Blora",
			InstitutionType: InstRegency, ProvinceCode: "33", RegencyCode: "33.16",
			Region:       "Kabupaten Blora, Jawa Tengah",
			Leader:       Person{Name: "Drs. Bambang Santoso, M.M.", Position: "Sekretaris Daerah Kabupaten Blora"},
			Contact:      Person{Name: "Dwi Lestari, S.Sos.", Position: "Kepala Bidang Pelayanan DPMPTSP Kabupaten Blora", Email: "dwi.lestari@example.go.id", Phone: "+6281234500002"},
			Participants: 24,
			Topics:       []string{"MPP digital", "Perizinan dan investasi"},
		}},
		{StatusSubmitted, 19, 13, 0, 2, Visit{
			InstitutionName: "Pemerintah Kabupaten Soppeng",
			InstitutionType: InstRegency, ProvinceCode: "73", RegencyCode: "73.12",
			Region:       "Kabupaten Soppeng, Sulawesi Selatan",
			Leader:       Person{Name: "Andi Muhammad Yusuf, S.H., M.H.", Position: "Asisten Administrasi Umum Kabupaten Soppeng"},
			Contact:      Person{Name: "Andi Nurul Fadhilah, S.Kom.", Position: "Pranata Komputer DPMPTSP Kabupaten Soppeng", Email: "nurul.fadhilah@example.go.id", Phone: "+6281234500003"},
			Participants: 27,
			Topics:       []string{"SKM dan pengaduan", "MPP digital"},
		}},
		{StatusRevision, 26, 9, 0, 4, Visit{
			InstitutionName: "Pemerintah Kabupaten Muna Barat",
			InstitutionType: InstRegency, ProvinceCode: "74", RegencyCode: "74.13",
			Region:       "Kabupaten Muna Barat, Sulawesi Tenggara",
			Leader:       Person{Name: "La Ode Hasrun, S.Pd., M.Si.", Position: "Pj Sekretaris Daerah Kabupaten Muna Barat"},
			Contact:      Person{Name: "Wa Ode Sitti Rahma", Position: "Staf Bagian Organisasi Setda Kabupaten Muna Barat", Email: "sitti.rahma@example.go.id", Phone: "+6281234500004"},
			Participants: 25,
			Topics:       []string{"Pembentukan MPP"},
			Notes:        "Surat permohonan perlu ditandatangani Sekda.",
		}},
		{StatusCompleted, -97, 9, 0, 120, Visit{
			InstitutionName: "DPRD Provinsi Sulawesi Tenggara",
			InstitutionType: InstDPRD, ProvinceCode: "74", RegencyCode: "",
			Region:       "Provinsi Sulawesi Tenggara",
			Leader:       Person{Name: "H. Muhammad Ridwan, S.E.", Position: "Ketua Komisi I DPRD Provinsi Sulawesi Tenggara"},
			Contact:      Person{Name: "Sri Wahyuni, S.AP.", Position: "Kasubbag Humas Sekretariat DPRD", Email: "sri.wahyuni@example.go.id", Phone: "+6281234500005"},
			Participants: 18,
			Topics:       []string{"Perizinan dan investasi", "Pengelolaan tenant"},
		}},
		{StatusOffered, 33, 8, 30, 3, Visit{
			InstitutionName: "Pemerintah Kota Kupang",
			InstitutionType: InstCity, ProvinceCode: "53", RegencyCode: "53.71",
			Region:       "Kota Kupang, Nusa Tenggara Timur",
			Leader:       Person{Name: "Yohanes Benu, S.Sos., M.Si.", Position: "Asisten Perekonomian dan Pembangunan Kota Kupang"},
			Contact:      Person{Name: "Maria Goreti Lake", Position: "Kepala Seksi Pelayanan DPMPTSP Kota Kupang", Email: "maria.lake@example.go.id", Phone: "+6281234500006"},
			Participants: 30,
			Topics:       []string{"MPP digital", "Integrasi OSS"},
		}},
	}
}

// demoExtra are more delegations, so that the inbox and the calendar of
// the coming weeks look like a busy season at MPP Badung.
func demoExtra() []demoVisit {
	type d = demoVisit
	mk := func(status VisitStatus, days, hour, min, submitted int, inst string, typ InstitutionType, prov, reg, region, leader, position string, n int, topics ...string) d {
		return d{status, days, hour, min, submitted, Visit{
			InstitutionName: inst, InstitutionType: typ, ProvinceCode: prov, RegencyCode: reg, Region: region,
			Leader:       Person{Name: leader, Position: position},
			Contact:      Person{Name: "Narahubung " + inst, Position: "Staf Bagian Organisasi", Email: "narahubung." + prov + "@example.go.id", Phone: "+628123450" + prov + fmt.Sprint(days+50)},
			Participants: n, Topics: topics,
		}}
	}
	return []demoVisit{
		mk(StatusApproved, 15, 13, 0, 12, "Pemerintah Kabupaten Banyuwangi", InstRegency, "35", "35.10", "Kabupaten Banyuwangi, Jawa Timur",
			"Ir. Bagus Wicaksono, M.T.", "Asisten Perekonomian dan Pembangunan Kabupaten Banyuwangi", 28, "MPP digital", "Pengelolaan tenant"),
		mk(StatusApproved, 20, 9, 0, 15, "DPRD Kabupaten Lombok Timur", InstDPRD, "52", "52.03", "Kabupaten Lombok Timur, Nusa Tenggara Barat",
			"H. Lalu Ahmad Fauzi, S.H.", "Ketua Komisi I DPRD Kabupaten Lombok Timur", 35, "Pembentukan MPP", "SKM dan pengaduan"),
		mk(StatusApproved, 23, 9, 0, 14, "Pemerintah Kota Balikpapan", InstCity, "64", "64.71", "Kota Balikpapan, Kalimantan Timur",
			"Drs. Hendra Saputra, M.Si.", "Sekretaris Daerah Kota Balikpapan", 22, "Integrasi OSS", "Perizinan dan investasi"),
		mk(StatusApproved, 27, 13, 0, 18, "Pemerintah Provinsi Papua Barat Daya", InstProvince, "96", "", "Provinsi Papua Barat Daya",
			"Yakob Kambu, S.Sos., M.Si.", "Asisten Administrasi Umum Provinsi Papua Barat Daya", 40, "Pembentukan MPP", "MPP digital"),
		mk(StatusApproved, 35, 9, 0, 10, "Pemerintah Kabupaten Sleman", InstRegency, "34", "34.04", "Kabupaten Sleman, DI Yogyakarta",
			"Dra. Sri Handayani, M.M.", "Kepala DPMPTSP Kabupaten Sleman", 20, "SKM dan pengaduan"),
		mk(StatusApproved, 41, 9, 0, 9, "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi", InstMinistry, "31", "", "DKI Jakarta",
			"Dr. Andi Rahmat, S.STP., M.A.P.", "Asisten Deputi Pelayanan Publik Kementerian PANRB", 15, "MPP digital", "SKM dan pengaduan"),
		mk(StatusSubmitted, 30, 9, 0, 9, "Pemerintah Kabupaten Gowa", InstRegency, "73", "73.06", "Kabupaten Gowa, Sulawesi Selatan",
			"Muh. Fajar Nur, S.E., M.Si.", "Asisten Perekonomian Kabupaten Gowa", 32, "Perizinan dan investasi", "Integrasi OSS"),
		mk(StatusSubmitted, 44, 13, 0, 1, "Universitas Udayana", InstUniversity, "51", "51.71", "Kota Denpasar, Bali",
			"Prof. Dr. I Wayan Sudarma, M.Si.", "Dekan Fakultas Ilmu Sosial dan Ilmu Politik", 45, "MPP digital"),
		mk(StatusCompleted, -20, 9, 0, 40, "Pemerintah Kabupaten Tabanan", InstRegency, "51", "51.02", "Kabupaten Tabanan, Bali",
			"I Made Sukarta, S.H., M.H.", "Asisten Pemerintahan Kabupaten Tabanan", 26, "Pengelolaan tenant"),
		mk(StatusDeclined, 25, 9, 0, 6, "Pemerintah Kabupaten Kepulauan Aru", InstRegency, "81", "81.07", "Kabupaten Kepulauan Aru, Maluku",
			"Jopie Gaite, S.Sos.", "Asisten Perekonomian Kabupaten Kepulauan Aru", 55, "Pembentukan MPP"),
	}
}

// demoEscorts are the sample escorts with their units and topics.
func demoEscorts() []struct {
	in      UserInput
	profile EscortProfile
} {
	return []struct {
		in      UserInput
		profile EscortProfile
	}{
		{UserInput{Email: "pendamping@studitiru.local", Name: "I Gede Made Suardana, S.Kom.", Role: string(RoleEscort)},
			EscortProfile{Unit: "Bidang Pengembangan Sistem Informasi", Topics: []string{"MPP digital", "Integrasi OSS"}, Languages: []string{"Indonesia", "Inggris", "Bali"}}},
		{UserInput{Email: "pendamping2@studitiru.local", Name: "Ni Luh Putu Sri Artini, S.E.", Role: string(RoleEscort)},
			EscortProfile{Unit: "Bidang Pelayanan Perizinan", Topics: []string{"Perizinan dan investasi", "Pengelolaan tenant"}, Languages: []string{"Indonesia", "Bali"}}},
		{UserInput{Email: "pendamping3@studitiru.local", Name: "Komang Adi Wiguna, S.AP.", Role: string(RoleEscort)},
			EscortProfile{Unit: "Bidang Pengaduan dan Pengawasan", Topics: []string{"SKM dan pengaduan", "Pembentukan MPP"}, Languages: []string{"Indonesia", "Inggris", "Jawa"}}},
	}
}

// SeedDemo fills an empty store with sample staff and visits. It refuses
// (ErrNotEmpty) when any visit exists, so it never touches real records.
// Approved and offered visits go through the same decisions and
// reservations as real ones, so the calendar and availability agree.
func SeedDemo(ctx context.Context, s *Store, now time.Time, loc *time.Location) (*DemoResult, error) {
	n, err := s.CountVisits(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrNotEmpty
	}
	res := &DemoResult{}
	staff := []UserInput{
		{Email: "petugas@studitiru.local", Name: "Ni Kadek Ayu Wulandari, S.AP.", Role: string(RoleCoordinator)},
		{Email: "pimpinan@studitiru.local", Name: "Dr. I Nyoman Darma Putra, S.T., M.Si.", Role: string(RoleLeadership)},
	}
	escorts := demoEscorts()
	for _, e := range escorts {
		staff = append(staff, e.in)
	}
	names := map[bson.ObjectID]string{}
	var escortIDs []bson.ObjectID
	for _, in := range staff {
		u, err := s.UserByEmail(ctx, in.Email)
		if err != nil { // not there yet (a previous demo run may have made it)
			in.Password = NewPassword()
			if u, err = s.CreateUser(ctx, in, false, now); err != nil {
				return nil, err
			}
			res.Users = append(res.Users, DemoUser{Email: in.Email, Password: in.Password, Role: Role(in.Role)})
		}
		if u.Role == RoleEscort {
			names[u.ID] = u.Name
			escortIDs = append(escortIDs, u.ID)
			for _, e := range escorts {
				if e.in.Email == u.Email {
					p := e.profile
					p.UserID = u.ID
					if existing, err := s.EscortProfile(ctx, u.ID); err == nil && existing.Version > 0 {
						break
					}
					if err := s.SaveEscortProfile(ctx, &p, now); err != nil {
						return nil, err
					}
				}
			}
		}
	}

	settings, err := s.HostSettings(ctx)
	if err != nil {
		return nil, err
	}
	today := now.In(loc)
	cal := NewHolidayCalendar(append(NationalHolidays2025to2026(),
		BalineseHolidays(today.AddDate(-1, 0, 0), today.AddDate(1, 0, 0))...))
	decision := Decision{Actor: "Ni Kadek Ayu Wulandari, S.AP.", Settings: settings, Calendar: cal, Escorts: names, Now: now, Location: loc}
	host := DefaultHostProfile()
	// Visits fall on working days with that session, one per session.
	taken := map[string]bool{}
	nextFree := func(day time.Time, sessionID string) time.Time {
		for {
			_, ok := settings.SessionByID(day, sessionID)
			if ok && cal.IsWorkingDay(day) && !taken[DateKey(day)+sessionID] {
				taken[DateKey(day)+sessionID] = true
				return day
			}
			day = day.AddDate(0, 0, 1)
		}
	}
	// Several years of completed visits, for the leadership dashboard.
	regions, err := LoadRegions()
	if err != nil {
		return nil, err
	}
	history, answers := demoHistory(now, loc, settings, cal, regions, escortIDs, names, taken)
	if err := s.InsertVisitsBulk(ctx, history, now, loc); err != nil {
		return nil, err
	}
	if err := s.InsertSurveyResponsesBulk(ctx, answers); err != nil {
		return nil, err
	}
	res.Visits += len(history)
	res.History = len(history)
	for i, d := range append(demoVisits(), demoExtra()...) {
		v := d.visit
		sessionID := "pagi"
		if d.hour >= 12 {
			sessionID = "siang"
		}
		day := nextFree(today.AddDate(0, 0, d.daysFromNow), sessionID)
		sess, _ := settings.SessionByID(day, sessionID)
		start, end := sess.On(day, loc)
		v.SessionID, v.Start, v.End = sessionID, start.UTC(), end.UTC()
		v.Requested = []RequestedSlot{{Date: DateKey(day), SessionID: sessionID}}
		v.Protocol = "standar"
		v.SubmissionKey = NewToken()
		v.TrackingHash = hashToken(NewToken()) // demo delegations get no link
		v.CreatedAt = now.AddDate(0, 0, -d.submitted).UTC()
		v.UpdatedAt = v.CreatedAt
		v.Status = StatusSubmitted
		v.Language = LangID
		v.Letter = Letter{Number: fmt.Sprintf("000.1.2.3/%d/Setda", 100+i), Date: DateKey(v.CreatedAt.In(loc).AddDate(0, 0, -3))}
		v.History = []Event{{At: v.CreatedAt, Actor: v.Contact.Name, Action: string(StatusSubmitted)}}
		code, err := s.NextVisitCode(ctx, v.CreatedAt, loc)
		if err != nil {
			return nil, err
		}
		v.Code = code
		if err := s.InsertVisit(ctx, &v); err != nil {
			return nil, err
		}
		res.Visits++

		// Two escorts per visit, chosen round-robin; the larger room for
		// larger delegations.
		room := "rapat"
		if v.Participants > 30 {
			room = "aula"
		}
		pair := []bson.ObjectID{escortIDs[i%len(escortIDs)], escortIDs[(i+1)%len(escortIDs)]}
		a := Assignment{Date: DateKey(day), SessionID: sessionID, RoomID: room, EscortIDs: pair,
			Receiver: host.Receivers[i%2], Agenda: settings.AgendaTemplate,
			ReplyNumber: fmt.Sprintf("000.1.5/%d/DPMPTSP/%d", 300+i, day.Year())}
		before := v
		switch d.status {
		case StatusApproved:
			err = v.Approve(a, decision)
		case StatusOffered:
			first := nextFree(day.AddDate(0, 0, 2), "pagi")
			second := nextFree(first.AddDate(0, 0, 1), "siang")
			err = v.OfferSlots([]RequestedSlot{{Date: DateKey(first), SessionID: "pagi"}, {Date: DateKey(second), SessionID: "siang"}},
				"Sesi yang diminta sudah terisi kunjungan lain.", decision)
		case StatusRevision:
			err = v.AskRevision("Surat permohonan perlu ditandatangani Sekretaris Daerah.", decision)
		case StatusDeclined:
			err = v.Decline("Jumlah peserta melebihi kapasitas ruangan pada tanggal tersebut; mohon ajukan kembali dengan rombongan lebih kecil.", decision)
		case StatusCompleted:
			// Visits in the past are recorded as they happened: no decision
			// can schedule into the past, and no reservation is needed.
			past := decision
			past.Now = start.Add(-7 * 24 * time.Hour)
			if err = v.Approve(a, past); err == nil {
				past.Now = end
				err = v.Complete("Rombongan hadir lengkap; dilanjutkan peninjauan loket.", past)
			}
			if err == nil {
				err = s.SaveVisit(ctx, &v, now)
			}
			if err != nil {
				return nil, fmt.Errorf("demo %s: %w", v.Code, err)
			}
			continue
		default:
			continue
		}
		if err == nil {
			err = s.UpdateVisit(ctx, &before, &v, settings, loc, now)
		}
		if err != nil {
			return nil, fmt.Errorf("demo %s: %w", v.Code, err)
		}
	}
	return res, nil
}
