package providers

import (
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello", 4, "hel…"},
		{"hello", 1, "…"},
		{"hello", 0, "…"},
		{"", 0, ""},
		{"東京都庁", 3, "東京…"},
		{"añb", 2, "a…"},
	}
	for _, tt := range tests {
		got := Truncate(tt.in, tt.n)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if tt.n > 0 && utf8.RuneCountInString(got) > tt.n {
			t.Errorf("Truncate(%q, %d) = %q is longer than %d runes", tt.in, tt.n, got, tt.n)
		}
	}
}
