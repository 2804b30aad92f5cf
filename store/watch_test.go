package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/store/kv/boltkv"
	"github.com/tokentop/tokentop/store/storetest"
)

// TestWatchSeesAnotherStore: two Stores on one bbolt file, as two
// processes would be; a watch on one reports what the other writes.
func TestWatchSeesAnotherStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokentop.db")
	open := func() *store.Store {
		s, err := store.Open(t.Context(), store.Options{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	storetest.WatchSeesOtherClient(t, a, b)
}

// TestWatchEndsWithClose: closing a Store made over a backend closes its
// watches' channels, and a Watch after that fails.
func TestWatchEndsWithClose(t *testing.T) {
	ctx := t.Context()
	bk, err := boltkv.Open(ctx, boltkv.Options{Path: filepath.Join(t.TempDir(), "tokentop.db")})
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.OpenBackend(ctx, bk, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := s.Watch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for range ch {
	}
	if _, err := s.Watch(ctx); err == nil {
		t.Fatal("Watch on a closed Store worked")
	}
}
