package boltkv

import (
	"context"
	"time"

	"github.com/tokentop/tokentop/store/kv"
)

// Watch polls the change counter every poll interval with a read-only
// open; bbolt cannot tell what changed, so each Change has a nil Bucket.
// A look that fails (the file busy past the lock timeout, or gone) is
// skipped; the next one tries again.
func (b *Backend) Watch(ctx context.Context) (<-chan kv.Change, error) {
	last, err := b.counter(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	f := kv.NewFeed(ctx)
	go func() {
		defer cancel()
		tick := time.NewTicker(b.poll)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-b.done:
				return
			case <-tick.C:
			}
			n, err := b.counter(ctx)
			if err == nil && n != last {
				last = n
				f.Send(kv.Change{})
			}
		}
	}()
	return f.C(), nil
}

// counter reads the change counter.
func (b *Backend) counter(ctx context.Context) (uint64, error) {
	var n uint64
	err := b.View(ctx, func(t kv.Tx) error {
		v, err := t.Get(kv.P(kv.MetaBucket), []byte(kv.ChangesKey))
		n = kv.GetU64(v)
		return err
	})
	return n, err
}
