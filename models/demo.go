package models

import (
	"context"
	"errors"
	"time"
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
	Visits int
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
			Topics:       []string{"pembentukan MPP", "integrasi OSS", "pengelolaan tenant"},
			Notes:        "Rombongan tiba dengan bus dari Bandara I Gusti Ngurah Rai.",
		}},
		{StatusApproved, 12, 9, 0, 9, Visit{
			InstitutionName: "Pemerintah Kabupaten Blora",
			InstitutionType: InstRegency, ProvinceCode: "33", RegencyCode: "33.16",
			Region:       "Kabupaten Blora, Jawa Tengah",
			Leader:       Person{Name: "Drs. Bambang Santoso, M.M.", Position: "Sekretaris Daerah Kabupaten Blora"},
			Contact:      Person{Name: "Dwi Lestari, S.Sos.", Position: "Kepala Bidang Pelayanan DPMPTSP Kabupaten Blora", Email: "dwi.lestari@example.go.id", Phone: "+6281234500002"},
			Participants: 24,
			Topics:       []string{"MPP digital", "perizinan dan investasi"},
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
			Topics:       []string{"pembentukan MPP"},
			Notes:        "Surat permohonan perlu ditandatangani Sekda.",
		}},
		{StatusCompleted, -97, 9, 0, 120, Visit{
			InstitutionName: "DPRD Provinsi Sulawesi Tenggara",
			InstitutionType: InstDPRD, ProvinceCode: "74", RegencyCode: "",
			Region:       "Provinsi Sulawesi Tenggara",
			Leader:       Person{Name: "H. Muhammad Ridwan, S.E.", Position: "Ketua Komisi I DPRD Provinsi Sulawesi Tenggara"},
			Contact:      Person{Name: "Sri Wahyuni, S.AP.", Position: "Kasubbag Humas Sekretariat DPRD", Email: "sri.wahyuni@example.go.id", Phone: "+6281234500005"},
			Participants: 18,
			Topics:       []string{"perizinan dan investasi", "pengelolaan tenant"},
		}},
		{StatusOffered, 33, 8, 30, 3, Visit{
			InstitutionName: "Pemerintah Kota Kupang",
			InstitutionType: InstCity, ProvinceCode: "53", RegencyCode: "53.71",
			Region:       "Kota Kupang, Nusa Tenggara Timur",
			Leader:       Person{Name: "Yohanes Benu, S.Sos., M.Si.", Position: "Asisten Perekonomian dan Pembangunan Kota Kupang"},
			Contact:      Person{Name: "Maria Goreti Lake", Position: "Kepala Seksi Pelayanan DPMPTSP Kota Kupang", Email: "maria.lake@example.go.id", Phone: "+6281234500006"},
			Participants: 30,
			Topics:       []string{"MPP digital", "integrasi OSS"},
		}},
	}
}

// SeedDemo fills an empty store with sample staff and visits. It refuses
// (ErrNotEmpty) when any visit exists, so it never touches real records.
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
		{Email: "pendamping@studitiru.local", Name: "I Gede Made Suardana, S.Kom.", Role: string(RoleEscort)},
		{Email: "pimpinan@studitiru.local", Name: "Dr. I Nyoman Darma Putra, S.T., M.Si.", Role: string(RoleLeadership)},
	}
	for _, in := range staff {
		if _, err := s.UserByEmail(ctx, in.Email); err == nil {
			continue // a previous demo run already created it
		}
		in.Password = NewPassword()
		if _, err := s.CreateUser(ctx, in, false, now); err != nil {
			return nil, err
		}
		res.Users = append(res.Users, DemoUser{Email: in.Email, Password: in.Password, Role: Role(in.Role)})
	}

	today := now.In(loc)
	for _, d := range demoVisits() {
		v := d.visit
		day := today.AddDate(0, 0, d.daysFromNow)
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1) // visits are on working days
		}
		v.Start = time.Date(day.Year(), day.Month(), day.Day(), d.hour, d.min, 0, 0, loc).UTC()
		v.SessionID = "pagi"
		if d.hour >= 12 {
			v.SessionID = "siang"
		}
		v.Requested = []RequestedSlot{{Date: DateKey(day), SessionID: v.SessionID}}
		v.Protocol = "standar"
		v.SubmissionKey = NewToken()
		v.TrackingHash = hashToken(NewToken()) // demo delegations get no link
		v.End = v.Start.Add(3 * time.Hour)
		v.CreatedAt = now.AddDate(0, 0, -d.submitted).UTC()
		v.UpdatedAt = v.CreatedAt
		v.Status = d.status
		v.Language = LangID
		v.History = []Event{{At: v.CreatedAt, Actor: v.Contact.Name, Action: "diajukan"}}
		code, err := s.NextVisitCode(ctx, v.CreatedAt, loc)
		if err != nil {
			return nil, err
		}
		v.Code = code
		if err := s.InsertVisit(ctx, &v); err != nil {
			return nil, err
		}
		res.Visits++
	}
	return res, nil
}
