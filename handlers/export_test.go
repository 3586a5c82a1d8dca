package handlers

// Unexported helpers exposed to the external tests (security_fuzz_test.go).
var (
	SafeFileName = safeFileName
	RedactPath   = redactPath
)
