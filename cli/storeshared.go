package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/store/kv/etcdkv"
)

// openShared connects to the shared store sh (err is sharedStore's, passed
// through) and opens tokentop's data there, sealed with sh's key file.
// Nothing is written on this machine when the cluster cannot be reached.
func (a *App) openShared(ctx context.Context, sh *sharedStore, err error) (*store.Store, error) {
	if err != nil {
		return nil, err
	}
	b, err := etcdkv.Open(ctx, sh.cfg)
	if err != nil {
		return nil, unreachableHint(err)
	}
	if err := os.MkdirAll(filepath.Dir(sh.keyFile), 0o700); err != nil {
		b.Close()
		return nil, fmt.Errorf("cannot make the directory of key file %s: %w", sh.keyFile, err)
	}
	o := a.storeOptions("")
	o.KeyFile = sh.keyFile
	o.Passphrase = a.env("TOKENTOP_PASSPHRASE")
	st, err := store.OpenBackend(ctx, b, o)
	if err != nil {
		b.Close()
		return nil, unreachableHint(err)
	}
	return st, nil
}

// openCache opens this machine's local cache of sh: a bbolt file sealed
// with sh's key file.
func (a *App) openCache(ctx context.Context, sh *sharedStore) (*store.Store, error) {
	o := a.storeOptions(sh.cache)
	o.KeyFile = sh.keyFile
	o.Passphrase = a.env("TOKENTOP_PASSPHRASE")
	st, err := store.Open(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("the local cache of %s: %w", sh.where(), err)
	}
	return st, nil
}

// unreachableHint adds to an unreachable cluster's error what to do.
func unreachableHint(err error) error {
	if !errors.Is(err, store.ErrUnreachable) {
		return err
	}
	return hinted{err: err, hint: "nothing was fetched on this machine, so the team's quota is safe; check the cluster, or pass --offline-fallback to fetch here, into this machine's cache only"}
}
