package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// resealed counts what reseal re-encrypted.
type resealed struct {
	secrets, tokens, exchanges int
	// secretsOf are the providers whose client secret was re-encrypted.
	secretsOf []string
}

// Kinds of sealed value.
const (
	sealedSecret = iota
	sealedToken
	sealedExchange
)

// sealedValue is one stored value that holds a secret.
type sealedValue struct {
	kind int
	b    *bolt.Bucket
	key  []byte
	// sealed is the ciphertext (for an old plain flight record, the
	// plain JSON, with plain set); what names it for an error message.
	sealed []byte
	what   string
	plain  bool
	// record is the whole token record the ciphertext sits in (a
	// sealedToken); a secret or a flight record is the ciphertext alone.
	record []byte
}

// walkSealed calls visit for every stored value that holds a secret: the
// client secrets, the cached tokens' access tokens and the flight records
// (exchanges). The values are tx's: visit must not keep them past tx.
func walkSealed(tx *bolt.Tx, visit func(v sealedValue) error) error {
	if b := bucket(tx, bSecrets); b != nil {
		err := b.ForEach(func(k, v []byte) error {
			return visit(sealedValue{kind: sealedSecret, b: b, key: k, sealed: v, what: "the client secret of " + string(k)})
		})
		if err != nil {
			return err
		}
	}
	if b := bucket(tx, bTokens); b != nil {
		err := b.ForEach(func(k, v []byte) error {
			sealed, err := tokenSealed(v, string(k))
			if err != nil || len(sealed) == 0 {
				return err
			}
			return visit(sealedValue{kind: sealedToken, b: b, key: k, sealed: sealed, what: "the access token of " + string(k), record: v})
		})
		if err != nil {
			return err
		}
	}
	eb := bucket(tx, bExchanges)
	if eb == nil {
		return nil
	}
	return eb.ForEachBucket(func(name []byte) error {
		b := eb.Bucket(name)
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return nil
			}
			return visit(sealedValue{kind: sealedExchange, b: b, key: k, sealed: v, what: "an exchange record of " + string(name), plain: isPlainRecord(v)})
		})
	})
}

// recrypt turns a stored value's ciphertext (or an old plain flight
// record, plain set) into its new ciphertext.
type recrypt func(sealed []byte, what string, plain bool) ([]byte, error)

// reseal re-encrypts, in tx, every value that holds a secret (see
// walkSealed) with again. The first that fails stops it, and the
// caller's transaction then rolls back: all or nothing. Nothing but the
// sealed parts changes (a token record's other fields are kept as stored,
// unknown ones too).
func reseal(tx *bolt.Tx, again recrypt) (resealed, error) {
	type put struct {
		b        *bolt.Bucket
		key, val []byte
	}
	var (
		n    resealed
		puts []put
	)
	err := walkSealed(tx, func(v sealedValue) error {
		out, err := again(v.sealed, v.what, v.plain)
		if err != nil {
			return err
		}
		switch v.kind {
		case sealedToken:
			if out, err = withSealed(v.record, string(v.key), out); err != nil {
				return err
			}
			n.tokens++
		case sealedSecret:
			n.secrets++
			n.secretsOf = append(n.secretsOf, string(v.key))
		default:
			n.exchanges++
		}
		// bbolt's buckets must not change under a cursor: written after
		// the walk, each key copied (bbolt keeps it until commit).
		puts = append(puts, put{v.b, append([]byte(nil), v.key...), out})
		return nil
	})
	if err != nil {
		return n, err
	}
	for _, p := range puts {
		if err := p.b.Put(p.key, p.val); err != nil {
			return n, err
		}
	}
	return n, nil
}

// tokenSealed is the ciphertext of a token record's access token (nil
// when it holds none).
func tokenSealed(record []byte, name string) ([]byte, error) {
	var fields struct {
		Sealed []byte `json:"sealed"`
	}
	if err := json.Unmarshal(record, &fields); err != nil {
		return nil, fmt.Errorf("the token record of %s is unreadable: %w", name, err)
	}
	return fields.Sealed, nil
}

// withSealed is a token record with its ciphertext replaced, every other
// field kept as stored.
func withSealed(record []byte, name string, sealed []byte) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(record, &fields); err != nil {
		return nil, fmt.Errorf("the token record of %s is unreadable: %w", name, err)
	}
	raw, err := json.Marshal(sealed)
	if err != nil {
		return nil, err
	}
	fields["sealed"] = raw
	return json.Marshal(fields)
}
