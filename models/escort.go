package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Escorts (pendamping) are staff users with RoleEscort. What the account
// does not say — their unit, the topics they can present, the languages they
// speak and when they are away — lives in an EscortProfile, one per user,
// whose _id is the user's. A user without a stored profile has the zero
// profile (version 0); the first save inserts it.

// Limits of an escort profile; generous, but bounded so that a document
// never grows without end.
const (
	MaxEscortUnit      = 120 // runes
	MaxEscortLanguages = 12
	MaxEscortLanguage  = 40 // runes per language
	MaxEscortLeave     = 50 // leave rows
	MaxLeaveReason     = 200
)

// EscortLanguages are the languages offered as checkboxes, in Indonesian as
// the profile stores them. Others are typed as free text.
func EscortLanguages() []string {
	return []string{"Indonesia", "Inggris", "Bali", "Jawa", "Mandarin", "Jepang", "Arab", "Korea", "Belanda", "Jerman", "Prancis", "Rusia"}
}

// Leave is a period (inclusive, civil dates in the host zone) in which an
// escort cannot accompany a visit: cuti, dinas luar, diklat, sakit.
type Leave struct {
	From   string `bson:"from"` // DateKey
	To     string `bson:"to"`   // DateKey
	Reason string `bson:"reason"`
}

// Covers reports whether the civil date (a DateKey) falls within the
// period. DateKeys compare correctly as strings.
func (l Leave) Covers(date string) bool { return l.From <= date && date <= l.To }

// EscortProfile is what the host knows about one escort besides the account.
type EscortProfile struct {
	UserID    bson.ObjectID `bson:"_id"`
	Unit      string        `bson:"unit"` // e.g. "Bidang Pelayanan Perizinan"
	Topics    []string      `bson:"topics"`
	Languages []string      `bson:"languages"`
	Leave     []Leave       `bson:"leave"`
	Version   int64         `bson:"version"` // 0: not stored yet
	UpdatedAt time.Time     `bson:"updated_at"`
}

// OnLeave returns the leave period that covers date (a DateKey), if any.
func (p *EscortProfile) OnLeave(date string) (Leave, bool) {
	for _, l := range p.Leave {
		if l.Covers(date) {
			return l, true
		}
	}
	return Leave{}, false
}

// LeaveFrom returns the leave periods that have not ended before today (a
// DateKey): current first, then upcoming, by start date.
func (p *EscortProfile) LeaveFrom(today string) []Leave {
	var out []Leave
	for _, l := range p.Leave {
		if l.To >= today {
			out = append(out, l)
		}
	}
	sortLeave(out)
	return out
}

// HasTopic reports whether the escort can present topic.
func (p *EscortProfile) HasTopic(topic string) bool {
	for _, t := range p.Topics {
		if strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(topic)) {
			return true
		}
	}
	return false
}

// LeaveField names the form field of one leave row's part ("from", "to",
// "reason"); validation errors and the form use the same names, so a message
// lands next to the input it is about.
func LeaveField(row int, part string) string { return fmt.Sprintf("leave_%d_%s", row, part) }

// Validate normalises the profile (trims, removes repeats, spells known
// languages the canonical way, sorts the leave) and checks it. hostTopics
// are the topics the host offers (HostSettings.Topics): an escort can only
// know topics that visits can ask for. Messages are catalogue keys; leave
// errors name the row as submitted, so the caller must not reorder the rows
// between Validate and showing its errors (sorting happens only when the
// profile is valid).
func (p *EscortProfile) Validate(hostTopics []string) error {
	v := &ValidationError{}
	p.Unit = strings.TrimSpace(p.Unit)
	if utf8.RuneCountInString(p.Unit) > MaxEscortUnit {
		v.Add("unit", "err.too_long")
	} else if hasControl(p.Unit) {
		v.Add("unit", "escort.err_text")
	}
	p.Topics = p.normaliseTopics(v, hostTopics)
	p.Languages = normaliseLanguages(v, p.Languages)
	p.validateLeave(v)
	if err := v.Err(); err != nil {
		return err
	}
	sortLeave(p.Leave)
	return nil
}

// ValidateLeave checks only the leave rows: an escort may edit their own
// leave but nothing else, and must not be stopped by, say, a topic the
// admin has since retired.
func (p *EscortProfile) ValidateLeave() error {
	v := &ValidationError{}
	p.validateLeave(v)
	if err := v.Err(); err != nil {
		return err
	}
	sortLeave(p.Leave)
	return nil
}

func (p *EscortProfile) normaliseTopics(v *ValidationError, hostTopics []string) []string {
	var out []string
	for _, t := range p.Topics {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		i := slices.IndexFunc(hostTopics, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), t) })
		if i < 0 {
			v.Add("topics", "escort.err_topic")
			continue
		}
		if canonical := strings.TrimSpace(hostTopics[i]); !slices.Contains(out, canonical) {
			out = append(out, canonical)
		}
	}
	return out
}

// normaliseLanguages trims each language, drops a leading "Bahasa" (people
// write "Bahasa Inggris" as often as "Inggris"), spells the known ones as
// the list does and removes repeats.
func normaliseLanguages(v *ValidationError, langs []string) []string {
	var out []string
	for _, l := range langs {
		l = strings.Join(strings.Fields(l), " ")
		if len(l) > 7 && strings.EqualFold(l[:7], "bahasa ") {
			l = strings.TrimSpace(l[7:])
		}
		if l == "" {
			continue
		}
		if i := slices.IndexFunc(EscortLanguages(), func(k string) bool { return strings.EqualFold(k, l) }); i >= 0 {
			l = EscortLanguages()[i]
		}
		switch {
		case utf8.RuneCountInString(l) > MaxEscortLanguage:
			v.Add("languages", "escort.err_language_long")
			continue
		case hasControl(l) || strings.ContainsAny(l, ",;"):
			v.Add("languages", "escort.err_text")
			continue
		}
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, l) }) {
			out = append(out, l)
		}
	}
	if len(out) > MaxEscortLanguages {
		v.Add("languages", "escort.err_languages_many")
	}
	return out
}

func (p *EscortProfile) validateLeave(v *ValidationError) {
	if len(p.Leave) > MaxEscortLeave {
		v.Add("leave", "escort.err_leave_many")
	}
	for i := range p.Leave {
		l := &p.Leave[i]
		l.From, l.To = strings.TrimSpace(l.From), strings.TrimSpace(l.To)
		l.Reason = strings.Join(strings.Fields(l.Reason), " ")
		fromOK, toOK := validDateKey(l.From), validDateKey(l.To)
		switch {
		case l.From == "":
			v.Add(LeaveField(i, "from"), "err.required")
		case !fromOK:
			v.Add(LeaveField(i, "from"), "err.date")
		}
		switch {
		case l.To == "":
			v.Add(LeaveField(i, "to"), "err.required")
		case !toOK:
			v.Add(LeaveField(i, "to"), "err.date")
		case fromOK && l.To < l.From:
			v.Add(LeaveField(i, "to"), "escort.err_leave_range")
		}
		switch {
		case l.Reason == "":
			v.Add(LeaveField(i, "reason"), "err.required")
		case utf8.RuneCountInString(l.Reason) > MaxLeaveReason:
			v.Add(LeaveField(i, "reason"), "err.too_long")
		}
	}
}

// validDateKey accepts exactly "2006-01-02" with a real calendar date, in
// the years the application can meaningfully plan for.
func validDateKey(s string) bool {
	t, err := time.Parse("2006-01-02", s)
	return err == nil && t.Year() >= 2000 && t.Year() <= 2100
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

func sortLeave(ls []Leave) {
	slices.SortStableFunc(ls, func(a, b Leave) int {
		if c := strings.Compare(a.From, b.From); c != 0 {
			return c
		}
		return strings.Compare(a.To, b.To)
	})
}

// Escort is an active escort account with its profile: what lists and the
// ranking need, without the password hash.
type Escort struct {
	ID      bson.ObjectID
	Name    string
	Email   string
	Profile EscortProfile
}

// EscortOption is one escort as offered when a visit is approved.
type EscortOption struct {
	Escort
	Available bool
	// Reason says why the escort is not available, as a catalogue key:
	// "escort.on_leave" or "escort.busy"; "" when available.
	Reason       string
	Leave        Leave // the covering leave period when on leave
	TopicMatches int   // how many of the visit's topics the escort knows
	Recent       int   // assignments counted for fairness (see EscortOptions)
}

// Reasons an escort cannot be chosen (catalogue keys).
const (
	ReasonOnLeave = "escort.on_leave"
	ReasonBusy    = "escort.busy"
)

// RankEscorts orders the escorts for a visit on date (a DateKey) about
// topics. busy holds escorts already assigned to another visit in the same
// session; recent counts each escort's recent assignments. The order is:
// available first, then those who know more of the visit's topics, then
// those with fewer recent assignments (so the work is shared), then by name.
// Leave wins over busy as the reason: it is the one the coordinator cannot
// change by rearranging other visits.
func RankEscorts(escorts []Escort, busy map[bson.ObjectID]bool, recent map[bson.ObjectID]int, topics []string, date string) []EscortOption {
	out := make([]EscortOption, 0, len(escorts))
	for _, e := range escorts {
		o := EscortOption{Escort: e, Available: true, Recent: recent[e.ID]}
		for _, t := range topics {
			if e.Profile.HasTopic(t) {
				o.TopicMatches++
			}
		}
		if l, ok := e.Profile.OnLeave(date); ok {
			o.Available, o.Reason, o.Leave = false, ReasonOnLeave, l
		} else if busy[e.ID] {
			o.Available, o.Reason = false, ReasonBusy
		}
		out = append(out, o)
	}
	slices.SortStableFunc(out, func(a, b EscortOption) int {
		switch {
		case a.Available != b.Available:
			if a.Available {
				return -1
			}
			return 1
		case a.TopicMatches != b.TopicMatches:
			return b.TopicMatches - a.TopicMatches
		case a.Recent != b.Recent:
			return a.Recent - b.Recent
		}
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID.Hex(), b.ID.Hex()) // a stable order for namesakes
	})
	return out
}
