package handlers

// Unexported helpers exposed to the external tests (security_fuzz_test.go).
var (
	SafeFileName = safeFileName
	RedactPath   = redactPath
)

// SafeNext is the sign-in form's check of where to go afterwards.
var SafeNext = safeNext
