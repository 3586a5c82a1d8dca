package models

// Unexported sanitisers and token helpers, exposed to the fuzz targets of
// the external test package (security_fuzz_test.go).
var (
	ICalText         = icalText
	ICalLine         = icalLine
	ICalParam        = icalParam
	ICalMailbox      = icalMailbox
	ValidEmail       = validEmail
	SplitSurveyToken = splitSurveyToken
	SurveyMACValid   = surveyMACValid
	FeedTokenOf      = feedToken
	HashToken        = hashToken
)

// ICalMaxParam is the cut of a parameter value, in characters.
const ICalMaxParam = icalMaxParam

// PasswordCostOf is the bcrypt cost the store hashes new passwords with.
func PasswordCostOf(s *Store) int { return s.passwordCost }
