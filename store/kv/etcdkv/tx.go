package etcdkv

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tokentop/tokentop/store/kv"
)

// pageSize is how many keys a scan asks for at once: memory stays bounded
// whatever a bucket holds.
const pageSize = 256

// tx reads at one revision (fixed by its first read) and, in an Update,
// keeps its writes in an overlay that reads see and the commit sends.
type tx struct {
	b        *Backend
	ctx      context.Context
	writable bool
	rev      int64

	// writes are the overlay: a nil value is a deletion.
	writes map[string][]byte
	// seen caches the cluster's answers (nil: missing), all at rev.
	seen map[string][]byte
	// cleared are bucket directories deleted with everything in them.
	cleared []string
	// data counts writes to the data (not to locks): they move the change
	// counter.
	data     int
	scanning []kv.Path
	guards   []*lock
	releases []*lock
}

var _ kv.Tx = (*tx)(nil)

func (b *Backend) newTx(ctx context.Context, writable bool) *tx {
	return &tx{b: b, ctx: ctx, writable: writable, writes: map[string][]byte{}, seen: map[string][]byte{}}
}

func (t *tx) Writable() bool { return t.writable }

// get reads a key from the cluster at the transaction's revision.
func (t *tx) get(key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	if t.rev != 0 {
		opts = append(opts, clientv3.WithRev(t.rev))
	}
	resp, err := t.b.client.Get(t.ctx, key, opts...)
	if err != nil {
		return nil, t.b.wrap("reading", err)
	}
	if t.rev == 0 {
		t.rev = resp.Header.Revision
	}
	return resp, nil
}

// isCleared reports whether key lies in a deleted bucket.
func (t *tx) isCleared(key string) bool {
	for _, d := range t.cleared {
		if strings.HasPrefix(key, d) {
			return true
		}
	}
	return false
}

// read is key's value as this transaction sees it (nil when missing).
func (t *tx) read(key string) ([]byte, error) {
	if v, ok := t.writes[key]; ok {
		return bytes.Clone(v), nil
	}
	if t.isCleared(key) {
		return nil, nil
	}
	if v, ok := t.seen[key]; ok {
		return bytes.Clone(v), nil
	}
	resp, err := t.get(key)
	if err != nil {
		return nil, err
	}
	var v []byte
	if len(resp.Kvs) == 1 {
		v = append([]byte{}, resp.Kvs[0].Value...)
	}
	t.seen[key] = v
	return bytes.Clone(v), nil
}

func (t *tx) Get(p kv.Path, key []byte) ([]byte, error) {
	if len(p) == 0 || len(key) == 0 {
		return nil, nil
	}
	return t.read(t.b.keys.key(p, key))
}

// canWrite refuses a write in a View, and one to a bucket being scanned
// (subtree: the write removes the bucket changes and all it holds).
func (t *tx) canWrite(changes kv.Path, subtree bool) error {
	if !t.writable {
		return kv.Errorf(kv.ErrReadOnlyTx, nil, "%s: cannot change bucket %s in a read-only transaction", t.b.cfg.where(), changes)
	}
	for _, s := range t.scanning {
		if s.Equal(changes) || (subtree && s.Within(changes)) {
			return fmt.Errorf("%s: bucket %s changed while it is being scanned", t.b.cfg.where(), s)
		}
	}
	return nil
}

func (t *tx) exists(p kv.Path) (bool, error) {
	if len(p) == 0 {
		return false, nil
	}
	v, err := t.read(t.b.keys.bucket(p))
	return v != nil, err
}

// mustExist fails with ErrBucketNotFound when bucket p is missing.
func (t *tx) mustExist(p kv.Path) error {
	ok, err := t.exists(p)
	if err == nil && !ok {
		err = kv.Errorf(kv.ErrBucketNotFound, nil, "%s has no bucket %s", t.b.cfg.where(), p)
	}
	return err
}

func (t *tx) write(key string, value []byte) {
	t.writes[key] = value
	t.data++
}

func (t *tx) Put(p kv.Path, key, value []byte) error {
	if err := t.canWrite(p, false); err != nil {
		return err
	}
	if err := t.mustExist(p); err != nil {
		return err
	}
	if len(key) == 0 {
		return fmt.Errorf("%s: an empty key in bucket %s", t.b.cfg.where(), p)
	}
	t.write(t.b.keys.key(p, key), append([]byte{}, value...))
	return nil
}

func (t *tx) Delete(p kv.Path, key []byte) error {
	if err := t.canWrite(p, false); err != nil {
		return err
	}
	if len(p) == 0 || len(key) == 0 {
		return nil
	}
	k := t.b.keys.key(p, key)
	if v, err := t.read(k); err != nil || v == nil {
		return err
	}
	t.write(k, nil)
	return nil
}

func (t *tx) Scan(p kv.Path, o kv.ScanOptions, fn func(k, v []byte) error) error {
	if len(p) == 0 {
		return nil
	}
	t.scanning = append(t.scanning, p)
	defer func() { t.scanning = t.scanning[:len(t.scanning)-1] }()
	err := t.scan(t.b.keys.keys(p), o, func(k string, v []byte) error {
		raw, err := hex.DecodeString(k)
		if err != nil {
			return nil // not a key of this layout: not ours to show
		}
		return fn(raw, v)
	})
	if errors.Is(err, kv.ErrStop) {
		return nil
	}
	return err
}

func (t *tx) Buckets(p kv.Path, fn func(name []byte) error) error {
	err := t.scan(t.b.keys.buckets(p), kv.ScanOptions{KeysOnly: true}, func(k string, _ []byte) error {
		raw, err := hex.DecodeString(k)
		if err != nil {
			return nil
		}
		return fn(raw)
	})
	if errors.Is(err, kv.ErrStop) {
		return nil
	}
	return err
}

// overlayKeys are the overlay's keys in [start, end), in scan order.
func (t *tx) overlayKeys(start, end string, reverse bool) []string {
	var mine []string
	for k := range maps.Keys(t.writes) {
		if k >= start && k < end {
			mine = append(mine, k)
		}
	}
	slices.Sort(mine)
	if reverse {
		slices.Reverse(mine)
	}
	return mine
}

// scan merges the cluster's keys under prefix (a page at a time) with the
// overlay's, in order, calling fn with each key's part after prefix.
func (t *tx) scan(prefix string, o kv.ScanOptions, fn func(k string, v []byte) error) error {
	start, end := prefix, clientv3.GetPrefixRangeEnd(prefix)
	if o.From != nil {
		from := prefix + hex.EncodeToString(o.From)
		if o.Reverse {
			end = from + "\x00"
		} else {
			start = from
		}
	}
	// fn may not write under prefix (canWrite), so the overlay's keys
	// stay as they are.
	mine := t.overlayKeys(start, end, o.Reverse)
	before := func(a, b string) bool { return (a < b) != o.Reverse }
	emit := func(k string, v []byte) error {
		if o.KeysOnly {
			v = nil
		}
		return fn(strings.TrimPrefix(k, prefix), v)
	}
	// flush emits the overlay's keys that come before key ("" = all).
	flush := func(key string) error {
		for len(mine) > 0 && (key == "" || before(mine[0], key)) {
			k := mine[0]
			mine = mine[1:]
			if v := t.writes[k]; v != nil {
				if err := emit(k, bytes.Clone(v)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for {
		opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(pageSize)}
		if o.Reverse {
			opts = append(opts, clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend))
		} else {
			opts = append(opts, clientv3.WithSort(clientv3.SortByKey, clientv3.SortAscend))
		}
		if o.KeysOnly {
			opts = append(opts, clientv3.WithKeysOnly())
		}
		resp, err := t.get(start, opts...)
		if err != nil {
			return err
		}
		for _, e := range resp.Kvs {
			k := string(e.Key)
			if err := flush(k); err != nil {
				return err
			}
			if _, mineToo := t.writes[k]; mineToo {
				continue // the overlay has it (emitted above, or deleted)
			}
			if t.isCleared(k) {
				continue
			}
			if err := emit(k, append([]byte{}, e.Value...)); err != nil {
				return err
			}
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return flush("")
		}
		last := string(resp.Kvs[len(resp.Kvs)-1].Key)
		if o.Reverse {
			end = last
		} else {
			start = last + "\x00"
		}
	}
}

func (t *tx) BucketExists(p kv.Path) (bool, error) { return t.exists(p) }

func (t *tx) CreateBucketIfNotExists(p kv.Path) error {
	if len(p) == 0 {
		return fmt.Errorf("%s: the root is not a bucket to create", t.b.cfg.where())
	}
	for i := 1; i <= len(p); i++ {
		ok, err := t.exists(p[:i])
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		if err := t.canWrite(p[:i-1], false); err != nil {
			return err
		}
		t.write(t.b.keys.bucket(p[:i]), []byte{})
	}
	return nil
}

func (t *tx) DeleteBucket(p kv.Path) error {
	if len(p) == 0 {
		return fmt.Errorf("%s: the root cannot be deleted", t.b.cfg.where())
	}
	if err := t.canWrite(p, true); err != nil {
		return err
	}
	ok, err := t.exists(p)
	if err != nil || !ok {
		return err
	}
	dir := t.b.keys.dir(p)
	for k := range t.writes {
		if strings.HasPrefix(k, dir) {
			delete(t.writes, k)
		}
	}
	t.cleared = append(t.cleared, dir)
	t.write(t.b.keys.bucket(p), nil)
	return nil
}

func (t *tx) NextSequence(p kv.Path) (uint64, error) {
	if err := t.canWrite(p, false); err != nil {
		return 0, err
	}
	if err := t.mustExist(p); err != nil {
		return 0, err
	}
	k := t.b.keys.seq(p)
	v, err := t.read(k)
	if err != nil {
		return 0, err
	}
	n := kv.GetU64(v) + 1
	t.write(k, kv.U64(n))
	return n, nil
}

// own is l as this backend's lock.
func (t *tx) own(l kv.Lock) (*lock, error) {
	el, ok := l.(*lock)
	if !ok || el.b != t.b {
		return nil, fmt.Errorf("%s: lock %s belongs to another store", t.b.cfg.where(), l.Name())
	}
	return el, nil
}

func (t *tx) Guard(l kv.Lock) error {
	el, err := t.own(l)
	if err != nil {
		return err
	}
	select {
	case <-el.Lost():
		return el.lostError()
	default:
	}
	if !t.writable {
		// A View checks now; an Update's commit checks again.
		resp, err := t.b.client.Get(t.ctx, el.key)
		if err != nil {
			return t.b.wrap("checking a lock", err)
		}
		if len(resp.Kvs) == 0 || resp.Kvs[0].CreateRevision != el.rev {
			return el.lostError()
		}
	}
	t.guards = append(t.guards, el)
	return nil
}

func (t *tx) Release(l kv.Lock) error {
	if !t.writable {
		return kv.Errorf(kv.ErrReadOnlyTx, nil, "%s: cannot release lock %s in a read-only transaction", t.b.cfg.where(), l.Name())
	}
	if err := t.Guard(l); err != nil {
		return err
	}
	t.releases = append(t.releases, t.guards[len(t.guards)-1])
	return nil
}
