package ui

import (
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// TestAPIKeyRows: API keys count in days, show "no expiry" without a
// date, and are expiring inside their lead time, in the dashboard's
// rows and its header counts.
func TestAPIKeyRows(t *testing.T) {
	e := newEnv(t, true)
	day := t0.UTC().Truncate(24 * time.Hour)
	for _, p := range []providers.Provider{
		{Name: "key-far", Expires: day.AddDate(0, 0, 42).Format(time.DateOnly)},
		{Name: "key-due", RotateBy: day.AddDate(0, 0, 4).Format(time.DateOnly)},
		{Name: "key-open"},
	} {
		p.Grant, p.ClientSecret = providers.GrantAPIKey, sandbox.APIKey
		if err := e.st.PutProvider(e.ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	d := e.start(e.config(), 120, 40)
	waitFor(t, d, "key-far", "41d", "key-open", "no expiry", "key-due", "3d")
	m := e.loaded(e.config(), 120, 40)
	for _, r := range m.rows.rows {
		want := map[string]providers.Status{"key-far": providers.StatusValid, "key-due": providers.StatusExpiring, "key-open": providers.StatusValid}[r.sum.Provider.Name]
		if want != "" && r.status != want {
			t.Errorf("%s: status %s, want %s", r.sum.Provider.Name, r.status, want)
		}
	}
}

// TestKeyCurlCommand: the copied curl command sends an API key where the
// provider does, from `tokentop token`, the provider's words escaped.
func TestKeyCurlCommand(t *testing.T) {
	e := providers.Endpoint{Name: "items", URL: "https://api.example/v1/items"}
	for _, c := range []struct {
		p    providers.Provider
		want string
	}{
		{providers.Provider{KeyHeader: "X-API-Key"}, `curl -H "X-Api-Key: $(tokentop token k)" https://api.example/v1/items`},
		{providers.Provider{}, `curl -H "Authorization: Bearer $(tokentop token k)" https://api.example/v1/items`},
		{providers.Provider{KeyPrefix: `Tok"$en `}, `curl -H "Authorization: Tok\"\$en $(tokentop token k)" https://api.example/v1/items`},
		{providers.Provider{KeyQuery: "api_key"}, `curl --url-query "api_key=$(tokentop token k)" https://api.example/v1/items`},
	} {
		k := c.p.Placement()
		if got := curlCommand("", "k", providers.TokenTypeAPIKey, &k, e); got != c.want {
			t.Errorf("%+v:\n got %s\nwant %s", c.p, got, c.want)
		}
	}
}
