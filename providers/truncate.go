package providers

import "github.com/tokentop/tokentop/providers/safetext"

// Truncate shortens s to at most n runes, marking a cut with "…" (see
// [safetext.Truncate]).
func Truncate(s string, n int) string { return safetext.Truncate(s, n) }
