package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// getJSON decodes the value at key of the named bucket into v. It reports
// false when the bucket or key is missing. Decoding copies what it needs,
// so nothing of the transaction's memory outlives it.
func (s *Store) getJSON(tx *bolt.Tx, bkt, key string, v any) (bool, error) {
	b := bucket(tx, bkt)
	if b == nil {
		return false, nil
	}
	raw := b.Get([]byte(key))
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, corruptError(s.path, err, "its %s record of %s is unreadable: %v", bkt, key, err)
	}
	return true, nil
}

// putJSON encodes v at key of the named bucket.
func putJSON(tx *bolt.Tx, bkt, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding the %s record of %s: %w", bkt, key, err)
	}
	return bucket(tx, bkt).Put([]byte(key), raw)
}

// getBytes copies the value at key out of the transaction (nil if none).
func getBytes(tx *bolt.Tx, bkt, key string) []byte {
	b := bucket(tx, bkt)
	if b == nil {
		return nil
	}
	if v := b.Get([]byte(key)); v != nil {
		return append([]byte(nil), v...)
	}
	return nil
}

// del removes key from the named bucket, if present.
func del(tx *bolt.Tx, bkt, key string) error {
	return bucket(tx, bkt).Delete([]byte(key))
}

// has reports whether the named bucket holds key.
func has(tx *bolt.Tx, bkt, key string) bool {
	b := bucket(tx, bkt)
	return b != nil && b.Get([]byte(key)) != nil
}
