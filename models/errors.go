package models

import (
	"errors"
	"sort"
	"strings"
)

// Domain errors. Handlers map them to HTTP status codes in one place
// (handlers/errors.go); the rest of the code only returns them.
var (
	ErrNotFound  = errors.New("tidak ditemukan")
	ErrConflict  = errors.New("data telah diubah oleh orang lain")
	ErrForbidden = errors.New("akses ditolak")
	ErrSlotFull  = errors.New("sesi sudah penuh")
)

// ValidationError maps form field names to a message key (or message) that
// explains what is wrong with that field. Handlers translate the keys and
// re-render the form with the values the user typed.
type ValidationError struct {
	Fields map[string]string
}

// Add records a problem with one field; the first problem per field wins,
// because it is usually the most basic one ("wajib diisi" before "terlalu panjang").
func (v *ValidationError) Add(field, message string) {
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = message
	}
}

// Err returns nil when no field has a problem, so callers can write
// `return v.Err()` at the end of a validation function.
func (v *ValidationError) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return v
}

func (v *ValidationError) Error() string {
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+v.Fields[k])
	}
	return "data tidak valid (" + strings.Join(parts, "; ") + ")"
}

// AsValidation reports whether err is a *ValidationError and returns it.
func AsValidation(err error) (*ValidationError, bool) {
	var v *ValidationError
	ok := errors.As(err, &v)
	return v, ok
}
