package sandbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

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
