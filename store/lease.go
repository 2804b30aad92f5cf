package store

import (
	"time"

	"github.com/tokentop/tokentop/store/kv"
)

// leaseSlack is added to a provider's timeout to make its fetch lock's
// TTL, unless Options.LockSlack says otherwise.
const leaseSlack = 10 * time.Second

// LeaseHolder is the process fetching a provider's token, as its lock
// records it. A lease from an older tokentop names no PID or host.
type LeaseHolder struct {
	PID     int
	Host    string
	Started time.Time
}

// LeaseEvent is what a fetch met on its way: a lease another process holds
// (it waits for that process's token), or the lease of a holder found dead
// (it took the lease over and fetches itself).
type LeaseEvent struct {
	Provider string
	Holder   LeaseHolder
	// TakenOver is true when the holder was on this host and its process
	// is gone, so this fetch took its lease instead of waiting it out;
	// false when this fetch waits for the holder.
	TakenOver bool
}

// lockOptions are the options of the fetch lock of provider name: a TTL
// covering the fetch (on bbolt the lock is not renewed), and the waits and
// takeovers told to o.OnLease.
func lockOptions(name string, ttl time.Duration, o TokenOptions) kv.LockOptions {
	lo := kv.LockOptions{TTL: ttl}
	if o.OnLease != nil {
		lo.OnWait = func(ev kv.LockEvent) {
			h := ev.Holder.Bounded()
			o.OnLease(LeaseEvent{Provider: name, Holder: LeaseHolder{PID: h.PID, Host: h.Host, Started: h.Started}, TakenOver: ev.TakenOver})
		}
	}
	return lo
}
