package models

import "time"

// DateKey is the civil date of t as stored and used in forms: "2026-06-17".
// Callers pass t already in the host's zone.
func DateKey(t time.Time) string { return t.Format("2006-01-02") }

// ParseDateKey reads a DateKey as midnight of that date in loc.
func ParseDateKey(s string, loc *time.Location) (time.Time, error) {
	return time.ParseInLocation("2006-01-02", s, loc)
}
