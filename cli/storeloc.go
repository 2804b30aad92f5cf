package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/store/kv/etcdkv"
)

// A store location is a bbolt database file or an etcd address
// (etcd://HOST:2379[,HOST2…]/PREFIX, etcds:// for TLS), configured as
// --store is (see etcdConfig).

// isEtcdLocation reports whether loc names an etcd cluster.
func isEtcdLocation(loc string) bool {
	return strings.HasPrefix(loc, "etcd://") || strings.HasPrefix(loc, "etcds://")
}

// locationOptions say how to open a location.
type locationOptions struct {
	// keyFile seals and opens secrets; empty means the database file's
	// beside it (bbolt), and is required for etcd.
	keyFile string
	// create makes a bbolt database that does not exist (a copy's target).
	create bool
	// flag names the option giving keyFile, for messages.
	flag string
}

// openLocation opens the Store at loc, with the passphrase of
// TOKENTOP_PASSPHRASE when set.
func (a *App) openLocation(ctx context.Context, loc string, lo locationOptions) (*store.Store, error) {
	o := a.storeOptions("")
	o.KeyFile = lo.keyFile
	if !isEtcdLocation(loc) {
		if !lo.create {
			if _, err := os.Stat(loc); errors.Is(err, fs.ErrNotExist) {
				return nil, &NoDatabaseError{Path: loc}
			}
		}
		o.Path = loc
		return store.Open(ctx, o)
	}
	if lo.keyFile == "" {
		return nil, usagef("an etcd store needs the key file that seals its secrets: pass %s FILE", lo.flag)
	}
	c, err := a.etcdConfig(loc, "store copy")
	if err != nil {
		return nil, err
	}
	b, err := etcdkv.Open(ctx, c)
	if err != nil {
		return nil, err
	}
	st, err := store.OpenBackend(ctx, b, o)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("opening %s: %w", b, err)
	}
	return st, nil
}
