package store

import (
	"errors"
	"fmt"

	"github.com/tokentop/tokentop/store/kv"
)

// Sentinel errors. Errors returned by a Store wrap one of these (test with
// errors.Is) and carry a message that names the database or provider.
var (
	// ErrNotFound: no such provider, or no cached token.
	ErrNotFound = errors.New("not found")
	// ErrReadOnly: the database was written by a newer tokentop and was
	// opened read-only.
	ErrReadOnly = errors.New("database read-only")
	// ErrPassphrase: the key file needs a passphrase that was not given, or
	// the one given does not unlock it.
	ErrPassphrase = errors.New("wrong or missing passphrase")
)

// The backend's sentinels, named as the store's (constants: no work at
// initialisation).
const (
	// ErrBusy: another process held the database longer than the lock
	// timeout. It is the backend's kv.ErrBusy.
	ErrBusy = kv.ErrBusy
	// ErrCorrupt: the data is damaged, unreadable or not tokentop's.
	// tokentop never writes to such data. It is the backend's
	// kv.ErrCorrupt; data the backend calls foreign (kv.ErrForeign) matches
	// it too.
	ErrCorrupt = kv.ErrCorrupt
	// ErrUnreachable: a shared store (etcd) could not be reached; nothing
	// was fetched on its own. It is the backend's kv.ErrUnreachable.
	ErrUnreachable = kv.ErrUnreachable
)

// storeError is an error with a complete user-facing message that also
// matches a sentinel (kind) and, when there is one, an underlying cause.
type storeError struct {
	msg   string
	kind  error
	cause error
}

func (e *storeError) Error() string { return e.msg }

// Unwrap lets errors.Is and errors.As see both the sentinel and the cause.
func (e *storeError) Unwrap() []error {
	out := make([]error, 0, 2)
	if e.kind != nil {
		out = append(out, e.kind)
	}
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

func newError(kind, cause error, format string, args ...any) error {
	return &storeError{msg: fmt.Sprintf(format, args...), kind: kind, cause: cause}
}

func notFoundProvider(name string) error {
	return newError(ErrNotFound, nil, "no provider named %s", name)
}

// corruptError says the data cannot be used, with what was wrong.
func corruptError(where string, cause error, format string, args ...any) error {
	detail := fmt.Sprintf(format, args...)
	return newError(ErrCorrupt, cause,
		"database %s cannot be used: %s (tokentop has not changed it; move it aside or choose another file with --db)", where, detail)
}

// storeErr maps a backend's error to the store's sentinels: foreign data
// is unusable data (ErrCorrupt) with the backend's own message. Other
// errors pass unchanged; kv's sentinels that are the store's already
// match.
func storeErr(err error) error {
	if err == nil || !errors.Is(err, kv.ErrForeign) || errors.Is(err, ErrCorrupt) {
		return err
	}
	return &storeError{msg: err.Error(), kind: ErrCorrupt, cause: err}
}
