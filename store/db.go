package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
)

// errNoWrite, returned by an update function, rolls the transaction back
// and makes update return nil: the function found nothing to change.
var errNoWrite = errors.New("store: nothing to write")

// Backoff between attempts to take the file lock.
const (
	lockPollMin = time.Millisecond
	lockPollMax = 25 * time.Millisecond
)

// openDB opens the file for one operation, waiting for the lock no longer
// than the lock timeout and ctx allow. The caller closes the handle (see
// closeDB) and holds s.mu.
func (s *Store) openDB(ctx context.Context, readOnly bool) (*bolt.DB, error) {
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
		db, err := guard(s.path, func() (*bolt.DB, error) { return bolt.Open(s.path, fileMode, opts) })
		if err == nil && !readOnly {
			// Before writing, check the file is whole now that no other
			// process can be changing it: never write into a damaged file.
			if err = checkHeader(s.path); err != nil {
				db.Close()
				return nil, err
			}
		}
		if err == nil {
			return db, nil
		}
		if !errors.Is(err, bolt.ErrTimeout) {
			if file != nil && errors.Is(err, ErrCorrupt) {
				file.Close() // bbolt panicked half way: release the lock it took
			}
			return nil, s.openError(err)
		}
		waited := time.Since(start)
		if waited >= s.lockTimeout {
			return nil, newError(ErrBusy, nil,
				"database %s is busy: another process holds it (waited %s)", s.path, s.lockTimeout)
		}
		t := time.NewTimer(min(wait, s.lockTimeout-waited))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("waiting for database %s: %w", s.path, ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, lockPollMax)
	}
}

// openError words an error from bolt.Open for a user.
func (s *Store) openError(err error) error {
	var se *storeError
	switch {
	case errors.As(err, &se):
		return err
	case errors.Is(err, bolt.ErrInvalid):
		return corruptError(s.path, err, "it is not a tokentop database (not a bbolt file)")
	case errors.Is(err, bolt.ErrVersionMismatch):
		return corruptError(s.path, err, "it was written by an incompatible bbolt version")
	case errors.Is(err, bolt.ErrChecksum):
		return corruptError(s.path, err, "its header is damaged (checksum mismatch)")
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("database %s no longer exists: %w", s.path, unwrapPathError(err))
	case errors.Is(err, fs.ErrPermission):
		return corruptError(s.path, err, "cannot open it: %v", unwrapPathError(err))
	}
	return fmt.Errorf("cannot open database %s: %w", s.path, err)
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
func (s *Store) closeDB(db *bolt.DB, err *error) {
	if _, cerr := guard(s.path, func() (struct{}, error) { return struct{}{}, db.Close() }); cerr != nil && *err == nil {
		*err = fmt.Errorf("closing database %s: %w", s.path, cerr)
	}
}

// view runs fn in a read-only transaction of a read-only open. Values fn
// reads must be copied before it returns.
func (s *Store) view(ctx context.Context, fn func(*bolt.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	db, err := s.openDB(ctx, true)
	if err != nil {
		return err
	}
	defer s.closeDB(db, &err)
	_, err = guard(s.path, func() (struct{}, error) { return struct{}{}, db.View(fn) })
	return err
}

// update runs fn in one read-write transaction and bumps the change
// counter when fn changed something. fn may return errNoWrite to roll back
// quietly. A read-only store refuses before opening the file.
func (s *Store) update(ctx context.Context, fn func(*bolt.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.readOnly != nil {
		return s.readOnly
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.openDB(ctx, false)
	if err != nil {
		return err
	}
	defer s.closeDB(db, &err)
	var fnErr error
	_, err = guard(s.path, func() (struct{}, error) {
		return struct{}{}, db.Update(func(tx *bolt.Tx) error {
			if fnErr = s.ensureSchema(tx); fnErr != nil {
				return fnErr
			}
			if fnErr = fn(tx); fnErr != nil {
				return fnErr
			}
			fnErr = bumpChanges(tx)
			return fnErr
		})
	})
	switch {
	case errors.Is(err, errNoWrite):
		return nil
	case err != nil && err != fnErr && !errors.Is(err, ErrCorrupt):
		return fmt.Errorf("saving to database %s: %w", s.path, err)
	}
	return err
}
