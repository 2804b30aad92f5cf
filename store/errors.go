package store

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by a Store wrap one of these (test with
// errors.Is) and carry a message that names the database file or provider.
var (
	// ErrNotFound: no such provider, or no cached token.
	ErrNotFound = errors.New("not found")
	// ErrBusy: another process held the database longer than the lock
	// timeout.
	ErrBusy = errors.New("database busy")
	// ErrCorrupt: the file is damaged, unreadable or not a tokentop
	// database. tokentop never writes to such a file.
	ErrCorrupt = errors.New("database unusable")
	// ErrReadOnly: the database was written by a newer tokentop and was
	// opened read-only.
	ErrReadOnly = errors.New("database read-only")
	// ErrPassphrase: the key file needs a passphrase that was not given, or
	// the one given does not unlock it.
	ErrPassphrase = errors.New("wrong or missing passphrase")
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

// corruptError says the file cannot be used, with what was wrong.
func corruptError(path string, cause error, format string, args ...any) error {
	detail := fmt.Sprintf(format, args...)
	return newError(ErrCorrupt, cause,
		"database %s cannot be used: %s (tokentop has not changed it; move it aside or choose another file with --db)", path, detail)
}
