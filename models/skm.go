package models

import "math"

// The community satisfaction survey (Survei Kepuasan Masyarakat, SKM) of
// Permenpan RB 14/2017: nine elements (unsur) answered on a 1–4 scale,
// combined into the IKM (Indeks Kepuasan Masyarakat). DESIGN.md §6.

// SKMElements is the number of elements of the survey.
const SKMElements = 9

// SKMElementKeys name the nine elements in the regulation's order
// (catalogue keys "skm.element.<key>").
var skmElementKeys = [SKMElements]string{
	"persyaratan", "prosedur", "waktu", "biaya", "produk",
	"kompetensi", "perilaku", "pengaduan", "sarana",
}

// SKMElementKeys returns the element keys in order.
func SKMElementKeys() [SKMElements]string { return skmElementKeys }

// SKMScores is one respondent's answers: 1–4 per element, 0 when the
// element was left unanswered.
type SKMScores [SKMElements]int

// IKM is the result of a set of responses.
type IKM struct {
	Respondents int
	// Answered and NRR per element: NRR = sum of its scores ÷ the
	// respondents who answered it (0 when nobody did).
	Answered [SKMElements]int
	NRR      [SKMElements]float64
	// Value is Σ NRR × weight on the 1–4 scale; Unit is Value × 25 rounded
	// to two decimals (the "nilai IKM" the grade is read from).
	Value float64
	Unit  float64
	Grade string // "A" … "D"; "" without answers
}

// Quality is the grade's meaning (mutu pelayanan) as a catalogue key.
func (r IKM) Quality() string {
	if r.Grade == "" {
		return ""
	}
	return "skm.quality." + r.Grade
}

// ComputeIKM combines responses as the regulation prescribes. Each element
// weighs 1/9 (exactly, not 0.11). An element that nobody answered cannot
// be measured: the regulation's weight is "1 ÷ the number of elements
// measured", so it is left out and the others weigh 1/8 (1/7, …) — rather
// than counting it as 0, which would grade the service down for a question
// nobody answered. Out-of-range scores are treated as unanswered.
func ComputeIKM(responses []SKMScores) IKM {
	var r IKM
	var sum [SKMElements]int
	for _, resp := range responses {
		any := false
		for i, s := range resp {
			if s >= 1 && s <= 4 {
				sum[i] += s
				r.Answered[i]++
				any = true
			}
		}
		if any {
			r.Respondents++
		}
	}
	measured := 0
	for i := range sum {
		if r.Answered[i] > 0 {
			r.NRR[i] = float64(sum[i]) / float64(r.Answered[i])
			measured++
		}
	}
	if measured == 0 {
		return r
	}
	weight := 1 / float64(measured)
	for i := range r.NRR {
		if r.Answered[i] > 0 {
			r.Value += r.NRR[i] * weight
		}
	}
	r.Unit = math.Round(r.Value*25*100) / 100
	r.Grade = IKMGrade(r.Unit)
	return r
}

// IKMGrade reads the grade from the IKM unit value (0–100):
// ≥ 88,31 A (Sangat Baik), ≥ 76,61 B (Baik), ≥ 65,00 C (Kurang Baik),
// else D (Tidak Baik).
func IKMGrade(unit float64) string {
	// Compare in hundredths as integers: 88.31 is not exact in binary.
	u := int(math.Round(unit * 100))
	switch {
	case u >= 8831:
		return "A"
	case u >= 7661:
		return "B"
	case u >= 6500:
		return "C"
	}
	return "D"
}
