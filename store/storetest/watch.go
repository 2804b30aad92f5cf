package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tokentop/tokentop/store"
)

// watchWait bounds the wait for a change to be reported: a failure bound,
// far above what it takes, not a measure.
const watchWait = 30 * time.Second

// WatchSeesOtherClient: a watch on b reports a provider added and a
// token fetched through a, another client of the same data, by provider
// name (or as "anything changed"); a second watch on b shares the
// first's feed and hears the same; both channels close when their
// contexts end.
func WatchSeesOtherClient(t *testing.T, a, b *store.Store) {
	t.Helper()
	ts := NewTokenServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	first, err := b.Watch(ctx)
	must(t, err)
	second, err := b.Watch(ctx)
	must(t, err)

	must(t, a.PutProvider(t.Context(), ts.Provider("watched")))
	for _, ch := range []<-chan store.Change{first, second} {
		waitChange(t, ch, "watched", "the provider added")
	}
	if _, err := a.Token(t.Context(), "watched", store.TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []<-chan store.Change{first, second} {
		waitToken(t, ch, b, "watched")
	}
	cancel()
	for _, ch := range []<-chan store.Change{first, second} {
		drained := time.NewTimer(watchWait)
		for open := true; open; {
			select {
			case _, open = <-ch:
			case <-drained.C:
				t.Fatal("a watch's channel stayed open after its context ended")
			}
		}
		drained.Stop()
	}
}

// waitChange waits for a change naming name (or anything).
func waitChange(t *testing.T, ch <-chan store.Change, name, what string) {
	t.Helper()
	deadline := time.NewTimer(watchWait)
	defer deadline.Stop()
	for {
		select {
		case c, ok := <-ch:
			if !ok {
				t.Fatalf("the watch ended before reporting %s", what)
			}
			if c.Provider == name || c.Provider == "" {
				return
			}
		case <-deadline.C:
			t.Fatalf("no change reported for %s within %s", what, watchWait)
		}
	}
}

// waitToken waits for changes until b itself holds a cached token of
// name: what a dashboard does (reload on each change).
func waitToken(t *testing.T, ch <-chan store.Change, b *store.Store, name string) {
	t.Helper()
	for {
		if _, err := b.CachedToken(t.Context(), name); err == nil {
			return
		}
		waitChange(t, ch, name, "the token fetched")
	}
}
