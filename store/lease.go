package store

import (
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// leaseSlack is added to a provider's timeout to make its lease's life.
const leaseSlack = 10 * time.Second

// leaseRecord says which Store is fetching a provider's token, until when,
// and which process on which host holds it since when. Leases coordinate
// processes, so they use the wall clock, not Options.Now.
type leaseRecord struct {
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
	// PID, Host and Started name the holder for a waiter, and let one on
	// the same host notice that the holder died (a kill -9 mid-fetch).
	// Leases written before these existed have none: they are waited out.
	PID     int       `json:"pid,omitempty"`
	Host    string    `json:"host,omitempty"`
	Started time.Time `json:"started,omitzero"`
}

// holder is the public view of the lease's holder.
func (l *leaseRecord) holder() LeaseHolder {
	return LeaseHolder{PID: l.PID, Host: l.Host, Started: l.Started}
}

// LeaseHolder is the process fetching a provider's token, as its lease
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

// otherLease looks at the provider's lease for owner. live is the lease
// another holder has, which owner must wait for: another Store, or
// another flight of this one (a fetch with an override runs beside the
// usual one, so owner tells them apart). dead is an unexpired lease whose
// holder is known gone (on this host, no such process), which owner may
// take over. An expired lease, or owner's own (its flight for the provider
// ended, or would be running it), is neither.
func (s *Store) otherLease(tx *bolt.Tx, name, owner string) (live, dead *leaseRecord) {
	var l leaseRecord
	ok, err := s.getJSON(tx, bLeases, name, &l)
	if err != nil || !ok || l.Owner == owner || !time.Now().Before(l.Expires) {
		return nil, nil // an unreadable lease is as good as none: it gets replaced
	}
	if s.holderGone(&l) {
		return nil, &l
	}
	return &l, nil
}

// holderGone reports whether l's holder is known to have died: it ran on
// this host, is not this process, and no process has its PID any more. A
// PID now used by another process keeps the lease until it expires, as
// does a holder on another host: neither can be told from a live one.
func (s *Store) holderGone(l *leaseRecord) bool {
	return l.PID > 0 && l.Host != "" && l.Host == s.host() && l.PID != os.Getpid() && processGone(l.PID)
}

// takeLease records owner, this process and this host as fetching the
// provider's token for d.
func (s *Store) takeLease(tx *bolt.Tx, name, owner string, d time.Duration) error {
	now := time.Now()
	return putJSON(tx, bLeases, name, leaseRecord{Owner: owner, Expires: now.Add(d), PID: os.Getpid(), Host: s.host(), Started: now})
}

// releaseLease drops the provider's lease if it is still owner's.
func (s *Store) releaseLease(tx *bolt.Tx, name, owner string) error {
	var l leaseRecord
	ok, err := s.getJSON(tx, bLeases, name, &l)
	if !ok || (err == nil && l.Owner != owner) {
		return nil
	}
	return del(tx, bLeases, name)
}
