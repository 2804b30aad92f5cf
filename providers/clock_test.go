package providers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/sandbox"
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
		if m := MeasureSkew(tt.start, tt.end, date); m.Offset != tt.offset || m.Bound != tt.bound {
			t.Errorf("%s: %+v, want %s ± %s", tt.name, m, tt.offset, tt.bound)
		}
	}
}

func TestClockCheck(t *testing.T) {
	ok := &SkewMeasure{Offset: 200 * time.Millisecond, Bound: 500 * time.Millisecond}
	ahead := &SkewMeasure{Offset: 2 * time.Minute, Bound: 500 * time.Millisecond}    // ours ahead of theirs
	behind := &SkewMeasure{Offset: -90 * time.Second, Bound: 500 * time.Millisecond} // theirs ahead of ours
	for _, tt := range []struct {
		name        string
		issuer, api *SkewMeasure
		status      CheckStatus
		detail      string
		hint        string
	}{
		{"none", nil, nil, CheckSkip, "no Date", ""},
		{"in step", ok, ok, CheckPass, "in step", ""},
		{"ours", ahead, ahead, CheckWarn, "this machine's clock is 2m0s ahead of the issuer's and the API's alike", "sync this machine's clock"},
		{"the issuer's", behind, ok, CheckWarn, "ahead of ours and the API's", "the issuer must sync its clock"},
		{"the API's", ok, ahead, CheckWarn, "the API's clock is 2m0s behind ours and the issuer's", "the API's operators must sync its clock"},
		{"three", ahead, behind, CheckWarn, "three clocks disagree", "time server"},
		{"the issuer's alone", behind, nil, CheckWarn, "1m30s behind the issuer's (±0.5s)", "a test-call tells which"},
		{"a second off is in step", &SkewMeasure{Offset: -time.Second, Bound: 500 * time.Millisecond}, nil, CheckPass, "in step", ""},
	} {
		c := clockCheck(StepClock, tt.issuer, tt.api)
		if c.Status != tt.status || !strings.Contains(c.Detail, tt.detail) || !strings.Contains(c.Hint, tt.hint) {
			t.Errorf("%s: %s %q hint %q", tt.name, c.Status, c.Detail, c.Hint)
		}
	}
}

// TestVerifyClockTolerance: an nbf or iat a second ahead is no failure,
// whether or not the issuer's clock is known; ten seconds is.
func TestVerifyClockTolerance(t *testing.T) {
	e := newVerifyEnv(t)
	ctx := context.Background()
	early := e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(time.Second)})
	v := Verify(ctx, early, e.keys, e.opts())
	wantCheck(t, v, "nbf", CheckPass, "within the 5s tolerance")
	wantCheck(t, v, "iat", CheckPass, "")
	if !v.OK() {
		t.Fatalf("a second-ahead issuer failed: %+v", v.Checks)
	}
	later := Verify(ctx, e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(10 * time.Second)}), e.keys, e.opts())
	wantCheck(t, later, "nbf", CheckFail, "not valid for another 10s")
	wantCheck(t, later, "iat", CheckWarn, "10s in the future")
	if c, _ := later.Check("nbf"); !strings.Contains(c.Hint, "tokentop doctor NAME compares the clocks") && !strings.Contains(c.Hint, "`tokentop doctor NAME` compares the clocks") {
		t.Fatalf("nbf hint %q", c.Hint)
	}
	// By the issuer's own clock (its Date), an nbf ahead is its doing.
	o := e.opts()
	o.SkewKnown = true
	later = Verify(ctx, e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(10 * time.Second)}), e.keys, o)
	if c, _ := later.Check("nbf"); !strings.Contains(c.Hint, "the issuer mints tokens valid only from later") {
		t.Fatalf("nbf hint with the issuer's clock known: %q", c.Hint)
	}
}

// TestDoctorClocks: whose clock is off, from the token endpoint's Date and
// the API's, each set off in turn.
func TestDoctorClocks(t *testing.T) {
	for _, tt := range []struct {
		name   string
		faults sandbox.Faults
		ours   time.Duration
		status CheckStatus
		detail string
		hint   string
	}{
		{"in step", sandbox.Faults{}, 0, CheckPass, "in step", ""},
		{"a second-ahead issuer", sandbox.Faults{IssuerClock: time.Second}, 0, CheckPass, "in step", ""},
		{"the issuer's", sandbox.Faults{IssuerClock: 90 * time.Second}, 0, CheckWarn, "ahead of ours and the API's", "the issuer must sync its clock"},
		{"the API's", sandbox.Faults{APIClock: -90 * time.Second}, 0, CheckWarn, "behind ours and the issuer's", "the API's operators must sync its clock"},
		{"ours", sandbox.Faults{}, 2 * time.Minute, CheckWarn, "ahead of the issuer's and the API's alike", "sync this machine's clock"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sb, ps := doctorSandbox(t)
			sb.SetFaults(tt.faults)
			c := &Client{Now: func() time.Time { return time.Now().Add(tt.ours) }}
			p := ps["cognito-dev"]
			d := c.Doctor(t.Context(), p, DoctorOptions{Fetch: directFetch(c, p)})
			clock := checkNamed(t, d, StepClock)
			if clock.Status != tt.status || !strings.Contains(clock.Detail, tt.detail) {
				t.Fatalf("clock: %s %q hint %q", clock.Status, clock.Detail, clock.Hint)
			}
			wantHint(t, clock, tt.hint)
			// The measure is good to the second or so, whatever the load:
			// the verdict's words are not asserted to the second.
			// The token's times are judged by the issuer's clock: none
			// of these is the token's fault.
			for _, name := range []string{"JWT exp", "JWT nbf", "JWT iat"} {
				if ch := checkNamed(t, d, name); ch.Status != CheckPass {
					t.Errorf("%s: %s %q", name, ch.Status, ch.Detail)
				}
			}
		})
	}
}
