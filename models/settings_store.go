package models

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The settings collection holds one document per kind of settings, each
// keeping its value under one field: {_id: "host", settings: {…, version}}.
const (
	settingsHostID    = "host"
	settingsProfileID = "profile"
)

// SaveHostSettings validates hs and stores it, provided nobody saved the
// settings since hs was read (hs.Version; 0 means "the defaults, never
// saved"). A writer that lost the race gets ErrConflict and nothing is
// written; on success hs.Version is the new version.
func (s *Store) SaveHostSettings(ctx context.Context, hs *HostSettings, now time.Time) error {
	hs.Normalize()
	if err := hs.Validate(); err != nil {
		return err
	}
	hs.sortForStorage()
	next := *hs
	next.Version = hs.Version + 1
	if err := s.saveSettingsDoc(ctx, settingsHostID, "settings", hs.Version, next, now); err != nil {
		return err
	}
	hs.Version = next.Version
	return nil
}

// HostProfile loads the stored profile of the host, or the defaults before
// an admin has saved it.
func (s *Store) HostProfile(ctx context.Context) (HostProfile, error) {
	var doc struct {
		Profile HostProfile `bson:"profile"`
	}
	err := s.db.Collection(colSettings).FindOne(ctx, bson.D{{Key: "_id", Value: settingsProfileID}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return DefaultHostProfile(), nil
	}
	if err != nil {
		return HostProfile{}, err
	}
	return doc.Profile, nil
}

// SaveHostProfile validates p (normalising it: trimmed texts, the phone in
// E.164) and stores it, with the same rule as SaveHostSettings: a save
// based on an old version is ErrConflict.
func (s *Store) SaveHostProfile(ctx context.Context, p *HostProfile, now time.Time) error {
	if err := p.Validate(); err != nil {
		return err
	}
	next := *p
	next.Version = p.Version + 1
	if err := s.saveSettingsDoc(ctx, settingsProfileID, "profile", p.Version, next, now); err != nil {
		return err
	}
	p.Version = next.Version
	return nil
}

// saveSettingsDoc writes value (already carrying version from+1) under
// field of settings document id, if the stored version is still from.
//
// Conditional updates alone are not atomic on FerretDB, so the write is
// guarded by a claim on the version, as updateVersioned does for documents
// with ObjectIDs. Version 0 is the defaults, which have no document yet:
// the first save inserts it, and the uniqueness of _id makes a second
// "first" save fail even without the claim.
func (s *Store) saveSettingsDoc(ctx context.Context, id, field string, from int64, value any, now time.Time) error {
	defer s.writes.settings.Add(1) // the cached settings are reloaded (readcache.go)
	key := fmt.Sprintf("v:%s/%s@%d", colSettings, id, from)
	if err := s.Claim(ctx, key, now); err != nil {
		return err
	}
	defer s.Release(context.WithoutCancel(ctx), key)
	coll := s.db.Collection(colSettings)
	if from == 0 {
		_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: field, Value: value}, {Key: "updated_at", Value: now.UTC()}})
		if err == nil {
			return nil
		}
		if !isDuplicateKey(err) {
			return err
		}
		// A document exists. It is ours to replace only if it too is at
		// version 0 (written by a tool rather than this function); the
		// update below checks that.
	}
	res, err := coll.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: field + ".version", Value: from}},
		bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: value}, {Key: "updated_at", Value: now.UTC()}}}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		return ErrConflict
	}
	return nil
}

// Lengths of the profile's texts.
const (
	maxProfileText    = 200
	maxProfileAddress = 500
	maxProfileLines   = 20
)

// Validate normalises the profile (trims every text, drops empty lines,
// lowercases the email, writes the phone in E.164 and the NIP without
// spaces) and checks it; messages are catalogue keys by form field.
func (p *HostProfile) Validate() error {
	v := &ValidationError{}
	for _, f := range []*string{&p.Name, &p.Agency, &p.Address, &p.MapURL, &p.Phone, &p.Regency,
		&p.LetterCity, &p.SignatoryName, &p.SignatoryTitle} {
		*f = strings.TrimSpace(*f)
	}
	p.Email = NormalizeEmail(p.Email)
	p.SignatoryNIP = strings.Join(strings.Fields(p.SignatoryNIP), "")
	p.OfficeHours = cleanLines(p.OfficeHours)
	p.Receivers = cleanLines(p.Receivers)

	for _, f := range []struct {
		name, value string
		required    bool
		limit       int
	}{
		{"name", p.Name, true, maxProfileText},
		{"agency", p.Agency, true, maxProfileText},
		{"address", p.Address, true, maxProfileAddress},
		{"regency", p.Regency, false, maxProfileText},
		{"letter_city", p.LetterCity, false, maxProfileText},
		{"signatory_name", p.SignatoryName, false, maxProfileText},
		{"signatory_title", p.SignatoryTitle, false, maxProfileText},
	} {
		switch {
		case f.value == "":
			if f.required {
				v.Add(f.name, "err.required")
			}
		case utf8.RuneCountInString(f.value) > f.limit:
			v.Add(f.name, "err.too_long")
		case strings.ContainsFunc(f.value, isControl):
			v.Add(f.name, "settings.err_text")
		}
	}
	switch {
	case p.Email == "":
		// Invitations go out with this mailbox as ORGANIZER and From.
		v.Add("email", "err.required")
	case !validEmail(p.Email):
		v.Add("email", "err.email")
	}
	if p.Phone != "" {
		if e164, ok := NormalizeOfficePhone(p.Phone); ok {
			p.Phone = e164
		} else {
			v.Add("phone", "settings.err_phone")
		}
	}
	if p.MapURL != "" && !validWebURL(p.MapURL) {
		v.Add("map_url", "settings.err_url")
	}
	if p.SignatoryNIP != "" && !validNIP(p.SignatoryNIP) {
		v.Add("signatory_nip", "settings.err_nip")
	}
	for _, f := range []struct {
		name  string
		lines []string
	}{{"office_hours", p.OfficeHours}, {"receivers", p.Receivers}} {
		if len(f.lines) > maxProfileLines {
			v.Add(f.name, "settings.err_too_many")
		}
		for _, l := range f.lines {
			textProblem(v, f.name, l, false)
		}
	}
	return v.Err()
}

// validWebURL accepts absolute http and https addresses only: the map link
// is shown to the public, and a javascript: or data: URL must never be.
func validWebURL(s string) bool {
	if len(s) > 2000 || strings.ContainsFunc(s, isControl) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// validNIP: the NIP of a civil servant has 18 digits (date of birth, date
// of appointment, sex, serial number).
func validNIP(s string) bool {
	if len(s) != 18 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// cleanLines trims each line and drops the empty ones.
func cleanLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// SplitLines splits a textarea into its non-empty, trimmed lines.
func SplitLines(s string) []string {
	return cleanLines(strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n"))
}

// weekdaySessions is one day of HostSettings.Weekly as stored.
type weekdaySessions struct {
	Weekday  int            `bson:"weekday"` // time.Weekday
	Sessions []VisitSession `bson:"sessions"`
}

// plainHostSettings has HostSettings' fields but not its methods, so that
// the (un)marshallers below can use the default encoding for the rest.
type plainHostSettings HostSettings

type hostSettingsBSON struct {
	Plain  plainHostSettings `bson:",inline"` // exported: the codec skips unexported fields
	Weekly []weekdaySessions `bson:"weekly"`
}

// MarshalBSON stores Weekly as [{weekday, sessions}, …]: FerretDB v1
// rejects nested arrays, which [7][]VisitSession would be.
func (h HostSettings) MarshalBSON() ([]byte, error) {
	doc := hostSettingsBSON{Plain: plainHostSettings(h)}
	for wd, sessions := range h.Weekly {
		if len(sessions) > 0 {
			doc.Weekly = append(doc.Weekly, weekdaySessions{Weekday: wd, Sessions: sessions})
		}
	}
	return bson.Marshal(doc)
}

// UnmarshalBSON reads what MarshalBSON wrote.
func (h *HostSettings) UnmarshalBSON(data []byte) error {
	var doc hostSettingsBSON
	if err := bson.Unmarshal(data, &doc); err != nil {
		return err
	}
	*h = HostSettings(doc.Plain)
	for _, d := range doc.Weekly {
		if d.Weekday < 0 || d.Weekday >= len(h.Weekly) {
			return fmt.Errorf("store: host settings: weekday %d", d.Weekday)
		}
		h.Weekly[d.Weekday] = d.Sessions
	}
	return nil
}
