// Package sandboxenv starts what the tests of the layers above providers
// share: the embedded OAuth2 sandbox on loopback, and a real store in a
// temporary directory filled with the sandbox's providers.
//
// It is for _test.go files only (of cli, sshd, ui and the interop tests):
// it imports store and providers, so their own tests cannot use it.
package sandboxenv

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store"
)

// Serve serves sb on loopback behind wrap (nil: nothing in front) until
// the test ends.
func Serve(t testing.TB, sb *sandbox.Server, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	var h http.Handler = sb
	if wrap != nil {
		h = wrap(sb)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Options shape Start's sandbox and store.
type Options struct {
	// Now is the clock of the sandbox, the store and the store's client,
	// and the sandbox's Date header follows it too, so the clock skew the
	// client sees is the same on every run; nil: the wall clock.
	Now func() time.Time
	// Wrap goes in front of the sandbox (nil: nothing).
	Wrap func(http.Handler) http.Handler
	// Dir holds the database; "": a new temporary directory.
	Dir string
	// FetchAll gets every provider its first token (the sandbox's broken
	// one fails, and its error is recorded).
	FetchAll bool
	// UserLogins keeps the sandbox's user-grant providers (user-login,
	// user-norefresh, user-refresh, device-login), which have no token
	// until someone logs in; without it the store holds the
	// client-credentials providers only.
	UserLogins bool
}

// Env is a sandbox on loopback and a store filled with its providers.
type Env struct {
	Sandbox   *sandbox.Server
	Server    *httptest.Server // serving the sandbox
	URL       string           // the sandbox's base URL
	Store     *store.Store
	Path      string // the database file
	Providers []providers.Provider
}

// Start serves a sandbox (signing with testsupport.RSAKey(0)), loads its providers YAML, and puts the providers
// in a new store at Dir/tokentop.db; everything is closed when the test
// ends.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	so := sandbox.Options{Now: o.Now, Key: testsupport.RSAKey(0)}
	e := &Env{Sandbox: sandbox.New(so)}
	wrap := o.Wrap
	if o.Now != nil {
		wrap = func(next http.Handler) http.Handler {
			if o.Wrap != nil {
				next = o.Wrap(next)
			}
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", o.Now().UTC().Format(http.TimeFormat))
				next.ServeHTTP(w, r)
			})
		}
	}
	e.Server = Serve(t, e.Sandbox, wrap)
	e.URL = e.Server.URL
	ps, err := providers.LoadConfig(strings.NewReader(e.Sandbox.ProvidersYAML(e.URL)), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if !o.UserLogins {
		ps = slices.DeleteFunc(ps, func(p providers.Provider) bool { return p.Grant.UserLogin() })
	}
	e.Providers = ps
	dir := o.Dir
	if dir == "" {
		dir = t.TempDir()
	}
	e.Path = filepath.Join(dir, "tokentop.db")
	stOpts := store.Options{Path: e.Path}
	if o.Now != nil {
		stOpts.Client, stOpts.Now = &providers.Client{Now: o.Now}, o.Now
	}
	ctx := context.Background()
	if e.Store, err = store.Open(ctx, stOpts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Store.Close() })
	if err := e.Store.PutProviders(ctx, ps); err != nil {
		t.Fatal(err)
	}
	if o.FetchAll {
		for _, p := range ps {
			if p.Grant.UserLogin() {
				continue // its first token needs a user's login
			}
			_, _ = e.Store.Token(ctx, p.Name, store.TokenOptions{})
		}
	}
	return e
}
