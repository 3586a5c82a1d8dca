package models_test

import (
	"testing"
	"time"
	_ "time/tzdata"

	"studitiru/models"
)

func TestIndonesianFormats(t *testing.T) {
	wita, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	// 01:00 UTC is 09:00 WITA on the same day.
	at := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC).In(wita)
	late := time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC).In(wita) // 1 Jan 2027 01.30 WITA
	tests := []struct {
		name, got, want string
	}{
		{"date id", models.FormatDate(at, "id"), "Kamis, 5 Maret 2026"},
		{"date en", models.FormatDate(at, "en"), "Thursday, 5 March 2026"},
		{"date unknown language falls back to id", models.FormatDate(at, "fr"), "Kamis, 5 Maret 2026"},
		{"date crosses the year in WITA", models.FormatDate(late, "id"), "Jumat, 1 Januari 2027"},
		{"time id", models.FormatTime(at, "id"), "pukul 09.00 WITA"},
		{"time en", models.FormatTime(at, "en"), "09:00 WITA"},
		{"number id", models.FormatNumber(1250, "id"), "1.250"},
		{"number en", models.FormatNumber(1250, "en"), "1,250"},
		{"big number id", models.FormatNumber(1234567, "id"), "1.234.567"},
		{"decimal id", models.FormatDecimal(88.31, 2, "id"), "88,31"},
		{"decimal en", models.FormatDecimal(88.31, 2, "en"), "88.31"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
