package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// How the commands reach the database and the network: one client
// constructor, one way to open the store, one way to read a provider.

// client is a providers.Client with the App's clock and environment: the
// only place the commands make one.
func (a *App) client() *providers.Client {
	return &providers.Client{Now: a.Now, LookupEnv: a.LookupEnv}
}

// storeOptions are the options of a database at path, fetching with the
// App's client and clock.
//
// Every store it opens (a file, an etcd prefix, the local cache of one)
// reads with the same identities: the passphrase from TOKENTOP_PASSPHRASE
// and the files of --identity, else TOKENTOP_IDENTITY, else the default
// search in $HOME.
func (a *App) storeOptions(path string) store.Options {
	return store.Options{Path: path, Client: a.client(), Now: a.Now,
		Passphrase: a.env("TOKENTOP_PASSPHRASE"), Identities: a.identityFiles(), Home: a.env("HOME")}
}

// OpenStore opens the database named by --db / TOKENTOP_DB, with the
// passphrase from TOKENTOP_PASSPHRASE when set and the identities of
// --identity, else TOKENTOP_IDENTITY, else the default search in $HOME.
// The database must exist: a command that only reads (ls, show, token, …)
// must not make an empty one, and its directory, where a mistyped --db
// points. See CreateStore.
func (a *App) OpenStore(ctx context.Context) (*store.Store, error) {
	if sh, err := a.sharedStore(); sh != nil || err != nil {
		return a.openShared(ctx, sh, err)
	}
	path, err := a.DBPath()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, &NoDatabaseError{Path: path}
	}
	return a.openStore(ctx, path)
}

// NoDatabaseError is OpenStore's error when the database does not exist.
type NoDatabaseError struct{ Path string }

func (e *NoDatabaseError) Error() string {
	return fmt.Sprintf("no database at %s (a mistyped --db or TOKENTOP_DB? create one with tokentop import FILE or tokentop add NAME)", e.Path)
}

// CreateStore is OpenStore for the commands that write providers (import,
// add, sandbox --import, serve, the dashboard): it makes the database,
// and its directory, when there is none.
func (a *App) CreateStore(ctx context.Context) (*store.Store, error) {
	if sh, err := a.sharedStore(); sh != nil || err != nil {
		return a.openShared(ctx, sh, err)
	}
	path, err := a.DBPath()
	if err != nil {
		return nil, err
	}
	return a.openStore(ctx, path)
}

func (a *App) openStore(ctx context.Context, path string) (*store.Store, error) {
	return store.Open(ctx, a.storeOptions(path))
}

// identityFiles are the identity files named: --identity, else
// TOKENTOP_IDENTITY (paths separated by the list separator, ':' on Unix);
// nil means the default search.
func (a *App) identityFiles() []string {
	if len(a.identities) > 0 {
		return a.identities
	}
	var out []string
	for _, p := range filepath.SplitList(a.env("TOKENTOP_IDENTITY")) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// withStore opens the database (which must exist), runs fn on it and
// closes it.
func (a *App) withStore(ctx context.Context, fn func(st *store.Store) error) error {
	return a.useStore(a.OpenStore(ctx))(fn)
}

// withNewStore is withStore for a command that writes providers: the
// database is made when there is none.
func (a *App) withNewStore(ctx context.Context, fn func(st *store.Store) error) error {
	return a.useStore(a.CreateStore(ctx))(fn)
}

// useStore runs fn on st and closes it, or returns err.
func (a *App) useStore(st *store.Store, err error) func(fn func(st *store.Store) error) error {
	return func(fn func(st *store.Store) error) error {
		if err != nil {
			return err
		}
		defer st.Close()
		return fn(st)
	}
}

// withProvider opens the database, reads the provider called name (its
// secret left out) and runs fn with both; the store's own error when there
// is no such provider.
func (a *App) withProvider(ctx context.Context, name string, fn func(st *store.Store, p providers.Provider) error) error {
	return a.withStore(ctx, func(st *store.Store) error {
		p, err := st.Provider(ctx, name)
		if err != nil {
			return err
		}
		return fn(st, p)
	})
}

// withProviderSecret is withProvider with the provider's client secret
// read too, for the commands that authenticate as the token request does.
func (a *App) withProviderSecret(ctx context.Context, name string, fn func(st *store.Store, p providers.Provider) error) error {
	return a.withStore(ctx, func(st *store.Store) error {
		p, err := st.ProviderWithSecret(ctx, name)
		if err != nil {
			return err
		}
		return fn(st, p)
	})
}
