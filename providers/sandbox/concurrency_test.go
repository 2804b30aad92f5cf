package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

func TestAbandonedRequestIssuesNothing(t *testing.T) {
	s := New(Options{Key: testKey(), Latency: time.Hour})
	dev := Client{}
	for _, c := range s.Clients() {
		if c.Name == "cognito-dev" {
			dev = c
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(dev.ClientID, dev.ClientSecret)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req) // would block for an hour if latency ignored the context
	if rec.Body.Len() != 0 || s.TotalIssued() != 0 {
		t.Errorf("abandoned request answered %q and issued %d tokens", rec.Body, s.TotalIssued())
	}
}

func TestClientsAreCopies(t *testing.T) {
	s := New(Options{Key: testKey()})
	cs := s.Clients()
	cs[0].Scopes[0] = "mutated"
	if s.Clients()[0].Scopes[0] == "mutated" {
		t.Error("Clients shares slices with the server")
	}
	c := s.Clients()[0]
	c.ClientSecret = "replaced"
	s.AddClient(c)
	if got := s.Clients(); len(got) != len(cs) || got[0].ClientSecret != "replaced" {
		t.Errorf("AddClient with an existing ClientID did not replace it in place")
	}
}

func TestStartStop(t *testing.T) {
	s := New(Options{Key: testKey()})
	base, stop, err := s.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
		t.Fatalf("baseURL %q", base)
	}
	var dev Client
	for _, c := range s.Clients() {
		if c.Name == "cognito-dev" {
			dev = c
		}
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(dev.ClientID, dev.ClientSecret)
	r := do(t, req)
	if r.status != http.StatusOK || !strings.Contains(s.ProvidersYAML(base), base+"/oauth2/token") {
		t.Fatalf("token over a real listener: %d %s", r.status, r.body)
	}
	if err := stop(context.Background()); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := stop(context.Background()); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(base + "/.well-known/jwks.json"); err == nil {
		resp.Body.Close()
		t.Fatal("server still answers after stop")
	}
	if _, _, err := s.Start(context.Background(), "256.0.0.1:0"); err == nil {
		t.Error("Start on a bad address succeeded")
	}
}
