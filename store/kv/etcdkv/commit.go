package etcdkv

import (
	"context"
	"slices"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/tokentop/tokentop/store/kv"
)

// commitRetries bounds how often a commit the cluster did not confirm,
// and that is known not to have landed, is sent again.
const commitRetries = 3

// commit sends t's writes in one transaction guarded by the write lock m
// (and t's guards and the marker), deleting m's key in the same
// transaction. done reports that m's key is gone, so the caller need not
// unlock.
func (b *Backend) commit(ctx context.Context, t *tx, m *concurrency.Mutex) (done bool, err error) {
	if t.data == 0 && len(t.releases) == 0 {
		return false, nil
	}
	if t.data > 0 {
		if err := t.bump(); err != nil {
			return false, err
		}
	}
	ops := t.ops()
	for _, l := range t.releases {
		ops = append(ops, clientv3.OpDelete(l.key))
	}
	if len(ops) > b.cfg.MaxTxnOps {
		return false, kv.Errorf(kv.ErrTooLarge, nil,
			"%s: this change needs %d writes in one transaction and the cluster takes %d (its --max-txn-ops); nothing was written", b.cfg.where(), len(ops), b.cfg.MaxTxnOps)
	}
	ops = append(ops, clientv3.OpDelete(m.Key()))
	cmps := []clientv3.Cmp{m.IsOwner(), clientv3.Compare(clientv3.Value(b.keys.marker()), "=", layoutMarker)}
	checks := []clientv3.Op{clientv3.OpGet(m.Key()), clientv3.OpGet(b.keys.marker())}
	for _, g := range t.guards {
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(g.key), "=", g.rev))
		checks = append(checks, clientv3.OpGet(g.key))
	}
	for attempt := 0; ; attempt++ {
		resp, err := b.client.Txn(ctx).If(cmps...).Then(ops...).Else(checks...).Commit()
		if err == nil {
			if !resp.Succeeded {
				return false, b.refusal(resp, t)
			}
			for _, l := range t.releases {
				l.end()
			}
			return true, nil
		}
		applied, known := b.landed(ctx, m)
		switch {
		case known && applied:
			for _, l := range t.releases {
				l.end()
			}
			return true, nil
		case known && attempt < commitRetries && ctx.Err() == nil:
			continue // it did not land and the write lock is still ours
		case known:
			return false, b.wrap("saving a change (nothing was written)", err)
		}
		return false, kv.Errorf(kv.ErrUncertain, err,
			"%s did not confirm a change and its outcome could not be learned: it may or may not have been saved (%v)", b.cfg.where(), err)
	}
}

// landed learns whether a commit the cluster did not confirm landed: its
// write lock's key is gone only if the commit deleted it or the lock's
// lease ended. known is false when that cannot be told.
func (b *Backend) landed(ctx context.Context, m *concurrency.Mutex) (applied, known bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.cfg.RequestTimeout)
	defer cancel()
	resp, err := b.client.Get(ctx, m.Key())
	if err != nil {
		return false, false
	}
	if len(resp.Kvs) == 1 {
		return false, true // still there: not committed, and still ours
	}
	ttl, err := b.client.TimeToLive(ctx, b.wses.Lease())
	if err != nil || ttl.TTL <= 0 {
		return false, false
	}
	return true, true
}

// refusal words why a commit's conditions failed; nothing was written.
func (b *Backend) refusal(resp *clientv3.TxnResponse, t *tx) error {
	got := func(i int) []byte {
		if kvs := resp.Responses[i].GetResponseRange().Kvs; len(kvs) == 1 {
			return kvs[0].Value
		}
		return nil
	}
	if string(got(1)) != layoutMarker {
		return kv.Errorf(kv.ErrForeign, nil, "%s: the prefix's tokentop marker was removed or changed meanwhile; nothing was written", b.cfg.where())
	}
	for i, g := range t.guards {
		kvs := resp.Responses[2+i].GetResponseRange().Kvs
		if len(kvs) == 0 || kvs[0].CreateRevision != g.rev {
			return g.lostError()
		}
	}
	return kv.Errorf(kv.ErrLockLost, nil,
		"%s: the write lock's lease (%s) ended before the change was saved (a stalled client or a cut network); nothing was written", b.cfg.where(), b.cfg.WriteLockTTL)
}

// bump increments the change counter in the overlay.
func (t *tx) bump() error {
	meta := kv.P(kv.MetaBucket)
	if err := t.CreateBucketIfNotExists(meta); err != nil {
		return err
	}
	v, err := t.Get(meta, []byte(kv.ChangesKey))
	if err != nil {
		return err
	}
	t.writes[t.b.keys.key(meta, []byte(kv.ChangesKey))] = kv.U64(kv.GetU64(v) + 1)
	return nil
}

// ops are the overlay as etcd operations. A deleted bucket is a range
// deletion, split around the keys written back inside it, since one
// transaction may not both put a key and delete a range holding it.
func (t *tx) ops() []clientv3.Op {
	var ops []clientv3.Op
	written := slices.Sorted(func(yield func(string) bool) {
		for k := range t.writes {
			if !yield(k) {
				return
			}
		}
	})
	for _, dir := range outermost(t.cleared) {
		from, end := dir, clientv3.GetPrefixRangeEnd(dir)
		for _, k := range written {
			if !strings.HasPrefix(k, dir) || t.writes[k] == nil {
				continue
			}
			if k > from {
				ops = append(ops, clientv3.OpDelete(from, clientv3.WithRange(k)))
			}
			from = k + "\x00"
		}
		ops = append(ops, clientv3.OpDelete(from, clientv3.WithRange(end)))
	}
	for _, k := range written {
		switch v := t.writes[k]; {
		case v != nil:
			ops = append(ops, clientv3.OpPut(k, string(v)))
		case !t.isCleared(k):
			ops = append(ops, clientv3.OpDelete(k))
		}
	}
	return ops
}

// outermost drops directories inside others of the list.
func outermost(dirs []string) []string {
	dirs = slices.Clone(dirs)
	slices.Sort(dirs)
	var out []string
	for _, d := range dirs {
		if len(out) > 0 && strings.HasPrefix(d, out[len(out)-1]) {
			continue
		}
		out = append(out, d)
	}
	return out
}
