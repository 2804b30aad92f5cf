package jwtclaims

import (
	"strings"
	"testing"
)

func TestFieldsOf(t *testing.T) {
	got := FieldsOf(map[string]any{
		"sub":         "svc\x1b[31m",
		"aud":         []any{"a", "b"},
		"exp":         1700000000,
		"x\u202eevil": true,
		"long":        strings.Repeat("y", 500),
	})
	keys := make([]string, len(got))
	for i, f := range got {
		keys[i] = f.Key
		if strings.ContainsAny(f.Key+f.Value, "\x1b\u202e") {
			t.Errorf("%q = %q is not terminal-safe", f.Key, f.Value)
		}
	}
	if strings.Join(keys[:4], ",") != "aud,exp,long,sub" {
		t.Fatalf("keys %v are not sorted", keys)
	}
	if got[0].Value != `["a","b"]` || got[1].Value != "1700000000" {
		t.Errorf("non-strings are not JSON: %+v", got[:2])
	}
	if n := len([]rune(got[2].Value)); n > 200 {
		t.Errorf("a long value is %d runes, want at most 200", n)
	}
}
