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

// resealPut is one value to write back once the buckets have been walked
// (bbolt's buckets must not change under a cursor).
type resealPut struct {
	b        *bolt.Bucket
	key, val []byte
}

// reseal re-encrypts, in tx, every record that holds a secret: the client
// secrets, the cached tokens' access tokens and the flight records (an
// old plain JSON exchange is sealed too). Each is opened with open and
// sealed again with seal. The first that cannot be opened stops it, and
// the caller's transaction then rolls back: all or nothing. Nothing but
// the sealed parts changes (a token record's other fields are kept as
// stored, unknown ones too).
func reseal(tx *bolt.Tx, open func(sealed []byte, what string) (string, error), seal func(plaintext string) ([]byte, error)) (resealed, error) {
	var (
		n    resealed
		puts []resealPut
	)
	again := func(sealed []byte, what string) ([]byte, error) {
		plain, err := open(sealed, what)
		if err != nil {
			return nil, err
		}
		return seal(plain)
	}

	if b := bucket(tx, bSecrets); b != nil {
		err := b.ForEach(func(k, v []byte) error {
			out, err := again(v, "the client secret of "+string(k))
			if err != nil {
				return err
			}
			puts = append(puts, resealPut{b, k, out})
			n.secrets++
			n.secretsOf = append(n.secretsOf, string(k))
			return nil
		})
		if err != nil {
			return n, err
		}
	}

	if b := bucket(tx, bTokens); b != nil {
		err := b.ForEach(func(k, v []byte) error {
			out, ok, err := resealToken(v, string(k), again)
			if err != nil || !ok {
				return err
			}
			puts = append(puts, resealPut{b, k, out})
			n.tokens++
			return nil
		})
		if err != nil {
			return n, err
		}
	}

	if eb := bucket(tx, bExchanges); eb != nil {
		err := eb.ForEachBucket(func(name []byte) error {
			b := eb.Bucket(name)
			return b.ForEach(func(k, v []byte) error {
				if v == nil {
					return nil
				}
				var out []byte
				var err error
				if isPlainRecord(v) {
					out, err = seal(string(v))
				} else {
					out, err = again(v, "an exchange record of "+string(name))
				}
				if err != nil {
					return err
				}
				puts = append(puts, resealPut{b, k, out})
				n.exchanges++
				return nil
			})
		})
		if err != nil {
			return n, err
		}
	}

	for _, p := range puts {
		// bbolt keeps the key slice until commit: give it a copy of its own.
		if err := p.b.Put(append([]byte(nil), p.key...), p.val); err != nil {
			return n, err
		}
	}
	return n, nil
}

// resealToken re-encrypts a token record's access token, keeping every
// other field as stored; ok is false for a record with nothing sealed.
func resealToken(v []byte, name string, again func([]byte, string) ([]byte, error)) (out []byte, ok bool, err error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(v, &fields); err != nil {
		return nil, false, fmt.Errorf("the token record of %s is unreadable: %w", name, err)
	}
	var sealed []byte
	if raw, has := fields["sealed"]; has {
		if err := json.Unmarshal(raw, &sealed); err != nil {
			return nil, false, fmt.Errorf("the token record of %s is unreadable: %w", name, err)
		}
	}
	if len(sealed) == 0 {
		return nil, false, nil
	}
	sealed, err = again(sealed, "the access token of "+name)
	if err != nil {
		return nil, false, err
	}
	if fields["sealed"], err = json.Marshal(sealed); err != nil {
		return nil, false, err
	}
	out, err = json.Marshal(fields)
	return out, err == nil, err
}
