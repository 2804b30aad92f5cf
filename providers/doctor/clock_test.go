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
