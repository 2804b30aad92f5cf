package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tokentop/tokentop/providers"
)

// DefaultLockTimeout is how long an operation waits for another process to
// let go of the database.
const DefaultLockTimeout = 5 * time.Second

// Options configure Open.
type Options struct {
	// Path is the database file; empty means DefaultPath().
	Path string
	// Passphrase, when set, protects the key file (the CLI reads
	// TOKENTOP_PASSPHRASE). It must be given every time once used.
	Passphrase string
	// Identities are the user's identity files (age identities or
	// unencrypted OpenSSH ed25519 keys) for a database with a recipient
	// list (see AddMember); each must exist. Empty means the default
	// search, DefaultIdentityFiles(Home). The key file beside the
	// database is always tried first.
	Identities []string
	// Home is the home directory of the default identity search; empty
	// means os.UserHomeDir.
	Home string
	// LockTimeout bounds the wait for the file lock; 0 means
	// DefaultLockTimeout.
	LockTimeout time.Duration
	// Client fetches tokens; nil means &providers.Client{Now: Now}.
	Client *providers.Client
	// Now is the clock for token expiry, quota windows and recorded times;
	// nil means time.Now.
	Now func() time.Time
}

// Store is tokentop's database. It keeps no file handle between
// operations, so any number of processes can share the file; a Store is
// safe for concurrent use.
type Store struct {
	path        string
	lockTimeout time.Duration
	client      *providers.Client
	nowFn       func() time.Time
	// owner identifies this Store's leases; host is this machine's name,
	// recorded in them beside the PID (asked for once, when first needed:
	// the cached token's path takes no lease).
	owner string
	host  func() string
	// readOnly is the error every write returns when the schema is newer
	// than ours; nil when writable.
	readOnly error
	keys     *keyring

	// mu orders this process's opens of the file: bbolt's file lock is per
	// open file, so two opens in one process would otherwise contend.
	mu      sync.RWMutex
	flights flights
}

// Open opens the database at o.Path, creating it (directory 0700, file
// 0600) when missing, and checks its schema and key file. It returns with
// no lock held. A damaged or foreign file gives an error wrapping
// ErrCorrupt and is left untouched; a newer schema opens read-only.
func Open(ctx context.Context, o Options) (*Store, error) {
	path := o.Path
	if path == "" {
		var err error
		if path, err = DefaultPath(); err != nil {
			return nil, err
		}
	}
	path = filepath.Clean(path)
	s := &Store{
		path:        path,
		lockTimeout: o.LockTimeout,
		client:      o.Client,
		nowFn:       o.Now,
		owner:       randomOwner(),
		host:        sync.OnceValue(hostname),
		keys: &keyring{path: keyPath(path), dbPath: path, passphrase: o.Passphrase,
			identityFiles: o.Identities, home: o.Home},
	}
	if s.keys.home == "" {
		s.keys.home, _ = os.UserHomeDir()
	}
	if s.lockTimeout <= 0 {
		s.lockTimeout = DefaultLockTimeout
	}
	if s.nowFn == nil {
		s.nowFn = time.Now
	}
	if s.client == nil {
		s.client = &providers.Client{Now: o.Now}
	}

	if err := ensureDir(path); err != nil {
		return nil, err
	}
	needInit := true
	switch st, err := os.Stat(path); {
	case err == nil && st.Size() > 0:
		if err := checkHeader(path); err != nil {
			return nil, err
		}
		if needInit, err = s.checkSchema(ctx); err != nil {
			return nil, err
		}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, corruptError(path, err, "cannot read it: %v", unwrapPathError(err))
	}
	if needInit {
		if err := s.update(ctx, func(*bolt.Tx) error { return nil }); err != nil {
			return nil, err
		}
	}
	if err := s.keys.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// checkSchema reads an existing file's schema with a read-only open. It
// marks the store read-only for a newer schema and reports whether buckets
// need creating.
func (s *Store) checkSchema(ctx context.Context) (needInit bool, err error) {
	err = s.view(ctx, func(tx *bolt.Tx) error {
		v, ok, err := schemaOf(tx)
		s.keys.noteTeamTx(tx)
		switch {
		case err != nil:
			return corruptError(s.path, err, "%v", err)
		case !ok && hasForeignBuckets(tx):
			return corruptError(s.path, nil, "it is a bbolt file of another program (no tokentop schema)")
		case ok && v > SchemaVersion:
			s.readOnly = readOnlyError(s.path, v)
			return nil
		}
		for _, b := range allBuckets() {
			if bucket(tx, b) == nil {
				needInit = true
			}
		}
		needInit = needInit || !ok
		return nil
	})
	return needInit, err
}

// hostname is this machine's name, "" when it cannot be had (then no
// lease's holder is ever judged dead).
func hostname() string {
	h, _ := os.Hostname()
	return h
}

func randomOwner() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// ReadOnly reports whether the database has a newer schema and every write
// will fail.
func (s *Store) ReadOnly() bool { return s.readOnly != nil }

// Close closes idle HTTP connections. The Store keeps no database handle,
// so there is nothing else to release; it stays usable.
func (s *Store) Close() error {
	s.client.CloseIdleConnections()
	return nil
}

// now is the store's clock.
func (s *Store) now() time.Time { return s.nowFn() }
