// Package boltkv is the kv.Backend of a bbolt file: tokentop's default,
// embedded, zero-configuration store, over the exact layout tokentop has
// always written (the same buckets, nesting and key encodings; leases as
// JSON records in the leases bucket). It keeps no file handle between
// operations: each View opens the file read-only (so processes share it)
// and each Update opens it for writing, waiting for another process's
// lock no longer than the lock timeout.
package boltkv

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tokentop/tokentop/store/kv"
)

// DefaultLockTimeout is how long an operation waits for another process to
// let go of the file.
const DefaultLockTimeout = 5 * time.Second

// DefaultPollInterval is how often Watch looks at the change counter.
const DefaultPollInterval = 500 * time.Millisecond

// Options configure Open.
type Options struct {
	// Path is the database file. Its directory must exist; the file is
	// created (mode 0600) by the first Update.
	Path string
	// LockTimeout bounds the wait for the file lock; 0 means
	// DefaultLockTimeout.
	LockTimeout time.Duration
	// PollInterval is how often Watch polls; 0 means DefaultPollInterval.
	PollInterval time.Duration
	// Hostname names this machine in lock records; nil means os.Hostname.
	Hostname func() string
	// Check, when set, is run by Open in the read-only transaction it
	// checks an existing file with, so that what a caller reads first
	// (a schema version) costs no second open of the file. Its error is
	// Open's. It is not run when there is no file yet.
	Check func(kv.Tx) error
}

// Backend is a bbolt file as a kv.Backend.
type Backend struct {
	path        string
	lockTimeout time.Duration
	poll        time.Duration
	host        func() string

	// mu orders this process's opens of the file: bbolt's file lock is per
	// open file, so two opens in one process would otherwise contend.
	mu sync.RWMutex

	locksMu sync.Mutex
	locks   map[*lock]struct{}
	closed  atomic.Bool
	done    chan struct{}
}

var _ kv.Backend = (*Backend)(nil)

// Open checks the file at o.Path, when it exists, with a read-only open: a
// damaged file or one that is not bbolt gives an error wrapping
// kv.ErrCorrupt, another program's bbolt file one wrapping kv.ErrForeign;
// neither is changed. It returns with no lock held.
func Open(ctx context.Context, o Options) (*Backend, error) {
	if o.Path == "" {
		return nil, errors.New("boltkv: no database path given")
	}
	b := &Backend{
		path:        filepath.Clean(o.Path),
		lockTimeout: o.LockTimeout,
		poll:        o.PollInterval,
		host:        o.Hostname,
		locks:       map[*lock]struct{}{},
		done:        make(chan struct{}),
	}
	if b.lockTimeout <= 0 {
		b.lockTimeout = DefaultLockTimeout
	}
	if b.poll <= 0 {
		b.poll = DefaultPollInterval
	}
	if b.host == nil {
		b.host = sync.OnceValue(hostname)
	}
	switch st, err := os.Stat(b.path); {
	case err == nil && st.Size() > 0:
		if err := checkHeader(b.path); err != nil {
			return nil, err
		}
		if err := b.View(ctx, func(tx kv.Tx) error {
			if o.Check != nil {
				return o.Check(tx)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, corruptError(b.path, err, "cannot read it: %v", unwrapPathError(err))
	}
	return b, nil
}

// hostname is this machine's name, "" when it cannot be had (then no
// lock's holder is ever judged dead).
func hostname() string {
	h, _ := os.Hostname()
	return h
}

// Path is the database file.
func (b *Backend) Path() string { return b.path }

// View runs fn in a read-only transaction of a read-only open. A file not
// yet created reads as empty.
func (b *Backend) View(ctx context.Context, fn func(kv.Tx) error) (err error) {
	if err := b.usable(ctx); err != nil {
		return err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if st, err := os.Stat(b.path); errors.Is(err, fs.ErrNotExist) || (err == nil && st.Size() == 0) {
		return fn(&tx{b: b})
	}
	db, err := b.openDB(ctx, true)
	if err != nil {
		return err
	}
	defer b.closeDB(db, &err)
	_, err = guard(b.path, func() (struct{}, error) {
		return struct{}{}, db.View(func(btx *bolt.Tx) error {
			if err := b.checkForeign(btx); err != nil {
				return err
			}
			return fn(&tx{b: b, btx: btx})
		})
	})
	return err
}

// errNoWrite rolls back an Update that changed nothing.
var errNoWrite = errors.New("boltkv: nothing to write")

// Update runs fn in one read-write transaction. When fn wrote something
// the change counter is incremented in the same transaction; when it wrote
// nothing, nothing is committed.
func (b *Backend) Update(ctx context.Context, fn func(kv.Tx) error) error {
	if err := b.usable(ctx); err != nil {
		return err
	}
	return b.update(ctx, func(t *tx) error { return fn(t) })
}

// update is Update for this package's own writes, which a closing backend
// still makes (releasing its locks).
func (b *Backend) update(ctx context.Context, fn func(*tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	db, err := b.openDB(ctx, false)
	if err != nil {
		return err
	}
	defer b.closeDB(db, &err)
	var (
		fnErr error
		t     *tx
	)
	_, err = guard(b.path, func() (struct{}, error) {
		return struct{}{}, db.Update(func(btx *bolt.Tx) error {
			if fnErr = b.checkForeign(btx); fnErr != nil {
				return fnErr
			}
			t = &tx{b: b, btx: btx, writable: true}
			if fnErr = fn(t); fnErr != nil {
				return fnErr
			}
			fnErr = t.finish()
			return fnErr
		})
	})
	switch {
	case errors.Is(err, errNoWrite):
		err = nil
	case err != nil && err != fnErr && !errors.Is(err, kv.ErrCorrupt):
		return fmt.Errorf("saving to database %s: %w", b.path, err)
	case err != nil:
		return err
	}
	for _, l := range t.releases {
		l.end()
	}
	return nil
}

// checkForeign refuses a file that holds buckets tokentop did not create
// and no tokentop schema.
func (b *Backend) checkForeign(btx *bolt.Tx) error {
	if m := btx.Bucket([]byte(kv.MetaBucket)); m != nil && m.Get([]byte(kv.SchemaKey)) != nil {
		return nil
	}
	foreign := false
	_ = btx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		if !kv.IsTokentopBucket(string(name)) {
			foreign = true
		}
		return nil
	})
	if foreign {
		return foreignError(b.path)
	}
	return nil
}

// usable refuses work once ctx ended or the backend was closed.
func (b *Backend) usable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.closed.Load() {
		return kv.Errorf(kv.ErrClosed, nil, "database %s: the store was closed", b.path)
	}
	return nil
}

// Close releases the locks this backend still holds and stops its
// watches. The file has no handle open between operations.
func (b *Backend) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	close(b.done)
	b.locksMu.Lock()
	held := make([]*lock, 0, len(b.locks))
	for l := range b.locks {
		held = append(held, l)
	}
	b.locksMu.Unlock()
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), b.lockTimeout+time.Second)
	defer cancel()
	for _, l := range held {
		errs = append(errs, l.release(ctx))
	}
	return errors.Join(errs...)
}
