package store

import (
	"encoding/json"
	"fmt"

	"github.com/tokentop/tokentop/store/kv"
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
	b    kv.Path
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
// (exchanges). The values are copies, but visit must not write to the
// bucket it is shown (kv.Tx.Scan's rule): collect, and write after.
func walkSealed(tx kv.Tx, visit func(v sealedValue) error) error {
	err := tx.Scan(kv.P(bSecrets), kv.ScanOptions{}, func(k, v []byte) error {
		return visit(sealedValue{kind: sealedSecret, b: kv.P(bSecrets), key: k, sealed: v, what: "the client secret of " + string(k)})
	})
	if err != nil {
		return err
	}
	err = tx.Scan(kv.P(bTokens), kv.ScanOptions{}, func(k, v []byte) error {
		sealed, err := tokenSealed(v, string(k))
		if err != nil || len(sealed) == 0 {
			return err
		}
		return visit(sealedValue{kind: sealedToken, b: kv.P(bTokens), key: k, sealed: sealed, what: "the access token of " + string(k), record: v})
	})
	if err != nil {
		return err
	}
	var names []string
	if err := tx.Buckets(kv.P(bExchanges), func(name []byte) error {
		names = append(names, string(name))
		return nil
	}); err != nil {
		return err
	}
	for _, name := range names {
		b := flightLog(name)
		err := tx.Scan(b, kv.ScanOptions{}, func(k, v []byte) error {
			return visit(sealedValue{kind: sealedExchange, b: b, key: k, sealed: v, what: "an exchange record of " + name, plain: isPlainRecord(v)})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// recrypt turns a stored value's ciphertext (or an old plain flight
// record, plain set) into its new ciphertext.
type recrypt func(sealed []byte, what string, plain bool) ([]byte, error)

// reseal re-encrypts, in tx, every value that holds a secret (see
// walkSealed) with again. The first that fails stops it, and the
// caller's transaction then rolls back: all or nothing. Nothing but the
// sealed parts changes (a token record's other fields are kept as stored,
// unknown ones too).
func reseal(tx kv.Tx, again recrypt) (resealed, error) {
	type put struct {
		b        kv.Path
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
		// A bucket must not change under its Scan: written after the walk.
		puts = append(puts, put{v.b, v.key, out})
		return nil
	})
	if err != nil {
		return n, err
	}
	for _, p := range puts {
		if err := tx.Put(p.b, p.key, p.val); err != nil {
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
