package etcdkv

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/etcdtest"
)

// outcomes counts Updates by result.
type outcomes struct{ ok, failed, uncertain atomic.Int64 }

func (o *outcomes) add(err error) {
	switch {
	case err == nil:
		o.ok.Add(1)
	case errors.Is(err, kv.ErrUncertain):
		o.uncertain.Add(1)
	default:
		o.failed.Add(1)
	}
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func increment(ctx context.Context, b kv.Backend) error {
	return b.Update(ctx, func(tx kv.Tx) error {
		v, err := tx.Get(kv.P("state"), []byte("n"))
		if err != nil {
			return err
		}
		return tx.Put(kv.P("state"), []byte("n"), kv.U64(kv.GetU64(v)+1))
	})
}

// TestClusterSurvivesMemberLoss kills the leader of a 3-member cluster in
// the middle of an Update, while two clients increment a counter, one
// holds a lock and another waits for it: every Update that reported
// success counted exactly once, none that failed did, the lock stayed with
// its holder, kept others out and went to the waiter once unlocked, and
// the cluster goes on with the other two members.
func TestClusterSurvivesMemberLoss(t *testing.T) {
	c := etcdtest.Start(t, 3)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cfg := Config{Endpoints: c.Endpoints(), Prefix: "/cluster", WriteLockTTL: 5 * time.Second, RequestTimeout: 15 * time.Second}
	a, b := openBackend(t, cfg), openBackend(t, cfg)
	defer a.Close()
	defer b.Close()
	must(t, a.Update(ctx, func(tx kv.Tx) error { return tx.CreateBucketIfNotExists(kv.P("state")) }))
	holder := kv.Holder{PID: 4242, Host: "host-a.example"}
	la, err := a.Lock(ctx, "svc", kv.LockOptions{TTL: 5 * time.Second, Holder: holder})
	must(t, err)

	var res outcomes
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, cl := range []kv.Backend{a, b} {
		for range 2 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					res.add(increment(ctx, cl))
				}
			})
		}
	}
	waitFor(ctx, t, "increments before the loss", func() bool { return res.ok.Load() >= 5 })

	// A waiter queues for the lock before the loss and waits through it.
	waiting, got := make(chan kv.LockEvent, 1), make(chan kv.Lock, 1)
	go func() {
		l, err := b.Lock(ctx, "svc", kv.LockOptions{TTL: 5 * time.Second, OnWait: func(e kv.LockEvent) { waiting <- e }})
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	if e := <-waiting; e.Holder.PID != 4242 {
		t.Fatalf("the waiter waits for %+v", e.Holder)
	}

	leader := c.Leader()
	if leader < 0 {
		t.Fatal("no leader")
	}
	mid := a.Update(ctx, func(tx kv.Tx) error {
		v, err := tx.Get(kv.P("state"), []byte("n"))
		if err != nil {
			return err
		}
		c.Kill(leader)
		if err := tx.Put(kv.P("state"), []byte("mid"), []byte("x")); err != nil {
			return err
		}
		return tx.Put(kv.P("state"), []byte("n"), kv.U64(kv.GetU64(v)+1))
	})
	res.add(mid)
	after := res.ok.Load()
	waitFor(ctx, t, "increments after the loss", func() bool { return res.ok.Load() >= after+10 })
	close(stop)
	wg.Wait()

	var n uint64
	var midKey []byte
	must(t, b.View(ctx, func(tx kv.Tx) error {
		v, err := tx.Get(kv.P("state"), []byte("n"))
		n = kv.GetU64(v)
		if err == nil {
			midKey, err = tx.Get(kv.P("state"), []byte("mid"))
		}
		return err
	}))
	ok, uncertain := uint64(res.ok.Load()), uint64(res.uncertain.Load())
	t.Logf("counter %d: %d Updates succeeded, %d failed, %d uncertain; the mid-Update: %v", n, ok, res.failed.Load(), uncertain, mid)
	if n < ok || n > ok+uncertain {
		t.Fatalf("counter %d after %d successful and %d uncertain Updates", n, ok, uncertain)
	}
	switch {
	case mid == nil && midKey == nil:
		t.Fatal("the Update that lived through the loss reported success but wrote nothing")
	case mid != nil && !errors.Is(mid, kv.ErrUncertain) && midKey != nil:
		t.Fatalf("the Update that failed (%v) wrote", mid)
	}

	// The lock lived through the loss, with its holder, and keeps others out.
	select {
	case <-la.Lost():
		t.Fatal("the lock was lost with the member")
	default:
	}
	_, err = b.TryLock(ctx, "svc", kv.LockOptions{})
	var held *kv.HeldError
	if !errors.As(err, &held) || held.Holder.PID != 4242 {
		t.Fatalf("TryLock after the loss: %v", err)
	}
	must(t, a.Update(ctx, func(tx kv.Tx) error {
		if err := tx.Guard(la); err != nil {
			return err
		}
		return tx.Put(kv.P("state"), []byte("guarded"), []byte("x"))
	}))
	select {
	case <-got:
		t.Fatal("the waiter got the lock while its holder had it")
	default:
	}
	must(t, la.Unlock(ctx))
	lb := <-got
	if lb == nil {
		t.Fatal("the waiter did not get the lock")
	}
	must(t, lb.Unlock(ctx))
}
