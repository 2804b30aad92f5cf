package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// leaseSlack is added to a provider's timeout to make its lease's life.
const leaseSlack = 10 * time.Second

// leaseRecord says which Store is fetching a provider's token, until when.
// Leases coordinate processes, so they use the wall clock, not Options.Now.
type leaseRecord struct {
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
}

// otherLease returns the live lease another holder has on the provider:
// another Store, or another flight of this one (a fetch with an override
// runs beside the usual one, so owner tells them apart). An expired lease,
// or owner's own (its flight for the provider ended, or would be running
// it), does not count.
func (s *Store) otherLease(tx *bolt.Tx, name, owner string) (*leaseRecord, error) {
	var l leaseRecord
	ok, err := s.getJSON(tx, bLeases, name, &l)
	if err != nil || !ok || l.Owner == owner || !time.Now().Before(l.Expires) {
		return nil, nil // an unreadable lease is as good as none: it gets replaced
	}
	return &l, nil
}

// takeLease records owner as fetching the provider's token for d.
func (s *Store) takeLease(tx *bolt.Tx, name, owner string, d time.Duration) error {
	return putJSON(tx, bLeases, name, leaseRecord{Owner: owner, Expires: time.Now().Add(d)})
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
