package etcdkv

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tokentop/tokentop/store/kv"
)

// rewatchDelay spaces out watches started again after one failed.
const rewatchDelay = 100 * time.Millisecond

// Watch reports each change to the data from the revision current when
// it is called: every write committed after Watch returns is seen. When
// the watch has to start again (a lost leader, a compacted revision) a
// Change with a nil Bucket says anything may have changed.
func (b *Backend) Watch(ctx context.Context) (<-chan kv.Change, error) {
	if err := b.usable(ctx); err != nil {
		return nil, err
	}
	octx, cancel := b.opContext(ctx)
	resp, err := b.client.Get(octx, b.keys.marker())
	cancel()
	if err != nil {
		return nil, b.wrap("starting to watch", err)
	}
	ctx, stop := context.WithCancel(ctx)
	f := kv.NewFeed(ctx)
	go func() {
		defer stop() // closes the channel when the backend is closed too
		b.watch(ctx, f, resp.Header.Revision+1)
	}()
	return f.C(), nil
}

func (b *Backend) watch(ctx context.Context, f *kv.Feed, from int64) {
	for ctx.Err() == nil && !b.closed.Load() {
		wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
		for resp := range b.client.Watch(wctx, b.keys.data(), clientv3.WithPrefix(), clientv3.WithRev(from)) {
			if resp.Err() != nil {
				f.Send(kv.Change{})
				if resp.CompactRevision > from {
					from = resp.CompactRevision
				}
				break
			}
			for _, ev := range resp.Events {
				f.Send(b.keys.change(string(ev.Kv.Key)))
				from = ev.Kv.ModRevision + 1
			}
		}
		cancel()
		t := time.NewTimer(rewatchDelay)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}
