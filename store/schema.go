package store

import (
	"context"
	"strconv"

	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/tokenrec"
)

// SchemaVersion is the layout this package reads and writes.
const SchemaVersion = tokenrec.SchemaVersion

// Buckets (kv.Buckets). Per-provider data is keyed by provider name;
// exchanges and quota hold one nested bucket per provider.
const (
	bProviders = "providers"     // name → provider JSON (no secret)
	bSecrets   = "secrets"       // name → age ciphertext of the client secret
	bTokens    = tokenrec.Bucket // name → tokenRecord JSON (access token sealed)
	bQuota     = "quota"         // name/ → window key → count (uint64 BE)
	bExchanges = "exchanges"     // name/ → sequence (uint64 BE) → Exchange JSON, age-encrypted (older records: plain JSON)
	bState     = "state"         // name → stateRecord JSON
	bLeases    = "leases"        // name → the fetch lock's record (boltkv's)
	bMeta      = kv.MetaBucket   // schema, changes

	kSchema  = kv.SchemaKey
	kChanges = kv.ChangesKey
)

// checkSchema reads the schema at Open, in a transaction of its own (a
// bbolt store reads it in the transaction boltkv.Open checks the file
// with; see Open).
func (s *Store) checkSchema(ctx context.Context) (schemaState, error) {
	var st schemaState
	err := s.view(ctx, func(tx kv.Tx) error {
		var err error
		st, err = s.readSchema(tx)
		return err
	})
	return st, err
}

// schemaState is what checkSchema found: data to initialise, or a newer
// schema that makes the store read-only (the error writes return).
type schemaState struct {
	needInit bool
	readOnly error
}

// readSchema is checkSchema's read, in tx; it also notes the team's
// recipient list.
func (s *Store) readSchema(tx kv.Tx) (schemaState, error) {
	v, ok, err := s.schema(tx)
	s.keys.noteTeamTx(tx)
	switch {
	case err != nil:
		return schemaState{}, err
	case ok && v > SchemaVersion:
		return schemaState{readOnly: readOnlyError(s.where, v)}, nil
	}
	needInit := !ok
	for _, b := range kv.Buckets() {
		exists, err := tx.BucketExists(kv.P(b))
		if err != nil {
			return schemaState{}, err
		}
		needInit = needInit || !exists
	}
	return schemaState{needInit: needInit}, nil
}

// schema reads the schema version; ok is false when there is none (the
// data is not initialised). An unreadable version is unusable data.
func (s *Store) schema(tx kv.Tx) (v int, ok bool, err error) {
	raw, err := tx.Get(kv.P(bMeta), []byte(kSchema))
	if err != nil || raw == nil {
		return 0, false, err
	}
	v, err = strconv.Atoi(string(raw))
	if err != nil || v < 1 {
		return 0, true, corruptError(s.where, err, "schema version %q is not a number", raw)
	}
	return v, true, nil
}

// ensureSchema runs at the start of every write: it refuses a newer
// schema and, in data not yet initialised (new, or removed since Open),
// creates the buckets and the version. With all set it also creates any
// bucket missing in initialised data (Open's repair).
func (s *Store) ensureSchema(tx kv.Tx, all bool) error {
	v, ok, err := s.schema(tx)
	switch {
	case err != nil:
		return err
	case ok && v > SchemaVersion:
		return readOnlyError(s.where, v)
	case ok && !all:
		return nil
	}
	for _, b := range kv.Buckets() {
		if err := tx.CreateBucketIfNotExists(kv.P(b)); err != nil {
			return err
		}
	}
	if !ok {
		return tx.Put(kv.P(bMeta), []byte(kSchema), []byte(strconv.Itoa(SchemaVersion)))
	}
	return nil
}

func readOnlyError(where string, v int) error {
	return newError(ErrReadOnly, nil,
		"database %s has schema v%d, newer than this tokentop understands (v%d); opened read-only", where, v, SchemaVersion)
}
