package store

import (
	"context"
	"sync"

	"github.com/tokentop/tokentop/store/kv"
)

// Change says what changed in the data, written by any client (this
// Store included): one provider's data, or, with Provider empty, anything.
type Change struct {
	// Provider is the provider whose data changed; "" means anything may
	// have changed.
	Provider string
}

// watchHub shares one backend watch among every Watch of a Store (the
// sessions of `tokentop serve` share one Store, so one watch): it starts
// with the first watcher and stops with the last.
type watchHub struct {
	mu   sync.Mutex
	subs map[*kv.Feed]context.CancelFunc
	stop context.CancelFunc // ends the backend's watch; nil when none runs
	gen  uint64             // counts the backend watches started
}

// Watch reports changes to the data from any client until ctx ends or
// the Store is closed; then the channel is closed. Over etcd it follows
// the cluster's watch, so a token fetched on another machine is reported
// at once; over bbolt the backend looks at the file's change counter a
// couple of times a second. Changes may be coalesced, and a reader that
// falls behind gets one "anything changed" instead of a backlog: the
// channel never holds more than a few dozen changes.
func (s *Store) Watch(ctx context.Context) (<-chan Change, error) {
	subCtx, cancel := context.WithCancel(ctx)
	f := kv.NewFeed(subCtx)
	if err := s.hub.add(s.b, f, cancel); err != nil {
		cancel()
		return nil, storeErr(err)
	}
	out := make(chan Change)
	go func() {
		defer close(out)
		defer s.hub.remove(f)
		for c := range f.C() {
			select {
			case out <- Change{Provider: firstName(c.Bucket)}:
			case <-subCtx.Done():
				return
			}
		}
	}()
	return out, nil
}

// firstName is the provider a fed change names ("" for anything).
func firstName(p kv.Path) string {
	if len(p) == 0 {
		return ""
	}
	return p[0]
}

// add registers f, starting the backend's watch for the first one.
func (h *watchHub) add(b kv.Backend, f *kv.Feed, cancel context.CancelFunc) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stop == nil {
		ctx, stop := context.WithCancel(context.Background())
		ch, err := b.Watch(ctx)
		if err != nil {
			stop()
			return err
		}
		h.stop = stop
		h.gen++
		go h.relay(ch, h.gen)
	}
	if h.subs == nil {
		h.subs = map[*kv.Feed]context.CancelFunc{}
	}
	h.subs[f] = cancel
	return nil
}

// remove forgets f, stopping the backend's watch after the last one.
func (h *watchHub) remove(f *kv.Feed) {
	h.mu.Lock()
	defer h.mu.Unlock()
	cancel, ok := h.subs[f]
	if !ok {
		return
	}
	cancel()
	delete(h.subs, f)
	if len(h.subs) == 0 && h.stop != nil {
		h.stop()
		h.stop = nil
	}
}

// relay hands each backend change, named by provider, to every watcher;
// when the backend's watch ends (the Store closed) every watcher's
// channel is closed.
func (h *watchHub) relay(ch <-chan kv.Change, gen uint64) {
	for c := range ch {
		name, ok := providerOf(c)
		if !ok {
			continue
		}
		var to kv.Change
		if name != "" {
			to.Bucket = kv.P(name)
		}
		h.mu.Lock()
		for f := range h.subs {
			f.Send(to)
		}
		h.mu.Unlock()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stop == nil || h.gen != gen {
		return // stopped by remove; a later watch may run already
	}
	for f, cancel := range h.subs {
		cancel()
		delete(h.subs, f)
	}
	h.stop = nil
}

// end stops the backend's watch and closes every watcher's channel (Close).
func (h *watchHub) end() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stop != nil {
		h.stop()
		h.stop = nil
	}
	for f, cancel := range h.subs {
		cancel()
		delete(h.subs, f)
	}
}

// providerOf names the provider a backend change concerns: "" for
// anything, and ok false for a change that shows on no dashboard (the
// change counter, which moves with every other write, and the fetch
// locks).
func providerOf(c kv.Change) (name string, ok bool) {
	if len(c.Bucket) == 0 {
		return "", true
	}
	switch c.Bucket[0] {
	case bMeta, bLeases:
		return "", false
	case bProviders, bSecrets, bTokens, bState:
		if len(c.Bucket) == 1 && c.Key != nil {
			return string(c.Key), true
		}
	case bQuota, bExchanges:
		if len(c.Bucket) >= 2 {
			return c.Bucket[1], true
		}
	}
	return "", true
}
