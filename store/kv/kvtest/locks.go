package kvtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentop/tokentop/store/kv"
)

// holderA is a holder on a host that is not this one, so that no backend
// judges it dead from its PID.
func holderA() kv.Holder {
	return kv.Holder{PID: 4242, Host: "host-a.example", Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func lockOpts(h Harness, who kv.Holder, onWait func(kv.LockEvent)) kv.LockOptions {
	return kv.LockOptions{TTL: h.LockTTL, Holder: who, OnWait: onWait}
}

// isLost reports whether l's Lost channel is closed.
func isLost(l kv.Lock) bool {
	select {
	case <-l.Lost():
		return true
	default:
		return false
	}
}

func testLockExclusion(t *testing.T, h Harness) {
	opener := h.New(t)
	a, b := open(t, opener), open(t, opener)
	ctx := t.Context()
	la, err := a.Lock(ctx, "svc", lockOpts(h, holderA(), nil))
	must(t, err)
	if la.Name() != "svc" || la.Holder() != holderA() || isLost(la) {
		t.Fatalf("lock %s held by %v, lost %v", la.Name(), la.Holder(), isLost(la))
	}
	_, err = b.TryLock(ctx, "svc", lockOpts(h, kv.Holder{}, nil))
	var held *kv.HeldError
	if !errors.As(err, &held) || !errors.Is(err, kv.ErrHeld) {
		t.Fatalf("TryLock of a held lock: %v, want a HeldError", err)
	}
	if held.Holder.PID != 4242 || held.Holder.Host != "host-a.example" || !held.Holder.Started.Equal(holderA().Started) {
		t.Fatalf("TryLock names the holder %+v, want %+v", held.Holder, holderA())
	}
	// Another name is another lock.
	other, err := b.TryLock(ctx, "other", lockOpts(h, kv.Holder{}, nil))
	must(t, err)
	must(t, other.Unlock(ctx))

	waiting := make(chan kv.LockEvent, 1)
	got := make(chan kv.Lock, 1)
	go func() {
		lb, err := b.Lock(ctx, "svc", lockOpts(h, kv.Holder{}, func(e kv.LockEvent) { waiting <- e }))
		if err != nil {
			t.Error(err)
		}
		got <- lb
	}()
	ev := <-waiting
	if ev.Name != "svc" || ev.Holder.PID != 4242 || ev.Holder.Host != "host-a.example" || ev.TakenOver {
		t.Fatalf("the waiter heard %+v", ev)
	}
	select {
	case <-got:
		t.Fatal("Lock returned while another client held the lock")
	default:
	}
	must(t, la.Unlock(ctx))
	if !isLost(la) {
		t.Error("Lost is not closed after Unlock")
	}
	must(t, la.Unlock(ctx)) // twice is no error
	lb := <-got
	if lb == nil {
		t.Fatal("the waiter did not get the lock")
	}
	if _, err := a.TryLock(ctx, "svc", lockOpts(h, kv.Holder{}, nil)); !errors.Is(err, kv.ErrHeld) {
		t.Fatalf("TryLock while the waiter holds it: %v", err)
	}
	must(t, lb.Unlock(ctx))

	// A waiter whose context ends gives up with an error naming the holder.
	la, err = a.Lock(ctx, "svc", lockOpts(h, holderA(), nil))
	must(t, err)
	cctx, cancel := context.WithCancel(ctx)
	_, err = b.Lock(cctx, "svc", lockOpts(h, kv.Holder{}, func(kv.LockEvent) { cancel() }))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled waiter: %v", err)
	}
	must(t, la.Unlock(ctx))
	if l, err := b.TryLock(ctx, "svc", lockOpts(h, kv.Holder{}, nil)); err != nil {
		t.Fatalf("the lock is not free after a cancelled waiter: %v", err)
	} else {
		must(t, l.Unlock(ctx))
	}
}

func testLockMutualExclusion(t *testing.T, h Harness) {
	opener := h.New(t)
	clients := []kv.Backend{open(t, opener), open(t, opener)}
	ctx := t.Context()
	var inside, entered atomic.Int32
	var wg sync.WaitGroup
	for _, c := range clients {
		for g := range 3 {
			wg.Go(func() {
				for range 3 {
					l, err := c.Lock(ctx, "svc", lockOpts(h, kv.Holder{PID: 1000 + g, Host: "host-b.example"}, nil))
					if err != nil {
						t.Error(err)
						return
					}
					if n := inside.Add(1); n != 1 {
						t.Errorf("%d holders at once", n)
					}
					entered.Add(1)
					time.Sleep(time.Millisecond)
					inside.Add(-1)
					if err := l.Unlock(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	if entered.Load() != 18 {
		t.Fatalf("%d of 18 lock holds happened", entered.Load())
	}
}

func testDeadHolder(t *testing.T, h Harness) {
	opener := h.New(t)
	a := opener(t) // crashed, not closed
	b := open(t, opener)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	la, err := a.Lock(ctx, "svc", lockOpts(h, holderA(), nil))
	must(t, err)
	h.Crash(t, a)
	var heard []kv.LockEvent
	lb, err := b.Lock(ctx, "svc", lockOpts(h, kv.Holder{}, func(e kv.LockEvent) { heard = append(heard, e) }))
	if err != nil {
		t.Fatalf("the lock of a dead holder was not freed: %v", err)
	}
	defer lb.Unlock(ctx)
	if len(heard) > 1 || (len(heard) == 1 && heard[0].Holder.PID != 4242) {
		t.Errorf("the waiter heard %+v", heard)
	}
	_ = la
}

func testGuardLost(t *testing.T, h Harness) {
	opener := h.New(t)
	a, b := open(t, opener), open(t, opener)
	ctx := t.Context()
	p := kv.P("tokens")
	put(t, a, p, "svc", "old")
	l, err := a.Lock(ctx, "svc", lockOpts(h, kv.Holder{}, nil))
	must(t, err)
	must(t, a.Update(ctx, func(tx kv.Tx) error {
		if err := tx.Guard(l); err != nil {
			return err
		}
		return tx.Put(p, []byte("svc"), []byte("guarded"))
	}))
	if v := get(t, b, p, "svc"); string(v) != "guarded" {
		t.Fatalf("a guarded Update under a held lock wrote %q", v)
	}
	h.Expire(t, a, l)
	select {
	case <-l.Lost():
	case <-time.After(time.Minute):
		t.Fatal("Lost was not closed after the lock's lease ended")
	}
	// Another client may take it now; the old holder's write must not land.
	lb, err := b.Lock(ctx, "svc", lockOpts(h, kv.Holder{}, nil))
	must(t, err)
	defer lb.Unlock(ctx)
	err = a.Update(ctx, func(tx kv.Tx) error {
		if err := tx.Put(p, []byte("svc"), []byte("stale")); err != nil {
			return err
		}
		return tx.Guard(l)
	})
	if !errors.Is(err, kv.ErrLockLost) {
		t.Fatalf("an Update guarded by a lost lock: %v, want ErrLockLost", err)
	}
	if v := get(t, b, p, "svc"); string(v) != "guarded" {
		t.Fatalf("the lost lock's Update wrote %q", v)
	}
}

func testRelease(t *testing.T, h Harness) {
	opener := h.New(t)
	a, b := open(t, opener), open(t, opener)
	ctx := t.Context()
	p := kv.P("tokens")
	l, err := a.Lock(ctx, "svc", lockOpts(h, kv.Holder{}, nil))
	must(t, err)
	err = a.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.Release(l))
		return fmt.Errorf("roll back")
	})
	if err == nil {
		t.Fatal("Update did not fail")
	}
	if isLost(l) {
		t.Fatal("a rolled-back Release ended the lock")
	}
	if _, err := b.TryLock(ctx, "svc", lockOpts(h, kv.Holder{}, nil)); !errors.Is(err, kv.ErrHeld) {
		t.Fatalf("after a rolled-back Release, TryLock: %v", err)
	}
	must(t, a.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.CreateBucketIfNotExists(p))
		must(t, tx.Put(p, []byte("svc"), []byte("token")))
		return tx.Release(l)
	}))
	if !isLost(l) {
		t.Fatal("a committed Release did not end the lock")
	}
	lb, err := b.TryLock(ctx, "svc", lockOpts(h, kv.Holder{}, nil))
	if err != nil {
		t.Fatalf("after a committed Release, TryLock: %v", err)
	}
	must(t, lb.Unlock(ctx))
	if v := get(t, b, p, "svc"); string(v) != "token" {
		t.Fatalf("the Release's Update wrote %q", v)
	}
}

func testWatch(t *testing.T, h Harness) {
	opener := h.New(t)
	a, b := open(t, opener), open(t, opener)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	put(t, a, kv.P("providers"), "first", "x")
	wctx, stop := context.WithCancel(ctx)
	ch, err := a.Watch(wctx)
	must(t, err)
	put(t, b, kv.P("tokens"), "svc", "token")
	for c := range ch {
		if c.Bucket == nil || (c.Bucket.Equal(kv.P("tokens")) && string(c.Key) == "svc") {
			break // the write reported (a nil Bucket: anything may have changed)
		}
		if !c.Bucket.Equal(kv.P(kv.MetaBucket)) {
			t.Errorf("a change no one made: %v %q", c.Bucket, c.Key)
		}
	}
	if ctx.Err() != nil {
		t.Fatal("Watch did not report another client's write")
	}
	stop()
	for range ch {
	}
}
