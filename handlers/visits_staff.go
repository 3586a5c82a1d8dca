package handlers

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"studitiru/models"
)

// The staff side of a request: the inbox, the request page and the
// decisions. Rules live in models (decisions.go, reservations.go); these
// handlers read forms, call them and render.

// inboxPage is the staff inbox.
type inboxPage struct {
	Page
	Filter    models.InboxFilter
	Counts    map[models.VisitStatus]int
	Statuses  []models.VisitStatus
	Rows      []inboxRow
	Total     int64
	Pages     int
	Provinces []Option
	Types     []Option
	Topics    []Option
	PrevURL   string
	NextURL   string
	AllCount  int
}

// inboxRow is one request in the inbox.
type inboxRow struct {
	Visit   models.Visit
	Overdue bool
	Waiting int // working days waiting for an answer
}

// inbox lists requests with counts per status, filters and search.
func (h *Handlers) inbox(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := models.InboxFilter{
		Status: models.VisitStatus(c.Query("status")), From: c.Query("dari"), To: c.Query("sampai"),
		Province: c.Query("provinsi"), Type: models.InstitutionType(c.Query("jenis")),
		Topic: c.Query("topik"), Query: strings.TrimSpace(c.Query("q")),
	}
	if !slices.Contains(models.VisitStatuses(), f.Status) {
		f.Status = ""
	}
	f.Page, _ = strconv.Atoi(c.Query("hal"))
	f.Page = max(0, f.Page-1)
	visits, total, err := h.deps.Store.Inbox(ctx, f, h.deps.Location)
	if err != nil {
		return err
	}
	counts, err := h.deps.Store.VisitCountsByStatus(ctx)
	if err != nil {
		return err
	}
	settings, cal, err := h.rules(c)
	if err != nil {
		return err
	}
	p := &inboxPage{Page: h.newPage(c, "inbox.title"), Filter: f, Counts: counts, Statuses: models.VisitStatuses(), Total: total}
	for _, n := range counts {
		p.AllCount += n
	}
	now := h.deps.Now()
	for _, v := range visits {
		row := inboxRow{Visit: v, Overdue: v.Overdue(cal, now, h.deps.Location)}
		if v.Status == models.StatusSubmitted {
			row.Waiting = cal.WorkingDaysBetween(v.WaitingSince().In(h.deps.Location), now.In(h.deps.Location))
		}
		p.Rows = append(p.Rows, row)
	}
	for _, pr := range h.regions.Provinces() {
		p.Provinces = append(p.Provinces, Option{pr.Code, pr.Name})
	}
	for _, t := range models.InstitutionTypes() {
		p.Types = append(p.Types, Option{string(t), p.T("inst." + string(t))})
	}
	for _, t := range settings.Topics {
		p.Topics = append(p.Topics, Option{t, t})
	}
	p.Pages = int((total + models.InboxPageSize - 1) / models.InboxPageSize)
	page := func(n int) string {
		q := c.Request().URI().QueryArgs()
		v := url.Values{}
		q.VisitAll(func(k, val []byte) { v.Set(string(k), string(val)) })
		v.Set("hal", strconv.Itoa(n))
		return "/staf/permohonan?" + v.Encode()
	}
	if f.Page > 0 {
		p.PrevURL = page(f.Page)
	}
	if f.Page+1 < p.Pages {
		p.NextURL = page(f.Page + 2)
	}
	return h.render(c, fiber.StatusOK, "inbox", p)
}

// rules loads the host settings and a holiday calendar around today.
// (Unlike availability, it needs no bookings: capacity is the ledger's job.)
func (h *Handlers) rules(c *fiber.Ctx) (models.HostSettings, *models.HolidayCalendar, error) {
	ctx := c.UserContext()
	settings, err := h.deps.Store.HostSettings(ctx)
	if err != nil {
		return models.HostSettings{}, nil, err
	}
	now := h.deps.Now().In(h.deps.Location)
	cal, err := h.deps.Store.HolidayCalendar(ctx, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0))
	return settings, cal, err
}

// visitPage is the request page: everything about one request, its
// history and the decisions the user may take.
type visitPage struct {
	Page
	Visit     *models.Visit
	Actions   models.StaffActions
	Overdue   bool
	Open      string // the decision form to show opened (after an error)
	Requested []requestedRow
	// The approval form, for the session chosen in step one.
	Slot      slotChoice
	Sessions  []Option
	Rooms     []roomChoice
	Escorts   []escortChoice
	Receivers []string
	Emails    []models.OutboxMessage
	WhatsApp  string
	Tracking  string
	MinDate   string
	Survey    *surveyResult // completed visits: the satisfaction survey
	Day       visitDayCard  // the visit day record (visitday.go)
}

// requestedRow is a session the delegation asked for, with its state now.
type requestedRow struct {
	Date, SessionID string
	State           models.SlotState
	Reason          string
	PlacesLeft      int
	Own             bool // the visit itself is booked there
}

// slotChoice is the session the approval form is for.
type slotChoice struct {
	Date, SessionID string
	Start, End      string // default clocks of the session
	State           models.SlotState
	Reason          string
	PlacesLeft      int
	Valid           bool
}

// roomChoice is a room with whether it is free in the chosen session.
type roomChoice struct {
	models.Room
	Free, Fits bool
}

// escortChoice is an escort as the approval form lists them.
type escortChoice struct {
	ID        bson.ObjectID
	Name      string
	Available bool
	Reason    string // catalogue key when not available
	Detail    string
	Checked   bool
	// Why it ranks where it does.
	TopicMatches, Recent int
}

// visitByID loads the visit named in the URL.
func (h *Handlers) visitByID(c *fiber.Ctx) (*models.Visit, error) {
	id, err := bson.ObjectIDFromHex(c.Params("id"))
	if err != nil {
		return nil, models.ErrNotFound
	}
	return h.deps.Store.VisitByID(c.UserContext(), id)
}

// canDecide: coordinators and admins take decisions; leadership reads.
func canDecide(u *models.User) bool {
	return u != nil && (u.Role == models.RoleAdmin || u.Role == models.RoleCoordinator)
}

func (h *Handlers) visitDetail(c *fiber.Ctx) error {
	v, err := h.visitByID(c)
	if err != nil {
		return err
	}
	p, err := h.visitPageOf(c, v, c.Query("tanggal"), c.Query("sesi"))
	if err != nil {
		return err
	}
	if c.Query("tanggal") != "" {
		p.Open = "jadwal"
	}
	p.Notice = noticeOf(c.Query("ok"))
	return h.render(c, fiber.StatusOK, "visit", p)
}

// noticeOf maps the ?ok= of a redirect after a decision to its message.
func noticeOf(done string) string {
	switch done {
	case "setujui", "ubah", "tawarkan", "revisi", "tolak", "batal", "selesai":
		return "decision.done." + done
	}
	return ""
}

// visitPageOf builds the request page; date and session choose the session
// the approval form is for (default: the visit's own or the first wish).
func (h *Handlers) visitPageOf(c *fiber.Ctx, v *models.Visit, date, session string) (*visitPage, error) {
	ctx := c.UserContext()
	now := h.deps.Now()
	loc := h.deps.Location
	p := &visitPage{Page: h.newPage(c, "visit.title"), Visit: v, MinDate: models.DateKey(now.In(loc))}
	p.Title = v.Code
	if canDecide(p.User) {
		p.Actions = v.StaffActions(now)
	}
	from := now.In(loc).AddDate(0, -1, 0)
	av, err := h.availability(c, from, from.AddDate(0, 14, 0))
	if err != nil {
		return nil, err
	}
	p.Overdue = v.Overdue(av.Calendar, now, loc)
	if p.Day, err = h.visitDayCardOf(c, v); err != nil {
		return nil, err
	}
	staffAv := av
	staffAv.Settings.MinNoticeDays, staffAv.Settings.HorizonDays = 0, 1<<20
	own := func(dateKey, sessionID string) bool {
		for _, b := range av.Bookings {
			if b.VisitID == v.ID && b.Date == dateKey && b.SessionID == sessionID {
				return true
			}
		}
		return false
	}
	state := func(dateKey, sessionID string) (models.SlotState, string, int) {
		day, err := models.ParseDateKey(dateKey, loc)
		if err != nil {
			return models.SlotClosed, "err.date", 0
		}
		d := staffAv.Day(day)
		for _, s := range d.Slots {
			if s.ID == sessionID {
				// The visit's own booking is not a reason to refuse it.
				for _, b := range av.Bookings {
					if b.VisitID == v.ID && b.Date == dateKey && b.SessionID == sessionID {
						return models.SlotOpen, "", s.PlacesLeft + v.Participants
					}
				}
				return s.State, s.Reason, s.PlacesLeft
			}
		}
		if d.Reason == "" {
			return models.SlotClosed, models.ReasonNoSession, 0
		}
		return models.SlotClosed, d.Reason, 0
	}
	for _, r := range v.Requested {
		row := requestedRow{Date: r.Date, SessionID: r.SessionID}
		row.State, row.Reason, row.PlacesLeft = state(r.Date, r.SessionID)
		row.Own = own(r.Date, r.SessionID)
		p.Requested = append(p.Requested, row)
	}
	seen := map[string]bool{}
	for _, day := range av.Settings.Weekly {
		for _, s := range day {
			if !seen[s.ID] {
				seen[s.ID] = true
				p.Sessions = append(p.Sessions, Option{s.ID, p.SessionName(s.ID)})
			}
		}
	}

	// The session the approval (or change) form is for.
	a := v.AssignmentOf(loc)
	if date == "" {
		date, session = a.Date, a.SessionID
		if v.Status != models.StatusApproved && len(v.Requested) > 0 {
			date, session = v.Requested[0].Date, v.Requested[0].SessionID
		}
	}
	p.Slot = slotChoice{Date: date, SessionID: session}
	p.Slot.State, p.Slot.Reason, p.Slot.PlacesLeft = state(date, session)
	if day, err := models.ParseDateKey(date, loc); err == nil {
		if s, ok := av.Settings.SessionByID(day, session); ok {
			p.Slot.Start, p.Slot.End, p.Slot.Valid = s.Start, s.End, p.Slot.Reason == "" || p.Slot.State != models.SlotClosed
		}
	}
	taken, err := h.deps.Store.TakenIn(ctx, date, session)
	if err != nil {
		return nil, err
	}
	for _, r := range av.Settings.Rooms {
		holder, used := taken.Rooms[r.ID]
		p.Rooms = append(p.Rooms, roomChoice{Room: r, Free: !used || holder == v.ID, Fits: r.Capacity >= v.Participants})
	}
	escorts, err := h.escortChoices(c, v, date, session, taken)
	if err != nil {
		return nil, err
	}
	p.Escorts = escorts
	p.Receivers = p.Host.Receivers

	// The form starts from the visit's schedule, or the host's template.
	vals := p.Form.Values
	vals["date"], vals["session"] = date, session
	vals["start"], vals["end"] = p.Slot.Start, p.Slot.End
	if v.Status == models.StatusApproved && date == a.Date && session == a.SessionID {
		vals["start"], vals["end"] = a.StartClock, a.EndClock // keep its own times
	}
	vals["room"] = v.RoomID
	if vals["room"] == "" {
		for _, r := range p.Rooms {
			if r.Free && r.Fits {
				vals["room"] = r.ID
				break
			}
		}
	}
	vals["receiver"] = v.Receiver
	if vals["receiver"] == "" && len(p.Receivers) > 0 {
		vals["receiver"] = p.Receivers[0]
	}
	agenda := v.Agenda
	if len(agenda) == 0 {
		agenda = av.Settings.AgendaTemplate
	}
	vals["agenda"] = strings.Join(agenda, "\n")
	vals["reply_number"] = v.ReplyNumber

	if canDecide(p.User) {
		if p.Emails, err = h.deps.Store.OutboxFor(ctx, v.ID); err != nil {
			return nil, err
		}
	}
	p.Tracking = h.trackingURL(models.TrackingToken(h.trackKey, v.SubmissionKey))
	p.WhatsApp = whatsAppLink(v, p)
	if p.Survey, err = h.surveyResultOf(c, &p.Page, v); err != nil {
		return nil, err
	}
	return p, nil
}

// whatsAppLink opens a chat with the delegation's contact with a polite
// Indonesian greeting already typed (wa.me takes the number without "+").
func whatsAppLink(v *models.Visit, p *visitPage) string {
	if v.Contact.Phone == "" {
		return ""
	}
	msg := p.T("visit.wa_message", "Name", v.Contact.Name, "Code", v.Code, "Institution", v.InstitutionName, "Host", p.Host.Name, "Link", p.Tracking)
	return "https://wa.me/" + strings.TrimPrefix(v.Contact.Phone, "+") + "?text=" + url.QueryEscape(msg)
}

// escortChoices ranks the active escorts for a session (models.RankEscorts:
// free first, then topic match, then fewest recent assignments); an escort
// on leave or reserved for another visit in that session cannot be chosen.
func (h *Handlers) escortChoices(c *fiber.Ctx, v *models.Visit, date, session string, taken models.Taken) ([]escortChoice, error) {
	options, err := h.deps.Store.EscortOptions(c.UserContext(), date, session, v.Topics, v.ID, h.deps.Now(), h.deps.Location)
	if err != nil {
		return nil, err
	}
	p := h.newPage(c, "")
	out := make([]escortChoice, 0, len(options))
	for _, o := range options {
		ch := escortChoice{ID: o.ID, Name: o.Name, Available: o.Available, Reason: o.Reason,
			Checked: slices.Contains(v.EscortIDs, o.ID), TopicMatches: o.TopicMatches, Recent: o.Recent}
		if o.Reason == models.ReasonOnLeave {
			ch.Detail = p.LeavePeriod(o.Leave)
		}
		if holder, busy := taken.Escorts[o.ID]; busy && holder != v.ID && ch.Available {
			ch.Available, ch.Reason = false, models.ReasonBusy
		}
		out = append(out, ch)
	}
	// Reservations may know of a booking the ranking did not see yet.
	slices.SortStableFunc(out, func(a, b escortChoice) int {
		switch {
		case a.Available == b.Available:
			return 0
		case a.Available:
			return -1
		}
		return 1
	})
	return out, nil
}

// decide runs one staff decision: load the visit, apply the change, store
// it together with its reservations, queue the emails, and go back to the
// request page. Invalid input re-renders the page with the form open.
func (h *Handlers) decide(c *fiber.Ctx, name string, change func(*models.Visit, models.Decision) error) error {
	v, err := h.visitByID(c)
	if err != nil {
		return err
	}
	if fmt.Sprint(v.Version) != c.FormValue("version") {
		return h.conflict(c, v)
	}
	settings, cal, err := h.rules(c)
	if err != nil {
		return err
	}
	user := currentUser(c)
	d := models.Decision{Actor: user.Name, Settings: settings, Calendar: cal, Now: h.deps.Now(), Location: h.deps.Location,
		Escorts: map[bson.ObjectID]string{}}
	if name == "setujui" || name == "ubah" {
		taken, err := h.deps.Store.TakenIn(c.UserContext(), c.FormValue("date"), c.FormValue("session"))
		if err != nil {
			return err
		}
		choices, err := h.escortChoices(c, v, c.FormValue("date"), c.FormValue("session"), taken)
		if err != nil {
			return err
		}
		for _, e := range choices {
			if e.Available {
				d.Escorts[e.ID] = e.Name
			}
		}
	}
	before := *v
	err = change(v, d)
	if err == nil {
		err = h.deps.Store.UpdateVisit(c.UserContext(), &before, v, settings, h.deps.Location, d.Now)
	}
	if err != nil {
		return h.decisionFailed(c, &before, name, err)
	}
	h.audit(c, auditEvent{Action: decisionAudit[name], Target: visitTarget(v), Before: &before, After: v, Ignore: visitIgnore})
	h.queueDecisionMail(c, v, &before, name)
	if name == "selesai" {
		h.queueSurveyInvitation(c, v)
	}
	return c.Redirect("/staf/permohonan/"+v.ID.Hex()+"?ok="+name, fiber.StatusSeeOther)
}

// decisionAudit names each decision in the audit log.
var decisionAudit = map[string]string{
	"setujui": models.AuditVisitApprove, "ubah": models.AuditVisitChange, "tawarkan": models.AuditVisitOffer,
	"revisi": models.AuditVisitRevision, "tolak": models.AuditVisitDecline, "batal": models.AuditVisitCancel,
	"selesai": models.AuditVisitComplete,
}

// decisionFailed shows the request page again with what was typed and
// why it was refused: field messages (422), a taken session, room or
// escort (409), or a change by a colleague (409, with the current state).
func (h *Handlers) decisionFailed(c *fiber.Ctx, v *models.Visit, name string, err error) error {
	ve, invalid := models.AsValidation(err)
	msg := ""
	switch {
	case invalid:
	case errors.Is(err, models.ErrConflict):
		fresh, ferr := h.deps.Store.VisitByID(c.UserContext(), v.ID)
		if ferr != nil {
			return ferr
		}
		return h.conflict(c, fresh)
	case errors.Is(err, models.ErrSlotFull):
		msg = "decision.slot_full"
	case errors.Is(err, models.ErrRoomTaken):
		msg = "decision.room_taken"
	case errors.Is(err, models.ErrEscortBusy):
		msg = "decision.escort_taken"
	case errors.Is(err, models.ErrNotAllowed):
		msg = "decision.not_allowed"
	default:
		return err
	}
	fresh, ferr := h.deps.Store.VisitByID(c.UserContext(), v.ID)
	if ferr != nil {
		return ferr
	}
	p, perr := h.visitPageOf(c, fresh, c.FormValue("date"), c.FormValue("session"))
	if perr != nil {
		return perr
	}
	p.Open = name
	c.Request().PostArgs().VisitAll(func(k, val []byte) {
		if key := string(k); key != "_csrf" && key != "escorts" {
			p.Form.Values[key] = string(val)
		}
	})
	if invalid {
		for f, m := range ve.Fields {
			p.Form.Errors[f] = m
		}
		p.Form.Error = "form.has_errors"
		return h.render(c, fiber.StatusUnprocessableEntity, "visit", p)
	}
	p.Form.Error = msg
	return h.render(c, fiber.StatusConflict, "visit", p)
}

// conflict tells the user that a colleague changed the request first and
// shows it as it is now.
func (h *Handlers) conflict(c *fiber.Ctx, current *models.Visit) error {
	h.countConflict(c)
	p, err := h.visitPageOf(c, current, "", "")
	if err != nil {
		return err
	}
	p.Form.Error = "decision.conflict"
	return h.render(c, fiber.StatusConflict, "visit", p)
}

// assignmentForm reads the approval form.
func assignmentForm(c *fiber.Ctx) models.Assignment {
	a := models.Assignment{
		Date: strings.TrimSpace(c.FormValue("date")), SessionID: c.FormValue("session"),
		StartClock: c.FormValue("start"), EndClock: c.FormValue("end"), RoomID: c.FormValue("room"),
		Receiver: c.FormValue("receiver"), ReplyNumber: c.FormValue("reply_number"), Message: c.FormValue("message"),
		Agenda: strings.Split(strings.ReplaceAll(c.FormValue("agenda"), "\r\n", "\n"), "\n"),
	}
	args := c.Request().PostArgs()
	for _, raw := range args.PeekMulti("escorts") {
		if id, err := bson.ObjectIDFromHex(string(raw)); err == nil {
			a.EscortIDs = append(a.EscortIDs, id)
		}
	}
	return a
}

func (h *Handlers) visitApprove(c *fiber.Ctx) error {
	return h.decide(c, "setujui", func(v *models.Visit, d models.Decision) error { return v.Approve(assignmentForm(c), d) })
}

func (h *Handlers) visitChange(c *fiber.Ctx) error {
	return h.decide(c, "ubah", func(v *models.Visit, d models.Decision) error { return v.ChangeSchedule(assignmentForm(c), d) })
}

func (h *Handlers) visitOffer(c *fiber.Ctx) error {
	return h.decide(c, "tawarkan", func(v *models.Visit, d models.Decision) error {
		var slots []models.RequestedSlot
		for i := 1; i <= models.MaxOffers; i++ {
			n := strconv.Itoa(i)
			slots = append(slots, models.RequestedSlot{Date: strings.TrimSpace(c.FormValue("offer" + n + "_date")), SessionID: c.FormValue("offer" + n + "_session")})
		}
		return v.OfferSlots(slots, c.FormValue("offer_message"), d)
	})
}

func (h *Handlers) visitRevision(c *fiber.Ctx) error {
	return h.decide(c, "revisi", func(v *models.Visit, d models.Decision) error {
		return renameField(v.AskRevision(c.FormValue("revision_reason"), d), "reason", "revision_reason")
	})
}

func (h *Handlers) visitDecline(c *fiber.Ctx) error {
	return h.decide(c, "tolak", func(v *models.Visit, d models.Decision) error {
		return renameField(v.Decline(c.FormValue("decline_reason"), d), "reason", "decline_reason")
	})
}

func (h *Handlers) visitCancel(c *fiber.Ctx) error {
	return h.decide(c, "batal", func(v *models.Visit, d models.Decision) error {
		return renameField(v.CancelByHost(c.FormValue("cancel_reason"), d), "reason", "cancel_reason")
	})
}

func (h *Handlers) visitComplete(c *fiber.Ctx) error {
	return h.decide(c, "selesai", func(v *models.Visit, d models.Decision) error {
		return renameField(v.Complete(c.FormValue("complete_note"), d), "note", "complete_note")
	})
}

// renameField moves a model's field message to the form's field name,
// because one page carries several reason fields.
func renameField(err error, from, to string) error {
	if ve, ok := models.AsValidation(err); ok {
		if msg, ok := ve.Fields[from]; ok {
			delete(ve.Fields, from)
			ve.Fields[to] = msg
		}
	}
	return err
}

// visitLetter shows the delegation's request letter to staff, inline, so
// the request page can embed it.
func (h *Handlers) visitLetter(c *fiber.Ctx) error {
	v, err := h.visitByID(c)
	if err != nil {
		return err
	}
	// The request page embeds it; no other site may.
	c.Set("X-Frame-Options", "SAMEORIGIN")
	// Only framing is relaxed: a stricter policy (object-src, sandbox) stops
	// the browser's own PDF viewer.
	c.Set("Content-Security-Policy", "frame-ancestors 'self'")
	return h.sendLetter(c, v)
}

// queueDecisionMail tells the delegation (in its language) and the escorts
// involved (in Indonesian) what was decided. Approvals and changes carry
// the calendar invitation (METHOD:REQUEST, SEQUENCE from the visit),
// cancellations its CANCEL; an escort taken off a visit gets a CANCEL
// naming only them. Failing to queue is logged: the decision itself is
// saved and shown.
func (h *Handlers) queueDecisionMail(c *fiber.Ctx, v, before *models.Visit, name string) {
	ctx := c.UserContext()
	host := h.hostOrDefault(c)
	link := h.trackingURL(models.TrackingToken(h.trackKey, v.SubmissionKey))
	escorts := h.escortAccounts(ctx, append(slices.Clone(v.EscortIDs), before.EscortIDs...))
	var current, removed []models.Attendee
	for _, id := range v.EscortIDs {
		if u, ok := escorts[id]; ok {
			current = append(current, models.Attendee{Name: u.Name, Email: u.Email})
		}
	}
	for _, id := range before.EscortIDs {
		if u, ok := escorts[id]; ok && !slices.Contains(v.EscortIDs, id) {
			removed = append(removed, models.Attendee{Name: u.Name, Email: u.Email})
		}
	}
	contact := models.Attendee{Name: v.Contact.Name, Email: v.Contact.Email}
	everyone := append([]models.Attendee{contact}, current...)

	// Which calendar message this decision calls for, for the recipients
	// of the decision itself.
	method := ""
	switch {
	case v.Status == models.StatusApproved && v.Invited && (v.InviteSeq != before.InviteSeq || !before.Invited):
		method = models.MethodRequest
	case v.Status == models.StatusCancelled && before.Invited:
		method = models.MethodCancel
		everyone = append([]models.Attendee{contact}, append(current, removed...)...)
	}
	invitation := func(method string, attendees []models.Attendee) []byte {
		if method == "" {
			return nil
		}
		b, err := models.BuildInvitation(models.InviteInput{Visit: v, Host: host, Method: method, Sequence: v.InviteSeq,
			Attendees: attendees, Organizer: h.organizer(host), TrackingURL: link, Now: h.deps.Now(), Location: h.deps.Location})
		if err != nil {
			h.deps.Logger.Error("build invitation", "code", v.Code, "err", err)
			return nil
		}
		return b
	}
	ics := invitation(method, everyone)

	send := func(kind, lang string, to models.Attendee, subjectKey, bodyKey string, ics []byte, method string) {
		if to.Email == "" {
			return
		}
		p := h.mailPage(lang, host)
		when := ""
		if !v.Start.IsZero() {
			when = p.Date(v.Start) + ", " + p.Clock(v.Start) + "–" + p.Clock(v.End) + " " + p.Zone(v.Start)
		}
		body := p.T(bodyKey, "Code", v.Code, "Institution", v.InstitutionName, "When", when,
			"Room", v.Room, "Note", v.StaffNote, "Host", host.Name)
		var offers []string
		for _, o := range v.Offers {
			offers = append(offers, "• "+p.DateOfKey(o.Date)+", "+p.SessionName(o.SessionID))
		}
		if len(offers) > 0 {
			body += "\n\n" + strings.Join(offers, "\n")
		}
		var text strings.Builder
		fmt.Fprintf(&text, "%s\n\n%s\n\n", p.T("mail.greeting", "Name", to.Name), strings.TrimSpace(body))
		if kind == "delegation" {
			fmt.Fprintf(&text, "%s\n%s\n\n", p.T("mail.ack_link"), link)
		} else {
			fmt.Fprintf(&text, "%s\n%s\n\n", p.T("decision.mail.staff_link"), h.staffURL(v))
		}
		if len(ics) > 0 {
			text.WriteString(p.T("decision.mail.invitation_note") + "\n\n")
		}
		text.WriteString(p.T("mail.signature", "Host", host.Name) + "\n")
		m := &models.OutboxMessage{Kind: "decision_" + name + "_" + kind, VisitID: v.ID, To: []string{to.Email},
			Subject: p.T(subjectKey, "Code", v.Code), Text: text.String(), HTML: plainToHTML(text.String()),
			Language: p.Lang, ICS: ics, Method: method,
			ThreadKey: "visit:" + v.ID.Hex() + ":" + strings.ToLower(to.Email)}
		if err := h.deps.Store.Enqueue(ctx, m, h.deps.Now()); err != nil {
			h.deps.Logger.Error("queue decision mail", "code", v.Code, "err", err)
		}
	}
	subject, body := "decision.mail."+name+".subject", "decision.mail."+name+".body"
	send("delegation", v.Language, contact, subject, body, ics, method)
	// Escorts hear of approvals, changes and cancellations of their visits.
	if name == "setujui" || name == "ubah" || name == "batal" || name == "pilih" || name == "batal_pemohon" {
		recipients := current
		if method == models.MethodCancel {
			recipients = append(slices.Clone(current), removed...)
		}
		for _, e := range recipients {
			send("escort", models.LangID, e, subject, body, ics, method)
		}
	}
	// An escort taken off a visit that goes on: a CANCEL naming only them.
	if v.Status == models.StatusApproved && before.Invited {
		for _, e := range removed {
			send("escort_removed", models.LangID, e, "decision.mail.removed.subject", "decision.mail.removed.body",
				invitation(models.MethodCancel, []models.Attendee{e}), models.MethodCancel)
		}
	}
}

// escortAccounts loads the active accounts of the given escorts.
func (h *Handlers) escortAccounts(ctx context.Context, ids []bson.ObjectID) map[bson.ObjectID]*models.User {
	out := map[bson.ObjectID]*models.User{}
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		if u, err := h.deps.Store.UserByID(ctx, id); err == nil && u.Active {
			out[id] = u
		}
	}
	return out
}

// organizer is the invitation's ORGANIZER: the mailbox the mail comes
// from (MAIL_FROM), else the host's contact mailbox.
func (h *Handlers) organizer(host models.HostProfile) string {
	if h.deps.MailFrom != "" {
		if a, err := mail.ParseAddress(h.deps.MailFrom); err == nil {
			return a.Address
		}
	}
	return host.Email
}

// staffURL is the request page's address, for emails to staff.
func (h *Handlers) staffURL(v *models.Visit) string {
	path := "/staf/permohonan/" + v.ID.Hex()
	if h.deps.BaseURL == nil {
		return path
	}
	return strings.TrimSuffix(h.deps.BaseURL.String(), "/") + path
}

// plainToHTML turns a plain-text mail into simple, escaped HTML paragraphs.
func plainToHTML(text string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(template.HTMLEscapeString(line))
		}
		b.WriteString("</p>")
	}
	return b.String()
}
