package jwtverify

import (
	"context"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzVerify: Verify never panics on any token, labels every input with a
// verdict, never calls a token valid without a key set, and its texts are
// safe for a terminal.
func FuzzVerify(f *testing.F) {
	for _, s := range []string{
		"eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJpc3MiOiJ4IiwiZXhwIjoxfQ.c2ln",
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
		"eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d",
		"2YotnFZFEjr1zCsicMWpAA", "", ".", "..", "eyJ", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.", "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOlsxLHt9XSwiZXhwIjoiMSJ9.c2ln",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		v := Verify(context.Background(), tok, nil, Options{Now: time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC), Issuer: "https://i", Audiences: []string{"a"}, SkewKnown: true, Skew: time.Minute})
		if v.Verdict == "" || v.Verdict == VerdictValid || len(v.Checks) == 0 {
			t.Fatalf("verdict %q with %d checks", v.Verdict, len(v.Checks))
		}
		for _, s := range []string{v.Reason, v.Hint, v.Alg, v.KeyID} {
			fuzzTerminalSafe(t, "verification text", s)
		}
		for _, fl := range append(v.Header, v.ClaimFields...) {
			fuzzTerminalSafe(t, "field", fl.Key+fl.Value)
		}
		for _, c := range v.Checks {
			fuzzTerminalSafe(t, "check", c.Detail+c.Hint)
		}
	})
}

// fuzzTerminalSafe fails when a one-line field holds anything a terminal
// would act on: invalid UTF-8, a C0 or C1 control, or a bidi override.
func fuzzTerminalSafe(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s %q is not valid UTF-8", what, s)
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Fatalf("%s %q holds %U", what, s, r)
		}
	}
}
