package sandbox

import "time"

// defaultClients are the clients every new Server starts with. The
// credentials are fake and exist only in the sandbox.
func defaultClients() []Client {
	return []Client{
		{
			// Seed 000: Cognito, Basic auth, the doc example asks for api/write.
			Name:          "cognito-dev",
			ClientID:      "3bn43arz0h95uqtbqodz8jn54g",
			ClientSecret:  "25k9nma2bsmjzw0nkidxb61gyms65nfmfc9ukp7usj34wadz80n2",
			Style:         StyleCognito,
			Scopes:        []string{"api/read", "api/write"},
			RequestScopes: []string{"api/write"},
			AuthStyle:     "basic",
		},
		{
			// Seed 001: HTTP Basic only, opaque tokens, a client id of
			// the user's choosing. The secret holds '+' and '/', so a
			// client must form-encode Basic credentials (RFC 6749 §2.3.1).
			Name:         "basic-only",
			ClientID:     "acme-reporting",
			ClientSecret: "nSq+DaJKxtv4stMVdckGuw/fLgDSFH/p1WWpQyc+",
			Style:        StyleBasicOnly,
		},
		{
			// Seed 002: Cognito, credentials in the body, no scope.
			Name:         "a55",
			ClientID:     "f3hdsd927vgif1wkihmhrl7i1m",
			ClientSecret: "ynjm3d79ltrhmh2a2l71xav8i9fsaggbxdeukkzh35qvbv367x8c",
			Style:        StyleCognito,
			AuthStyle:    "post",
		},
		{
			// Seed 003: Auth0, audience required, 1000 tokens a month.
			Name:         "auth0-prod",
			ClientID:     "XYLzuwYzfr5l9P7iseP5MzpI8YtgxMaa",
			ClientSecret: "Q94WXtTXBbkFpOhTNkJ1eVtpqdSaYZBetokuRga1e3371UcJunBmz3TTAVSYmuw6",
			Style:        StyleAuth0,
			Scopes:       []string{"read:items", "write:items"},
			Audience:     "https://api.sandbox.test",
			MonthlyQuota: 1000,
		},
		{
			// Seed 004: ANTS, comma-separated scopes, camelCase response.
			Name:          "ants",
			ClientID:      "7b8954cd-9f27-4987-9525-7b101463ea22",
			ClientSecret:  "5IC3CR1JQ3SI7SVSRWT5",
			Style:         StyleANTS,
			Scopes:        []string{"item", "event", "profile", "promotion"},
			RequestScopes: []string{"item", "event"},
		},
		{
			// Demo: a 90-second token, to watch expiry and refresh.
			Name:         "short-lived",
			ClientID:     "if9igmrgrxbwkbuia509bq0xbf",
			ClientSecret: "k8rgthkayhbb07q3achhmx5hx8l35zo7h917yk0soh2hstmebjeh",
			Style:        StyleCognito,
			Scopes:       []string{"api/read"},
			Lifetime:     90 * time.Second,
		},
		{
			// Demo: ProvidersYAML writes a stale secret, so it fails.
			Name:         "broken",
			ClientID:     "x0c2vttzyybdlxzum283058upd",
			ClientSecret: "31uwysop42ynuhcbzm12jo31753o0g6r6422jfhzr8gxxttv44qx",
			Style:        StyleCognito,
			Scopes:       []string{"api/read"},
			Broken:       true,
		},
		{
			// A user's login on another device (RFC 8628): a public
			// client of the device grant, `tokentop login device-login`.
			Name:     "device-login",
			ClientID: "sandbox-device-client",
			Style:    StyleCognito,
			Scopes:   []string{"openid", "api/read"},
			Grant:    GrantDevice,
		},
	}
}
