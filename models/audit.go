package models

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The audit log (jejak audit) records every action of the host's staff:
// who, when, what, on which record, and what changed. It is append-only:
// the Store can insert entries and read them, and has no method that
// changes or removes one (audit_test.go checks that no code does).

// AuditActor is who acted. Background jobs act as the system (no ID, no
// role); a failed sign-in has no actor at all (ID zero, Name empty).
type AuditActor struct {
	ID   bson.ObjectID `bson:"id,omitempty"`
	Name string        `bson:"name,omitempty"`
	Role Role          `bson:"role,omitempty"`
}

// SystemActorName is the actor name of background jobs.
const SystemActorName = "Sistem"

// SystemActor is the actor of background jobs such as retention.
func SystemActor() AuditActor { return AuditActor{Name: SystemActorName} }

// ActorOf is the actor of a signed-in user.
func ActorOf(u *User) AuditActor {
	if u == nil {
		return AuditActor{}
	}
	return AuditActor{ID: u.ID, Name: u.Name, Role: u.Role}
}

// AuditTarget names the record acted on: its collection, its ID (an
// ObjectID in hex, a date, a settings section) and a label people search
// by (a visit's code, an account's email).
type AuditTarget struct {
	Collection string `bson:"collection,omitempty"`
	ID         string `bson:"id,omitempty"`
	Label      string `bson:"label,omitempty"`
}

// AuditChange is one changed field: its dotted path as stored
// (contact.phone, roster.3.name) with the value before and after, as
// text. An empty side means the field did not exist (or was empty).
type AuditChange struct {
	Path   string `bson:"path"`
	Before string `bson:"before,omitempty"`
	After  string `bson:"after,omitempty"`
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID        bson.ObjectID `bson:"_id"`
	At        time.Time     `bson:"at"`
	Actor     AuditActor    `bson:"actor"`
	Action    string        `bson:"action"` // one of the Audit… constants
	Target    AuditTarget   `bson:"target"`
	Changes   []AuditChange `bson:"changes,omitempty"`
	Note      string        `bson:"note,omitempty"`
	IP        string        `bson:"ip,omitempty"`
	UserAgent string        `bson:"user_agent,omitempty"`
}

// Audit actions, "area:verb". A colon rather than a dot, because a quoted
// area-dot-verb string in Go code reads as a message catalogue key to the
// catalogue test (and some would collide with real keys).
const (
	AuditSignIn         = "auth:signin"
	AuditSignInFailed   = "auth:signin_failed"
	AuditSignOut        = "auth:signout"
	AuditPasswordChange = "auth:password_change"
	AuditFeedRotate     = "auth:feed_rotate"

	AuditVisitApprove  = "visit:approve"
	AuditVisitChange   = "visit:change"
	AuditVisitOffer    = "visit:offer"
	AuditVisitRevision = "visit:revision"
	AuditVisitDecline  = "visit:decline"
	AuditVisitCancel   = "visit:cancel"
	AuditVisitComplete = "visit:complete"

	AuditVisitDaySave     = "visitday:save"
	AuditVisitPhotoAdd    = "visitday:photo_add"
	AuditVisitPhotoDelete = "visitday:photo_delete"

	AuditUserCreate        = "user:create"
	AuditUserUpdate        = "user:update"
	AuditUserPasswordReset = "user:password_reset"

	AuditEscortUpdate = "escort:update"
	AuditEscortLeave  = "escort:leave"

	AuditSettingsSave    = "settings:save"
	AuditSettingsProfile = "settings:profile"
	AuditHolidayAdd      = "holiday:add"
	AuditHolidayUpdate   = "holiday:update"
	AuditHolidayDelete   = "holiday:delete"
	AuditHolidayImport   = "holiday:import"

	AuditOutboxResend = "outbox:resend"

	AuditPrivacyRetentionSettings = "privacy:retention_settings"
	AuditPrivacyRetention         = "privacy:retention"
	AuditPrivacyExport            = "privacy:export"
	AuditPrivacyErase             = "privacy:erase"
)

// AuditActions lists every action, grouped by area, for the filter.
func AuditActions() []string {
	return []string{
		AuditSignIn, AuditSignInFailed, AuditSignOut, AuditPasswordChange, AuditFeedRotate,
		AuditVisitApprove, AuditVisitChange, AuditVisitOffer, AuditVisitRevision, AuditVisitDecline,
		AuditVisitCancel, AuditVisitComplete,
		AuditVisitDaySave, AuditVisitPhotoAdd, AuditVisitPhotoDelete,
		AuditUserCreate, AuditUserUpdate, AuditUserPasswordReset,
		AuditEscortUpdate, AuditEscortLeave,
		AuditSettingsSave, AuditSettingsProfile, AuditHolidayAdd, AuditHolidayUpdate, AuditHolidayDelete, AuditHolidayImport,
		AuditOutboxResend,
		AuditPrivacyRetentionSettings, AuditPrivacyRetention, AuditPrivacyExport, AuditPrivacyErase,
	}
}

// AuditAreas lists the areas (the part before the colon), in order.
func AuditAreas() []string {
	var out []string
	for _, a := range AuditActions() {
		area, _, _ := strings.Cut(a, ":")
		if !slices.Contains(out, area) {
			out = append(out, area)
		}
	}
	return out
}

// Limits of one entry: the log stays readable and an entry small, even
// when a whole roster or the host settings change at once.
const (
	MaxAuditValue     = 200 // runes of one before/after value
	MaxAuditChanges   = 60  // changes listed; the rest are counted
	maxAuditText      = 300 // note, user agent
	AuditMoreChanges  = "…" // Path of the entry that counts the rest
	auditRedacted     = "[disamarkan]"
	AuditPageSize     = 50
	maxAuditPageCount = 10000
)

// auditNoise are fields every versioned write changes; they say nothing.
var auditNoise = []string{"version", "updated_at"}

// secretKey matches field names whose values must never be written to the
// log: password hashes, token hashes and form keys (which derive tokens).
var secretKey = regexp.MustCompile(`(?i)^(password|hash|token|secret|.*_hash|.*_token|.*_secret|submission_key)$`)

// AuditDiff lists the fields that differ between before and after, each
// with its old and new value, sorted by path (array indexes in numeric
// order). Either side may be nil: a creation lists every field of after,
// a deletion every field of before. Values are anything that marshals to
// a BSON document (structs, pointers to them, maps, bson.D); the paths are
// the stored field names, so the log reads like the database. Fields under
// the ignore prefixes ("history" of a visit) and the version stamps are
// left out; secret fields show only that they changed. Long values are cut
// at MaxAuditValue runes and the list at MaxAuditChanges entries.
func AuditDiff(before, after any, ignore ...string) ([]AuditChange, error) {
	old, err := FlattenForAudit(before)
	if err != nil {
		return nil, err
	}
	next, err := FlattenForAudit(after)
	if err != nil {
		return nil, err
	}
	skip := func(path string) bool {
		for _, p := range append(ignore, auditNoise...) {
			if path == p || strings.HasPrefix(path, p+".") {
				return true
			}
		}
		return false
	}
	var out []AuditChange
	add := func(path string) {
		b, a := old[path], next[path]
		if b == a || skip(path) {
			return
		}
		last := path[strings.LastIndexByte(path, '.')+1:]
		if secretKey.MatchString(last) {
			b, a = redact(b), redact(a)
		}
		out = append(out, AuditChange{Path: path, Before: capRunes(b, MaxAuditValue), After: capRunes(a, MaxAuditValue)})
	}
	for p := range old {
		add(p)
	}
	for p := range next {
		if _, seen := old[p]; !seen {
			add(p)
		}
	}
	slices.SortFunc(out, func(a, b AuditChange) int { return comparePaths(a.Path, b.Path) })
	if len(out) > MaxAuditChanges {
		rest := len(out) - MaxAuditChanges
		out = append(out[:MaxAuditChanges], AuditChange{Path: AuditMoreChanges, After: "+" + strconv.Itoa(rest)})
	}
	return out, nil
}

func redact(s string) string {
	if s == "" {
		return ""
	}
	return auditRedacted
}

// capRunes cuts s to at most n runes, marking the cut with "…".
func capRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// comparePaths orders dotted paths segment by segment, numbers by value,
// so that roster.2 comes before roster.10.
func comparePaths(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		an, aerr := strconv.Atoi(as[i])
		bn, berr := strconv.Atoi(bs[i])
		if aerr == nil && berr == nil {
			return cmp.Compare(an, bn)
		}
		return strings.Compare(as[i], bs[i])
	}
	return cmp.Compare(len(as), len(bs))
}

// FlattenForAudit turns a value into dotted paths and their values as
// text: {"contact": {"phone": "+62…"}} gives "contact.phone" → "+62…",
// arrays give one path per index ("topics.0"). Empty values (an empty
// string, a zero time, null) are left out, so that "absent" and "empty"
// compare equal. nil gives an empty map; a value that is not a document
// (a string, a number) is stored under "value".
func FlattenForAudit(v any) (map[string]string, error) {
	out := map[string]string{}
	if v == nil {
		return out, nil
	}
	raw, err := bson.Marshal(v)
	if err != nil {
		// Not a document: wrap it.
		if raw, err = bson.Marshal(bson.D{{Key: "value", Value: v}}); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
	}
	if err := flattenDoc("", bson.Raw(raw), out); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return out, nil
}

func flattenDoc(prefix string, doc bson.Raw, out map[string]string) error {
	elems, err := doc.Elements()
	if err != nil {
		return err
	}
	for _, e := range elems {
		if err := flattenValue(prefix+e.Key(), e.Value(), out); err != nil {
			return err
		}
	}
	return nil
}

func flattenValue(path string, rv bson.RawValue, out map[string]string) error {
	switch rv.Type {
	case bson.TypeEmbeddedDocument:
		return flattenDoc(path+".", rv.Document(), out)
	case bson.TypeArray:
		vals, err := rv.Array().Values()
		if err != nil {
			return err
		}
		for i, item := range vals {
			if err := flattenValue(path+"."+strconv.Itoa(i), item, out); err != nil {
				return err
			}
		}
		return nil
	}
	if s := auditText(rv); s != "" {
		out[path] = s
	}
	return nil
}

// auditText writes one scalar as text; times in UTC (RFC 3339).
func auditText(rv bson.RawValue) string {
	switch rv.Type {
	case bson.TypeString:
		return rv.StringValue()
	case bson.TypeInt32:
		return strconv.Itoa(int(rv.Int32()))
	case bson.TypeInt64:
		return strconv.FormatInt(rv.Int64(), 10)
	case bson.TypeDouble:
		return strconv.FormatFloat(rv.Double(), 'f', -1, 64)
	case bson.TypeBoolean:
		return strconv.FormatBool(rv.Boolean())
	case bson.TypeDateTime:
		t := rv.Time().UTC()
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339)
	case bson.TypeObjectID:
		if id := rv.ObjectID(); !id.IsZero() {
			return id.Hex()
		}
		return ""
	case bson.TypeNull, bson.TypeUndefined:
		return ""
	case bson.TypeBinary:
		_, data := rv.Binary()
		if len(data) == 0 {
			return ""
		}
		return fmt.Sprintf("[%d B]", len(data))
	}
	return rv.String()
}

// InsertAudit appends an entry to the log. It fills the ID and, when
// zero, the time; texts are cut to their limits.
func (s *Store) InsertAudit(ctx context.Context, e *AuditEntry) error {
	if e.ID.IsZero() {
		e.ID = bson.NewObjectID()
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC()
	e.Note = capRunes(e.Note, maxAuditText)
	e.UserAgent = capRunes(e.UserAgent, maxAuditText)
	e.Target.Label = capRunes(e.Target.Label, MaxAuditValue)
	_, err := s.db.Collection(colAudit).InsertOne(ctx, e)
	return err
}

// AuditFilter selects a page of the log.
type AuditFilter struct {
	// Actor is an account's ID in hex, or SystemActorName for background
	// jobs, or "anonim" for failed sign-ins; "" for everyone.
	Actor string
	// Action is one action ("visit:approve") or an area ("visit").
	Action string
	// Target is a record's label (a visit code, an email) or ID.
	Target string
	// From and To bound the time, [From, To); zero means open.
	From, To time.Time
	Page     int // from 0
}

// AnonymousActor is the AuditFilter.Actor of entries without an actor.
const AnonymousActor = "anonim"

// ListAudit returns one page of entries, newest first, and how many match.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error) {
	filter := bson.D{}
	switch a := strings.TrimSpace(f.Actor); {
	case a == "":
	case a == SystemActorName:
		filter = append(filter, bson.E{Key: "actor.name", Value: SystemActorName}, bson.E{Key: "actor.id", Value: bson.D{{Key: "$exists", Value: false}}})
	case a == AnonymousActor:
		filter = append(filter, bson.E{Key: "actor.name", Value: bson.D{{Key: "$exists", Value: false}}})
	default:
		id, err := bson.ObjectIDFromHex(a)
		if err != nil {
			return nil, 0, nil // no such actor: nothing matches
		}
		filter = append(filter, bson.E{Key: "actor.id", Value: id})
	}
	switch a := strings.TrimSpace(f.Action); {
	case a == "":
	case strings.Contains(a, ":"):
		filter = append(filter, bson.E{Key: "action", Value: a})
	default:
		filter = append(filter, bson.E{Key: "action", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(a) + ":"}}})
	}
	if t := strings.TrimSpace(f.Target); t != "" {
		// Codes are upper case, emails lower case; people type either.
		var or bson.A
		for _, v := range uniqueStrings(t, strings.ToUpper(t), strings.ToLower(t)) {
			or = append(or, bson.D{{Key: "target.label", Value: v}}, bson.D{{Key: "target.id", Value: v}})
		}
		filter = append(filter, bson.E{Key: "$or", Value: or})
	}
	at := bson.D{}
	if !f.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: f.From.UTC()})
	}
	if !f.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: f.To.UTC()})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	page := min(max(f.Page, 0), maxAuditPageCount)
	col := s.db.Collection(colAudit)
	total, err := col.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, err
	}
	cur, err := col.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).
		SetSkip(int64(page*AuditPageSize)).SetLimit(AuditPageSize))
	if err != nil {
		return nil, 0, err
	}
	var out []AuditEntry
	err = cur.All(ctx, &out)
	return out, total, err
}

func uniqueStrings(in ...string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
