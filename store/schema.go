package store

import (
	"encoding/binary"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout this package reads and writes.
const SchemaVersion = 1

// Buckets. Per-provider data is keyed by provider name; exchanges and quota
// hold one nested bucket per provider.
const (
	bProviders = "providers" // name → provider JSON (no secret)
	bSecrets   = "secrets"   // name → age ciphertext of the client secret
	bTokens    = "tokens"    // name → tokenRecord JSON (access token sealed)
	bQuota     = "quota"     // name/ → window key → count (uint64 BE)
	bExchanges = "exchanges" // name/ → sequence (uint64 BE) → Exchange JSON, age-encrypted (older records: plain JSON)
	bState     = "state"     // name → stateRecord JSON
	bLeases    = "leases"    // name → leaseRecord JSON
	bMeta      = "meta"      // schema, changes

	kSchema  = "schema"
	kChanges = "changes"
)

func allBuckets() []string {
	return []string{bProviders, bSecrets, bTokens, bQuota, bExchanges, bState, bLeases, bMeta}
}

// schemaOf reads the schema version; ok is false when the file has no meta
// bucket or no version (not initialised).
func schemaOf(tx *bolt.Tx) (v int, ok bool, err error) {
	m := bucket(tx, bMeta)
	if m == nil {
		return 0, false, nil
	}
	raw := m.Get([]byte(kSchema))
	if raw == nil {
		return 0, false, nil
	}
	v, err = strconv.Atoi(string(raw))
	if err != nil || v < 1 {
		return 0, true, fmt.Errorf("schema version %q is not a number", raw)
	}
	return v, true, nil
}

// hasForeignBuckets reports whether the file holds buckets tokentop did not
// create: then it is someone else's bbolt file and must not be touched.
func hasForeignBuckets(tx *bolt.Tx) bool {
	foreign := false
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		for _, b := range allBuckets() {
			if b == string(name) {
				return nil
			}
		}
		foreign = true
		return nil
	})
	return foreign
}

// ensureSchema runs at the start of every write: it creates missing buckets
// and the version in a fresh file, and refuses a newer schema.
func (s *Store) ensureSchema(tx *bolt.Tx) error {
	v, ok, err := schemaOf(tx)
	if err != nil {
		return corruptError(s.path, err, "%v", err)
	}
	if ok && v > SchemaVersion {
		return readOnlyError(s.path, v)
	}
	if !ok && hasForeignBuckets(tx) {
		return corruptError(s.path, nil, "it is a bbolt file of another program (no tokentop schema)")
	}
	for _, b := range allBuckets() {
		if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
			return err
		}
	}
	if !ok {
		return bucket(tx, bMeta).Put([]byte(kSchema), []byte(strconv.Itoa(SchemaVersion)))
	}
	return nil
}

func readOnlyError(path string, v int) error {
	return newError(ErrReadOnly, nil,
		"database %s has schema v%d, newer than this tokentop understands (v%d); opened read-only", path, v, SchemaVersion)
}

// bumpChanges increments the change counter.
func bumpChanges(tx *bolt.Tx) error {
	m := bucket(tx, bMeta)
	return m.Put([]byte(kChanges), u64(getU64(m.Get([]byte(kChanges)))+1))
}

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func getU64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// bucket is the named top-level bucket (nil when missing).
func bucket(tx *bolt.Tx, name string) *bolt.Bucket { return tx.Bucket([]byte(name)) }
