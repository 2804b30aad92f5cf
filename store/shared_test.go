package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/store/storetest"
)

// boltStores opens n Stores on one new bbolt file, as n processes would.
func boltStores(t *testing.T, n int) []*store.Store {
	path := filepath.Join(t.TempDir(), "tokentop.db")
	out := make([]*store.Store, n)
	for i := range out {
		s, err := store.Open(t.Context(), store.Options{Path: path, LockTimeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out
}

func TestOneTokenAcrossClients(t *testing.T) { storetest.OneTokenAcrossClients(t, boltStores(t, 2)) }

func TestQuotaExactAcrossClients(t *testing.T) {
	storetest.QuotaExactAcrossClients(t, boltStores(t, 2))
}

func TestTeamAcrossClients(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokentop.db")
	storetest.TeamAcrossClients(t, func(t *testing.T, m storetest.Member) *store.Store {
		o := m.Options(t)
		o.Path, o.LockTimeout = path, 10*time.Second
		s, err := store.Open(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
