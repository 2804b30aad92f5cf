package providers

import "testing"

func TestExchangeOutcome(t *testing.T) {
	for ex, want := range map[*Exchange]string{
		{Status: 200}:                     "token issued",
		{Status: 200, Kind: "revocation"}: "revocation answered",
		{Status: 401, Kind: "introspection", Error: "refused\x1b[2J"}: "refused",
	} {
		if got := ex.Outcome(); got != want {
			t.Errorf("%+v: %q, want %q", *ex, got, want)
		}
	}
}
