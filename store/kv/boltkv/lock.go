package boltkv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/tokentop/tokentop/store/kv"
)

// leasesBucket holds one lease record per lock name, as tokentop always
// kept its fetch leases.
const leasesBucket = "leases"

// Polling for another holder's lease to end.
const (
	pollMin = 10 * time.Millisecond
	pollMax = 200 * time.Millisecond
)

// leaseRecord says which owner holds a lock, until when, and which process
// on which host holds it since when. Leases coordinate processes, so they
// use the wall clock. The JSON is the one tokentop has always written.
type leaseRecord struct {
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
	// PID, Host and Started name the holder for a waiter, and let one on
	// the same host notice that the holder died (a kill -9). Leases written
	// before these existed have none: they are waited out.
	PID     int       `json:"pid,omitempty"`
	Host    string    `json:"host,omitempty"`
	Started time.Time `json:"started,omitzero"`
}

func (r *leaseRecord) holder() kv.Holder {
	return kv.Holder{PID: r.PID, Host: r.Host, Started: r.Started}.Bounded()
}

// lock is a held lease.
type lock struct {
	b       *Backend
	name    string
	owner   string
	holder  kv.Holder
	expires time.Time

	once  sync.Once
	lost  chan struct{}
	timer *time.Timer
}

var _ kv.Lock = (*lock)(nil)

func (l *lock) Name() string          { return l.name }
func (l *lock) Holder() kv.Holder     { return l.holder }
func (l *lock) Lost() <-chan struct{} { return l.lost }

// Unlock drops the lease if it is still this lock's.
func (l *lock) Unlock(ctx context.Context) error {
	select {
	case <-l.lost:
		return nil
	default:
	}
	return l.release(ctx)
}

func (l *lock) release(ctx context.Context) error {
	err := l.b.update(ctx, func(t *tx) error {
		rec, ok := t.lease(l.name)
		if !ok || rec.Owner != l.owner {
			return nil
		}
		return t.deleteLease(l.name)
	})
	if err != nil {
		return fmt.Errorf("releasing lock %s: %w", l.name, err)
	}
	l.end()
	return nil
}

// end marks the lock as no longer held. It may run from l's expiry timer
// before hold has stored it: locksMu orders the two.
func (l *lock) end() {
	l.once.Do(func() {
		l.b.locksMu.Lock()
		if l.timer != nil {
			l.timer.Stop()
		}
		delete(l.b.locks, l)
		l.b.locksMu.Unlock()
		close(l.lost)
	})
}

// lease reads a lock's record; an unreadable one is as good as none (it
// gets replaced).
func (t *tx) lease(name string) (*leaseRecord, bool) {
	b := t.bucket(kv.P(leasesBucket))
	if b == nil {
		return nil, false
	}
	raw := b.Get([]byte(name))
	var r leaseRecord
	if raw == nil || json.Unmarshal(raw, &r) != nil {
		return nil, false
	}
	return &r, true
}

func (t *tx) putLease(name string, r leaseRecord) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding the lease of %s: %w", name, err)
	}
	if err := t.CreateBucketIfNotExists(kv.P(leasesBucket)); err != nil {
		return err
	}
	return t.Put(kv.P(leasesBucket), []byte(name), raw)
}

func (t *tx) deleteLease(name string) error { return t.Delete(kv.P(leasesBucket), []byte(name)) }

// held checks, in a transaction, that l's lease is still l's and unexpired.
func (t *tx) held(l *lock) error {
	rec, ok := t.lease(l.name)
	if ok && rec.Owner == l.owner && time.Now().Before(rec.Expires) {
		return nil
	}
	return kv.Errorf(kv.ErrLockLost, nil,
		"database %s: the lock %s is no longer held (its lease expired or was taken over); nothing was written", t.b.path, l.name)
}

// holderGone reports whether r's holder is known to have died: it ran on
// this host, is not this process, and no process has its PID any more. A
// PID now used by another process keeps the lease until it expires, as
// does a holder on another host: neither can be told from a live one.
func (b *Backend) holderGone(r *leaseRecord) bool {
	return r.PID > 0 && r.Host != "" && r.Host == b.host() && r.PID != os.Getpid() && processGone(r.PID)
}

// other reports the lease another holder has on name, which owner must
// wait for (live), or one whose holder is known dead (dead).
func (b *Backend) other(t *tx, name, owner string) (live, dead *leaseRecord) {
	rec, ok := t.lease(name)
	if !ok || rec.Owner == owner || !time.Now().Before(rec.Expires) {
		return nil, nil
	}
	if b.holderGone(rec) {
		return nil, rec
	}
	return rec, nil
}

// Lock takes the named lease, waiting (with read-only looks) while another
// live holder has it; a holder on this host whose process is gone has its
// lease taken over.
func (b *Backend) Lock(ctx context.Context, name string, o kv.LockOptions) (kv.Lock, error) {
	return b.lock(ctx, name, o, true)
}

// TryLock takes the named lease if no live holder has it.
func (b *Backend) TryLock(ctx context.Context, name string, o kv.LockOptions) (kv.Lock, error) {
	return b.lock(ctx, name, o, false)
}

func (b *Backend) lock(ctx context.Context, name string, o kv.LockOptions, wait bool) (kv.Lock, error) {
	if err := b.usable(ctx); err != nil {
		return nil, err
	}
	ttl := o.TTL
	if ttl <= 0 {
		ttl = kv.DefaultLockTTL
	}
	holder := o.Holder
	if holder == (kv.Holder{}) {
		holder = kv.Holder{PID: os.Getpid(), Host: b.host(), Started: time.Now()}
	}
	l := &lock{b: b, name: name, owner: randomOwner(), holder: holder, lost: make(chan struct{})}
	told := false
	for {
		var live, dead *leaseRecord
		err := b.update(ctx, func(t *tx) error {
			if live, dead = b.other(t, name, l.owner); live != nil {
				return nil
			}
			now := time.Now()
			l.expires = now.Add(ttl)
			return t.putLease(name, leaseRecord{Owner: l.owner, Expires: l.expires, PID: holder.PID, Host: holder.Host, Started: holder.Started})
		})
		if err != nil {
			return nil, fmt.Errorf("taking lock %s: %w", name, err)
		}
		if live == nil {
			if dead != nil && o.OnWait != nil {
				o.OnWait(kv.LockEvent{Name: name, Holder: dead.holder(), TakenOver: true})
			}
			return b.hold(l), nil
		}
		if !wait {
			return nil, &kv.HeldError{Name: name, Holder: live.holder()}
		}
		if !told && o.OnWait != nil {
			o.OnWait(kv.LockEvent{Name: name, Holder: live.holder()})
		}
		told = true
		if err := b.waitFree(ctx, name, l.owner, live.holder()); err != nil {
			return nil, err
		}
	}
}

// hold starts l's life: it ends at its lease's expiry at the latest.
func (b *Backend) hold(l *lock) *lock {
	b.locksMu.Lock()
	defer b.locksMu.Unlock()
	b.locks[l] = struct{}{}
	l.timer = time.AfterFunc(time.Until(l.expires), l.end)
	return l
}

// waitFree polls with read-only opens until name's lease is free for owner.
func (b *Backend) waitFree(ctx context.Context, name, owner string, h kv.Holder) error {
	wait := pollMin
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting for lock %s held by %s: %w", name, h, ctx.Err())
		case <-b.done:
			t.Stop()
			return kv.Errorf(kv.ErrClosed, nil, "database %s: the store was closed while waiting for lock %s", b.path, name)
		case <-t.C:
		}
		wait = min(wait*2, pollMax)
		free := false
		err := b.View(ctx, func(kt kv.Tx) error {
			live, _ := b.other(kt.(*tx), name, owner)
			free = live == nil
			return nil
		})
		if err != nil {
			return fmt.Errorf("waiting for lock %s: %w", name, err)
		}
		if free {
			return nil
		}
	}
}

func randomOwner() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
