package models

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// The leadership dashboard's figures. They are computed in Go from the
// visits of the period (from the in-memory view, view.go) rather than
// by aggregation pipelines: FerretDB has no date operators, a year holds a
// few hundred visits, and a pure function is easy to test.

// Count is one row of a breakdown: a key (an institution type, a topic, an
// escort's name, a province code) and its number.
type Count struct {
	Key string
	N   int
}

// MonthCount is one month of the period, "2026-03" in the host zone.
type MonthCount struct {
	Month        string
	Visits       int
	Participants int
}

// Stats are the figures of one period [From, To).
type Stats struct {
	From, To time.Time
	// Visits held or scheduled: approved and completed visits whose
	// session starts in the period.
	Visits       int
	Delegations  int // distinct institutions among them
	Participants int
	Provinces    int // distinct province codes reached
	Regencies    int // distinct regency (kabupaten/kota) codes reached
	// Requests decided in the period (by their session's start).
	Accepted, Declined int
	// AcceptanceRate is Accepted ÷ (Accepted + Declined), 0–1; HasAcceptance
	// is false when nothing was decided. Approved and completed visits count
	// as accepted; cancelled ones are left out, because a cancellation (by
	// the delegation or after approval) says nothing about whether the host
	// would receive the delegation; requests still open are not decided yet.
	AcceptanceRate float64
	HasAcceptance  bool
	// MedianResponseDays is the median time from the request (CreatedAt) to
	// the staff's first answer (approval, offer, revision request or
	// refusal), in days, over the decided and cancelled requests that had
	// one; ResponseSamples says how many.
	MedianResponseDays float64
	ResponseSamples    int
	IKM                IKM
	Months             []MonthCount // every month of the period, in order
	ByProvince         map[string]int
	ByType             []Count // institution types, most visits first
	TopTopics          []Count // at most TopTopicsLimit
	Escorts            []Count // assignments per escort (name), most first
}

// TopTopicsLimit is how many topics the dashboard ranks.
const TopTopicsLimit = 10

// staffAnswers are the history actions that answer a request: the first of
// them ends the delegation's wait (decisions.go, visit.go).
var staffAnswers = map[string]bool{
	string(StatusApproved): true, string(StatusOffered): true,
	string(StatusRevision): true, string(StatusDeclined): true,
}

// statsStatuses are the statuses the dashboard reads.
var statsStatuses = []VisitStatus{StatusApproved, StatusCompleted, StatusDeclined, StatusCancelled}

// ComputeStats computes the figures of [from, to) from the visits and the
// survey responses. Visits or responses outside the period are ignored, so
// callers may pass more.
func ComputeStats(visits []Visit, responses []SurveyResponse, from, to time.Time, loc *time.Location) Stats {
	st := Stats{From: from, To: to, ByProvince: map[string]int{}}
	monthIndex := map[string]int{}
	for m := firstOfMonth(from.In(loc)); m.Before(to); m = m.AddDate(0, 1, 0) {
		key := m.Format("2006-01")
		monthIndex[key] = len(st.Months)
		st.Months = append(st.Months, MonthCount{Month: key})
	}
	institutions, provinces, regencies := map[string]bool{}, map[string]bool{}, map[string]bool{}
	types, topics, escorts := map[string]int{}, map[string]int{}, map[string]int{}
	var waits []float64
	for i := range visits {
		v := &visits[i]
		if v.Start.Before(from) || !v.Start.Before(to) {
			continue
		}
		switch v.Status {
		case StatusApproved, StatusCompleted:
			st.Accepted++
		case StatusDeclined:
			st.Declined++
		case StatusCancelled:
		default:
			continue // still open
		}
		if d, ok := firstAnswerDays(v); ok {
			waits = append(waits, d)
		}
		if v.Status != StatusApproved && v.Status != StatusCompleted {
			continue
		}
		st.Visits++
		st.Participants += v.Participants
		institutions[strings.ToLower(strings.Join(strings.Fields(v.InstitutionName), " "))] = true
		if v.ProvinceCode != "" {
			provinces[v.ProvinceCode] = true
			st.ByProvince[v.ProvinceCode]++
		}
		if v.RegencyCode != "" {
			regencies[v.RegencyCode] = true
		}
		types[string(v.InstitutionType)]++
		for _, t := range v.Topics {
			if t = strings.TrimSpace(t); t != "" {
				topics[t]++
			}
		}
		for _, e := range v.Escorts {
			escorts[e]++
		}
		if i, ok := monthIndex[v.Start.In(loc).Format("2006-01")]; ok {
			st.Months[i].Visits++
			st.Months[i].Participants += v.Participants
		}
	}
	st.Delegations, st.Provinces, st.Regencies = len(institutions), len(provinces), len(regencies)
	if decided := st.Accepted + st.Declined; decided > 0 {
		st.HasAcceptance = true
		st.AcceptanceRate = float64(st.Accepted) / float64(decided)
	}
	st.ResponseSamples = len(waits)
	st.MedianResponseDays = median(waits)
	var scores []SurveyResponse
	for _, r := range responses {
		if !r.VisitStart.Before(from) && r.VisitStart.Before(to) {
			scores = append(scores, r)
		}
	}
	st.IKM = ComputeIKM(Scores(scores))
	st.ByType = ranked(types, 0)
	st.TopTopics = ranked(topics, TopTopicsLimit)
	st.Escorts = ranked(escorts, 0)
	return st
}

// firstAnswerDays is the time from the request to the first staff answer.
func firstAnswerDays(v *Visit) (float64, bool) {
	for _, e := range v.History {
		if staffAnswers[e.Action] {
			return e.At.Sub(v.CreatedAt).Hours() / 24, true
		}
	}
	return 0, false
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ranked sorts counts, most first and then by key; limit 0 keeps all.
func ranked(m map[string]int, limit int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{k, n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if c := cmp.Compare(b.N, a.N); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func firstOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
}

// PreviousPeriod is the period of equal length just before [from, to):
// whole months shift by months (a year's previous period is the previous
// year, whatever its number of days), anything else by its duration.
func PreviousPeriod(from, to time.Time, loc *time.Location) (time.Time, time.Time) {
	f, t := from.In(loc), to.In(loc)
	if f.Equal(firstOfMonth(f)) && t.Equal(firstOfMonth(t)) {
		months := (t.Year()-f.Year())*12 + int(t.Month()-f.Month())
		return f.AddDate(0, -months, 0), from
	}
	return from.Add(-to.Sub(from)), from
}

// Change is how a figure moved against the previous period.
type Change struct {
	Percent float64 // rounded to whole percent, always ≥ 0
	Up      bool
	Down    bool
	Known   bool // false when the previous figure was 0
}

// ChangeOf compares a figure with its previous value.
func ChangeOf(cur, prev float64) Change {
	if prev == 0 {
		return Change{Up: cur > 0}
	}
	p := (cur - prev) / prev * 100
	c := Change{Known: true, Up: p > 0.5, Down: p < -0.5}
	if p < 0 {
		p = -p
	}
	c.Percent = float64(int(p + 0.5))
	return c
}

// StatsVisits lists the decided visits whose session starts in [from, to).
func (s *Store) StatsVisits(ctx context.Context, from, to time.Time) ([]Visit, error) {
	return s.visitsWhere(ctx, func(v *Visit) bool {
		return slices.Contains(statsStatuses, v.Status) && !v.Start.Before(from) && v.Start.Before(to)
	})
}

// Stats loads the period's visits and survey answers and computes its figures.
func (s *Store) Stats(ctx context.Context, from, to time.Time, loc *time.Location) (Stats, error) {
	visits, err := s.StatsVisits(ctx, from, to)
	if err != nil {
		return Stats{}, err
	}
	responses, err := s.SurveyResponsesBetween(ctx, from, to)
	if err != nil {
		return Stats{}, err
	}
	return ComputeStats(visits, responses, from, to, loc), nil
}

// StatsCompared computes the figures of [from, to) and of the previous
// period of equal length (PreviousPeriod), from one pass over the view.
func (s *Store) StatsCompared(ctx context.Context, from, to time.Time, loc *time.Location) (cur, prev Stats, err error) {
	pf, pt := PreviousPeriod(from, to, loc)
	visits, err := s.StatsVisits(ctx, pf, to)
	if err != nil {
		return
	}
	responses, err := s.SurveyResponsesBetween(ctx, pf, to)
	if err != nil {
		return
	}
	return ComputeStats(visits, responses, from, to, loc), ComputeStats(visits, responses, pf, pt, loc), nil
}

// ProvinceTile places a province on the dashboard's tile map: a grid of
// squares laid out roughly as the archipelago lies, west to east (Col
// 1–15) and north to south (Row 1–7). Abbr labels the small tile.
type ProvinceTile struct {
	Code, Abbr string
	Col, Row   int
}

// ProvinceTiles returns the 38 provinces' tiles (codes as in regions/).
func ProvinceTiles() []ProvinceTile {
	return []ProvinceTile{
		{"11", "ACE", 1, 1}, {"12", "SUT", 2, 2}, {"21", "KEP", 4, 2}, {"14", "RIA", 3, 2},
		{"13", "SUB", 2, 3}, {"15", "JAM", 3, 3}, {"19", "BAB", 5, 3}, {"17", "BEN", 3, 4},
		{"16", "SUS", 4, 4}, {"18", "LAM", 4, 5}, {"31", "DKI", 6, 5}, {"36", "BAN", 5, 6},
		{"32", "JAB", 6, 6}, {"33", "JTG", 7, 6}, {"34", "DIY", 7, 7}, {"35", "JTM", 8, 6},
		{"51", "BAL", 9, 6}, {"52", "NTB", 10, 6}, {"53", "NTT", 11, 6},
		{"65", "KTR", 8, 1}, {"61", "KAB", 6, 2}, {"64", "KTI", 8, 2}, {"62", "KTE", 7, 3}, {"63", "KAS", 8, 3},
		{"75", "GOR", 10, 1}, {"71", "SLU", 11, 1}, {"72", "SLT", 10, 2}, {"76", "SLB", 9, 3},
		{"73", "SLS", 9, 4}, {"74", "SLG", 10, 4},
		{"82", "MLU", 12, 2}, {"81", "MAL", 12, 4},
		{"96", "PBD", 13, 2}, {"92", "PAB", 14, 2}, {"91", "PAP", 15, 2},
		{"94", "PTE", 14, 3}, {"95", "PPE", 15, 3}, {"93", "PSE", 15, 4},
	}
}
