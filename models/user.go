package models

import (
	"crypto/rand"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/crypto/bcrypt"
)

// Role is what a staff member may do. Delegations have no account at all.
type Role string

// The staff roles (DESIGN.md §1).
const (
	RoleAdmin       Role = "admin"       // host settings, users, holidays, rooms
	RoleCoordinator Role = "coordinator" // petugas: reviews, schedules, invites
	RoleEscort      Role = "escort"      // pendamping: own assignments
	RoleLeadership  Role = "leadership"  // pimpinan: read-only history and reports
)

// Roles lists every role in the order forms show them.
func Roles() []Role {
	return []Role{RoleAdmin, RoleCoordinator, RoleEscort, RoleLeadership}
}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	for _, known := range Roles() {
		if r == known {
			return true
		}
	}
	return false
}

// User is a staff account.
type User struct {
	ID           bson.ObjectID `bson:"_id"`
	Email        string        `bson:"email"`
	Name         string        `bson:"name"`
	Role         Role          `bson:"role"`
	Active       bool          `bson:"active"`
	PasswordHash string        `bson:"password_hash"`
	// MustChangePassword is set for generated passwords (first admin, resets)
	// so that the person chooses their own at the next sign-in.
	MustChangePassword bool      `bson:"must_change_password"`
	Version            int64     `bson:"version"`
	CreatedAt          time.Time `bson:"created_at"`
	UpdatedAt          time.Time `bson:"updated_at"`
}

// Password limits. bcrypt ignores everything past 72 bytes, so longer
// passwords are refused instead of silently truncated.
const (
	MinPasswordLength = 10
	MaxPasswordBytes  = 72
	// DefaultPasswordCost is bcrypt's work factor: about a quarter second
	// per sign-in on a 2-core server, slow enough to make offline guessing
	// of a stolen hash expensive.
	DefaultPasswordCost = 12
)

// CheckPassword reports whether password matches the user's hash.
func (u *User) CheckPassword(password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil
}

// NormalizeEmail lowercases and trims an address; staff sign in with it.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// UserInput is what the admin types when adding or editing a staff member.
type UserInput struct {
	Email    string
	Name     string
	Role     string
	Password string // only when adding
}

// Validate checks the input; the returned messages are catalogue keys.
// withPassword is false when an existing user is edited.
func (in *UserInput) Validate(withPassword bool) error {
	v := &ValidationError{}
	in.Email = NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Email == "":
		v.Add("email", "err.required")
	case !validEmail(in.Email):
		v.Add("email", "err.email")
	}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		v.Add("name", "err.required")
	case n < 2:
		v.Add("name", "err.too_short")
	case n > 120:
		v.Add("name", "err.too_long")
	}
	if in.Role == "" {
		v.Add("role", "err.required")
	} else if !Role(in.Role).Valid() {
		v.Add("role", "err.role")
	}
	if withPassword {
		if msg := PasswordProblem(in.Password); msg != "" {
			v.Add("password", msg)
		}
	}
	return v.Err()
}

// PasswordProblem returns the catalogue key of what is wrong with a new
// password, or "" when it is acceptable.
func PasswordProblem(password string) string {
	switch {
	case password == "":
		return "err.required"
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return "err.password_short"
	case len(password) > MaxPasswordBytes:
		return "err.password_long"
	}
	return ""
}

// validEmail accepts a bare address (no display name, no comment) that
// net/mail reads back as itself. Beyond net/mail it refuses every kind of
// white space, control and format character: net/mail lets UTF-8 such as a
// no-break space, a line separator or a right-to-left override through,
// which would make an address look like another on the staff's pages.
func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \r\n<>\"") || strings.ContainsFunc(s, invisibleRune) {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

// NewPassword generates a one-time password that is easy to read aloud or
// type from a phone: four groups of four characters without look-alikes
// (no 0/O, 1/l/I), about 80 bits of entropy.
func NewPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	var out strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return out.String()
}

// invisibleRune: white space, control and format (Cf: zero-width, bidi
// override) characters, none of which belongs in an address.
func invisibleRune(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}
