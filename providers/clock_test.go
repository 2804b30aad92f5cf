package providers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// TestVerifyClockTolerance: an nbf or iat a second ahead is no failure,
// whether or not the issuer's clock is known; ten seconds is.
func TestVerifyClockTolerance(t *testing.T) {
	e := newVerifyEnv(t)
	ctx := context.Background()
	early := e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(time.Second)})
	v := Verify(ctx, early, e.keys, e.opts())
	wantCheck(t, v, "nbf", check.Pass, "within the 5s tolerance")
	wantCheck(t, v, "iat", check.Pass, "")
	if !v.OK() {
		t.Fatalf("a second-ahead issuer failed: %+v", v.Checks)
	}
	later := Verify(ctx, e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(10 * time.Second)}), e.keys, e.opts())
	wantCheck(t, later, "nbf", check.Fail, "not valid for another 10s")
	wantCheck(t, later, "iat", check.Warn, "10s in the future")
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
		status check.Status
		detail string
		hint   string
	}{
		{"in step", sandbox.Faults{}, 0, check.Pass, "in step", ""},
		{"a second-ahead issuer", sandbox.Faults{IssuerClock: time.Second}, 0, check.Pass, "in step", ""},
		{"the issuer's", sandbox.Faults{IssuerClock: 90 * time.Second}, 0, check.Warn, "ahead of ours and the API's", "the issuer must sync its clock"},
		{"the API's", sandbox.Faults{APIClock: -90 * time.Second}, 0, check.Warn, "behind ours and the issuer's", "the API's operators must sync its clock"},
		{"ours", sandbox.Faults{}, 2 * time.Minute, check.Warn, "ahead of the issuer's and the API's alike", "sync this machine's clock"},
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
				if ch := checkNamed(t, d, name); ch.Status != check.Pass {
					t.Errorf("%s: %s %q", name, ch.Status, ch.Detail)
				}
			}
		})
	}
}
