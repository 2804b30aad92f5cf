package boltkv

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tokentop/tokentop/store/kv"
)

// fileMode is a new database file's mode: the owner's alone.
const fileMode = 0o600

// Backoff between attempts to take the file lock.
const (
	lockPollMin = time.Millisecond
	lockPollMax = 25 * time.Millisecond
)

// openDB opens the file for one operation, waiting for the lock no longer
// than the lock timeout and ctx allow. The caller closes the handle (see
// closeDB) and holds b.mu.
func (b *Backend) openDB(ctx context.Context, readOnly bool) (*bolt.DB, error) {
	start := time.Now()
	wait := lockPollMin
	for {
		var file *os.File
		opts := &bolt.Options{
			ReadOnly:     readOnly,
			NoStatistics: true,
			// A timeout shorter than bbolt's own 50 ms poll makes Open try
			// the lock once; the loop here waits, ctx-aware.
			Timeout: time.Nanosecond,
			OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
				f, err := os.OpenFile(name, flag, perm)
				file = f
				return f, err
			},
		}
		db, err := guard(b.path, func() (*bolt.DB, error) { return bolt.Open(b.path, fileMode, opts) })
		if err == nil && !readOnly {
			// Before writing, check the file is whole now that no other
			// process can be changing it: never write into a damaged file.
			if err = checkHeader(b.path); err != nil {
				db.Close()
				return nil, err
			}
		}
		if err == nil {
			return db, nil
		}
		if !errors.Is(err, bolt.ErrTimeout) {
			if file != nil && errors.Is(err, kv.ErrCorrupt) {
				file.Close() // bbolt panicked half way: release the lock it took
			}
			return nil, b.openError(err)
		}
		waited := time.Since(start)
		if waited >= b.lockTimeout {
			return nil, kv.Errorf(kv.ErrBusy, nil,
				"database %s is busy: another process holds it (waited %s)", b.path, b.lockTimeout)
		}
		t := time.NewTimer(min(wait, b.lockTimeout-waited))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("waiting for database %s: %w", b.path, ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, lockPollMax)
	}
}

// openError words an error from bolt.Open for a user.
func (b *Backend) openError(err error) error {
	var ke *kv.Error
	switch {
	case errors.As(err, &ke):
		return err
	case errors.Is(err, bolt.ErrInvalid):
		return corruptError(b.path, err, "it is not a tokentop database (not a bbolt file)")
	case errors.Is(err, bolt.ErrVersionMismatch):
		return corruptError(b.path, err, "it was written by an incompatible bbolt version")
	case errors.Is(err, bolt.ErrChecksum):
		return corruptError(b.path, err, "its header is damaged (checksum mismatch)")
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("database %s no longer exists: %w", b.path, unwrapPathError(err))
	case errors.Is(err, fs.ErrPermission):
		return corruptError(b.path, err, "cannot open it: %v", unwrapPathError(err))
	}
	return fmt.Errorf("cannot open database %s: %w", b.path, err)
}

// guard runs fn, turning a panic or a memory fault inside bbolt (a damaged
// page it trusted) into an ErrCorrupt error instead of a crash.
func guard[T any](path string, fn func() (T, error)) (v T, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			var zero T
			v, err = zero, corruptError(path, nil, "reading it failed (%v)", r)
		}
	}()
	return fn()
}

// closeDB closes a per-operation handle, keeping the first error.
func (b *Backend) closeDB(db *bolt.DB, err *error) {
	if _, cerr := guard(b.path, func() (struct{}, error) { return struct{}{}, db.Close() }); cerr != nil && *err == nil {
		*err = fmt.Errorf("closing database %s: %w", b.path, cerr)
	}
}
