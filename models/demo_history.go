package models

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// InsertVisitsBulk stores many past visits at once (the demo's history, the
// benchmarks). Each visit gets the next reference code of its request's
// year: the year's counter is raised once by the number of visits of that
// year, and the codes so reserved are claimed like NextVisitCode's, so live
// requests never receive one of them. Visits are taken in the given order.
func (s *Store) InsertVisitsBulk(ctx context.Context, visits []Visit, now time.Time, loc *time.Location) error {
	byYear := map[int][]int{}
	var years []int
	for i := range visits {
		y := visits[i].CreatedAt.In(loc).Year()
		if _, ok := byYear[y]; !ok {
			years = append(years, y)
		}
		byYear[y] = append(byYear[y], i)
	}
	slices.Sort(years)
	var claims []any
	for _, y := range years {
		idx := byYear[y]
		var c struct {
			Seq int64 `bson:"seq"`
		}
		err := s.db.Collection(colCounters).FindOneAndUpdate(ctx,
			bson.D{{Key: "_id", Value: fmt.Sprintf("visit:%d", y)}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: len(idx)}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
		if err != nil {
			return fmt.Errorf("store: visit counter %d: %w", y, err)
		}
		first := c.Seq - int64(len(idx)) + 1
		for k, i := range idx {
			visits[i].Code = fmt.Sprintf("ST-%d-%04d", y, first+int64(k))
			claims = append(claims, claim{ID: "code:" + visits[i].Code, At: now.UTC()})
		}
	}
	docs := make([]any, len(visits))
	for i := range visits {
		if visits[i].ID.IsZero() {
			visits[i].ID = bson.NewObjectID()
		}
		visits[i].Version = 1
		docs[i] = &visits[i]
	}
	if len(claims) > 0 {
		if _, err := s.db.Collection(colClaims).InsertMany(ctx, claims); err != nil {
			return fmt.Errorf("store: code claims: %w", err)
		}
	}
	for start := 0; start < len(docs); start += 1000 {
		end := min(start+1000, len(docs))
		if _, err := s.db.Collection(colVisits).InsertMany(ctx, docs[start:end]); err != nil {
			return err
		}
	}
	return s.collectionReplaced(ctx, colVisits, now)
}

// InsertSurveyResponsesBulk stores many survey answers at once.
func (s *Store) InsertSurveyResponsesBulk(ctx context.Context, responses []SurveyResponse) error {
	if len(responses) == 0 {
		return nil
	}
	docs := make([]any, len(responses))
	for i := range responses {
		r := &responses[i]
		if r.ID.IsZero() {
			r.ID = bson.NewObjectID()
		}
		r.At, r.VisitStart = r.At.UTC(), r.VisitStart.UTC()
		docs[i] = r
	}
	if _, err := s.db.Collection(colSurveys).InsertMany(ctx, docs); err != nil {
		return err
	}
	return s.collectionReplaced(ctx, colSurveys, time.Now())
}

// historyTopics are the host's topics, with the emphasis of the years:
// forming an MPP early on, digital services later.
var historyTopics = []string{
	"Pembentukan MPP", "Perizinan dan investasi", "MPP digital",
	"Integrasi OSS", "Pengelolaan tenant", "SKM dan pengaduan",
}

// historyNames give invented leaders and contacts.
var (
	historyGiven  = []string{"Ahmad", "Budi", "Siti", "Dewi", "Hendra", "Yusuf", "Rina", "Agus", "Made", "Nyoman", "Fitri", "Rahmat", "Lina", "Andi", "Yohanes", "Maria", "Fransiskus", "Muhammad", "Sri", "Bambang", "Wayan", "Teguh", "Nurul", "Hasan"}
	historyFamily = []string{"Saputra", "Wijaya", "Hidayat", "Lestari", "Kurniawan", "Siregar", "Nasution", "Pratama", "Rahman", "Simanjuntak", "Tanjung", "Setiawan", "Sinaga", "Wibowo", "Pakpahan", "Manurung", "Halim", "Gunawan", "Sumarno", "Lubis"}
	historyTitles = []string{"Drs. ", "Dr. ", "Ir. ", "H. ", ""}
	historySuffix = []string{", S.Sos., M.Si.", ", S.STP., M.Si.", ", S.H., M.H.", ", S.E., M.M.", ", M.A.P.", ", S.T., M.T."}
)

// historyProvinces weighs where delegations come from: many from Java,
// Sulawesi, Kalimantan and Nusa Tenggara, some from everywhere.
var historyProvinces = map[string]int{
	"11": 2, "12": 4, "13": 3, "14": 3, "15": 2, "16": 3, "17": 2, "18": 3, "19": 2, "21": 2,
	"31": 1, "32": 6, "33": 8, "34": 2, "35": 8, "36": 3, "51": 4, "52": 5, "53": 5,
	"61": 3, "62": 3, "63": 3, "64": 4, "65": 2, "71": 3, "72": 3, "73": 6, "74": 4, "75": 2, "76": 2,
	"81": 2, "82": 2, "91": 1, "92": 1, "93": 1, "94": 1, "95": 1, "96": 1,
}

// historyMonth weighs the months: few visits in January, around Lebaran
// and at the year's end, when budgets are closed.
var historyMonth = [13]int{0, 3, 8, 9, 6, 9, 7, 8, 9, 10, 10, 9, 4}

// historyPerYear is the growth of the programme.
var historyPerYear = map[int]int{-4: 34, -3: 46, -2: 58, -1: 68, 0: 60}

// demoHistory builds the completed history of the years before today:
// from 1 January four years back until a few months ago, so that the
// current demo requests stay the newest. The random source is fixed, so
// every seed tells the same story.
func demoHistory(now time.Time, loc *time.Location, settings HostSettings, cal *HolidayCalendar, regions *Regions,
	escortIDs []bson.ObjectID, escortNames map[bson.ObjectID]string, taken map[string]bool) ([]Visit, []SurveyResponse) {
	rng := rand.New(rand.NewPCG(2022, 2026))
	today := now.In(loc)
	end := today.AddDate(0, 0, -130)
	var provCodes []string
	for c := range historyProvinces {
		provCodes = append(provCodes, c)
	}
	slices.Sort(provCodes)
	pickProvince := func() string {
		total := 0
		for _, c := range provCodes {
			total += historyProvinces[c]
		}
		n := rng.IntN(total)
		for _, c := range provCodes {
			if n -= historyProvinces[c]; n < 0 {
				return c
			}
		}
		return provCodes[0]
	}
	person := func() string {
		return historyTitles[rng.IntN(len(historyTitles))] + historyGiven[rng.IntN(len(historyGiven))] + " " +
			historyFamily[rng.IntN(len(historyFamily))] + historySuffix[rng.IntN(len(historySuffix))]
	}
	ministries := []string{"Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi", "Kementerian Dalam Negeri", "Kementerian Investasi/BKPM", "Ombudsman Republik Indonesia"}
	universities := []string{"Universitas Hasanuddin", "Universitas Gadjah Mada", "Institut Pemerintahan Dalam Negeri", "Universitas Brawijaya", "Universitas Sam Ratulangi"}
	var visits []Visit
	var responses []SurveyResponse
	for y := today.Year() - 4; y <= today.Year(); y++ {
		want := historyPerYear[y-today.Year()]
		// Months open this year, by weight.
		var months []time.Month
		for m := time.January; m <= time.December; m++ {
			if time.Date(y, m, 1, 0, 0, 0, 0, loc).After(end) {
				break
			}
			for k := 0; k < historyMonth[m]; k++ {
				months = append(months, m)
			}
		}
		if len(months) == 0 {
			continue
		}
		for n := 0; n < want; n++ {
			m := months[rng.IntN(len(months))]
			day := time.Date(y, m, 1+rng.IntN(28), 0, 0, 0, 0, loc)
			sessionID := []string{"pagi", "pagi", "siang"}[rng.IntN(3)]
			var sess VisitSession
			found := false
			for tries := 0; tries < 20 && !day.After(end); tries++ {
				if s, ok := settings.SessionByID(day, sessionID); ok && cal.IsWorkingDay(day) && !taken[DateKey(day)+sessionID] {
					sess, found = s, true
					break
				}
				day = day.AddDate(0, 0, 1)
			}
			if !found {
				continue
			}
			taken[DateKey(day)+sessionID] = true
			start, finish := sess.On(day, loc)

			prov := pickProvince()
			var v Visit
			regs := regions.Regencies(prov)
			reg := regs[rng.IntN(len(regs))]
			p, _ := regions.Province(prov)
			switch r := rng.IntN(20); {
			case r < 1:
				v.InstitutionType, v.InstitutionName, v.ProvinceCode, v.Region = InstMinistry, ministries[rng.IntN(len(ministries))], "31", "DKI Jakarta"
			case r < 2:
				u := universities[rng.IntN(len(universities))]
				v.InstitutionType, v.InstitutionName, v.ProvinceCode, v.RegencyCode = InstUniversity, u, reg.ProvinceCode, reg.Code
				v.Region = regions.Describe("", reg.Code)
			case r < 4:
				v.InstitutionType, v.InstitutionName, v.ProvinceCode, v.Region = InstProvince, "Pemerintah Provinsi "+p.Name, prov, "Provinsi "+p.Name
			case r < 6:
				v.InstitutionType, v.InstitutionName, v.ProvinceCode, v.RegencyCode = InstDPRD, "DPRD "+reg.Name, prov, reg.Code
				v.Region = regions.Describe(prov, reg.Code)
			case r < 7:
				v.InstitutionType, v.InstitutionName, v.ProvinceCode, v.Region = InstSOE, "PT Bank Pembangunan Daerah "+p.Name, prov, p.Name
			default:
				v.InstitutionType = InstRegency
				if len(reg.Name) > 4 && reg.Name[:4] == "Kota" {
					v.InstitutionType = InstCity
				}
				v.InstitutionName, v.ProvinceCode, v.RegencyCode = "Pemerintah "+reg.Name, prov, reg.Code
				v.Region = regions.Describe(prov, reg.Code)
			}
			v.Leader = Person{Name: person(), Position: []string{"Sekretaris Daerah", "Asisten Pemerintahan", "Kepala DPMPTSP", "Asisten Perekonomian dan Pembangunan", "Kepala Bagian Organisasi"}[rng.IntN(5)]}
			v.Contact = Person{Name: person(), Position: "Staf Bagian Organisasi", Email: fmt.Sprintf("arsip%d@example.go.id", len(visits)+1)}
			v.Participants = 12 + rng.IntN(38)
			for _, k := range rng.Perm(len(historyTopics))[:1+rng.IntN(3)] {
				v.Topics = append(v.Topics, historyTopics[k])
			}
			v.Protocol = "standar"
			v.Language = LangID
			v.SessionID, v.Start, v.End = sessionID, start.UTC(), finish.UTC()
			v.Requested = []RequestedSlot{{Date: DateKey(day), SessionID: sessionID}}
			v.CreatedAt = start.AddDate(0, 0, -(14 + rng.IntN(50))).Add(-time.Duration(rng.IntN(8)) * time.Hour).UTC()
			v.UpdatedAt = finish.UTC()
			v.TrackingHash = hashToken(NewToken())
			v.SubmissionKey = NewToken()
			v.Letter = Letter{Number: fmt.Sprintf("000.1.2.3/%d/Setda", 1000+len(visits)), Date: DateKey(v.CreatedAt.In(loc).AddDate(0, 0, -3))}
			v.History = []Event{{At: v.CreatedAt, Actor: v.Contact.Name, Action: string(StatusSubmitted)}}
			// Staff answered faster as the programme matured.
			answer := v.CreatedAt.Add(time.Duration(6+rng.IntN(24*(6-min(4, y-today.Year()+4)))) * time.Hour)
			const actor = "Ni Kadek Ayu Wulandari, S.AP."
			status := StatusCompleted
			switch r := rng.IntN(100); {
			case r < 8:
				status = StatusDeclined
			case r < 14:
				status = StatusCancelled
			}
			if status == StatusDeclined {
				v.Status, v.StaffNote = StatusDeclined, "Sesi yang diminta sudah penuh dan rombongan tidak dapat dijadwalkan ulang."
				v.History = append(v.History, Event{At: answer, Actor: actor, Action: string(StatusDeclined), Note: v.StaffNote})
				visits = append(visits, v)
				continue
			}
			if rng.IntN(5) == 0 { // a counter-offer first, accepted two days later
				v.History = append(v.History, Event{At: answer, Actor: actor, Action: string(StatusOffered), Note: DateKey(day) + " " + sessionID})
				answer = answer.Add(48 * time.Hour)
			}
			pair := rng.Perm(len(escortIDs))[:2]
			v.EscortIDs = []bson.ObjectID{escortIDs[pair[0]], escortIDs[pair[1]]}
			v.Escorts = []string{escortNames[v.EscortIDs[0]], escortNames[v.EscortIDs[1]]}
			v.RoomID, v.Room = "rapat", "Ruang Rapat DPMPTSP"
			if v.Participants > 30 {
				v.RoomID, v.Room = "aula", "Aula MPP Lantai 2"
			}
			v.Agenda = settings.AgendaTemplate
			v.Receiver = DefaultHostProfile().Receivers[rng.IntN(2)]
			v.ReplyNumber = fmt.Sprintf("000.1.5/%d/DPMPTSP/%d", 500+len(visits), y)
			v.Invited = true
			v.History = append(v.History, Event{At: answer, Actor: actor, Action: string(StatusApproved)})
			if status == StatusCancelled {
				v.Status, v.StaffNote, v.InviteSeq = StatusCancelled, "Rombongan membatalkan kunjungan karena perubahan anggaran.", 1
				v.History = append(v.History, Event{At: start.AddDate(0, 0, -3).UTC(), Actor: v.Contact.Name, Action: string(StatusCancelled), Note: v.StaffNote})
				visits = append(visits, v)
				continue
			}
			v.Status = StatusCompleted
			v.History = append(v.History, Event{At: finish.UTC(), Actor: actor, Action: string(StatusCompleted), Note: "Kunjungan terlaksana."})
			v.ID = bson.NewObjectID()
			for k := 0; k < 3+rng.IntN(6); k++ {
				var sc SKMScores
				for e := range sc {
					sc[e] = []int{4, 4, 3, 3, 3, 4, 3, 2, 4, 3}[rng.IntN(10)]
				}
				responses = append(responses, SurveyResponse{VisitID: v.ID, VisitStart: v.Start, Scores: sc,
					At: finish.Add(time.Duration(1+rng.IntN(48)) * time.Hour)})
			}
			visits = append(visits, v)
		}
	}
	// Codes follow the order the requests came in.
	slices.SortFunc(visits, func(a, b Visit) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return visits, responses
}
