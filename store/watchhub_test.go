package store

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/boltkv"
)

// countingBackend counts the backend watches started.
type countingBackend struct {
	*boltkv.Backend
	watches atomic.Int64
}

func (c *countingBackend) Watch(ctx context.Context) (<-chan kv.Change, error) {
	c.watches.Add(1)
	return c.Backend.Watch(ctx)
}

// TestWatchersShareOneBackendWatch: every watcher of a Store (the sessions
// of one `tokentop serve`) shares one backend watch, which stops with the
// last watcher and starts again with the next.
func TestWatchersShareOneBackendWatch(t *testing.T) {
	ctx := t.Context()
	bb, err := boltkv.Open(ctx, boltkv.Options{Path: testDB(t)})
	if err != nil {
		t.Fatal(err)
	}
	cb := &countingBackend{Backend: bb}
	s, err := OpenBackend(ctx, cb, Options{KeyFile: keyPath(bb.Path())})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sessions := make([]context.CancelFunc, 5)
	chans := make([]<-chan Change, 5)
	for i := range sessions {
		c, cancel := context.WithCancel(ctx)
		sessions[i] = cancel
		if chans[i], err = s.Watch(c); err != nil {
			t.Fatal(err)
		}
	}
	if n := cb.watches.Load(); n != 1 {
		t.Fatalf("5 watchers started %d backend watches, want 1", n)
	}
	for i, cancel := range sessions {
		cancel()
		for range chans[i] {
		}
	}
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	if _, err := s.Watch(c); err != nil {
		t.Fatal(err)
	}
	if n := cb.watches.Load(); n != 2 {
		t.Fatalf("a watcher after the last one left started %d backend watches in all, want 2", n)
	}
}

// TestProviderOf: a backend change is named by the provider it concerns;
// the change counter and the fetch locks show on no dashboard.
func TestProviderOf(t *testing.T) {
	cases := []struct {
		c    kv.Change
		name string
		ok   bool
	}{
		{kv.Change{}, "", true},
		{kv.Change{Bucket: kv.P(bTokens), Key: []byte("a")}, "a", true},
		{kv.Change{Bucket: kv.P(bSecrets), Key: []byte("b")}, "b", true},
		{kv.Change{Bucket: kv.P(bQuota, "c"), Key: []byte("d:2026")}, "c", true},
		{kv.Change{Bucket: kv.P(bExchanges, "e")}, "e", true},
		{kv.Change{Bucket: kv.P(bProviders)}, "", true},
		{kv.Change{Bucket: kv.P(bMeta), Key: []byte(kChanges)}, "", false},
		{kv.Change{Bucket: kv.P(bLeases), Key: []byte("a")}, "", false},
		{kv.Change{Bucket: kv.P("unknown"), Key: []byte("x")}, "", true},
	}
	for _, c := range cases {
		name, ok := providerOf(c.c)
		if name != c.name || ok != c.ok {
			t.Errorf("%v %q: %q %v, want %q %v", c.c.Bucket, c.c.Key, name, ok, c.name, c.ok)
		}
	}
}
