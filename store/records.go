package store

import (
	"encoding/json"
	"fmt"

	"github.com/tokentop/tokentop/store/kv"
)

// getJSON decodes the value at key of the named top-level bucket into v.
// It reports false when the bucket or key is missing.
func (s *Store) getJSON(tx kv.Tx, bkt, key string, v any) (bool, error) {
	raw, err := tx.Get(kv.P(bkt), []byte(key))
	if err != nil || raw == nil {
		return false, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, corruptError(s.where, err, "its %s record of %s is unreadable: %v", bkt, key, err)
	}
	return true, nil
}

// putJSON encodes v at key of the named top-level bucket.
func putJSON(tx kv.Tx, bkt, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding the %s record of %s: %w", bkt, key, err)
	}
	return tx.Put(kv.P(bkt), []byte(key), raw)
}

// getBytes is the value at key of the named top-level bucket (nil if
// none), a copy the caller may keep.
func getBytes(tx kv.Tx, bkt, key string) ([]byte, error) {
	return tx.Get(kv.P(bkt), []byte(key))
}

// del removes key from the named top-level bucket, if present.
func del(tx kv.Tx, bkt, key string) error {
	return tx.Delete(kv.P(bkt), []byte(key))
}

// has reports whether the named top-level bucket holds key.
func has(tx kv.Tx, bkt, key string) (bool, error) {
	v, err := tx.Get(kv.P(bkt), []byte(key))
	return v != nil, err
}

// hasProvider is nil when the provider exists, else an error wrapping
// ErrNotFound (or the backend's).
func hasProvider(tx kv.Tx, name string) error {
	ok, err := has(tx, bProviders, name)
	if err == nil && !ok {
		err = notFoundProvider(name)
	}
	return err
}

// empty reports whether bucket b holds no key.
func empty(tx kv.Tx, b kv.Path) (bool, error) {
	found := false
	err := tx.Scan(b, kv.ScanOptions{KeysOnly: true}, func(_, _ []byte) error {
		found = true
		return kv.ErrStop
	})
	return !found, err
}
