package storetest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
)

// Client is the client credentials the TokenServer accepts.
const (
	ClientID     = "client-1"
	ClientSecret = "storetest-secret"
)

// TokenServer is an OAuth2 token endpoint that counts the tokens it
// issues.
type TokenServer struct {
	*httptest.Server
	// Delay holds every answer back (so concurrent callers overlap). Set
	// it before the first request.
	Delay time.Duration
	// Received hears of each request as it arrives (when not full).
	Received chan struct{}

	holdNext atomic.Int64
	gate     chan struct{}
	issued   atomic.Int64
}

// NewTokenServer starts a server for the test, closed when it ends.
func NewTokenServer(t testing.TB) *TokenServer {
	ts := &TokenServer{Received: make(chan struct{}, 100), gate: make(chan struct{})}
	ts.Server = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.Close)
	return ts
}

// HoldNext holds the next n requests until Release is called or their
// client goes away.
func (ts *TokenServer) HoldNext(n int) { ts.holdNext.Store(int64(n)) }

// Release answers the held requests, and any held later.
func (ts *TokenServer) Release() { close(ts.gate) }

// Issued is how many tokens the server handed out.
func (ts *TokenServer) Issued() int { return int(ts.issued.Load()) }

// Provider is a provider called name that fetches from the server, with
// its secret.
func (ts *TokenServer) Provider(name string) providers.Provider {
	return providers.Provider{Name: name, TokenURL: ts.URL + "/oauth2/token", ClientID: ClientID, ClientSecret: ClientSecret,
		AuthStyle: providers.AuthPost}
}

func (ts *TokenServer) serve(w http.ResponseWriter, r *http.Request) {
	select {
	case ts.Received <- struct{}{}:
	default:
	}
	if ts.Delay > 0 {
		time.Sleep(ts.Delay)
	}
	// Read the body first: only then does the server notice a client going
	// away.
	formErr := r.ParseForm()
	if ts.holdNext.Load() > 0 && ts.holdNext.Add(-1) >= 0 {
		select {
		case <-r.Context().Done():
			return
		case <-ts.gate:
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if formErr != nil || r.PostForm.Get("client_id") != ClientID || r.PostForm.Get("client_secret") != ClientSecret {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"invalid_client"}`)
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": fmt.Sprintf("at-%d-%s", ts.issued.Add(1), hex.EncodeToString(b)),
		"token_type":   "Bearer",
		"expires_in":   3600,
	})
}
