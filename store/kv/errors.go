package kv

import (
	"fmt"
	"time"
)

// Sentinel is a sentinel error that is a constant: another package can
// name it as its own (store.ErrBusy is kv.ErrBusy) without work at
// initialisation, and errors.Is matches it by value.
type Sentinel string

func (s Sentinel) Error() string { return string(s) }

// Sentinel errors. A backend's errors wrap one of these where it applies
// (test with errors.Is) and carry a message that names the data (the file,
// or the cluster's endpoints and prefix).
const (
	// ErrBusy: another process held the database longer than the lock
	// timeout.
	ErrBusy = Sentinel("database busy")
	// ErrCorrupt: the data is damaged or unreadable; it was not changed.
	ErrCorrupt = Sentinel("database unusable")
	// ErrForeign: the data is not tokentop's (another program's bbolt file,
	// an etcd prefix holding other keys, an unknown layout); it was not
	// changed.
	ErrForeign = Sentinel("not tokentop's data")
	// ErrUnreachable: the etcd cluster could not be reached.
	ErrUnreachable = Sentinel("store unreachable")
	// ErrLockLost: a lock the transaction was guarded by (or the cluster's
	// write lock) was no longer held at commit; nothing was written.
	ErrLockLost = Sentinel("lock lost")
	// ErrHeld: TryLock found the lock held by another (see HeldError).
	ErrHeld = Sentinel("lock held")
	// ErrUncertain: the cluster did not confirm a commit and its outcome
	// could not be learned; the change may or may not have been saved.
	ErrUncertain = Sentinel("commit outcome unknown")
	// ErrReadOnlyTx: a write in a View.
	ErrReadOnlyTx = Sentinel("write in a read-only transaction")
	// ErrBucketNotFound: a write to a bucket that does not exist.
	ErrBucketNotFound = Sentinel("bucket not found")
	// ErrTooLarge: one Update writes more than the backend takes at once.
	ErrTooLarge = Sentinel("transaction too large")
	// ErrClosed: the backend was closed.
	ErrClosed = Sentinel("store closed")
	// ErrStop, returned by a Scan or Buckets function, ends the iteration
	// early; Scan then returns nil.
	ErrStop = Sentinel("stop iteration")
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
