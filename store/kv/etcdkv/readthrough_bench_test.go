package etcdkv_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/store/kv/etcdkv"
	"github.com/tokentop/tokentop/store/kv/etcdtest"
	"github.com/tokentop/tokentop/store/storetest"
)

// The hot path of `tokentop token` over etcd, through a machine's local
// read-through cache (store.ReadThrough).

// machine is a team's store on etcd holding a token for svc, and one
// machine's local cache of it, whose clock runs skew ahead.
type machine struct {
	endpoints   []string
	prefix, key string
	shared      *store.Store
	cache       *store.Store
	ts          *storetest.TokenServer
}

func newMachine(tb testing.TB, skew time.Duration) *machine {
	tb.Helper()
	ctx := context.Background()
	m := &machine{endpoints: etcdtest.Start(tb, 1).Endpoints(), prefix: "/bench", key: filepath.Join(tb.TempDir(), "team.key"), ts: storetest.NewTokenServer(tb)}
	var err error
	if m.shared, err = m.open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.shared.Close() })
	if err := m.shared.PutProvider(ctx, m.ts.Provider("svc")); err != nil {
		tb.Fatal(err)
	}
	m.cache, err = store.Open(ctx, store.Options{Path: filepath.Join(tb.TempDir(), "cache.db"), KeyFile: m.key, Now: func() time.Time { return time.Now().Add(skew) }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.cache.Close() })
	if _, err := store.ReadThrough(ctx, m.cache, m.connected, "svc", store.TokenOptions{}); err != nil {
		tb.Fatal(err)
	}
	return m
}

// open opens the team's store on a client of its own, as a new process.
func (m *machine) open(ctx context.Context) (*store.Store, error) {
	b, err := etcdkv.Open(ctx, etcdkv.Config{Endpoints: m.endpoints, Prefix: m.prefix})
	if err != nil {
		return nil, err
	}
	s, err := store.OpenBackend(ctx, b, store.Options{KeyFile: m.key})
	if err != nil {
		b.Close()
	}
	return s, err
}

// connected is the store already open.
func (m *machine) connected(context.Context) (*store.Store, error) { return m.shared, nil }

// BenchmarkTokenCachedEtcd is `tokentop token` with the local copy valid:
// no call to etcd at all (compare BenchmarkTokenCached over bbolt).
func BenchmarkTokenCachedEtcd(b *testing.B) {
	m := newMachine(b, 0)
	ctx := b.Context()
	never := func(context.Context) (*store.Store, error) {
		b.Fatal("the shared store was asked while the local copy is valid")
		return nil, nil
	}
	for b.Loop() {
		res, err := store.ReadThrough(ctx, m.cache, never, "svc", store.TokenOptions{})
		if err != nil || !res.Cached {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenCachedEtcdExpired is `tokentop token` with the local copy
// past its margin (the cache's clock is a day ahead) and the team's token
// valid: "connected" is the etcd round trip on an open client, "new-client"
// adds what a new process pays to connect and check the prefix.
func BenchmarkTokenCachedEtcdExpired(b *testing.B) {
	m := newMachine(b, 24*time.Hour)
	ctx := b.Context()
	b.Run("connected", func(b *testing.B) {
		for b.Loop() {
			res, err := store.ReadThrough(ctx, m.cache, m.connected, "svc", store.TokenOptions{})
			if err != nil || !res.Cached {
				b.Fatal(err)
			}
		}
	})
	b.Run("new-client", func(b *testing.B) {
		for b.Loop() {
			var st *store.Store
			res, err := store.ReadThrough(ctx, m.cache, func(ctx context.Context) (*store.Store, error) {
				var err error
				st, err = m.open(ctx)
				return st, err
			}, "svc", store.TokenOptions{})
			if err != nil || !res.Cached {
				b.Fatal(err)
			}
			st.Close()
		}
	})
	if n := m.ts.Issued(); n != 1 {
		b.Errorf("the token server issued %d tokens, want 1", n)
	}
}
