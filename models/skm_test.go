package models_test

import (
	"fmt"
	"testing"

	"studitiru/models"
)

func all(n int) models.SKMScores {
	var s models.SKMScores
	for i := range s {
		s[i] = n
	}
	return s
}

func TestIKM(t *testing.T) {
	// Hand computation for the mixed example (three respondents):
	//   element:   1    2    3    4    5    6    7    8    9
	//   resp. A:   4    3    4    4    3    4    4    3    3
	//   resp. B:   3    3    4    4    3    4    3    2    3
	//   resp. C:   4    4    3    4    2    4    4    3    4
	//   sums:     11   10   11   12    8   12   11    8   10  = 93
	//   NRR = sum/3; IKM = Σ NRR/9 = 93/27 = 3.4444…; × 25 = 86.111… → 86,11 → B.
	mixed := []models.SKMScores{
		{4, 3, 4, 4, 3, 4, 4, 3, 3},
		{3, 3, 4, 4, 3, 4, 3, 2, 3},
		{4, 4, 3, 4, 2, 4, 4, 3, 4},
	}
	// Element 4 (biaya) left unanswered by everybody: it is not measured and
	// the other eight weigh 1/8 each: (4+3+4+3+4+4+3+3)/8 = 28/8 = 3.5 → 87,50 B.
	noFee := []models.SKMScores{{4, 3, 4, 0, 3, 4, 4, 3, 3}}
	// One respondent skipped element 9: its NRR is over the one who answered
	// (2/1 = 2); IKM = (8×4 + 2)/9 = 3.7778 → 94,44 A.
	partial := []models.SKMScores{{4, 4, 4, 4, 4, 4, 4, 4, 0}, {4, 4, 4, 4, 4, 4, 4, 4, 2}}
	cases := []struct {
		name      string
		responses []models.SKMScores
		unit      string
		grade     string
	}{
		{"all fours", []models.SKMScores{all(4), all(4), all(4)}, "100.00", "A"},
		{"all ones", []models.SKMScores{all(1)}, "25.00", "D"},
		{"hand-computed mix", mixed, "86.11", "B"},
		{"an element nobody answered", noFee, "87.50", "B"},
		{"a skipped answer", partial, "94.44", "A"},
		{"no responses", nil, "0.00", ""},
	}
	for _, tc := range cases {
		r := models.ComputeIKM(tc.responses)
		if got := fmt.Sprintf("%.2f", r.Unit); got != tc.unit || r.Grade != tc.grade {
			t.Errorf("%s: %s %s, want %s %s (NRR %v)", tc.name, got, r.Grade, tc.unit, tc.grade, r.NRR)
		}
	}
	if r := models.ComputeIKM(mixed); r.Respondents != 3 || r.NRR[4] != 8.0/3 {
		t.Errorf("mixed: %d respondents, NRR₅ %v", r.Respondents, r.NRR[4])
	}
}

func TestIKMGradeBoundaries(t *testing.T) {
	for unit, want := range map[float64]string{
		100: "A", 88.31: "A", 88.30: "B", 76.61: "B", 76.60: "C", 65.00: "C", 64.99: "D", 25: "D",
	} {
		if got := models.IKMGrade(unit); got != want {
			t.Errorf("IKMGrade(%.2f) = %s, want %s", unit, got, want)
		}
	}
}

func BenchmarkComputeIKM(b *testing.B) {
	responses := make([]models.SKMScores, 5000)
	for i := range responses {
		for j := range responses[i] {
			responses[i][j] = 1 + (i+j)%4
		}
	}
	for b.Loop() {
		models.ComputeIKM(responses)
	}
}
