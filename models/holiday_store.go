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

// The holidays collection holds the national holidays and cuti bersama, one
// document per date: {_id: "2027-01-01", date, name, kind, closed}. The date
// as _id makes "one holiday per date" hold under concurrency on both
// engines, and makes seeding and imports idempotent.
const (
	// holidaySeedMarker is the settings document that records that the
	// seed was loaded, so that holidays an admin deleted do not come back at
	// the next start.
	holidaySeedMarker = "holiday_seed"
	// MaxHolidayName bounds a holiday's name; the longest official name
	// ("Cuti Bersama HUT ke-80 Kemerdekaan Republik Indonesia") is 54.
	MaxHolidayName = 120
	// Holidays are kept for these years; anything else is a typo.
	MinHolidayYear = 2000
	MaxHolidayYear = 2099
)

// holidayDoc is a Holiday as stored.
type holidayDoc struct {
	ID        string `bson:"_id"`
	Holiday   `bson:",inline"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// HolidayKinds are the kinds an admin may give a stored holiday. Balinese
// days of the Pawukon are computed, but Nyepi of the years after the table
// in nyepiDates, or a day the regent declares, is added by hand.
func HolidayKinds() []HolidayKind {
	return []HolidayKind{HolidayNational, HolidayCutiBersama, HolidayBali}
}

// Valid reports whether k is one of HolidayKinds.
func (k HolidayKind) Valid() bool { return slices.Contains(HolidayKinds(), k) }

// CleanHolidayName makes a name safe to store and show: control characters
// (line breaks included) become spaces, runs of spaces one, and the result
// is trimmed and cut to MaxHolidayName characters.
func CleanHolidayName(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > MaxHolidayName {
		s = strings.TrimSpace(string([]rune(s)[:MaxHolidayName]))
	}
	return s
}

// ValidHolidayDate reports whether key is a DateKey of a year holidays are
// kept for.
func ValidHolidayDate(key string) bool {
	t, err := time.Parse(time.DateOnly, key)
	return err == nil && t.Year() >= MinHolidayYear && t.Year() <= MaxHolidayYear
}

// Validate normalises the name and checks the holiday; field names are
// those of the holiday form ("date", "name", "kind").
func (h *Holiday) Validate() error {
	v := &ValidationError{}
	h.Date = strings.TrimSpace(h.Date)
	raw := strings.TrimSpace(h.Name)
	h.Name = CleanHolidayName(h.Name)
	switch {
	case h.Date == "":
		v.Add("date", "err.required")
	case !ValidHolidayDate(h.Date):
		v.Add("date", "holiday.err_date")
	}
	switch {
	case h.Name == "":
		v.Add("name", "err.required")
	case utf8.RuneCountInString(raw) > MaxHolidayName:
		v.Add("name", "err.too_long")
	}
	if !h.Kind.Valid() {
		v.Add("kind", "holiday.err_kind")
	}
	// Every stored holiday closes the MPP, a government office: cuti
	// bersama binds it as much as libur nasional.
	h.Closed = true
	return v.Err()
}

// SeedHolidays loads NationalHolidays2025to2026 into the holidays collection
// the first time the store is opened. It is idempotent and safe when several
// instances start at once: dates are _ids, so a second insert of a date is
// a duplicate key that is ignored, and the marker is written only after the
// holidays, so a crash in between seeds again at the next start.
func (s *Store) SeedHolidays(ctx context.Context, now time.Time) error {
	settings := s.db.Collection(colSettings)
	n, err := settings.CountDocuments(ctx, bson.D{{Key: "_id", Value: holidaySeedMarker}})
	if err != nil {
		return fmt.Errorf("store: holiday seed marker: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := s.insertHolidays(ctx, NationalHolidays2025to2026(), now); err != nil {
		return fmt.Errorf("store: seed holidays: %w", err)
	}
	_, err = settings.InsertOne(ctx, bson.D{{Key: "_id", Value: holidaySeedMarker}, {Key: "at", Value: now.UTC()}})
	if err != nil && !isDuplicateKey(err) {
		return fmt.Errorf("store: holiday seed marker: %w", err)
	}
	return nil
}

// insertHolidays inserts the holidays whose dates are not stored yet and
// returns how many it inserted; dates already stored keep what they have.
func (s *Store) insertHolidays(ctx context.Context, hs []Holiday, now time.Time) (int, error) {
	defer s.writes.holidays.Add(1) // the cached holidays are reloaded (readcache.go)
	if len(hs) == 0 {
		return 0, nil
	}
	docs := make([]any, 0, len(hs))
	for _, h := range hs {
		docs = append(docs, holidayDoc{ID: h.Date, Holiday: h, UpdatedAt: now.UTC()})
	}
	res, err := s.db.Collection(colHolidays).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	inserted := 0
	if res != nil {
		inserted = len(res.InsertedIDs)
	}
	if err == nil {
		return inserted, nil
	}
	var bulk mongo.BulkWriteException
	if !errors.As(err, &bulk) || bulk.WriteConcernError != nil {
		return inserted, err
	}
	for _, we := range bulk.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return inserted, err
		}
	}
	// Only duplicates failed. Engines differ in whether InsertedIDs lists
	// the failed documents too, so count from the errors.
	return len(hs) - len(bulk.WriteErrors), nil
}

// NationalHolidays returns every stored holiday (national, cuti bersama and
// those admins added), in date order.
func (s *Store) NationalHolidays(ctx context.Context) ([]Holiday, error) {
	hs, err := s.caches.holidays.get(&s.writes.holidays, func() ([]Holiday, error) { return s.findHolidays(ctx, bson.D{}) })
	return slices.Clone(hs), err
}

// HolidaysInYear returns the stored holidays of one year, in date order.
func (s *Store) HolidaysInYear(ctx context.Context, year int) ([]Holiday, error) {
	return s.findHolidays(ctx, bson.D{{Key: "_id", Value: bson.D{
		{Key: "$gte", Value: fmt.Sprintf("%04d-01-01", year)},
		{Key: "$lt", Value: fmt.Sprintf("%04d-01-01", year+1)},
	}}})
}

func (s *Store) findHolidays(ctx context.Context, filter bson.D) ([]Holiday, error) {
	cur, err := s.db.Collection(colHolidays).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []holidayDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]Holiday, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.Holiday)
	}
	return out, nil
}

// HolidayYears lists the years that have stored holidays, ascending.
func (s *Store) HolidayYears(ctx context.Context) ([]int, error) {
	all, err := s.NationalHolidays(ctx)
	if err != nil {
		return nil, err
	}
	var years []int
	for _, h := range all {
		if y, err := time.Parse(time.DateOnly, h.Date); err == nil && !slices.Contains(years, y.Year()) {
			years = append(years, y.Year())
		}
	}
	slices.Sort(years)
	return years, nil
}

// HolidayByDate loads one stored holiday.
func (s *Store) HolidayByDate(ctx context.Context, date string) (Holiday, error) {
	var d holidayDoc
	err := s.db.Collection(colHolidays).FindOne(ctx, bson.D{{Key: "_id", Value: date}}).Decode(&d)
	if err != nil {
		return Holiday{}, notFound(err)
	}
	return d.Holiday, nil
}

// AddHoliday validates h and stores it. A date that already has a holiday
// is a validation error on "date" (edit that one instead).
func (s *Store) AddHoliday(ctx context.Context, h *Holiday, now time.Time) error {
	defer s.writes.holidays.Add(1) // the cached holidays are reloaded (readcache.go)
	if err := h.Validate(); err != nil {
		return err
	}
	_, err := s.db.Collection(colHolidays).InsertOne(ctx, holidayDoc{ID: h.Date, Holiday: *h, UpdatedAt: now.UTC()})
	if isDuplicateKey(err) {
		v := &ValidationError{}
		v.Add("date", "holiday.err_exists")
		return v
	}
	return err
}

// UpdateHoliday changes the name and kind of the holiday on h.Date.
// ErrNotFound when there is none. The last of two concurrent edits wins:
// both wrote a whole, valid holiday, and the list shows the result.
func (s *Store) UpdateHoliday(ctx context.Context, h *Holiday, now time.Time) error {
	defer s.writes.holidays.Add(1) // the cached holidays are reloaded (readcache.go)
	if err := h.Validate(); err != nil {
		return err
	}
	res, err := s.db.Collection(colHolidays).UpdateOne(ctx, bson.D{{Key: "_id", Value: h.Date}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "name", Value: h.Name}, {Key: "kind", Value: h.Kind}, {Key: "closed", Value: h.Closed},
			{Key: "updated_at", Value: now.UTC()},
		}}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteHoliday removes the holiday on date; ErrNotFound when there is none.
func (s *Store) DeleteHoliday(ctx context.Context, date string) error {
	defer s.writes.holidays.Add(1) // the cached holidays are reloaded (readcache.go)
	res, err := s.db.Collection(colHolidays).DeleteOne(ctx, bson.D{{Key: "_id", Value: date}})
	if err != nil {
		return err
	}
	if res.DeletedCount == 0 {
		return ErrNotFound
	}
	return nil
}

// ImportHolidays validates every holiday, then stores those whose dates
// have none yet; dates already stored are left as they are. It returns how
// many were added. One invalid holiday stops the import before anything is
// written.
func (s *Store) ImportHolidays(ctx context.Context, hs []Holiday, now time.Time) (int, error) {
	clean := make([]Holiday, 0, len(hs))
	seen := map[string]bool{}
	for i := range hs {
		h := hs[i]
		if err := h.Validate(); err != nil {
			return 0, err
		}
		if !seen[h.Date] {
			seen[h.Date] = true
			clean = append(clean, h)
		}
	}
	return s.insertHolidays(ctx, clean, now)
}

// HolidayCalendar builds the calendar for questions about [from, to]: the
// stored holidays and the Balinese days of the range widened by a month on
// each side, so that counting working days across its edges (notice
// periods, roster deadlines) still sees them.
func (s *Store) HolidayCalendar(ctx context.Context, from, to time.Time) (*HolidayCalendar, error) {
	national, err := s.NationalHolidays(ctx)
	if err != nil {
		return nil, err
	}
	all := append(national, BalineseHolidays(from.AddDate(0, -1, 0), to.AddDate(0, 1, 0))...)
	return NewHolidayCalendar(all), nil
}

// PreviewState says what importing one holiday would do.
type PreviewState string

const (
	PreviewNew      PreviewState = "new"      // no holiday on that date yet: it would be added
	PreviewPresent  PreviewState = "present"  // the same holiday is stored already
	PreviewConflict PreviewState = "conflict" // another name is stored for that date: kept as it is
)

// PreviewItem is one row of an import preview.
type PreviewItem struct {
	Holiday
	State  PreviewState
	Stored string // the stored name, for conflicts
}

// PreviewImport compares parsed holidays with the stored ones. Names are
// compared without regard to case and spacing.
func PreviewImport(parsed, stored []Holiday) []PreviewItem {
	byDate := make(map[string]Holiday, len(stored))
	for _, h := range stored {
		byDate[h.Date] = h
	}
	out := make([]PreviewItem, 0, len(parsed))
	for _, h := range parsed {
		item := PreviewItem{Holiday: h, State: PreviewNew}
		if old, ok := byDate[h.Date]; ok {
			item.State, item.Stored = PreviewPresent, old.Name
			if !strings.EqualFold(strings.Join(strings.Fields(old.Name), " "), strings.Join(strings.Fields(h.Name), " ")) {
				item.State = PreviewConflict
			}
		}
		out = append(out, item)
	}
	slices.SortStableFunc(out, func(a, b PreviewItem) int { return cmp.Compare(a.Date, b.Date) })
	return out
}
