package doctor

import (
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/sandbox"
)

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
			c := &providers.Client{Now: func() time.Time { return time.Now().Add(tt.ours) }}
			p := ps["cognito-dev"]
			d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
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

// TestDoctorClockVerdictIsOne: with the issuer two minutes behind, the
// token request once said "this machine's clock is 2m0s ahead" while the
// clock step said "the issuer's clock is off, not yours". A single Date
// cannot say whose clock is off, and the token request no longer
// pretends to; times are shown on one clock, saying which; and a token
// dead by the issuer's own clock is the issuer's, not a clock's.
func TestDoctorClockVerdictIsOne(t *testing.T) {
	sb, ps, _ := doctorSandboxWith(t, nil)
	c := &providers.Client{}
	p := ps["cognito-dev"]
	run := func(f sandbox.Faults) *Diagnosis {
		sb.SetFaults(f)
		return Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	}

	d := run(sandbox.Faults{IssuerClock: -2 * time.Minute})
	tok, clock := checkNamed(t, d, StepToken), checkNamed(t, d, "clock")
	wantStatus(t, clock, check.Warn, "the issuer's clock is 2m0s behind ours and the API's")
	wantHint(t, clock, "the issuer's clock is off, not yours")
	wantHint(t, tok, "this machine's clock is 2m0s ahead of the issuer's", "this machine's clock or the issuer's is off")
	if strings.Contains(tok.Hint, "sync") {
		t.Errorf("the token request blames a clock the clock step clears: %q", tok.Hint)
	}

	// exp and expires_in on this machine's clock, the issuer's exp named
	// as the issuer's.
	d = run(sandbox.Faults{IssuerClock: -2 * time.Minute, ExpOffset: -2 * time.Minute})
	tok = checkNamed(t, d, StepToken)
	wantHint(t, tok, "on this machine's clock;", "on the issuer's) is 2m", "before what expires_in says")

	// Dead by the issuer's own clock: the issuer's fault, whatever the
	// skew, never "by the server's clock the token is fine".
	d = run(sandbox.Faults{IssuerClock: -2 * time.Minute, ExpOffset: -2 * time.Hour})
	tok = checkNamed(t, d, StepToken)
	wantStatus(t, tok, check.Fail, "on the issuer's clock,")
	wantHint(t, tok, "the issuer mints tokens that are already expired")
	if strings.Contains(tok.Hint, "fine") || strings.Contains(tok.Hint, "sync it") {
		t.Errorf("hint %q", tok.Hint)
	}
}
