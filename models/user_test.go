package models_test

import (
	"regexp"
	"strings"
	"testing"

	"studitiru/models"
)

func TestUserInputValidation(t *testing.T) {
	tests := []struct {
		name string
		in   models.UserInput
		want map[string]string // field → key; nil means valid
	}{
		{"valid", models.UserInput{Email: " Wayan@BadungKab.go.id ", Name: "I Wayan Sudarma, S.Sos.", Role: "escort", Password: "sepuluh-karakter"}, nil},
		{"all empty", models.UserInput{}, map[string]string{"email": "err.required", "name": "err.required", "role": "err.required", "password": "err.required"}},
		{"bad email", models.UserInput{Email: "wayan@", Name: "Wayan", Role: "escort", Password: "sepuluh-karakter"}, map[string]string{"email": "err.email"}},
		{"display-name email", models.UserInput{Email: "Wayan <wayan@badungkab.go.id>", Name: "Wayan", Role: "escort", Password: "sepuluh-karakter"}, map[string]string{"email": "err.email"}},
		{"header injection", models.UserInput{Email: "a@b.id\r\nBcc: x@y.id", Name: "Wayan", Role: "escort", Password: "sepuluh-karakter"}, map[string]string{"email": "err.email"}},
		{"unknown role", models.UserInput{Email: "a@b.id", Name: "Wayan", Role: "bupati", Password: "sepuluh-karakter"}, map[string]string{"role": "err.role"}},
		{"one-letter name", models.UserInput{Email: "a@b.id", Name: "W", Role: "admin", Password: "sepuluh-karakter"}, map[string]string{"name": "err.too_short"}},
		{"short password", models.UserInput{Email: "a@b.id", Name: "Wayan", Role: "admin", Password: "pendek"}, map[string]string{"password": "err.password_short"}},
		{"password past bcrypt's limit", models.UserInput{Email: "a@b.id", Name: "Wayan", Role: "admin", Password: strings.Repeat("kata ", 15)}, map[string]string{"password": "err.password_long"}},
	}
	for _, tc := range tests {
		err := tc.in.Validate(true)
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s: unexpected %v", tc.name, err)
			}
			continue
		}
		v, ok := models.AsValidation(err)
		if !ok {
			t.Errorf("%s: got %v, want a ValidationError", tc.name, err)
			continue
		}
		for field, key := range tc.want {
			if v.Fields[field] != key {
				t.Errorf("%s: %s = %q, want %q", tc.name, field, v.Fields[field], key)
			}
		}
		if len(v.Fields) != len(tc.want) {
			t.Errorf("%s: extra problems %v", tc.name, v.Fields)
		}
	}
	in := models.UserInput{Email: " Wayan@BadungKab.go.id ", Name: "  I Wayan  ", Role: "escort"}
	_ = in.Validate(false)
	if in.Email != "wayan@badungkab.go.id" || in.Name != "I Wayan" {
		t.Errorf("not normalised: %+v", in)
	}
}

func TestNewPasswordIsReadableAndRandom(t *testing.T) {
	shape := regexp.MustCompile(`^[a-km-z2-9]{4}-[a-km-z2-9]{4}-[a-km-z2-9]{4}-[a-km-z2-9]{4}$`)
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		p := models.NewPassword()
		if !shape.MatchString(p) || strings.ContainsAny(p, "01lo") {
			t.Fatalf("password %q has the wrong shape or look-alike characters", p)
		}
		if models.PasswordProblem(p) != "" {
			t.Fatalf("generated password %q fails the policy", p)
		}
		if seen[p] {
			t.Fatalf("repeated password %q", p)
		}
		seen[p] = true
	}
}
