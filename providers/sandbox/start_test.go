package sandbox

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

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

func TestStartStopsWhenContextEnds(t *testing.T) {
	s := New(Options{Key: testKey()})
	ctx, cancel := context.WithCancel(context.Background())
	base, stop, err := s.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := stop(context.Background()); err != nil { // waits for Serve to return
		t.Fatalf("stop after cancel: %v", err)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(base + "/.well-known/jwks.json"); err == nil {
		resp.Body.Close()
		t.Fatal("server still answers after its context ended")
	}
}
