package etcdkv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/etcdtest"
	"github.com/tokentop/tokentop/store/kv/kvtest"
)

// rawClient is a plain client on the cluster, to look at keys as they are.
func rawClient(t testing.TB, endpoints []string) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// prefixes hands out a fresh prefix per data set.
type prefixes struct{ n atomic.Int64 }

func (p *prefixes) next() string { return fmt.Sprintf("/tt-%d", p.n.Add(1)) }

func openBackend(t testing.TB, c Config) *Backend {
	t.Helper()
	b, err := Open(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// harness runs the conformance suite on one embedded etcd member, each
// data set under its own prefix.
func harness(t testing.TB, endpoints []string) kvtest.Harness {
	var ps prefixes
	raw := rawClient(t, endpoints)
	return kvtest.Harness{
		New: func(t testing.TB) func(testing.TB) kv.Backend {
			prefix := ps.next()
			return func(t testing.TB) kv.Backend {
				return openBackend(t, Config{Endpoints: endpoints, Prefix: prefix})
			}
		},
		// A client killed or cut off stops keeping its leases alive; its
		// locks end when their TTL runs out.
		Crash: func(t testing.TB, b kv.Backend) {
			eb := b.(*Backend)
			eb.closed.Store(true)
			eb.client.Close()
		},
		Expire: func(t testing.TB, b kv.Backend, l kv.Lock) {
			if _, err := raw.Revoke(t.Context(), l.(*lock).sess.Lease()); err != nil {
				t.Fatal(err)
			}
		},
		Foreign: func(t testing.TB) error {
			prefix := ps.next()
			if _, err := raw.Put(t.Context(), prefix+"/users/alice", "admin"); err != nil {
				t.Fatal(err)
			}
			_, openErr := Open(t.Context(), Config{Endpoints: endpoints, Prefix: prefix})
			resp, err := raw.Get(t.Context(), prefix+"/", clientv3.WithPrefix())
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "admin" || resp.Kvs[0].Version != 1 {
				t.Errorf("opening a prefix that is not tokentop's changed it: %v", resp.Kvs)
			}
			return openErr
		},
		LockTTL: time.Second,
	}
}

func TestConformance(t *testing.T) {
	c := etcdtest.Start(t, 1)
	kvtest.Run(t, harness(t, c.Endpoints()))
}

// TestEtcd covers what is etcd's own, on one member.
func TestEtcd(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ep := c.Endpoints()
	raw := rawClient(t, ep)
	var ps prefixes
	fresh := func(t *testing.T, mod func(*Config)) (*Backend, string) {
		cfg := Config{Endpoints: ep, Prefix: ps.next()}
		if mod != nil {
			mod(&cfg)
		}
		b := openBackend(t, cfg)
		t.Cleanup(func() { b.Close() })
		return b, cfg.Prefix
	}

	t.Run("KeyLayout", func(t *testing.T) {
		b, prefix := fresh(t, nil)
		must(t, b.Update(t.Context(), func(tx kv.Tx) error {
			must(t, tx.CreateBucketIfNotExists(kv.P("exchanges", "svc")))
			n, err := tx.NextSequence(kv.P("exchanges", "svc"))
			must(t, err)
			return tx.Put(kv.P("exchanges", "svc"), kv.U64(n), []byte("record"))
		}))
		resp, err := raw.Get(t.Context(), prefix+"/", clientv3.WithPrefix())
		must(t, err)
		got := map[string]string{}
		for _, e := range resp.Kvs {
			got[strings.TrimPrefix(string(e.Key), prefix)] = string(e.Value)
		}
		want := map[string]string{
			"/meta/schema":                                        layoutMarker,
			"/data/@b/65786368616e676573":                         "", // exchanges
			"/data/65786368616e676573/@b/737663":                  "", // exchanges/svc
			"/data/65786368616e676573/737663/@s":                  string(kv.U64(1)),
			"/data/65786368616e676573/737663/@k/0000000000000001": "record",
			"/data/@b/6d657461":                                   "",                // meta
			"/data/6d657461/@k/6368616e676573":                    string(kv.U64(1)), // meta/changes
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("keys %q", got)
		}
	})

	t.Run("UnknownLayoutRefused", func(t *testing.T) {
		prefix := ps.next()
		_, err := raw.Put(t.Context(), prefix+"/meta/schema", "tokentop-kv/99")
		must(t, err)
		_, err = Open(t.Context(), Config{Endpoints: ep, Prefix: prefix})
		if !errors.Is(err, kv.ErrForeign) || !strings.Contains(err.Error(), "tokentop-kv/99") {
			t.Fatalf("a newer layout: %v", err)
		}
	})

	t.Run("ScanPagesAndDeleteBucketRewrite", func(t *testing.T) {
		b, _ := fresh(t, nil)
		p := kv.P("quota", "svc")
		const n = pageSize + 50
		for start := 0; start < n; start += 100 {
			must(t, b.Update(t.Context(), func(tx kv.Tx) error {
				must(t, tx.CreateBucketIfNotExists(p))
				for i := start; i < min(start+100, n); i++ {
					must(t, tx.Put(p, kv.U64(uint64(i)), []byte{byte(i)}))
				}
				return nil
			}))
		}
		must(t, b.Update(t.Context(), func(tx kv.Tx) error {
			must(t, tx.Put(p, kv.U64(3), []byte("mine"))) // the overlay, merged into pages
			var fwd, rev []uint64
			must(t, tx.Scan(p, kv.ScanOptions{}, func(k, _ []byte) error { fwd = append(fwd, kv.GetU64(k)); return nil }))
			must(t, tx.Scan(p, kv.ScanOptions{Reverse: true}, func(k, _ []byte) error { rev = append(rev, kv.GetU64(k)); return nil }))
			if len(fwd) != n || len(rev) != n {
				t.Fatalf("scanned %d forward, %d reverse; want %d", len(fwd), len(rev), n)
			}
			for i := range n {
				if fwd[i] != uint64(i) || rev[i] != uint64(n-1-i) {
					t.Fatalf("order broken at %d: %d, %d", i, fwd[i], rev[i])
				}
			}
			// Delete the bucket and write some keys back into it: the
			// commit splits the range deletion around them.
			must(t, tx.DeleteBucket(kv.P("quota")))
			must(t, tx.CreateBucketIfNotExists(p))
			for _, i := range []uint64{0, 1, 100, 299} {
				must(t, tx.Put(p, kv.U64(i), []byte("again")))
			}
			return nil
		}))
		must(t, b.View(t.Context(), func(tx kv.Tx) error {
			var keys []uint64
			must(t, tx.Scan(p, kv.ScanOptions{}, func(k, v []byte) error {
				if string(v) != "again" {
					t.Errorf("key %d = %q", kv.GetU64(k), v)
				}
				keys = append(keys, kv.GetU64(k))
				return nil
			}))
			if fmt.Sprint(keys) != "[0 1 100 299]" {
				t.Errorf("after the rewrite: %v", keys)
			}
			return nil
		}))
	})

	t.Run("TooLargeRefusedBeforeSending", func(t *testing.T) {
		b, _ := fresh(t, func(c *Config) { c.MaxTxnOps = 8 })
		err := b.Update(t.Context(), func(tx kv.Tx) error {
			must(t, tx.CreateBucketIfNotExists(kv.P("providers")))
			for i := range 10 {
				must(t, tx.Put(kv.P("providers"), fmt.Appendf(nil, "p%d", i), []byte("x")))
			}
			return nil
		})
		if !errors.Is(err, kv.ErrTooLarge) || !strings.Contains(err.Error(), "max-txn-ops") {
			t.Fatalf("an Update past --max-txn-ops: %v", err)
		}
		must(t, b.View(t.Context(), func(tx kv.Tx) error {
			if ok, _ := tx.BucketExists(kv.P("providers")); ok {
				t.Error("part of a refused Update was written")
			}
			return nil
		}))
		// The write lock was let go: another Update goes through.
		must(t, b.Update(t.Context(), func(tx kv.Tx) error { return tx.CreateBucketIfNotExists(kv.P("providers")) }))
	})

	t.Run("LapsedWriterCommitsNothing", func(t *testing.T) {
		b, _ := fresh(t, nil)
		other := openBackend(t, Config{Endpoints: ep, Prefix: b.cfg.Prefix})
		t.Cleanup(func() { other.Close() })
		err := b.Update(t.Context(), func(tx kv.Tx) error {
			must(t, tx.CreateBucketIfNotExists(kv.P("tokens")))
			must(t, tx.Put(kv.P("tokens"), []byte("svc"), []byte("stale")))
			// The writer's lease ends (a stall longer than its TTL), and
			// another writer goes ahead.
			_, err := raw.Revoke(t.Context(), b.wses.Lease())
			must(t, err)
			must(t, other.Update(t.Context(), func(tx kv.Tx) error { return tx.CreateBucketIfNotExists(kv.P("state")) }))
			return nil
		})
		if !errors.Is(err, kv.ErrLockLost) || !strings.Contains(err.Error(), "nothing was written") {
			t.Fatalf("the lapsed writer's Update: %v", err)
		}
		must(t, other.View(t.Context(), func(tx kv.Tx) error {
			if ok, _ := tx.BucketExists(kv.P("tokens")); ok {
				t.Error("the lapsed writer's change landed")
			}
			return nil
		}))
		// The next Update starts a new session.
		must(t, b.Update(t.Context(), func(tx kv.Tx) error { return tx.CreateBucketIfNotExists(kv.P("tokens")) }))
	})

	t.Run("WatchNamesTheKey", func(t *testing.T) {
		b, _ := fresh(t, nil)
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		ch, err := b.Watch(ctx)
		must(t, err)
		must(t, b.Update(ctx, func(tx kv.Tx) error {
			must(t, tx.CreateBucketIfNotExists(kv.P("quota", "svc")))
			return tx.Put(kv.P("quota", "svc"), []byte("2026-01"), kv.U64(1))
		}))
		for c := range ch {
			if c.Bucket.Equal(kv.P("quota", "svc")) && string(c.Key) == "2026-01" {
				return
			}
		}
		t.Fatal("the watch did not name quota/svc 2026-01")
	})
}

func TestUnreachableNamesEndpoints(t *testing.T) {
	ports := []string{"127.0.0.1:1", "127.0.0.1:9"} // nothing listens on these
	ep := []string{"http://" + ports[0], "http://" + ports[1]}
	_, err := Open(t.Context(), Config{Endpoints: ep, Prefix: "/tokentop", DialTimeout: 300 * time.Millisecond})
	if !errors.Is(err, kv.ErrUnreachable) {
		t.Fatalf("Open of a cluster no one runs: %v", err)
	}
	for _, e := range ep {
		if !strings.Contains(err.Error(), e) {
			t.Errorf("the error does not name %s: %v", e, err)
		}
	}
}

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		in        string
		endpoints string
		prefix    string
		user      string
		tls       bool
		bad       bool
	}{
		{in: "etcd://10.0.0.1:2379/tokentop", endpoints: "http://10.0.0.1:2379", prefix: "/tokentop"},
		{in: "etcd://a,b:2380/teams/ops/", endpoints: "http://a:2379 http://b:2380", prefix: "/teams/ops"},
		{in: "etcds://u:p@[::1]/t", endpoints: "https://[::1]:2379", prefix: "/t", user: "u", tls: true},
		{in: "etcd://a:2379", bad: true},
		{in: "etcd://a:2379/", bad: true},
		{in: "etcd://a,,b/t", bad: true},
		{in: "http://a/t", bad: true},
	} {
		cfg, err := ParseURL(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%s: accepted", c.in)
			}
			continue
		}
		if err != nil || strings.Join(cfg.Endpoints, " ") != c.endpoints || cfg.Prefix != c.prefix || cfg.Username != c.user || (cfg.TLS != nil) != c.tls {
			t.Errorf("%s: %+v, %v", c.in, cfg, err)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func BenchmarkBackend(b *testing.B) {
	c := etcdtest.Start(b, 1)
	kvtest.Bench(b, "etcd", harness(b, c.Endpoints()))
}
