package providers

import "testing"

func TestExchangeOutcome(t *testing.T) {
	for ex, want := range map[*Exchange]string{
		{Status: 200}: "token issued",
		{Status: 200, Grant: "client_credentials"}:                                                         "token issued",
		{Status: 200, Grant: "authorization_code"}:                                                         "code exchanged: session started",
		{Status: 200, Grant: "refresh_token"}:                                                              "refreshed",
		{Status: 200, Grant: "urn:ietf:params:oauth:grant-type:device_code"}:                               "device login approved: session started",
		{Status: 200, Kind: "device authorization", Grant: "urn:ietf:params:oauth:grant-type:device_code"}: "device authorization answered",
		{Status: 400, Grant: "refresh_token", Error: "invalid_grant"}:                                      "invalid_grant",
		{Status: 200, Kind: "revocation"}:                                                                  "revocation answered",
		{Status: 401, Kind: "introspection", Error: "refused\x1b[2J"}:                                      "refused",
	} {
		if got := ex.Outcome(); got != want {
			t.Errorf("%+v: %q, want %q", *ex, got, want)
		}
	}
}

func TestExchangeGrantName(t *testing.T) {
	for ex, want := range map[*Exchange]string{
		{}:                       "client_credentials",
		{Grant: "refresh_token"}: "refresh_token",
		{Grant: "urn:ietf:params:oauth:grant-type:device_code"}: "device_code",
		{Kind: "revocation", Grant: "refresh_token"}:            "-",
		{Grant: "evil\x1b[2J"}:                                  "evil",
	} {
		if got := ex.GrantName(); got != want {
			t.Errorf("%+v: %q, want %q", *ex, got, want)
		}
	}
}
