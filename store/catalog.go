package store

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/boltkv"
)

// CatalogEntry is a provider as shell completion sees it: its name, its
// env label, and the names of its saved endpoints.
type CatalogEntry struct {
	Name      string
	Env       string
	Endpoints []string
}

// catalogLockTimeout bounds a catalog's wait for another process's write:
// a completion waits no longer than a keystroke's patience.
const catalogLockTimeout = 300 * time.Millisecond

// maxCatalog bounds what a catalog returns, whatever the file holds.
const (
	maxCatalog          = 10000
	maxCatalogEndpoints = 1000
)

// Catalog lists the providers of the database at path, in name order,
// for shell completion: read-only opens alone, no key file read, nothing
// decrypted, no network. A missing file is an empty catalog, and is not
// created.
func Catalog(ctx context.Context, path string) ([]CatalogEntry, error) {
	path = filepath.Clean(path)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	b, err := boltkv.Open(ctx, boltkv.Options{Path: path, LockTimeout: catalogLockTimeout})
	if err != nil {
		return nil, storeErr(err)
	}
	defer b.Close()
	var out []CatalogEntry
	err = b.View(ctx, func(tx kv.Tx) error {
		out = out[:0]
		return tx.Scan(kv.P(bProviders), kv.ScanOptions{}, func(k, v []byte) error {
			if len(out) >= maxCatalog {
				return kv.ErrStop
			}
			var rec struct {
				Env       string `json:"env"`
				Endpoints []struct {
					Name string `json:"name"`
				} `json:"endpoints"`
			}
			e := CatalogEntry{Name: string(k)}
			if json.Unmarshal(v, &rec) == nil {
				e.Env = rec.Env
				for _, ep := range rec.Endpoints[:min(len(rec.Endpoints), maxCatalogEndpoints)] {
					e.Endpoints = append(e.Endpoints, ep.Name)
				}
			}
			out = append(out, e)
			return nil
		})
	})
	return out, storeErr(err)
}
