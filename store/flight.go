package store

import (
	"context"
	"errors"
	"sync"

	"golang.org/x/sync/singleflight"
)

// errAbandoned ends a flight whose every caller gave up.
var errAbandoned = errors.New("store: token fetch abandoned by every caller")

// flights runs one fetch per provider at a time in this process
// (singleflight). Every caller waits on its own context; the fetch runs on
// a context of its own that is cancelled only when all its callers have
// gone, so one impatient caller cannot fail the others, and a fetch nobody
// waits for stops (and releases its lease). The zero value is ready.
type flights struct {
	group singleflight.Group

	mu      sync.Mutex
	waiting map[string]int                // callers per key
	running map[string]context.CancelFunc // the running flight's cancel
}

// do runs fn for key unless a run is in flight, then waits for that one.
// shared reports whether the result was also handed to other callers.
func (f *flights) do(ctx context.Context, key string, fn func(context.Context) (any, error)) (v any, shared bool, err error) {
	f.mu.Lock()
	if f.waiting == nil {
		f.waiting = map[string]int{}
		f.running = map[string]context.CancelFunc{}
	}
	f.waiting[key]++
	f.mu.Unlock()

	ch := f.group.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f.mu.Lock()
		f.running[key] = cancel
		if f.waiting[key] == 0 {
			cancel()
		}
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			delete(f.running, key)
			f.mu.Unlock()
			cancel()
		}()
		v, err := fn(fctx)
		if err != nil && fctx.Err() != nil {
			err = errors.Join(errAbandoned, err)
		}
		return v, err
	})
	select {
	case r := <-ch:
		f.leave(key, false)
		return r.Val, r.Shared, r.Err
	case <-ctx.Done():
		f.leave(key, true)
		return nil, false, ctx.Err()
	}
}

// leave drops a caller; the last one to give up cancels the flight.
func (f *flights) leave(key string, gaveUp bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waiting[key]--
	if f.waiting[key] <= 0 {
		delete(f.waiting, key)
		if cancel := f.running[key]; gaveUp && cancel != nil {
			cancel()
		}
	}
}
