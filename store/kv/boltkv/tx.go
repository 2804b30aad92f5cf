package boltkv

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/tokentop/tokentop/store/kv"
)

// tx is a kv.Tx over a bbolt transaction; btx is nil for a file not yet
// created (it reads as empty).
type tx struct {
	b        *Backend
	btx      *bolt.Tx
	writable bool
	// writes counts changes; finish bumps the change counter when any.
	writes   int
	scanning []kv.Path
	guards   []*lock
	releases []*lock
	// opened are the buckets a read-only transaction looked up last
	// (see bucket).
	opened  [8]openedBucket
	nextOld int
}

// openedBucket is a bucket a read-only transaction looked up, by its path.
type openedBucket struct {
	path kv.Path
	b    *bolt.Bucket
}

var _ kv.Tx = (*tx)(nil)

func (t *tx) Writable() bool { return t.writable }

// bucket is the bucket at p, nil when missing (or p is the root). A
// read-only transaction remembers the last few it found: bbolt allocates
// a Bucket on every lookup of one, and a reader goes back to the same
// buckets (a provider's ledger three times and a scan, for a summary),
// or to their parent. A writable one looks up every time, as its writes
// may delete them.
func (t *tx) bucket(p kv.Path) *bolt.Bucket {
	if t.btx == nil || len(p) == 0 {
		return nil
	}
	if t.writable {
		return t.open(p)
	}
	if b := t.remembered(p); b != nil {
		return b
	}
	var b *bolt.Bucket
	if len(p) == 1 {
		b = t.btx.Bucket([]byte(p[0]))
	} else if parent := t.bucket(p[:len(p)-1]); parent != nil {
		b = parent.Bucket([]byte(p[len(p)-1]))
	}
	if b != nil {
		t.opened[t.nextOld] = openedBucket{path: slices.Clone(p), b: b}
		t.nextOld = (t.nextOld + 1) % len(t.opened)
	}
	return b
}

// remembered is the bucket at p if this transaction remembers it.
func (t *tx) remembered(p kv.Path) *bolt.Bucket {
	for _, o := range t.opened {
		if o.b != nil && o.path.Equal(p) {
			return o.b
		}
	}
	return nil
}

// open walks p down from the root.
func (t *tx) open(p kv.Path) *bolt.Bucket {
	b := t.btx.Bucket([]byte(p[0]))
	for _, n := range p[1:] {
		if b == nil {
			return nil
		}
		b = b.Bucket([]byte(n))
	}
	return b
}

func (t *tx) Get(p kv.Path, key []byte) ([]byte, error) {
	b := t.bucket(p)
	if b == nil {
		return nil, nil
	}
	return bytes.Clone(b.Get(key)), nil
}

// canWrite refuses a write in a View, and one to a bucket being scanned
// (changes is the bucket whose keys the write changes; inside, when set,
// says a whole subtree goes).
func (t *tx) canWrite(changes kv.Path, subtree bool) error {
	if !t.writable {
		return kv.Errorf(kv.ErrReadOnlyTx, nil, "database %s: cannot change bucket %s in a read-only transaction", t.b.path, changes)
	}
	for _, s := range t.scanning {
		if s.Equal(changes) || (subtree && s.Within(changes)) {
			return fmt.Errorf("database %s: bucket %s changed while it is being scanned", t.b.path, s)
		}
	}
	return nil
}

func (t *tx) missing(p kv.Path) error {
	return kv.Errorf(kv.ErrBucketNotFound, nil, "database %s has no bucket %s", t.b.path, p)
}

func (t *tx) Put(p kv.Path, key, value []byte) error {
	if err := t.canWrite(p, false); err != nil {
		return err
	}
	b := t.bucket(p)
	if b == nil {
		return t.missing(p)
	}
	if len(key) == 0 {
		return fmt.Errorf("database %s: an empty key in bucket %s", t.b.path, p)
	}
	if value == nil {
		value = []byte{}
	}
	// bbolt keeps the slices until the commit: give it its own.
	if err := b.Put(bytes.Clone(key), bytes.Clone(value)); err != nil {
		return fmt.Errorf("database %s: writing %x in bucket %s: %w", t.b.path, key, p, err)
	}
	t.writes++
	return nil
}

func (t *tx) Delete(p kv.Path, key []byte) error {
	if err := t.canWrite(p, false); err != nil {
		return err
	}
	b := t.bucket(p)
	if b == nil || b.Get(key) == nil {
		return nil
	}
	if err := b.Delete(key); err != nil {
		return fmt.Errorf("database %s: deleting %x in bucket %s: %w", t.b.path, key, p, err)
	}
	t.writes++
	return nil
}

func (t *tx) Scan(p kv.Path, o kv.ScanOptions, fn func(k, v []byte) error) error {
	b := t.bucket(p)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	k, v := t.first(c, o)
	t.scanning = append(t.scanning, p)
	defer func() { t.scanning = t.scanning[:len(t.scanning)-1] }()
	for k != nil {
		if v != nil { // nil is a nested bucket
			key, val := k, v
			if o.KeysOnly {
				val = nil
			}
			if !o.Borrow || t.writable {
				key, val = bytes.Clone(key), bytes.Clone(val)
			}
			before := t.writes
			if err := fn(key, val); err != nil {
				if errors.Is(err, kv.ErrStop) {
					return nil
				}
				return err
			}
			if t.writes != before {
				// fn wrote elsewhere: find our place again.
				if k, _ = c.Seek(key); k == nil || !bytes.Equal(k, key) {
					return fmt.Errorf("database %s: bucket %s changed during a scan", t.b.path, p)
				}
			}
		}
		if o.Reverse {
			k, v = c.Prev()
		} else {
			k, v = c.Next()
		}
	}
	return nil
}

// first positions c where o says a scan starts.
func (t *tx) first(c *bolt.Cursor, o kv.ScanOptions) (k, v []byte) {
	switch {
	case o.From == nil && o.Reverse:
		return c.Last()
	case o.From == nil:
		return c.First()
	case !o.Reverse:
		return c.Seek(o.From)
	}
	k, v = c.Seek(o.From)
	if k == nil {
		return c.Last()
	}
	if !bytes.Equal(k, o.From) {
		return c.Prev()
	}
	return k, v
}

func (t *tx) Buckets(p kv.Path, fn func(name []byte) error) error {
	var err error
	each := func(name []byte) error {
		if err = fn(bytes.Clone(name)); err != nil {
			return err
		}
		return nil
	}
	if len(p) == 0 {
		if t.btx != nil {
			err = t.btx.ForEach(func(name []byte, _ *bolt.Bucket) error { return each(name) })
		}
	} else if b := t.bucket(p); b != nil {
		err = b.ForEachBucket(each)
	}
	if errors.Is(err, kv.ErrStop) {
		return nil
	}
	return err
}

func (t *tx) BucketExists(p kv.Path) (bool, error) {
	return len(p) > 0 && t.bucket(p) != nil, nil
}

func (t *tx) CreateBucketIfNotExists(p kv.Path) error {
	if len(p) == 0 {
		return fmt.Errorf("database %s: the root is not a bucket to create", t.b.path)
	}
	if t.bucket(p) != nil {
		return nil
	}
	if err := t.canWrite(p[:len(p)-1], false); err != nil {
		return err
	}
	b, err := t.btx.CreateBucketIfNotExists([]byte(p[0]))
	for i := 1; err == nil && i < len(p); i++ {
		b, err = b.CreateBucketIfNotExists([]byte(p[i]))
	}
	if err != nil {
		return fmt.Errorf("database %s: creating bucket %s: %w", t.b.path, p, err)
	}
	t.writes++
	return nil
}

func (t *tx) DeleteBucket(p kv.Path) error {
	if len(p) == 0 {
		return fmt.Errorf("database %s: the root cannot be deleted", t.b.path)
	}
	if err := t.canWrite(p, true); err != nil {
		return err
	}
	if t.bucket(p) == nil {
		return nil
	}
	parent := p[:len(p)-1]
	var err error
	if len(parent) == 0 {
		err = t.btx.DeleteBucket([]byte(p[0]))
	} else {
		err = t.bucket(parent).DeleteBucket([]byte(p[len(p)-1]))
	}
	if err != nil {
		return fmt.Errorf("database %s: deleting bucket %s: %w", t.b.path, p, err)
	}
	t.writes++
	return nil
}

func (t *tx) NextSequence(p kv.Path) (uint64, error) {
	if err := t.canWrite(p, false); err != nil {
		return 0, err
	}
	b := t.bucket(p)
	if b == nil {
		return 0, t.missing(p)
	}
	n, err := b.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("database %s: the sequence of bucket %s: %w", t.b.path, p, err)
	}
	t.writes++
	return n, nil
}

func (t *tx) Guard(l kv.Lock) error {
	bl, err := t.own(l)
	if err != nil {
		return err
	}
	if err := t.held(bl); err != nil {
		return err
	}
	t.guards = append(t.guards, bl)
	return nil
}

func (t *tx) Release(l kv.Lock) error {
	if err := t.Guard(l); err != nil {
		return err
	}
	bl := t.guards[len(t.guards)-1]
	if err := t.canWrite(kv.P(leasesBucket), false); err != nil {
		return err
	}
	if err := t.bucket(kv.P(leasesBucket)).Delete([]byte(bl.name)); err != nil {
		return fmt.Errorf("database %s: releasing lock %s: %w", t.b.path, bl.name, err)
	}
	t.writes++
	t.releases = append(t.releases, bl)
	return nil
}

// own is l as this backend's lock.
func (t *tx) own(l kv.Lock) (*lock, error) {
	bl, ok := l.(*lock)
	if !ok || bl.b != t.b {
		return nil, fmt.Errorf("database %s: lock %s belongs to another store", t.b.path, l.Name())
	}
	return bl, nil
}

// finish checks the guards once more just before the commit and counts
// the change; with nothing written it rolls back.
func (t *tx) finish() error {
	for _, l := range t.guards {
		if slices.Contains(t.releases, l) {
			continue // its record went with Release, in this transaction
		}
		if err := t.held(l); err != nil {
			return err
		}
	}
	if t.writes == 0 {
		return errNoWrite
	}
	m, err := t.btx.CreateBucketIfNotExists([]byte(kv.MetaBucket))
	if err != nil {
		return fmt.Errorf("database %s: creating bucket %s: %w", t.b.path, kv.MetaBucket, err)
	}
	return m.Put([]byte(kv.ChangesKey), kv.U64(kv.GetU64(m.Get([]byte(kv.ChangesKey)))+1))
}
