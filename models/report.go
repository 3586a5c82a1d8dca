package models

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"
)

// The period report (Laporan Kunjungan Studi Tiru): figures computed from
// the visits of a period and the survey answers about them. BuildReport is
// pure, so the numbers are tested without a PDF; ReportPDF lays them out.

// ReportMaxDays bounds a report's period (five years): the report loads
// every visit of the period.
const ReportMaxDays = 5*366 + 1

// ReportTopTopics is how many topics the report ranks.
const ReportTopTopics = 10

// ReportCount is one line of a report table.
type ReportCount struct {
	Label        string
	Visits       int
	Participants int
}

// ReportData is everything the report shows.
type ReportData struct {
	From, To time.Time // first and last day of the period, midnight in the host zone
	Issued   time.Time // date of the report, in the host zone

	// Held are the visits that took place or will (completed or approved).
	Completed int
	Approved  int
	// Delegations counts the distinct institutions among them (one
	// institution may come twice), Participants their people.
	Delegations  int
	Participants int
	Provinces    int // distinct provinces the delegations came from
	Regencies    int // distinct kabupaten/kota
	// Requests is every request with a visit date in the period; Declined
	// and Cancelled among them.
	Requests  int
	Declined  int
	Cancelled int
	// Acceptance is accepted ÷ decided in percent: approved and completed
	// over approved, completed and declined. Requests still pending, and
	// cancellations (the delegation's decision, or after an approval), are
	// not a decision of the host on the request. Zero with no decision.
	Acceptance float64

	Months []ReportCount // every month of the period, visits held
	Types  []ReportCount // by institution type, most visits first
	Topics []ReportCount // the most requested topics of the visits held

	IKM IKM // the satisfaction survey over the period
}

// ReportPeriod parses the report's period from two DateKeys (inclusive).
func ReportPeriod(from, to string, loc *time.Location) (time.Time, time.Time, error) {
	f, err1 := ParseDateKey(from, loc)
	t, err2 := ParseDateKey(to, loc)
	if err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}, errors.New("report: the period needs two dates")
	}
	if t.Before(f) || t.Sub(f) > ReportMaxDays*24*time.Hour {
		return time.Time{}, time.Time{}, errors.New("report: the period is reversed or too long")
	}
	return f, t, nil
}

// BuildReport computes the report of the period [from, to] (days in loc)
// from the visits whose date falls in it and the survey responses about
// them. typeLabel names an institution type ("inst.kota" → "Kota").
func BuildReport(visits []Visit, responses []SurveyResponse, from, to, issued time.Time, loc *time.Location, typeLabel LabelFunc) ReportData {
	r := ReportData{From: from, To: to, Issued: issued.In(loc)}
	institutions := map[string]bool{}
	provinces := map[string]bool{}
	regencies := map[string]bool{}
	months := map[string]*ReportCount{}
	types := map[InstitutionType]*ReportCount{}
	topics := map[string]*ReportCount{}
	topicLabel := map[string]string{} // first spelling seen

	// Every month of the period, so that a month without visits shows 0.
	var monthOrder []string
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, loc); !m.After(to); m = m.AddDate(0, 1, 0) {
		key := m.Format("2006-01")
		monthOrder = append(monthOrder, key)
		months[key] = &ReportCount{Label: FormatMonth(m, LangID)}
	}

	for i := range visits {
		v := &visits[i]
		r.Requests++
		switch v.Status {
		case StatusDeclined:
			r.Declined++
			continue
		case StatusCancelled:
			r.Cancelled++
			continue
		case StatusCompleted:
			r.Completed++
		case StatusApproved:
			r.Approved++
		default:
			continue // still being decided
		}
		r.Participants += v.Participants
		institutions[strings.ToLower(strings.Join(strings.Fields(v.InstitutionName), " "))] = true
		if v.ProvinceCode != "" {
			provinces[v.ProvinceCode] = true
		}
		if v.RegencyCode != "" {
			regencies[v.RegencyCode] = true
		}
		if m, ok := months[v.Start.In(loc).Format("2006-01")]; ok {
			m.Visits++
			m.Participants += v.Participants
		}
		t := types[v.InstitutionType]
		if t == nil {
			t = &ReportCount{Label: typeLabel("inst." + string(v.InstitutionType))}
			types[v.InstitutionType] = t
		}
		t.Visits++
		t.Participants += v.Participants
		seen := map[string]bool{}
		for _, topic := range v.Topics {
			topic = strings.TrimSpace(topic)
			key := strings.ToLower(topic)
			if topic == "" || seen[key] {
				continue
			}
			seen[key] = true
			c := topics[key]
			if c == nil {
				c = &ReportCount{Label: topic}
				topics[key] = c
				topicLabel[key] = topic
			}
			c.Visits++
			c.Participants += v.Participants
		}
	}
	r.Delegations = len(institutions)
	r.Provinces = len(provinces)
	r.Regencies = len(regencies)
	if decided := r.Completed + r.Approved + r.Declined; decided > 0 {
		r.Acceptance = float64(r.Completed+r.Approved) * 100 / float64(decided)
	}
	for _, key := range monthOrder {
		r.Months = append(r.Months, *months[key])
	}
	for _, it := range InstitutionTypes() {
		if t := types[it]; t != nil {
			r.Types = append(r.Types, *t)
			delete(types, it)
		}
	}
	for _, t := range types { // types no longer offered on the form
		r.Types = append(r.Types, *t)
	}
	// Most visits first; equal counts keep the form's order.
	slices.SortStableFunc(r.Types, func(a, b ReportCount) int { return cmp.Compare(b.Visits, a.Visits) })
	for _, c := range topics {
		r.Topics = append(r.Topics, *c)
	}
	slices.SortFunc(r.Topics, func(a, b ReportCount) int {
		if c := cmp.Compare(b.Visits, a.Visits); c != 0 {
			return c
		}
		return cmp.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label))
	})
	if len(r.Topics) > ReportTopTopics {
		r.Topics = r.Topics[:ReportTopTopics]
	}
	r.IKM = ComputeIKM(Scores(responses))
	return r
}

// PeriodText writes the period in Indonesian: "1 Januari 2026 – 31
// Desember 2026".
func (r ReportData) PeriodText() string {
	return FormatShortDate(r.From, LangID) + " – " + FormatShortDate(r.To, LangID)
}
