package providers

import (
	"testing"
	"time"
)

func TestTokenStatusIsTheRefreshMargin(t *testing.T) {
	issued := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	tok := func(life time.Duration) *Token { return &Token{IssuedAt: issued, ExpiresAt: issued.Add(life)} }
	for _, tc := range []struct {
		name string
		tok  *Token
		at   time.Duration // after issue
		want Status
	}{
		{"a 5-minute token, just issued", tok(5 * time.Minute), 0, StatusValid},
		{"a 5-minute token, 31 s left", tok(5 * time.Minute), 4*time.Minute + 29*time.Second, StatusValid},
		{"a 5-minute token, 30 s left", tok(5 * time.Minute), 4*time.Minute + 30*time.Second, StatusExpiring},
		{"a 1-hour token, 6 min 1 s left", tok(time.Hour), 53*time.Minute + 59*time.Second, StatusValid},
		{"a 1-hour token, 6 min left", tok(time.Hour), 54 * time.Minute, StatusExpiring},
		{"a 90-second token, 31 s left", tok(90 * time.Second), 59 * time.Second, StatusValid},
		{"expired", tok(time.Hour), time.Hour, StatusExpired},
		{"no expiry", &Token{IssuedAt: issued}, 0, StatusNone},
		{"no token", nil, 0, StatusNone},
	} {
		if got := tc.tok.Status(issued.Add(tc.at)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
