package handlers

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// The visit history (riwayat) for leadership and coordinators: every visit
// with filters, sort and pages, its CSV and XLSX exports, and the period
// report. Read-only: each row opens the request page.

// historyPage is the history list.
type historyPage struct {
	Page
	Filter    models.HistoryFilter
	EscortHex string
	Rows      []models.Visit
	Total     int64
	Pages     int
	Statuses  []models.VisitStatus
	Provinces []Option
	Regencies []Option
	Types     []Option
	Topics    []Option
	Escorts   []Option
	Columns   map[string]sortColumn // by sort key
	PrevURL   string
	NextURL   string
	// The export links: the filter without page and sort.
	CSVURL     string
	XLSXURL    string
	ReportFrom string
	ReportTo   string
}

// sortColumn is a sortable column header: its link and aria-sort state.
type sortColumn struct {
	URL      string
	AriaSort string // "ascending", "descending" or "" (not sorted by it)
}

// historyFilter reads the filter from the query string. Unknown values are
// dropped rather than rejected: the page is a GET form and a stale link
// should still show something.
func (h *Handlers) historyFilter(c *fiber.Ctx) models.HistoryFilter {
	f := models.HistoryFilter{InboxFilter: models.InboxFilter{
		Status: models.VisitStatus(c.Query("status")), From: c.Query("dari"), To: c.Query("sampai"),
		Province: c.Query("provinsi"), Type: models.InstitutionType(c.Query("jenis")),
		Topic: c.Query("topik"), Query: strings.TrimSpace(c.Query("q")),
	}}
	if !slices.Contains(models.VisitStatuses(), f.Status) {
		f.Status = ""
	}
	if _, ok := h.regions.Province(f.Province); !ok {
		f.Province = ""
	}
	if !slices.Contains(models.InstitutionTypes(), f.Type) {
		f.Type = ""
	}
	// A regency only within the chosen province (the select lists no other).
	if r, ok := h.regions.Regency(c.Query("kota")); ok && r.ProvinceCode == f.Province {
		f.Regency = r.Code
	}
	if id, err := bson.ObjectIDFromHex(c.Query("pendamping")); err == nil {
		f.Escort = id
	}
	f.Sort = models.HistorySort(c.Query("urut"))
	if !slices.Contains(models.HistorySorts(), f.Sort) {
		f.Sort = models.HistoryByDate
	}
	f.Asc = c.Query("arah") == "naik"
	f.Page, _ = strconv.Atoi(c.Query("hal"))
	f.Page = max(0, f.Page-1)
	return f
}

// historyValues is the filter as URL values, without page and sort.
func historyValues(f models.HistoryFilter) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("status", string(f.Status))
	set("dari", f.From)
	set("sampai", f.To)
	set("provinsi", f.Province)
	set("kota", f.Regency)
	set("jenis", string(f.Type))
	set("topik", f.Topic)
	set("q", f.Query)
	if !f.Escort.IsZero() {
		v.Set("pendamping", f.Escort.Hex())
	}
	return v
}

// history lists every visit with filters, sort and pages.
func (h *Handlers) history(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := h.historyFilter(c)
	visits, total, err := h.deps.Store.History(ctx, f, h.deps.Location)
	if err != nil {
		return err
	}
	settings, err := h.deps.Store.HostSettings(ctx)
	if err != nil {
		return err
	}
	escorts, err := h.deps.Store.Escorts(ctx)
	if err != nil {
		return err
	}
	p := &historyPage{Page: h.newPage(c, "riwayat.title"), Filter: f, Rows: visits, Total: total, Statuses: models.VisitStatuses()}
	if !f.Escort.IsZero() {
		p.EscortHex = f.Escort.Hex()
	}
	for _, pr := range h.regions.Provinces() {
		p.Provinces = append(p.Provinces, Option{pr.Code, pr.Name})
	}
	for _, r := range h.regions.Regencies(f.Province) {
		p.Regencies = append(p.Regencies, Option{r.Code, r.Name})
	}
	for _, t := range models.InstitutionTypes() {
		p.Types = append(p.Types, Option{string(t), p.T("inst." + string(t))})
	}
	for _, t := range settings.Topics {
		p.Topics = append(p.Topics, Option{t, t})
	}
	for _, e := range escorts {
		p.Escorts = append(p.Escorts, Option{e.ID.Hex(), e.Name})
	}

	base := historyValues(f)
	p.CSVURL, p.XLSXURL = "/staf/riwayat.csv", "/staf/riwayat.xlsx"
	if q := base.Encode(); q != "" {
		p.CSVURL += "?" + q
		p.XLSXURL += "?" + q
	}
	link := func(sort models.HistorySort, asc bool, page int) string {
		v := url.Values{}
		for k, vals := range base {
			v[k] = vals
		}
		if sort != models.HistoryByDate {
			v.Set("urut", string(sort))
		}
		if asc {
			v.Set("arah", "naik")
		}
		if page > 1 {
			v.Set("hal", strconv.Itoa(page))
		}
		if len(v) == 0 {
			return "/staf/riwayat"
		}
		return "/staf/riwayat?" + v.Encode()
	}
	p.Columns = map[string]sortColumn{}
	for _, s := range models.HistorySorts() {
		col := sortColumn{}
		// A click on the sorted column turns its order round; another
		// column starts ascending for text, descending for dates and counts.
		asc := s == models.HistoryByInstitution || s == models.HistoryByStatus
		if s == f.Sort {
			asc = !f.Asc
			col.AriaSort = "descending"
			if f.Asc {
				col.AriaSort = "ascending"
			}
		}
		col.URL = link(s, asc, 0)
		p.Columns[string(s)] = col
	}
	p.Pages = int((total + models.HistoryPageSize - 1) / models.HistoryPageSize)
	if f.Page > 0 {
		p.PrevURL = link(f.Sort, f.Asc, f.Page)
	}
	if f.Page+1 < p.Pages {
		p.NextURL = link(f.Sort, f.Asc, f.Page+2)
	}
	// The report covers the filtered period, else the current year.
	year := h.deps.Now().In(h.deps.Location).Year()
	p.ReportFrom, p.ReportTo = fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)
	if f.From != "" {
		p.ReportFrom = f.From
	}
	if f.To != "" {
		p.ReportTo = f.To
	}
	return h.render(c, fiber.StatusOK, "history", p)
}

// exportFileName is "riwayat-kunjungan-2026-11-23.csv", dated today in
// the host zone.
func (h *Handlers) exportFileName(ext string) string {
	return "riwayat-kunjungan-" + models.DateKey(h.deps.Now().In(h.deps.Location)) + "." + ext
}

// historyExportVisits is the filtered history, every page, for an export.
func (h *Handlers) historyExportVisits(c *fiber.Ctx) ([]models.Visit, models.LabelFunc, error) {
	visits, err := h.deps.Store.HistoryAll(c.UserContext(), h.historyFilter(c), h.deps.Location, models.HistoryExportLimit)
	p := h.newPage(c, "riwayat.title")
	return visits, func(key string) string { return p.T(key) }, err
}

// historyCSV exports the filtered history as CSV.
func (h *Handlers) historyCSV(c *fiber.Ctx) error {
	visits, label, err := h.historyExportVisits(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := models.WriteHistoryCSV(&buf, visits, h.regions, h.deps.Location, label); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, h.exportFileName("csv")))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(buf.Bytes())
}

// historyXLSX exports the filtered history as an Excel workbook.
func (h *Handlers) historyXLSX(c *fiber.Ctx) error {
	visits, label, err := h.historyExportVisits(c)
	if err != nil {
		return err
	}
	b, err := models.HistoryXLSX(visits, h.regions, h.deps.Location, label)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, h.exportFileName("xlsx")))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}

// reportPDF serves the period report: ?dari=2026-01-01&sampai=2026-12-31.
// The report is an official document in Indonesian whatever the
// interface's language.
func (h *Handlers) reportPDF(c *fiber.Ctx) error {
	ctx := c.UserContext()
	loc := h.deps.Location
	from, to, err := models.ReportPeriod(c.Query("dari"), c.Query("sampai"), loc)
	if err != nil {
		var v models.ValidationError
		v.Add("dari", "report.bad_period")
		return v.Err()
	}
	f := models.HistoryFilter{InboxFilter: models.InboxFilter{From: models.DateKey(from), To: models.DateKey(to)}, Asc: true}
	visits, err := h.deps.Store.HistoryAll(ctx, f, loc, models.HistoryExportLimit)
	if err != nil {
		return err
	}
	responses, err := h.deps.Store.SurveyResponsesBetween(ctx, from, to.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	id := Page{localize: h.views.localizers[models.LangID]}
	data := models.BuildReport(visits, responses, from, to, h.deps.Now(), loc, func(key string) string { return id.T(key) })
	b, err := models.ReportPDF(data, h.hostOrDefault(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="laporan-kunjungan-%s-%s.pdf"`, models.DateKey(from), models.DateKey(to)))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}
