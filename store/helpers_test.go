package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv/boltkv"
)

// tokenServer is a small OAuth2 token endpoint that counts what it issues.
type tokenServer struct {
	*httptest.Server
	ClientID, Secret string
	// Lifetime is expires_in in seconds.
	Lifetime int
	// Delay holds every answer back (so concurrent callers overlap).
	Delay time.Duration
	// RefuseBasic answers HTTP Basic with 401 invalid_client.
	RefuseBasic bool
	// FailWith, when set, is the OAuth error code to answer with (400).
	failWith atomic.Value
	// block, when set, holds requests until the client goes away or gate
	// is closed.
	block atomic.Bool
	gate  chan struct{}
	// holdNext holds that many of the next requests as block does.
	holdNext atomic.Int64
	// Requests (every request) and issued (tokens handed out).
	requests atomic.Int64
	issued   atomic.Int64
	received chan struct{}
	styles   sync.Map // auth style → count
}

func newTokenServer(t testing.TB) *tokenServer {
	ts := &tokenServer{ClientID: "client-1", Secret: "client-secret-" + randHex(8), Lifetime: 3600,
		received: make(chan struct{}, 100), gate: make(chan struct{})}
	ts.failWith.Store("")
	ts.Server = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.Close)
	return ts
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (ts *tokenServer) Issued() int { return int(ts.issued.Load()) }

func (ts *tokenServer) serve(w http.ResponseWriter, r *http.Request) {
	ts.requests.Add(1)
	select {
	case ts.received <- struct{}{}:
	default:
	}
	if ts.Delay > 0 {
		time.Sleep(ts.Delay)
	}
	w.Header().Set("Content-Type", "application/json")
	// Read the body first: only then does the server notice a client going
	// away (and cancel r.Context()).
	formErr := r.ParseForm()
	if ts.block.Load() || (ts.holdNext.Load() > 0 && ts.holdNext.Add(-1) >= 0) {
		select {
		case <-r.Context().Done():
			return
		case <-ts.gate:
		}
	}
	if formErr != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"invalid_request"}`)
		return
	}
	id, secret, basic := r.BasicAuth()
	style := "basic"
	if !basic {
		id, secret, style = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), "post"
	}
	n, _ := ts.styles.LoadOrStore(style, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	if (basic && ts.RefuseBasic) || id != ts.ClientID || secret != ts.Secret {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"invalid_client"}`)
		return
	}
	if code := ts.failWith.Load().(string); code != "" {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"error":%q,"error_description":"refused by the test server"}`, code)
		return
	}
	n2 := ts.issued.Add(1)
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": fmt.Sprintf("at-%d-%s", n2, randHex(16)),
		"token_type":   "Bearer",
		"expires_in":   ts.Lifetime,
		"scope":        r.PostForm.Get("scope"),
	})
}

func (ts *tokenServer) styleCount(style string) int {
	if n, ok := ts.styles.Load(style); ok {
		return int(n.(*atomic.Int64).Load())
	}
	return 0
}

// provider is a provider that uses the server, with the secret stored.
func (ts *tokenServer) provider(name string) providers.Provider {
	return providers.Provider{
		Name: name, TokenURL: ts.URL + "/oauth2/token", ClientID: ts.ClientID, ClientSecret: ts.Secret,
		Scopes: []string{"read", "write"},
	}
}

// testDB is a fresh database path in a temporary directory.
func testDB(t testing.TB) string { return filepath.Join(t.TempDir(), "tokentop.db") }

// openStore opens a store at o.Path (a fresh one when empty), with a short
// lock timeout so a mistake fails fast.
func openStore(t testing.TB, o Options) *Store {
	t.Helper()
	if o.Path == "" {
		o.Path = testDB(t)
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = 10 * time.Second
	}
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// clockedStore is a fresh store on a test clock stopped at t0, and a token
// server for its providers.
func clockedStore(t testing.TB) (*tokenServer, *testsupport.Clock, *Store) {
	t.Helper()
	ts := newTokenServer(t)
	clk := testsupport.NewClock(t0)
	return ts, clk, openStore(t, Options{Now: clk.Now})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// leaseRecord is a fetch lock as boltkv records it in the leases bucket
// (the JSON tokentop has always written there).
type leaseRecord struct {
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
	PID     int       `json:"pid,omitempty"`
	Host    string    `json:"host,omitempty"`
	Started time.Time `json:"started,omitzero"`
}

// hostname is this machine's name as lock records give it.
func hostname() string {
	h, _ := os.Hostname()
	return h
}

// rawBolt is the file at path through boltkv alone, to write records as
// another tokentop (an older or a newer one) would.
func rawBolt(t testing.TB, path string) *boltkv.Backend {
	t.Helper()
	b, err := boltkv.Open(t.Context(), boltkv.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}
