package handlers

import (
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"studitiru/models"
)

// The leadership dashboard (dasbor pimpinan): the figures of a period and
// their change against the previous period of equal length, as tiles,
// charts drawn by static/js/dashboard.js from dashboardJSON, a tile map of
// the provinces, and every chart also as a table.

// Period choices of the dashboard (query "periode").
const (
	periodThisYear   = "tahun"
	periodLastYear   = "tahun_lalu"
	periodLast12     = "12_bulan"
	periodCustom     = "khusus"
	maxDashboardSpan = 10 * 366 * 24 * time.Hour
)

// dashboardPeriod reads the period from the query. An invalid custom
// period falls back to this year, with the problem per field in errs.
func (h *Handlers) dashboardPeriod(c *fiber.Ctx) (choice string, from, to time.Time, values, errs map[string]string) {
	loc := h.deps.Location
	now := h.deps.Now().In(loc)
	thisYear := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, loc)
	values, errs = map[string]string{"dari": c.Query("dari"), "sampai": c.Query("sampai")}, map[string]string{}
	choice = c.Query("periode", periodThisYear)
	switch choice {
	case periodLastYear:
		return choice, thisYear.AddDate(-1, 0, 0), thisYear, values, errs
	case periodLast12:
		next := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, 1, 0)
		return choice, next.AddDate(-1, 0, 0), next, values, errs
	case periodCustom:
		f, err1 := models.ParseDateKey(values["dari"], loc)
		t, err2 := models.ParseDateKey(values["sampai"], loc)
		if err1 != nil {
			errs["dari"] = "dash.err_date"
		}
		if err2 != nil {
			errs["sampai"] = "dash.err_date"
		}
		if len(errs) == 0 {
			t = t.AddDate(0, 0, 1) // the end date is included
			switch {
			case !t.After(f):
				errs["sampai"] = "dash.err_order"
			case t.Sub(f) > maxDashboardSpan:
				errs["sampai"] = "dash.err_span"
			default:
				return choice, f, t, values, errs
			}
		}
	}
	if values["dari"] == "" {
		values["dari"] = models.DateKey(thisYear)
	}
	if values["sampai"] == "" {
		values["sampai"] = models.DateKey(now)
	}
	if len(errs) == 0 {
		choice = periodThisYear
	}
	return choice, thisYear, thisYear.AddDate(1, 0, 0), values, errs
}

// ikmQuality names the grades' service quality (mutu pelayanan).
var ikmQuality = map[string]string{"A": "dash.quality_a", "B": "dash.quality_b", "C": "dash.quality_c", "D": "dash.quality_d"}

// dashTile is one key figure with its change.
type dashTile struct {
	Label, Value, Prev string
	Change             models.Change
	Hint               string // what the figure means, under it
	// LowerIsBetter colours a rise red and a fall green (the answer time).
	LowerIsBetter bool
}

// labelCount is a row of a breakdown, labelled for people.
type labelCount struct {
	Label string
	N     int
}

// monthRow is a month of the period.
type monthRow struct {
	Label                string
	Visits, Participants int
}

// dashBreakdown is a bar chart and its table.
type dashBreakdown struct {
	ID, Title, Head, Unit string // ID names the canvas and the table
	Rows                  []labelCount
}

// mapTile is a province on the tile map.
type mapTile struct {
	models.ProvinceTile
	Name  string
	N     int
	Level int // 0 (none) … 5 (most)
}

// legendStep explains a shade of the map.
type legendStep struct {
	Level int
	Label string
}

type dashboardPage struct {
	Page
	Period             string
	From, Last         time.Time // Last is the period's last day
	PrevFrom, PrevLast time.Time
	Stats              models.Stats
	Tiles              []dashTile
	Months             []monthRow
	Types              []labelCount
	Topics             []labelCount
	Escorts            []labelCount
	Map                []mapTile
	Legend             []legendStep
	Provinces          []labelCount // every province, most visits first
	Breakdowns         []dashBreakdown
	DataURL            string
}

// dashboardData computes what both the page and its JSON need.
func (h *Handlers) dashboardData(c *fiber.Ctx) (*dashboardPage, error) {
	p := &dashboardPage{Page: h.newPage(c, "dash.title")}
	choice, from, to, values, errs := h.dashboardPeriod(c)
	p.Period, p.Form.Values, p.Form.Errors = choice, values, errs
	if len(errs) > 0 {
		p.Form.Error = "dash.err_period"
	}
	loc := h.deps.Location
	cur, prev, err := h.deps.Store.StatsCompared(c.UserContext(), from, to, loc)
	if err != nil {
		return nil, err
	}
	p.Stats = cur
	p.From, p.Last = from, to.AddDate(0, 0, -1)
	p.PrevFrom, p.PrevLast = prev.From, prev.To.AddDate(0, 0, -1)
	q := "periode=" + choice
	if choice == periodCustom {
		q += "&dari=" + models.DateKey(from) + "&sampai=" + models.DateKey(p.Last)
	}
	p.DataURL = "/staf/dasbor.json?" + q

	num := func(n int) string { return p.Number(n) }
	pct := func(s models.Stats) string {
		if !s.HasAcceptance {
			return "–"
		}
		return models.FormatDecimal(s.AcceptanceRate*100, 1, p.Lang) + "%"
	}
	days := func(s models.Stats) string {
		if s.ResponseSamples == 0 {
			return "–"
		}
		return p.T("dash.days", "N", models.FormatDecimal(s.MedianResponseDays, 1, p.Lang))
	}
	ikm := func(s models.Stats) string {
		if s.IKM.Grade == "" {
			return "–"
		}
		return models.FormatDecimal(s.IKM.Unit, 2, p.Lang) + " (" + s.IKM.Grade + ", " + p.T(ikmQuality[s.IKM.Grade]) + ")"
	}
	tile := func(label string, cv, pv float64, value, prevValue, hint string) dashTile {
		return dashTile{Label: label, Value: value, Prev: prevValue, Change: models.ChangeOf(cv, pv), Hint: hint}
	}
	p.Tiles = []dashTile{
		tile("dash.visits", float64(cur.Visits), float64(prev.Visits), num(cur.Visits), num(prev.Visits), "dash.visits_hint"),
		tile("dash.delegations", float64(cur.Delegations), float64(prev.Delegations), num(cur.Delegations), num(prev.Delegations), "dash.delegations_hint"),
		tile("dash.participants", float64(cur.Participants), float64(prev.Participants), num(cur.Participants), num(prev.Participants), ""),
		tile("dash.provinces", float64(cur.Provinces), float64(prev.Provinces), num(cur.Provinces)+" / 38", num(prev.Provinces), ""),
		tile("dash.regencies", float64(cur.Regencies), float64(prev.Regencies), num(cur.Regencies), num(prev.Regencies), ""),
		tile("dash.acceptance", cur.AcceptanceRate, prev.AcceptanceRate, pct(cur), pct(prev), "dash.acceptance_hint"),
		tile("dash.response", cur.MedianResponseDays, prev.MedianResponseDays, days(cur), days(prev), "dash.response_hint"),
		tile("dash.ikm", cur.IKM.Unit, prev.IKM.Unit, ikm(cur), ikm(prev), "dash.ikm_hint"),
	}
	for i := range p.Tiles {
		p.Tiles[i].LowerIsBetter = p.Tiles[i].Label == "dash.response" // a shorter wait is better
	}

	for _, m := range cur.Months {
		t, _ := time.ParseInLocation("2006-01", m.Month, loc)
		p.Months = append(p.Months, monthRow{Label: p.MonthName(t), Visits: m.Visits, Participants: m.Participants})
	}
	for _, t := range cur.ByType {
		p.Types = append(p.Types, labelCount{p.T("inst." + t.Key), t.N})
	}
	for _, t := range cur.TopTopics {
		p.Topics = append(p.Topics, labelCount{t.Key, t.N})
	}
	for _, e := range cur.Escorts {
		p.Escorts = append(p.Escorts, labelCount{e.Key, e.N})
	}

	p.Breakdowns = []dashBreakdown{
		{"jenis", "dash.by_type", "dash.institution_type", "dash.visits", p.Types},
		{"topik", "dash.top_topics", "dash.topic", "dash.visits", p.Topics},
		{"pendamping", "dash.escort_load", "dash.escort", "dash.assignments", p.Escorts},
	}

	most := 0
	for _, n := range cur.ByProvince {
		most = max(most, n)
	}
	for _, t := range models.ProvinceTiles() {
		prov, _ := h.regions.Province(t.Code)
		n := cur.ByProvince[t.Code]
		level := 0
		if n > 0 {
			level = (n*5 + most - 1) / most // 1…5, the busiest province 5
		}
		p.Map = append(p.Map, mapTile{ProvinceTile: t, Name: prov.Name, N: n, Level: level})
		p.Provinces = append(p.Provinces, labelCount{prov.Name, n})
	}
	slices.SortStableFunc(p.Provinces, func(a, b labelCount) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Label, b.Label)
	})
	p.Legend = []legendStep{{0, "0"}}
	for l := 1; l <= 5 && most > 0; l++ {
		lo, hi := (l-1)*most/5+1, l*most/5
		if hi < lo {
			continue
		}
		label := p.Number(lo)
		if hi > lo {
			label += "–" + p.Number(hi)
		}
		p.Legend = append(p.Legend, legendStep{l, label})
	}
	return p, nil
}

func (h *Handlers) dashboard(c *fiber.Ctx) error {
	p, err := h.dashboardData(c)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if p.Form.Error != "" {
		status = fiber.StatusUnprocessableEntity
	}
	return h.render(c, status, "dashboard", p)
}

// dashSeries is one chart: labels and one or two series.
type dashSeries struct {
	Labels []string `json:"labels"`
	Values []int    `json:"values"`
	Second []int    `json:"second,omitempty"`
}

// dashboardJSON gives the charts their data (same query as the page).
func (h *Handlers) dashboardJSON(c *fiber.Ctx) error {
	p, err := h.dashboardData(c)
	if err != nil {
		return err
	}
	if p.Form.Error != "" {
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": p.T(p.Form.Error)})
	}
	series := func(rows []labelCount) dashSeries {
		s := dashSeries{Labels: []string{}, Values: []int{}}
		for _, r := range rows {
			s.Labels, s.Values = append(s.Labels, r.Label), append(s.Values, r.N)
		}
		return s
	}
	months := dashSeries{Labels: []string{}, Values: []int{}, Second: []int{}}
	for _, m := range p.Months {
		months.Labels = append(months.Labels, m.Label)
		months.Values = append(months.Values, m.Visits)
		months.Second = append(months.Second, m.Participants)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{
		"months":  months,
		"types":   series(p.Types),
		"topics":  series(p.Topics),
		"escorts": series(p.Escorts),
		"labels": fiber.Map{
			"visits":       p.T("dash.visits"),
			"participants": p.T("dash.participants"),
			"assignments":  p.T("dash.assignments"),
		},
	})
}
