package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"golang.org/x/sync/errgroup"
)

func TestConcurrentRequests(t *testing.T) {
	e := newEnv(t)
	dev := e.client(t, "cognito-dev")
	basic := e.client(t, "basic-only")
	auth0 := e.client(t, "auth0-prod")
	ants := e.client(t, "ants")
	calls := map[string]tokenCall{
		dev.ClientID:   {path: "/oauth2/token", basic: creds(dev), form: form("grant_type", "client_credentials")},
		basic.ClientID: {path: "/oauth/v2/token", basic: creds(basic), form: form("grant_type", "client_credentials")},
		auth0.ClientID: {path: "/oauth/token", form: form("grant_type", "client_credentials", "client_id", auth0.ClientID, "client_secret", auth0.ClientSecret, "audience", auth0.Audience)},
		ants.ClientID:  {path: "/ants/oauth/token", form: form("grant_type", "client_credentials", "client_id", ants.ClientID, "client_secret", ants.ClientSecret, "scope", "item")},
	}
	const perClient = 12
	var g errgroup.Group
	for id, call := range calls {
		for range perClient {
			g.Go(func() error {
				r, err := e.tryToken(call)
				if err != nil {
					return err
				}
				if r.status != http.StatusOK {
					return fmt.Errorf("%s: %d %s", id, r.status, r.body)
				}
				var body struct {
					AccessToken string `json:"access_token"`
					ANTSToken   string `json:"accessToken"`
				}
				if err := json.Unmarshal(r.body, &body); err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				req, err := http.NewRequest(http.MethodGet, e.ts.URL+"/api/v1/items", nil)
				if err != nil {
					return err
				}
				req.Header.Set("Authorization", "Bearer "+body.AccessToken+body.ANTSToken)
				api, err := fetch(req)
				if err != nil {
					return err
				}
				if api.status != http.StatusOK {
					return fmt.Errorf("%s API: %d %s", id, api.status, api.body)
				}
				return nil
			})
		}
	}
	// Administration runs alongside the traffic.
	g.Go(func() error {
		for i := range 20 {
			e.s.AddClient(Client{Name: fmt.Sprintf("extra-%d", i), ClientID: fmt.Sprintf("extra-%d", i), ClientSecret: "s", Style: StyleCognito})
			_ = e.s.Clients()
			_ = e.s.ProvidersYAML(e.ts.URL)
			e.s.SetLatency(0)
			_ = e.s.TotalIssued()
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for id := range calls {
		if n := e.s.Issued(id); n != perClient {
			t.Errorf("Issued(%s) = %d, want %d", id, n, perClient)
		}
	}
	if n := e.s.TotalIssued(); n != perClient*len(calls) {
		t.Errorf("TotalIssued %d, want %d", n, perClient*len(calls))
	}
}
