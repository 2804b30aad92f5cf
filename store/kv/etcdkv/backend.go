// Package etcdkv is the kv.Backend of an etcd cluster: tokentop's data
// shared by the machines of a team, one token per expiry window across all
// of them. See keys.go for the key layout.
//
// Update is serialisable across every client: it holds a cluster-wide
// write lock (a concurrency.Mutex on a lease of Config.WriteLockTTL),
// reads at one revision with its own writes laid over, and commits every
// write in one etcd transaction that succeeds only while the write lock is
// still its own (and each lock it Guards is still held, and the prefix is
// still tokentop's); the same transaction deletes the write lock, handing
// it on. A writer whose lease lapsed commits nothing.
package etcdkv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
	"go.uber.org/zap"

	"github.com/tokentop/tokentop/store/kv"
)

// Backend is an etcd prefix as a kv.Backend.
type Backend struct {
	cfg    Config
	keys   keys
	client *clientv3.Client

	// wmu serialises this client's Updates: they share one session, and a
	// concurrency.Mutex is one key per session.
	wmu  sync.Mutex
	wses *concurrency.Session

	locksMu sync.Mutex
	locks   map[*lock]struct{}
	closed  atomic.Bool
}

var _ kv.Backend = (*Backend)(nil)

// Open connects to the cluster and checks the prefix: one holding
// tokentop's marker is used; an empty one is marked as tokentop's; one
// holding other keys, or a marker of a layout this package does not know,
// is refused with an error wrapping kv.ErrForeign, and nothing is written.
// A cluster not reachable within the dial timeout gives an error wrapping
// kv.ErrUnreachable that names the endpoints.
func Open(ctx context.Context, c Config) (*Backend, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	cc := clientv3.Config{
		Endpoints:   c.Endpoints,
		DialTimeout: c.DialTimeout,
		Username:    c.Username,
		Password:    c.Password,
		Logger:      zap.NewNop(),
	}
	if c.TLS != nil {
		if cc.TLS, err = c.TLS.config(); err != nil {
			return nil, err
		}
	}
	client, err := clientv3.New(cc)
	if err != nil && refusal(err) {
		// The password is not in err: etcd answers a failed
		// authentication with a fixed message.
		return nil, fmt.Errorf("%s refused the user %q: %w (check the user name and password)", c.where(), c.Username, err)
	}
	if err != nil {
		err = kv.Errorf(kv.ErrUnreachable, err, "cannot connect to %s: %v", c.where(), err)
		if cc.TLS != nil {
			// With a user, the client authenticates as it connects:
			// a refused client certificate shows here as a time out.
			err = c.explainTLS(ctx, cc.TLS, err)
		}
		return nil, err
	}
	b := &Backend{cfg: c, keys: keys{prefix: c.Prefix}, client: client, locks: map[*lock]struct{}{}}
	dctx, cancel := context.WithTimeout(ctx, c.DialTimeout)
	defer cancel()
	if err := b.claimRetrying(dctx); err != nil {
		client.Close()
		if cc.TLS != nil && errors.Is(err, kv.ErrUnreachable) {
			err = c.explainTLS(ctx, cc.TLS, err)
		}
		return nil, err
	}
	return b, nil
}

// claim checks the prefix is tokentop's, marking it when it is empty. The
// mark is written only if the prefix holds no key at that moment.
func (b *Backend) claim(ctx context.Context) error {
	resp, err := b.client.Txn(ctx).
		If(clientv3.Compare(clientv3.Version(b.keys.all()), "=", 0).WithPrefix()).
		Then(clientv3.OpPut(b.keys.marker(), layoutMarker)).
		Else(clientv3.OpGet(b.keys.marker()), clientv3.OpGet(b.keys.all(), clientv3.WithPrefix(), clientv3.WithKeysOnly(), clientv3.WithLimit(1))).
		Commit()
	if err != nil {
		return b.wrap("checking the prefix", err)
	}
	if resp.Succeeded {
		return nil // an empty prefix, now marked
	}
	if kvs := resp.Responses[0].GetResponseRange().Kvs; len(kvs) == 1 {
		if string(kvs[0].Value) == layoutMarker {
			return nil
		}
		return kv.Errorf(kv.ErrForeign, nil,
			"%s cannot be used: its marker %s says %.40q, a layout this tokentop does not know (it was not changed)", b.cfg.where(), b.keys.marker(), kvs[0].Value)
	}
	first := ""
	if kvs := resp.Responses[1].GetResponseRange().Kvs; len(kvs) == 1 {
		first = string(kvs[0].Key)
	}
	return kv.Errorf(kv.ErrForeign, nil,
		"%s cannot be used: the prefix holds keys that are not tokentop's (such as %.80q) and no tokentop marker (it was not changed; choose another prefix)", b.cfg.where(), first)
}

// String names the data for messages: the endpoints and the prefix.
func (b *Backend) String() string { return b.cfg.where() }

// opContext bounds one operation by the request timeout, unless ctx ends
// sooner.
func (b *Backend) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok && d.Before(time.Now().Add(b.cfg.RequestTimeout)) {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, b.cfg.RequestTimeout)
}

// usable refuses work once ctx ended or the backend was closed.
func (b *Backend) usable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.closed.Load() {
		return kv.Errorf(kv.ErrClosed, nil, "%s: the store was closed", b.cfg.where())
	}
	return nil
}

// View runs fn over the data at one revision.
func (b *Backend) View(ctx context.Context, fn func(kv.Tx) error) error {
	if err := b.usable(ctx); err != nil {
		return err
	}
	ctx, cancel := b.opContext(ctx)
	defer cancel()
	return fn(b.newTx(ctx, false))
}

// Update runs fn under the cluster's write lock and commits its writes in
// one transaction (see the package documentation).
func (b *Backend) Update(ctx context.Context, fn func(kv.Tx) error) error {
	if err := b.usable(ctx); err != nil {
		return err
	}
	ctx, cancel := b.opContext(ctx)
	defer cancel()
	b.wmu.Lock()
	defer b.wmu.Unlock()
	m, err := b.writeLock(ctx)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			b.writeUnlock(m)
		}
	}()
	t := b.newTx(ctx, true)
	if err := fn(t); err != nil {
		return err
	}
	committed, err = b.commit(ctx, t, m)
	if err != nil {
		return err
	}
	return nil
}

// writeLock takes the cluster's write lock on this client's session,
// starting a session when there is none alive (or the one it had turns out
// to have ended).
func (b *Backend) writeLock(ctx context.Context) (*concurrency.Mutex, error) {
	for attempt := 0; ; attempt++ {
		if b.wses != nil {
			select {
			case <-b.wses.Done():
				b.wses = nil
			default:
			}
		}
		if b.wses == nil {
			s, err := b.session(ctx, b.cfg.WriteLockTTL)
			if err != nil {
				return nil, err
			}
			b.wses = s
		}
		m := concurrency.NewMutex(b.wses, b.keys.writer())
		err := m.Lock(ctx)
		switch {
		case err == nil:
			return m, nil
		case errors.Is(err, rpctypes.ErrLeaseNotFound) && attempt == 0:
			b.wses.Orphan() // its lease ended before its keep-alive noticed
			b.wses = nil
			continue
		case errors.Is(err, context.DeadlineExceeded):
			return nil, kv.Errorf(kv.ErrBusy, err, "%s is busy: another writer held its write lock (waited %s)", b.cfg.where(), b.cfg.RequestTimeout)
		}
		return nil, b.wrap("taking the write lock", err)
	}
}

// writeUnlock lets go of the write lock after an Update that committed
// nothing.
func (b *Backend) writeUnlock(m *concurrency.Mutex) {
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.RequestTimeout)
	defer cancel()
	if m.Unlock(ctx) != nil {
		// The key stays until the session ends: end it.
		b.wses.Close()
		b.wses = nil
	}
}

// session grants a lease of ttl (whole seconds, at least one) and keeps
// it alive for as long as the client lives.
func (b *Backend) session(ctx context.Context, ttl time.Duration) (*concurrency.Session, error) {
	secs := int64(ttl.Seconds())
	if float64(secs) < ttl.Seconds() || secs < 1 {
		secs++
	}
	g, err := b.client.Grant(ctx, secs)
	if err != nil {
		return nil, b.wrap("starting a lease", err)
	}
	s, err := concurrency.NewSession(b.client, concurrency.WithLease(g.ID), concurrency.WithTTL(int(secs)))
	if err != nil {
		return nil, b.wrap("keeping a lease alive", err)
	}
	return s, nil
}

// Close releases the locks this client holds, ends its write session and
// closes the connection.
func (b *Backend) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	b.locksMu.Lock()
	held := make([]*lock, 0, len(b.locks))
	for l := range b.locks {
		held = append(held, l)
	}
	b.locksMu.Unlock()
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.RequestTimeout)
	defer cancel()
	for _, l := range held {
		errs = append(errs, l.Unlock(ctx))
	}
	b.wmu.Lock()
	if b.wses != nil {
		b.wses.Close()
		b.wses = nil
	}
	b.wmu.Unlock()
	if err := b.client.Close(); err != nil && !errors.Is(err, context.Canceled) {
		errs = append(errs, fmt.Errorf("closing the connection to %s: %w", b.cfg.where(), err))
	}
	return errors.Join(errs...)
}
