package kv

import (
	"context"
	"time"
)

// Backend is a store of buckets shared by every process (and, for a
// cluster backend, every machine) that opens the same data. It is safe for
// concurrent use.
type Backend interface {
	// View runs fn over a consistent, read-only snapshot. Writes in fn
	// fail with ErrReadOnlyTx.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction: when fn returns nil its
	// writes are committed together, else none is. Updates are serialisable
	// with respect to every other Update on the same data, from any client.
	// An Update that writes nothing commits nothing.
	Update(ctx context.Context, fn func(Tx) error) error
	// Lock takes the named lock, waiting while another holder has it (o.OnWait
	// hears who, once) until ctx ends.
	Lock(ctx context.Context, name string, o LockOptions) (Lock, error)
	// TryLock takes the named lock if it is free; else it returns a
	// *HeldError (wrapping ErrHeld) naming the holder.
	TryLock(ctx context.Context, name string, o LockOptions) (Lock, error)
	// Watch reports changes to the data made by any client, this one
	// included, until ctx ends; then the channel is closed. Changes may be
	// coalesced: a Change with a nil Bucket means anything may have changed.
	Watch(ctx context.Context) (<-chan Change, error)
	// Close releases the backend's resources and the locks it still holds.
	Close() error
}

// Tx is one transaction. It is valid only inside the function given to
// View or Update and must not be used from other goroutines.
type Tx interface {
	// Get returns a copy of the value at key in bucket b, nil when the
	// bucket or the key is missing. An empty value is a non-nil empty slice.
	Get(b Path, key []byte) ([]byte, error)
	// Put sets key to value in bucket b, which must exist
	// (ErrBucketNotFound). Put keeps its own copies of key and value.
	Put(b Path, key, value []byte) error
	// Delete removes key from bucket b; a missing bucket or key is no error.
	Delete(b Path, key []byte) error
	// Scan calls fn for the keys of bucket b in byte order (reverse order
	// with o.Reverse), starting at o.From when set. Returning ErrStop from
	// fn ends the scan without error; another error ends it and is
	// returned. k and v are copies (unless o.Borrow, in a View). fn must
	// not write to bucket b (nor delete it): collect what to change, and
	// change it after Scan.
	Scan(b Path, o ScanOptions, fn func(k, v []byte) error) error
	// Buckets calls fn with the names of bucket b's nested buckets, in byte
	// order (b may be Root for the top-level buckets). ErrStop ends it.
	Buckets(b Path, fn func(name []byte) error) error
	// BucketExists reports whether bucket b exists.
	BucketExists(b Path) (bool, error)
	// CreateBucketIfNotExists creates bucket b and any missing parents.
	CreateBucketIfNotExists(b Path) error
	// DeleteBucket removes bucket b with everything in it; a missing bucket
	// is no error.
	DeleteBucket(b Path) error
	// NextSequence increments and returns bucket b's sequence (1 for a new
	// bucket). The bucket must exist.
	NextSequence(b Path) (uint64, error)
	// Guard makes the commit conditional on l being still held: if it is
	// not when the transaction commits, nothing is written and Update
	// returns an error wrapping ErrLockLost.
	Guard(l Lock) error
	// Release guards the commit on l (as Guard) and ends l when the
	// transaction commits; if it does not commit, l stays held.
	Release(l Lock) error
	// Writable reports whether this is an Update's transaction.
	Writable() bool
}

// Path names a bucket: its name and those of its parents, outermost first.
// The empty Path is the root, which holds only buckets.
type Path []string

// Root is the path of the root, whose children are the top-level buckets.
var Root = Path(nil)

// P builds a Path: P("quota", name).
func P(names ...string) Path { return Path(names) }

// String is the path joined with "/", for messages.
func (p Path) String() string {
	s := ""
	for i, n := range p {
		if i > 0 {
			s += "/"
		}
		s += n
	}
	if s == "" {
		return "(root)"
	}
	return s
}

// Equal reports whether p and q name the same bucket.
func (p Path) Equal(q Path) bool {
	if len(p) != len(q) {
		return false
	}
	for i := range p {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// Within reports whether p is q or inside it.
func (p Path) Within(q Path) bool {
	return len(p) >= len(q) && p[:len(q)].Equal(q)
}

// ScanOptions tune Tx.Scan.
type ScanOptions struct {
	// Reverse scans from the last key to the first.
	Reverse bool
	// From, when set, is where the scan starts: the first key >= From, or
	// with Reverse the last key <= From.
	From []byte
	// KeysOnly passes nil values to fn (cheaper on a remote backend).
	KeysOnly bool
	// Borrow, in a read-only transaction, lets the backend hand fn its
	// own bytes instead of copies (bbolt's memory map): k and v are then
	// valid only until fn returns and must not be changed or kept; copy
	// what is kept (json.Unmarshal and string(k) do). It saves two
	// allocations a key on a large read. In a writable transaction k and
	// v are copies whatever Borrow says.
	Borrow bool
}

// Lock is a held named lock.
type Lock interface {
	// Name is the lock's name.
	Name() string
	// Holder is who holds it: this caller, as LockOptions said.
	Holder() Holder
	// Lost is closed once the lock is no longer held, whatever the cause:
	// Unlock, a committed Release, its expiry, or its holder's lease lost.
	Lost() <-chan struct{}
	// Unlock releases the lock. Unlocking a lock no longer held is no error.
	Unlock(ctx context.Context) error
}

// LockOptions tune Lock and TryLock.
type LockOptions struct {
	// TTL bounds how long the lock outlives a holder that stopped: one
	// killed, or cut off from the data. On etcd the holder's lease has this
	// TTL (rounded up to whole seconds) and is kept alive while the holder's
	// client lives; on bbolt the lease record expires TTL after it was
	// taken, whether or not its holder still works, so TTL must cover the
	// work done under the lock. Zero means DefaultLockTTL.
	TTL time.Duration
	// Holder names the caller for waiters; the zero value means this
	// process on this host, now.
	Holder Holder
	// OnWait, when set, hears once that Lock waits for another holder, and
	// when a dead holder's lock is taken over (bbolt, same host). It is
	// called from Lock's goroutine.
	OnWait func(LockEvent)
}

// DefaultLockTTL is the TTL of a lock whose options give none.
const DefaultLockTTL = 30 * time.Second

// Holder is who holds a lock: a process on a host, since when. Started is
// the holder's own clock, for display only.
type Holder struct {
	PID     int       `json:"pid,omitempty"`
	Host    string    `json:"host,omitempty"`
	Started time.Time `json:"started,omitzero"`
}

// LockEvent is what Lock met on its way to the lock.
type LockEvent struct {
	Name   string
	Holder Holder
	// TakenOver is true when the holder was found dead (on this host, its
	// process gone) and its lock taken over instead of waited out.
	TakenOver bool
}

// Change says something changed under Bucket (at Key, when known). A nil
// Bucket means anything may have changed.
type Change struct {
	Bucket Path
	Key    []byte
}
