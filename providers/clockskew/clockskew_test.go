package clockskew

import (
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/check"
)

func TestMeasureSkew(t *testing.T) {
	date := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name          string
		start, end    time.Time
		offset, bound time.Duration
	}{
		// On loopback the bracket is a few milliseconds: the Date's
		// second alone makes the ±0.5 s.
		{"in step", date.Add(300 * time.Millisecond), date.Add(310 * time.Millisecond), -195 * time.Millisecond, 505 * time.Millisecond},
		{"ours 2 s ahead", date.Add(2*time.Second + 500*time.Millisecond), date.Add(2*time.Second + 500*time.Millisecond), 2 * time.Second, 500 * time.Millisecond},
		{"a slow answer widens the bound", date.Add(-time.Second), date.Add(3 * time.Second), 500 * time.Millisecond, 2500 * time.Millisecond},
		{"end before start", date, date.Add(-time.Second), -500 * time.Millisecond, 500 * time.Millisecond},
	} {
		if m := Of(tt.start, tt.end, date); m.Offset != tt.offset || m.Bound != tt.bound {
			t.Errorf("%s: %+v, want %s ± %s", tt.name, m, tt.offset, tt.bound)
		}
	}
}

func TestClockCheck(t *testing.T) {
	ok := &Measure{Offset: 200 * time.Millisecond, Bound: 500 * time.Millisecond}
	ahead := &Measure{Offset: 2 * time.Minute, Bound: 500 * time.Millisecond}    // ours ahead of theirs
	behind := &Measure{Offset: -90 * time.Second, Bound: 500 * time.Millisecond} // theirs ahead of ours
	for _, tt := range []struct {
		name        string
		issuer, api *Measure
		status      check.Status
		detail      string
		hint        string
	}{
		{"none", nil, nil, check.Skip, "no Date", ""},
		{"in step", ok, ok, check.Pass, "in step", ""},
		{"ours", ahead, ahead, check.Warn, "this machine's clock is 2m0s ahead of the issuer's and the API's alike", "sync this machine's clock"},
		{"the issuer's", behind, ok, check.Warn, "ahead of ours and the API's", "the issuer must sync its clock"},
		{"the API's", ok, ahead, check.Warn, "the API's clock is 2m0s behind ours and the issuer's", "the API's operators must sync its clock"},
		{"three", ahead, behind, check.Warn, "three clocks disagree", "time server"},
		{"the issuer's alone", behind, nil, check.Warn, "1m30s behind the issuer's (±0.5s)", "a test-call tells which"},
		{"a second off is in step", &Measure{Offset: -time.Second, Bound: 500 * time.Millisecond}, nil, check.Pass, "in step", ""},
	} {
		c := Check("clock", tt.issuer, tt.api)
		if c.Status != tt.status || !strings.Contains(c.Detail, tt.detail) || !strings.Contains(c.Hint, tt.hint) {
			t.Errorf("%s: %s %q hint %q", tt.name, c.Status, c.Detail, c.Hint)
		}
	}
}
