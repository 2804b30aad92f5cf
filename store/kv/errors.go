package kv

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. A backend's errors wrap one of these where it applies
// (test with errors.Is) and carry a message that names the data (the file,
// or the cluster's endpoints and prefix).
var (
	// ErrBusy: another process held the database longer than the lock
	// timeout.
	ErrBusy = errors.New("database busy")
	// ErrCorrupt: the data is damaged or unreadable; it was not changed.
	ErrCorrupt = errors.New("database unusable")
	// ErrForeign: the data is not tokentop's (another program's bbolt file,
	// an etcd prefix holding other keys, an unknown layout); it was not
	// changed.
	ErrForeign = errors.New("not tokentop's data")
	// ErrUnreachable: the etcd cluster could not be reached.
	ErrUnreachable = errors.New("store unreachable")
	// ErrLockLost: a lock the transaction was guarded by (or the cluster's
	// write lock) was no longer held at commit; nothing was written.
	ErrLockLost = errors.New("lock lost")
	// ErrHeld: TryLock found the lock held by another (see HeldError).
	ErrHeld = errors.New("lock held")
	// ErrUncertain: the cluster did not confirm a commit and its outcome
	// could not be learned; the change may or may not have been saved.
	ErrUncertain = errors.New("commit outcome unknown")
	// ErrReadOnlyTx: a write in a View.
	ErrReadOnlyTx = errors.New("write in a read-only transaction")
	// ErrBucketNotFound: a write to a bucket that does not exist.
	ErrBucketNotFound = errors.New("bucket not found")
	// ErrTooLarge: one Update writes more than the backend takes at once.
	ErrTooLarge = errors.New("transaction too large")
	// ErrClosed: the backend was closed.
	ErrClosed = errors.New("store closed")
	// ErrStop, returned by a Scan or Buckets function, ends the iteration
	// early; Scan then returns nil.
	ErrStop = errors.New("stop iteration")
)

// Error is an error with a complete message for a user that also matches a
// sentinel (Kind) and, when there is one, an underlying cause.
type Error struct {
	Msg   string
	Kind  error
	Cause error
}

func (e *Error) Error() string { return e.Msg }

// Unwrap lets errors.Is and errors.As see both the sentinel and the cause.
func (e *Error) Unwrap() []error {
	out := make([]error, 0, 2)
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Cause != nil {
		out = append(out, e.Cause)
	}
	return out
}

// Errorf builds an *Error of kind with a formatted message.
func Errorf(kind, cause error, format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...), Kind: kind, Cause: cause}
}

// HeldError is TryLock's answer when another holds the lock.
type HeldError struct {
	Name   string
	Holder Holder
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("lock %s is held by %s", e.Name, e.Holder)
}

// Unwrap makes a HeldError match ErrHeld.
func (e *HeldError) Unwrap() error { return ErrHeld }

// String words the holder for a waiter: "pid 42 on host a (since 12:00:01)".
func (h Holder) String() string {
	s := "an unknown process"
	if h.PID > 0 {
		s = fmt.Sprintf("pid %d", h.PID)
	}
	if h.Host != "" {
		s += " on host " + h.Host
	}
	if !h.Started.IsZero() {
		s += " (since " + h.Started.Local().Format(time.TimeOnly) + ")"
	}
	return s
}
