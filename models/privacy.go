package models

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Personal data of delegations under UU 27/2022 (Pelindungan Data
// Pribadi): kept only as long as needed (retention), handed to the person
// on request (export) and erased on request (erasure). What is erased is
// replaced by ErasedMarker; what statistics need (counts, genders,
// province, institution) stays, so reports do not change.

// ErasedMarker replaces erased names and positions.
const ErasedMarker = "[dihapus]"

// Retention limits, in months after a visit ended.
const (
	DefaultRetentionMonths = 24
	MinRetentionMonths     = 1
	MaxRetentionMonths     = 120
	// RetentionInterval: the per-minute worker applies retention this
	// often at most (RunRetentionIfDue).
	RetentionInterval = time.Hour
	// retentionAttempts bounds the retries of one visit that a colleague
	// keeps changing; a visit left over is taken at the next run.
	retentionAttempts = 5
)

// noEnd: a visit ending before this has no end recorded (a zero time),
// which never counts as long past.
var noEnd = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// settings documents of this file
const (
	settingsPrivacyID   = "privacy"
	settingsRetentionID = "retention_run"
)

// PrivacySettings are the admin's rules for personal data.
type PrivacySettings struct {
	// RetentionMonths: this many months after a visit ended, its roster
	// and the contact's phone and email are erased.
	RetentionMonths int   `bson:"retention_months"`
	Version         int64 `bson:"version"`
}

// DefaultPrivacySettings apply until an admin saves others.
func DefaultPrivacySettings() PrivacySettings {
	return PrivacySettings{RetentionMonths: DefaultRetentionMonths}
}

// Validate checks the settings; messages are catalogue keys by field.
func (p PrivacySettings) Validate() error {
	v := &ValidationError{}
	if p.RetentionMonths < MinRetentionMonths || p.RetentionMonths > MaxRetentionMonths {
		v.Add("retention_months", "privacy.err_months")
	}
	return v.Err()
}

// RetentionCutoff is the end before which visits lose their personal data.
func (p PrivacySettings) RetentionCutoff(now time.Time) time.Time {
	return now.UTC().AddDate(0, -p.RetentionMonths, 0)
}

// PrivacySettings loads the stored settings, or the defaults.
func (s *Store) PrivacySettings(ctx context.Context) (PrivacySettings, error) {
	var doc struct {
		Privacy PrivacySettings `bson:"privacy"`
	}
	err := s.db.Collection(colSettings).FindOne(ctx, bson.D{{Key: "_id", Value: settingsPrivacyID}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return DefaultPrivacySettings(), nil
	}
	if err != nil {
		return PrivacySettings{}, err
	}
	return doc.Privacy, nil
}

// SavePrivacySettings validates and stores p at its version, as
// SaveHostSettings does: a save based on an old version is ErrConflict.
func (s *Store) SavePrivacySettings(ctx context.Context, p *PrivacySettings, now time.Time) error {
	if err := p.Validate(); err != nil {
		return err
	}
	next := *p
	next.Version = p.Version + 1
	if err := s.saveSettingsDoc(ctx, settingsPrivacyID, "privacy", p.Version, next, now); err != nil {
		return err
	}
	p.Version = next.Version
	return nil
}

// --- Pure rules ------------------------------------------------------

// NeedsRetention reports whether a visit still holds personal data that
// retention erases: the contact's phone or email, or a roster entry.
func NeedsRetention(v *Visit) bool {
	if v.Contact.Email != "" || v.Contact.Phone != "" {
		return true
	}
	for _, e := range v.Roster {
		if !rosterEntryErased(e) {
			return true
		}
	}
	return false
}

func rosterEntryErased(e RosterEntry) bool {
	return e.Name == ErasedMarker && e.Position == ErasedMarker && e.Needs == ""
}

// eraseRosterEntry keeps the entry (attendance refers to entries by index
// and reports count them) and its gender (a statistic), nothing else.
func eraseRosterEntry(e *RosterEntry) {
	e.Name, e.Position, e.Needs = ErasedMarker, ErasedMarker, ""
}

// EraseForRetention erases what retention erases from v: every roster
// entry's name, position and needs, and the contact's phone and email.
// Counts, genders, the institution, region and the contact's name and
// position (the official who wrote to the host) stay. It reports whether
// anything changed.
func EraseForRetention(v *Visit) bool {
	if !NeedsRetention(v) {
		return false
	}
	for i := range v.Roster {
		eraseRosterEntry(&v.Roster[i])
	}
	v.Contact.Email, v.Contact.Phone = "", ""
	return true
}

// PersonQuery identifies a delegation contact by email or phone.
type PersonQuery struct {
	Email string // normalised (lower case)
	Phone string // E.164
}

// ParsePersonQuery reads what an admin typed: an email address or an
// Indonesian mobile number in any usual form. The error is a catalogue key.
func ParsePersonQuery(s string) (PersonQuery, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return PersonQuery{}, fieldError("q", "err.required")
	case strings.Contains(s, "@"):
		e := NormalizeEmail(s)
		if !validEmail(e) {
			return PersonQuery{}, fieldError("q", "err.email")
		}
		return PersonQuery{Email: e}, nil
	}
	p, ok := NormalizePhone(s)
	if !ok {
		return PersonQuery{}, fieldError("q", "privacy.err_query")
	}
	return PersonQuery{Phone: p}, nil
}

// String is the query as typed back (the email or the E.164 number).
func (q PersonQuery) String() string {
	if q.Email != "" {
		return q.Email
	}
	return q.Phone
}

// Masked shows the query with most of it hidden, for the audit log: the
// log proves that an erasure happened without keeping what was erased.
func (q PersonQuery) Masked() string {
	if q.Email != "" {
		local, domain, _ := strings.Cut(q.Email, "@")
		r := []rune(local)
		return string(r[:min(2, len(r))]) + "***@" + domain
	}
	if len(q.Phone) > 7 {
		return q.Phone[:6] + strings.Repeat("*", len(q.Phone)-9) + q.Phone[len(q.Phone)-3:]
	}
	return "***"
}

// MatchesContact reports whether p is the person queried.
func (q PersonQuery) MatchesContact(p Person) bool {
	return (q.Email != "" && NormalizeEmail(p.Email) == q.Email) || (q.Phone != "" && p.Phone == q.Phone)
}

// sameName compares names as people write them: case and runs of spaces
// do not matter, titles and punctuation do.
func sameName(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	return a != "" && a != ErasedMarker && norm(a) == norm(b)
}

// ErasureOptions says how far an erasure on request goes.
type ErasureOptions struct {
	// Roster: also erase the whole roster of the person's visits (they
	// sent it). Without it only roster entries with the person's own name
	// are erased.
	Roster bool
	// Reason: the request's reference (a letter, an email), for the log.
	Reason string
}

// ErasePersonFromVisit erases the queried contact from v: their name,
// position, email and phone, their name in the visit's history, the
// leader and roster entries with their name (or, with opts.Roster, the
// whole roster). It returns how many roster entries it erased and whether
// anything changed. A visit of somebody else is left alone.
func ErasePersonFromVisit(v *Visit, q PersonQuery, opts ErasureOptions) (rosterErased int, changed bool) {
	if !q.MatchesContact(v.Contact) {
		return 0, false
	}
	name := v.Contact.Name
	for i := range v.Roster {
		e := &v.Roster[i]
		if rosterEntryErased(*e) {
			continue
		}
		if opts.Roster || sameName(e.Name, name) {
			eraseRosterEntry(e)
			rosterErased++
		}
	}
	if sameName(v.Leader.Name, name) {
		v.Leader.Name, v.Leader.Position = ErasedMarker, ErasedMarker
	}
	for i := range v.History {
		if sameName(v.History[i].Actor, name) {
			v.History[i].Actor = ErasedMarker
		}
	}
	v.Contact = Person{Name: ErasedMarker, Position: ErasedMarker}
	return rosterErased, true
}

// --- Retention ---------------------------------------------------------

// ApplyRetention erases the personal data of every visit that ended more
// than ps.RetentionMonths before now (EraseForRetention), and records
// each erasure in the audit log as the system's. Visits are written
// through SaveVisit at the version read, so a colleague's concurrent edit
// is never overwritten: the visit is read again and retried, and one that
// keeps changing is left for the next run. It returns how many visits it
// erased.
func (s *Store) ApplyRetention(ctx context.Context, ps PrivacySettings, now time.Time) (int, error) {
	if ps.RetentionMonths < MinRetentionMonths {
		ps.RetentionMonths = DefaultRetentionMonths
	}
	cutoff := ps.RetentionCutoff(now)
	// Only what NeedsRetention looks at: a run over years of visits that
	// were erased long ago reads little.
	cur, err := s.db.Collection(colVisits).Find(ctx,
		bson.D{{Key: "end", Value: bson.D{{Key: "$lt", Value: cutoff}, {Key: "$gt", Value: noEnd}}}},
		options.Find().SetProjection(bson.D{{Key: "contact", Value: 1}, {Key: "roster", Value: 1}}))
	if err != nil {
		return 0, err
	}
	var candidates []Visit
	if err := cur.All(ctx, &candidates); err != nil {
		return 0, err
	}
	erased := 0
	var firstErr error
	for _, c := range candidates {
		if !NeedsRetention(&c) {
			continue
		}
		done, err := s.retainVisit(ctx, c.ID, cutoff, now)
		if err != nil {
			firstErr = cmp.Or(firstErr, fmt.Errorf("retention %s: %w", c.ID.Hex(), err))
			continue
		}
		if done {
			erased++
		}
	}
	return erased, firstErr
}

// retainVisit erases one visit, retrying on a concurrent change.
func (s *Store) retainVisit(ctx context.Context, id bson.ObjectID, cutoff, now time.Time) (bool, error) {
	for range retentionAttempts {
		v, err := s.VisitByID(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !v.End.After(noEnd) || !v.End.Before(cutoff) { // moved to a later date meanwhile
			return false, nil
		}
		before := *v
		before.Roster = append([]RosterEntry(nil), v.Roster...)
		if !EraseForRetention(v) {
			return false, nil
		}
		err = s.SaveVisit(ctx, v, now)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return false, err
		}
		// The visit's mail: to the contact, and mentioning their phone.
		var addressed []string
		if e := NormalizeEmail(before.Contact.Email); e != "" {
			addressed = []string{e}
		}
		msgs, err := s.scrubOutbox(ctx, []bson.ObjectID{v.ID}, newMessageScrub(addressed, before.Contact.Phone, ""), false, now)
		if err != nil {
			return true, err
		}
		changes, _ := AuditDiff(&before, v, "history")
		err = s.InsertAudit(ctx, &AuditEntry{At: now, Actor: SystemActor(), Action: AuditPrivacyRetention,
			Target:  AuditTarget{Collection: colVisits, ID: v.ID.Hex(), Label: v.Code},
			Changes: changes, Note: fmt.Sprintf("surel: %d", msgs)})
		return true, err
	}
	return false, nil // a colleague keeps editing it: the next run takes it
}

// RunRetentionIfDue applies retention with the stored settings when the
// last run (of any instance) is RetentionInterval ago or more. The
// per-minute worker calls it. Two instances that both find it due both
// run it, which is harmless: the writes are versioned and an erased visit
// is skipped.
func (s *Store) RunRetentionIfDue(ctx context.Context, now time.Time) (int, error) {
	col := s.db.Collection(colSettings)
	var last struct {
		At time.Time `bson:"at"`
	}
	err := col.FindOne(ctx, bson.D{{Key: "_id", Value: settingsRetentionID}}).Decode(&last)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, err
	}
	if err == nil && now.Sub(last.At) < RetentionInterval {
		return 0, nil
	}
	if _, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: settingsRetentionID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: now.UTC()}}}}, options.UpdateOne().SetUpsert(true)); err != nil {
		return 0, err
	}
	ps, err := s.PrivacySettings(ctx)
	if err != nil {
		return 0, err
	}
	return s.ApplyRetention(ctx, ps, now)
}

// --- Export and erasure on request --------------------------------------

// PersonExport is everything stored about one delegation contact, as the
// JSON file an admin hands them.
type PersonExport struct {
	Query       string          `json:"query"`
	GeneratedAt time.Time       `json:"generated_at"`
	Visits      []PersonVisit   `json:"visits"`
	Messages    []PersonMessage `json:"messages"`
	Surveys     []PersonSurvey  `json:"survey_responses"`
}

// PersonVisit is one visit of the person, with what they submitted.
type PersonVisit struct {
	Code         string        `json:"code"`
	Status       VisitStatus   `json:"status"`
	Institution  string        `json:"institution"`
	Region       string        `json:"region,omitempty"`
	Start        time.Time     `json:"start"`
	End          time.Time     `json:"end"`
	SubmittedAt  time.Time     `json:"submitted_at"`
	Contact      ExportPerson  `json:"contact"`
	Leader       ExportPerson  `json:"leader"`
	Participants int           `json:"participants"`
	Roster       []ExportEntry `json:"roster"`
	Notes        string        `json:"notes,omitempty"`
	LetterNumber string        `json:"letter_number,omitempty"`
	History      []ExportEvent `json:"history"`
}

// ExportPerson, ExportEntry and ExportEvent are the JSON forms of Person,
// RosterEntry and Event.
type ExportPerson struct {
	Name     string `json:"name"`
	Position string `json:"position"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

type ExportEntry struct {
	Name     string `json:"name"`
	Position string `json:"position"`
	Gender   Gender `json:"gender"`
	Needs    string `json:"needs,omitempty"`
}

type ExportEvent struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Note   string    `json:"note,omitempty"`
}

// PersonMessage is an email addressed to the person.
type PersonMessage struct {
	VisitCode string       `json:"visit_code,omitempty"`
	Kind      string       `json:"kind"`
	To        []string     `json:"to"`
	Subject   string       `json:"subject"`
	Text      string       `json:"text"`
	Status    OutboxStatus `json:"status"`
	CreatedAt time.Time    `json:"created_at"`
	SentAt    time.Time    `json:"sent_at,omitzero"`
}

// PersonSurvey is a satisfaction survey answer about one of the person's
// visits (answers are anonymous: any participant may have written it).
type PersonSurvey struct {
	VisitCode  string    `json:"visit_code"`
	Scores     SKMScores `json:"scores"`
	Comment    string    `json:"comment,omitempty"`
	Suggestion string    `json:"suggestion,omitempty"`
	At         time.Time `json:"at"`
}

// personVisits finds the visits whose contact is the queried person.
func (s *Store) personVisits(ctx context.Context, q PersonQuery) ([]Visit, error) {
	var or bson.A
	if q.Email != "" {
		or = append(or, bson.D{{Key: "contact.email", Value: q.Email}})
	}
	if q.Phone != "" {
		or = append(or, bson.D{{Key: "contact.phone", Value: q.Phone}})
	}
	if len(or) == 0 {
		return nil, nil
	}
	cur, err := s.db.Collection(colVisits).Find(ctx, bson.D{{Key: "$or", Value: or}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var out []Visit
	err = cur.All(ctx, &out)
	return out, err
}

// personMessages finds the outbox messages addressed to the person's
// email: by the query, or by the contact email of their visits (a search
// by phone finds the mail too).
func (s *Store) personMessages(ctx context.Context, emails []string) ([]OutboxMessage, error) {
	if len(emails) == 0 {
		return nil, nil
	}
	cur, err := s.db.Collection(colOutbox).Find(ctx, bson.D{{Key: "to", Value: bson.D{{Key: "$in", Value: emails}}}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var out []OutboxMessage
	err = cur.All(ctx, &out)
	return out, err
}

// personEmails are the query's email and the contact emails of visits.
func personEmails(q PersonQuery, visits []Visit) []string {
	var out []string
	if q.Email != "" {
		out = append(out, q.Email)
	}
	for _, v := range visits {
		if e := NormalizeEmail(v.Contact.Email); e != "" {
			out = uniqueStrings(append(out, e)...)
		}
	}
	return out
}

// PersonData collects everything stored about the queried person: the
// visits they are the contact of (with the roster they sent and the
// history), the emails addressed to them and the survey answers about
// their visits. Visits of other people, and mail to others, are not in it.
func (s *Store) PersonData(ctx context.Context, q PersonQuery, now time.Time) (*PersonExport, error) {
	visits, err := s.personVisits(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &PersonExport{Query: q.String(), GeneratedAt: now.UTC(),
		Visits: []PersonVisit{}, Messages: []PersonMessage{}, Surveys: []PersonSurvey{}}
	codes := map[bson.ObjectID]string{}
	for _, v := range visits {
		codes[v.ID] = v.Code
		pv := PersonVisit{Code: v.Code, Status: v.Status, Institution: v.InstitutionName, Region: v.Region,
			Start: v.Start, End: v.End, SubmittedAt: v.CreatedAt, Participants: v.Participants,
			Contact: ExportPerson{v.Contact.Name, v.Contact.Position, v.Contact.Email, v.Contact.Phone},
			Leader:  ExportPerson{Name: v.Leader.Name, Position: v.Leader.Position},
			Notes:   v.Notes, LetterNumber: v.Letter.Number,
			Roster: []ExportEntry{}, History: []ExportEvent{}}
		for _, e := range v.Roster {
			pv.Roster = append(pv.Roster, ExportEntry{e.Name, e.Position, e.Gender, e.Needs})
		}
		for _, e := range v.History {
			pv.History = append(pv.History, ExportEvent{e.At, e.Actor, e.Action, e.Note})
		}
		out.Visits = append(out.Visits, pv)
		answers, err := s.SurveyResponsesFor(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range answers {
			out.Surveys = append(out.Surveys, PersonSurvey{VisitCode: v.Code, Scores: a.Scores,
				Comment: a.Comment, Suggestion: a.Suggestion, At: a.At})
		}
	}
	msgs, err := s.personMessages(ctx, personEmails(q, visits))
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		out.Messages = append(out.Messages, PersonMessage{VisitCode: codes[m.VisitID], Kind: m.Kind, To: m.To,
			Subject: m.Subject, Text: m.Text, Status: m.Status, CreatedAt: m.CreatedAt, SentAt: m.SentAt})
	}
	return out, nil
}

// ErasureResult says what an erasure on request changed.
type ErasureResult struct {
	Visits   []string // codes of the visits changed
	Roster   int      // roster entries erased
	Messages int      // outbox messages erased
}

// ErasePerson erases the queried person's data on their request: from
// their visits (ErasePersonFromVisit, through SaveVisit at the version
// read, retried on a concurrent change) and from every outbox message to
// their email (body, calendar file and the address replaced by the
// marker; a message still waiting is not sent any more). actor is the
// admin, for the audit log, where the erasure is recorded without the
// erased data. Survey answers are anonymous and stay.
func (s *Store) ErasePerson(ctx context.Context, q PersonQuery, opts ErasureOptions, actor AuditActor, ip, userAgent string, now time.Time) (ErasureResult, error) {
	var res ErasureResult
	visits, err := s.personVisits(ctx, q)
	if err != nil {
		return res, err
	}
	emails := personEmails(q, visits)
	var ids []bson.ObjectID
	names := map[string]bool{}
	for _, found := range visits {
		ids = append(ids, found.ID)
		names[found.Contact.Name] = true
		n, changed, err := s.eraseFromVisit(ctx, found.ID, q, opts, now)
		if err != nil {
			return res, err
		}
		if changed {
			res.Visits = append(res.Visits, found.Code)
			res.Roster += n
		}
	}
	phone := q.Phone
	for _, v := range visits {
		phone = cmp.Or(phone, v.Contact.Phone)
	}
	sc := newMessageScrub(emails, phone, "")
	for name := range names {
		sc.needles = append(sc.needles, newMessageScrub(nil, "", name).needles...)
	}
	slices.SortStableFunc(sc.needles, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	if res.Messages, err = s.scrubOutbox(ctx, ids, sc, true, now); err != nil {
		return res, err
	}
	note := fmt.Sprintf("kunjungan: %s; entri peserta: %d; surel: %d", strings.Join(res.Visits, ", "), res.Roster, res.Messages)
	if len(res.Visits) == 0 {
		note = fmt.Sprintf("kunjungan: -; entri peserta: 0; surel: %d", res.Messages)
	}
	if opts.Roster {
		note += "; termasuk seluruh daftar peserta"
	}
	if r := strings.TrimSpace(opts.Reason); r != "" {
		note += "; dasar: " + r
	}
	err = s.InsertAudit(ctx, &AuditEntry{At: now, Actor: actor, Action: AuditPrivacyErase,
		Target: AuditTarget{Collection: "person", Label: q.Masked()}, Note: note, IP: ip, UserAgent: userAgent})
	return res, err
}

// eraseFromVisit erases the person from one visit, retrying when a
// colleague changed it between the read and the write.
func (s *Store) eraseFromVisit(ctx context.Context, id bson.ObjectID, q PersonQuery, opts ErasureOptions, now time.Time) (int, bool, error) {
	for range retentionAttempts * 4 {
		v, err := s.VisitByID(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, err
		}
		n, changed := ErasePersonFromVisit(v, q, opts)
		if !changed {
			return 0, false, nil
		}
		err = s.SaveVisit(ctx, v, now)
		if errors.Is(err, ErrConflict) {
			continue
		}
		return n, err == nil, err
	}
	return 0, false, errClaimsExhausted
}

// messageScrub says what to remove from outbox messages.
type messageScrub struct {
	// addressed: mail to these addresses loses its body and calendar
	// file, and the address itself.
	addressed []string
	// needles: in other mail of the visits, these texts (an email, the
	// phone in its usual forms, a name) are replaced, and a calendar file
	// that names them is dropped.
	needles []string
}

// newMessageScrub builds the scrub for a person's emails and phone and,
// when given, name.
func newMessageScrub(emails []string, phone, name string) messageScrub {
	sc := messageScrub{addressed: emails}
	needles := append([]string(nil), emails...)
	if strings.HasPrefix(phone, "+62") {
		// As stored, as shown, as typed nationally, and as in wa.me links.
		needles = append(needles, phone, FormatPhone(phone), "0"+phone[3:], phone[1:])
	}
	// Short names would be found inside other words.
	if utf8.RuneCountInString(strings.TrimSpace(name)) >= 5 && name != ErasedMarker {
		needles = append(needles, strings.TrimSpace(name))
	}
	// Longer first: "+6281…" before "6281…".
	slices.SortStableFunc(needles, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	sc.needles = uniqueStrings(needles...)
	return sc
}

func (sc messageScrub) replace(s string) string {
	for _, n := range sc.needles {
		if n != "" {
			s = strings.ReplaceAll(s, n, ErasedMarker)
		}
	}
	return s
}

func (sc messageScrub) mentions(ics []byte) bool {
	// Long lines are folded (CRLF and a space); a number may be split.
	unfolded := strings.ReplaceAll(strings.ReplaceAll(string(ics), "\r\n ", ""), "\r\n\t", "")
	for _, n := range sc.needles {
		if n != "" && strings.Contains(unfolded, n) {
			return true
		}
	}
	return false
}

// scrubMessage applies sc to one outbox message, at its version (retried
// when the worker moved it meanwhile). A message to the person that was
// still to be sent is marked failed, so nothing goes out to a marker.
// It reports whether the message changed.
func (s *Store) scrubMessage(ctx context.Context, id bson.ObjectID, sc messageScrub, now time.Time) (bool, error) {
	for range retentionAttempts * 4 {
		m, err := s.OutboxByID(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		to, addressed := make([]string, len(m.To)), false
		for i, addr := range m.To {
			to[i] = addr
			for _, e := range sc.addressed {
				if strings.EqualFold(strings.TrimSpace(addr), e) {
					to[i], addressed = ErasedMarker, true
				}
			}
		}
		text, html, ics := sc.replace(m.Text), sc.replace(m.HTML), m.ICS
		if addressed {
			text, html = ErasedMarker, "<p>"+ErasedMarker+"</p>"
		}
		if addressed || sc.mentions(m.ICS) {
			ics = nil
		}
		thread := m.ThreadKey
		for _, e := range sc.addressed {
			thread = strings.ReplaceAll(thread, e, ErasedMarker)
		}
		if !addressed && text == m.Text && html == m.HTML && len(ics) == len(m.ICS) {
			return false, nil
		}
		set := bson.D{
			{Key: "to", Value: to},
			{Key: "text", Value: text},
			{Key: "html", Value: html},
			{Key: "ics", Value: ics},
			{Key: "thread_key", Value: thread},
		}
		if addressed && (m.Status == OutboxPending || m.Status == OutboxSending) {
			set = append(set,
				bson.E{Key: "status", Value: OutboxFailed},
				bson.E{Key: "failed_at", Value: now.UTC()},
				bson.E{Key: "last_error", Value: "dihapus atas permintaan pemilik data"},
				bson.E{Key: "lease_owner", Value: ""},
				bson.E{Key: "lease_until", Value: time.Time{}})
		}
		err = s.updateVersioned(ctx, colOutbox, m.ID, m.Version, set, now)
		if errors.Is(err, ErrConflict) {
			continue
		}
		return err == nil, err
	}
	return false, errClaimsExhausted
}

// scrubOutbox applies sc to the mail of the given visits and, with
// byAddress, to all mail addressed to sc's addresses (an erasure on
// request reaches every message to the person; retention only the mail of
// the visits it erases, not that of the same contact's newer visits). It
// returns how many messages changed.
func (s *Store) scrubOutbox(ctx context.Context, visitIDs []bson.ObjectID, sc messageScrub, byAddress bool, now time.Time) (int, error) {
	var or bson.A
	if byAddress && len(sc.addressed) > 0 {
		or = append(or, bson.D{{Key: "to", Value: bson.D{{Key: "$in", Value: sc.addressed}}}})
	}
	if len(visitIDs) > 0 {
		or = append(or, bson.D{{Key: "visit_id", Value: bson.D{{Key: "$in", Value: visitIDs}}}})
	}
	if len(or) == 0 {
		return 0, nil
	}
	cur, err := s.db.Collection(colOutbox).Find(ctx, bson.D{{Key: "$or", Value: or}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, err
	}
	var ids []struct {
		ID bson.ObjectID `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return 0, err
	}
	n := 0
	for _, m := range ids {
		done, err := s.scrubMessage(ctx, m.ID, sc, now)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

// PersonSummary is what the admin sees before exporting or erasing.
type PersonSummary struct {
	Visits   []Visit
	Messages int
	Surveys  int
}

// SummarizePerson counts what is stored about the queried person.
func (s *Store) SummarizePerson(ctx context.Context, q PersonQuery) (PersonSummary, error) {
	var out PersonSummary
	visits, err := s.personVisits(ctx, q)
	if err != nil {
		return out, err
	}
	out.Visits = visits
	msgs, err := s.personMessages(ctx, personEmails(q, visits))
	if err != nil {
		return out, err
	}
	out.Messages = len(msgs)
	for _, v := range visits {
		answers, err := s.SurveyResponsesFor(ctx, v.ID)
		if err != nil {
			return out, err
		}
		out.Surveys += len(answers)
	}
	return out, nil
}
