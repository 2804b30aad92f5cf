package store

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/boltkv"
)

// DefaultLockTimeout is how long an operation waits for another process to
// let go of the database.
const DefaultLockTimeout = boltkv.DefaultLockTimeout

// Options configure Open and OpenBackend.
type Options struct {
	// Path is the database file; empty means DefaultPath(). Open only.
	Path string
	// KeyFile is the key file that seals secrets and tokens; empty means
	// Path + KeySuffix (for OpenBackend over a bbolt backend, its file +
	// KeySuffix). OpenBackend over another backend needs it.
	KeyFile string
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
	// DefaultLockTimeout. Open only (another backend has its own).
	LockTimeout time.Duration
	// Client fetches tokens; nil means &providers.Client{Now: Now}.
	Client *providers.Client
	// Now is the clock for token expiry, quota windows and recorded times;
	// nil means time.Now.
	Now func() time.Time
	// LockSlack is added to a provider's timeout to make the TTL of its
	// fetch lock: how long a holder that died (killed, or cut off from the
	// data) keeps the others waiting. On bbolt the lock is not renewed, so
	// the TTL must also cover the fetch; on etcd it lives while its
	// holder's client does. 0 means 10 s.
	LockSlack time.Duration
}

// Store is tokentop's database: its policy (one fetch per expiry window,
// the quota ledger, the records) over a kv.Backend. Over bbolt it keeps no
// file handle between operations, so any number of processes can share
// the file. A Store is safe for concurrent use.
type Store struct {
	b kv.Backend
	// where names the data in messages: the file, or the cluster.
	where string
	// saveTimeout bounds the save after a fetch, which runs even when the
	// caller has gone (the lock must go and the exchanges happened).
	saveTimeout time.Duration
	client      *providers.Client
	nowFn       func() time.Time
	// readOnly is the error every write returns when the schema is newer
	// than ours; nil when writable.
	readOnly error
	keys     *keyring
	flights  flights
	// closeBackend is true when Close closes b (OpenBackend's).
	closeBackend bool
	// leaseSlack is added to a provider's timeout to make its fetch
	// lock's TTL.
	leaseSlack time.Duration
	// hub shares one backend watch among the Store's watchers.
	hub watchHub
}

// Open opens the bbolt database at o.Path, creating it (directory 0700,
// file 0600) when missing, and checks its schema and key file. It returns
// with no lock held. A damaged or foreign file gives an error wrapping
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
	if err := ensureDir(path); err != nil {
		return nil, err
	}
	if o.KeyFile == "" {
		o.KeyFile = keyPath(path)
	}
	lockTimeout := o.LockTimeout
	if lockTimeout <= 0 {
		lockTimeout = DefaultLockTimeout
	}
	s := newStore(path, o, lockTimeout+time.Second)
	// The schema is read in the transaction boltkv.Open checks the file
	// with: one open of the file fewer for every command (a read-only
	// open and close of the file costs about 0.1 ms).
	var schema *schemaState
	b, err := boltkv.Open(ctx, boltkv.Options{Path: path, LockTimeout: o.LockTimeout, Check: func(tx kv.Tx) error {
		st, err := s.readSchema(tx)
		schema = &st
		return err
	}})
	if err != nil {
		return nil, storeErr(err)
	}
	s.b = b
	if err := s.start(ctx, schema); err != nil {
		b.Close()
		return nil, err
	}
	return s, nil
}

// OpenBackend opens a Store over b (bbolt through boltkv, a cluster
// through etcdkv), checks its schema, initialising empty data, and loads
// the key file o.KeyFile. The Store takes b over: Store.Close closes it.
// On error b is left open for the caller.
func OpenBackend(ctx context.Context, b kv.Backend, o Options) (*Store, error) {
	if o.KeyFile == "" {
		bb, ok := b.(*boltkv.Backend)
		if !ok {
			return nil, fmt.Errorf("opening %s: no key file given (Options.KeyFile)", describe(b))
		}
		o.KeyFile = keyPath(bb.Path())
	}
	s, err := open(ctx, b, o, DefaultLockTimeout+time.Second)
	if err != nil {
		return nil, err
	}
	s.closeBackend = true
	return s, nil
}

func open(ctx context.Context, b kv.Backend, o Options, saveTimeout time.Duration) (*Store, error) {
	s := newStore(describe(b), o, saveTimeout)
	s.b = b
	if err := s.start(ctx, nil); err != nil {
		return nil, err
	}
	return s, nil
}

// newStore is a Store over data named where, with no backend yet.
func newStore(where string, o Options, saveTimeout time.Duration) *Store {
	s := &Store{
		where:       where,
		saveTimeout: saveTimeout,
		leaseSlack:  cmp.Or(o.LockSlack, leaseSlack),
		client:      o.Client,
		nowFn:       o.Now,
		keys: &keyring{path: o.KeyFile, dbPath: where, passphrase: o.Passphrase,
			identityFiles: o.Identities, home: o.Home},
	}
	if s.keys.home == "" {
		s.keys.home, _ = os.UserHomeDir()
	}
	if s.nowFn == nil {
		s.nowFn = time.Now
	}
	if s.client == nil {
		s.client = &providers.Client{Now: o.Now}
	}
	return s
}

// start checks the schema (unless schema is what a read of it found
// already), initialising data that needs it, and loads the key file.
func (s *Store) start(ctx context.Context, schema *schemaState) error {
	if schema == nil {
		st, err := s.checkSchema(ctx)
		if err != nil {
			return err
		}
		schema = &st
	}
	s.readOnly = schema.readOnly
	if schema.needInit {
		if err := s.write(ctx, true, func(kv.Tx) error { return nil }); err != nil {
			return err
		}
	}
	return s.keys.load()
}

// describe names a backend's data for messages: a bbolt file's path, or
// what the backend says of itself.
func describe(b kv.Backend) string {
	switch d := b.(type) {
	case interface{ Path() string }:
		return d.Path()
	case fmt.Stringer:
		return d.String()
	}
	return "the store"
}

// view runs fn in a read-only transaction.
func (s *Store) view(ctx context.Context, fn func(kv.Tx) error) error {
	return storeErr(s.b.View(ctx, fn))
}

// update runs fn in one write transaction, after the schema check; fn's
// writes land together or not at all. A read-only store refuses before
// touching the data.
func (s *Store) update(ctx context.Context, fn func(kv.Tx) error) error {
	return s.write(ctx, false, fn)
}

// write is update; with all set the schema check also creates missing
// buckets.
func (s *Store) write(ctx context.Context, all bool, fn func(kv.Tx) error) error {
	if s.readOnly != nil {
		return s.readOnly
	}
	return storeErr(s.b.Update(ctx, func(tx kv.Tx) error {
		if err := s.ensureSchema(tx, all); err != nil {
			return err
		}
		return fn(tx)
	}))
}

// Path names the data: the database file, or for another backend what it
// says of itself (a cluster's endpoints and prefix).
func (s *Store) Path() string { return s.where }

// ReadOnly reports whether the database has a newer schema and every write
// will fail.
func (s *Store) ReadOnly() bool { return s.readOnly != nil }

// Close closes idle HTTP connections. A Store made by Open keeps no file
// handle, so there is nothing else to release and it stays usable (a
// fetch under way still releases its lock when it ends). A Store made by
// OpenBackend also closes its backend, releasing the locks it holds; it is
// not usable after. Close ends every Watch.
func (s *Store) Close() error {
	s.client.CloseIdleConnections()
	s.hub.end()
	if !s.closeBackend {
		return nil
	}
	return s.b.Close()
}

// now is the store's clock.
func (s *Store) now() time.Time { return s.nowFn() }
