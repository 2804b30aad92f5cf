package etcdkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/tokentop/tokentop/store/kv"
)

// lock is a named lock held through its own session: the lease ends when
// the holder's client stops keeping it alive (or is revoked), and with it
// the lock.
type lock struct {
	b      *Backend
	name   string
	holder kv.Holder
	sess   *concurrency.Session
	key    string
	rev    int64 // the key's create revision: the lock is ours while it stays
	once   sync.Once
}

var _ kv.Lock = (*lock)(nil)

func (l *lock) Name() string          { return l.name }
func (l *lock) Holder() kv.Holder     { return l.holder }
func (l *lock) Lost() <-chan struct{} { return l.sess.Done() }

// Unlock revokes the lock's lease, which deletes its key.
func (l *lock) Unlock(ctx context.Context) error {
	var err error
	l.once.Do(func() {
		l.b.forget(l)
		select {
		case <-l.sess.Done():
			return // the lease ended already, and the lock with it
		default:
		}
		l.sess.Orphan()
		if _, rerr := l.b.client.Revoke(ctx, l.sess.Lease()); rerr != nil && !errors.Is(rerr, rpctypes.ErrLeaseNotFound) {
			err = fmt.Errorf("releasing lock %s (its lease ends by itself within its TTL): %w", l.name, l.b.wrap("revoking a lease", rerr))
		}
	})
	return err
}

// end follows a committed Release: the key is gone; end the lease too.
func (l *lock) end() {
	ctx, cancel := context.WithTimeout(context.Background(), l.b.cfg.RequestTimeout)
	defer cancel()
	_ = l.Unlock(ctx)
}

func (l *lock) lostError() error {
	return kv.Errorf(kv.ErrLockLost, nil,
		"%s: the lock %s is no longer held (its lease ended: a stalled client or a cut network); nothing was written", l.b.cfg.where(), l.name)
}

func (b *Backend) forget(l *lock) {
	b.locksMu.Lock()
	delete(b.locks, l)
	b.locksMu.Unlock()
}

// Lock takes the named lock, waiting for the holders queued before it.
func (b *Backend) Lock(ctx context.Context, name string, o kv.LockOptions) (kv.Lock, error) {
	return b.lock(ctx, name, o, true)
}

// TryLock takes the named lock if no one holds it.
func (b *Backend) TryLock(ctx context.Context, name string, o kv.LockOptions) (kv.Lock, error) {
	return b.lock(ctx, name, o, false)
}

func (b *Backend) lock(ctx context.Context, name string, o kv.LockOptions, wait bool) (_ kv.Lock, err error) {
	if err := b.usable(ctx); err != nil {
		return nil, err
	}
	ttl := o.TTL
	if ttl <= 0 {
		ttl = kv.DefaultLockTTL
	}
	holder := o.Holder
	if holder == (kv.Holder{}) {
		host, _ := os.Hostname()
		holder = kv.Holder{PID: os.Getpid(), Host: host, Started: time.Now()}
	}
	info, err := json.Marshal(holder)
	if err != nil {
		return nil, fmt.Errorf("encoding the holder of lock %s: %w", name, err)
	}
	octx, cancel := b.opContext(ctx)
	defer cancel()
	sess, err := b.session(octx, ttl)
	if err != nil {
		return nil, fmt.Errorf("taking lock %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			sess.Close()
		}
	}()
	// Queue with the holder's description as the key's value (a Mutex
	// finds its key already there and keeps it), and learn who is first.
	pfx := b.keys.lock(name)
	key := fmt.Sprintf("%s/%x", pfx, sess.Lease())
	first := clientv3.OpGet(pfx+"/", clientv3.WithFirstCreate()...)
	// Queueing is idempotent (the put only when the key is not there yet),
	// so a member stopping under it is retried on another.
	var resp *clientv3.TxnResponse
	err = retryIdempotent(octx, func() (err error) {
		resp, err = b.client.Txn(octx).
			If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
			Then(clientv3.OpPut(key, string(info), clientv3.WithLease(sess.Lease())), first).
			Else(first).Commit()
		return err
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("taking lock %s: %w", name, b.wrap("queueing for a lock", err))
	}
	rev := resp.Header.Revision
	owners := resp.Responses[len(resp.Responses)-1].GetResponseRange().Kvs
	if len(owners) == 1 && string(owners[0].Key) != key {
		var h kv.Holder
		_ = json.Unmarshal(owners[0].Value, &h) // an unreadable holder is an unknown one
		h = h.Bounded()
		if !wait {
			return nil, &kv.HeldError{Name: name, Holder: h}
		}
		if o.OnWait != nil {
			o.OnWait(kv.LockEvent{Name: name, Holder: h})
		}
		m := concurrency.NewMutex(sess, pfx)
		if err := m.Lock(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("waiting for lock %s held by %s: %w", name, h, ctx.Err())
			}
			return nil, fmt.Errorf("waiting for lock %s: %w", name, b.wrap("waiting for a lock", err))
		}
	}
	l := &lock{b: b, name: name, holder: holder, sess: sess, key: key, rev: rev}
	b.locksMu.Lock()
	b.locks[l] = struct{}{}
	b.locksMu.Unlock()
	return l, nil
}
