package tokenlife

import (
	"testing"
	"time"
)

// TestRefreshMargin: the larger of 30 s and 10 % of the lifetime; a
// token is usable until that margin before its expiry, not at it.
func TestRefreshMargin(t *testing.T) {
	for _, c := range []struct{ life, want time.Duration }{
		{time.Minute, 30 * time.Second}, {5 * time.Minute, 30 * time.Second}, {time.Hour, 6 * time.Minute}, {0, 30 * time.Second},
	} {
		if got := RefreshMargin(c.life); got != c.want {
			t.Errorf("RefreshMargin(%s) = %s, want %s", c.life, got, c.want)
		}
	}
	issued := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	expires := issued.Add(time.Hour)
	if !Usable(issued, expires, expires.Add(-6*time.Minute-time.Nanosecond)) || Usable(issued, expires, expires.Add(-6*time.Minute)) {
		t.Error("a 1-hour token is usable until 6 minutes before its expiry, not at it")
	}
}
