package sandboxenv

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// TestStartFillsTheStore: every sandbox provider is in the store; with
// FetchAll each working one has a token issued at the clock's time, and
// every request went through Wrap.
func TestStartFillsTheStore(t *testing.T) {
	clk := testsupport.NewClock(time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC))
	var seen atomic.Int32
	wrap := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen.Add(1)
			next.ServeHTTP(w, r)
		})
	}
	e := Start(t, Options{Now: clk.Now, Wrap: wrap, FetchAll: true})
	if len(e.Providers) == 0 {
		t.Fatal("no providers loaded from the sandbox's YAML")
	}
	ctx := t.Context()
	for _, c := range e.Sandbox.Clients() {
		if c.Style == sandbox.StyleUser || c.Grant != "" {
			if _, err := e.Store.Provider(ctx, c.Name); err == nil {
				t.Errorf("%s, a user's login, is in the store without UserLogins", c.Name)
			}
			continue
		}
		if _, err := e.Store.Provider(ctx, c.Name); err != nil {
			t.Errorf("%s is not in the store: %v", c.Name, err)
			continue
		}
		tok, err := e.Store.CachedToken(ctx, c.Name)
		switch {
		case c.Broken && err == nil && tok != nil:
			t.Errorf("the broken %s has a token", c.Name)
		case !c.Broken && (err != nil || tok == nil):
			t.Errorf("%s has no first token: %v", c.Name, err)
		case !c.Broken && !tok.IssuedAt.Equal(clk.Now()):
			t.Errorf("%s's token was issued at %v, not the clock's %v", c.Name, tok.IssuedAt, clk.Now())
		}
	}
	if seen.Load() == 0 {
		t.Error("no request went through Wrap")
	}
}

// TestStartWithUserLogins keeps the user-grant providers, with no token.
func TestStartWithUserLogins(t *testing.T) {
	e := Start(t, Options{UserLogins: true, FetchAll: true})
	for _, name := range []string{"user-login", "user-norefresh", "device-login"} {
		if _, err := e.Store.Provider(t.Context(), name); err != nil {
			t.Errorf("%s is not in the store: %v", name, err)
		}
		if _, err := e.Store.CachedToken(t.Context(), name); err == nil {
			t.Errorf("%s has a token, and nobody logged in", name)
		}
	}
}

// TestStartWithoutFetching leaves the store without tokens.
func TestStartWithoutFetching(t *testing.T) {
	e := Start(t, Options{Dir: t.TempDir()})
	for _, p := range e.Providers {
		if tok, err := e.Store.CachedToken(t.Context(), p.Name); err == nil && tok != nil {
			t.Errorf("%s has a token, and nothing was fetched", p.Name)
		}
	}
}
