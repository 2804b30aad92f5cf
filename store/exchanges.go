package store

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/tokentop/tokentop/providers"
)

// MaxExchanges is how many exchanges are kept per provider.
const MaxExchanges = 50

// appendExchanges adds exs to the provider's history and drops the oldest
// beyond MaxExchanges.
func appendExchanges(tx *bolt.Tx, name string, exs []providers.Exchange) error {
	if len(exs) == 0 {
		return nil
	}
	b, err := bucket(tx, bExchanges).CreateBucketIfNotExists([]byte(name))
	if err != nil {
		return err
	}
	for _, ex := range exs {
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		raw, err := json.Marshal(ex)
		if err != nil {
			return fmt.Errorf("encoding an exchange of %s: %w", name, err)
		}
		if err := b.Put(u64(seq), raw); err != nil {
			return err
		}
	}
	n := 0
	c := b.Cursor()
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		n++
	}
	for k, _ := c.First(); k != nil && n > MaxExchanges; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
		n--
	}
	return nil
}

// History is the provider's recent exchanges with its token endpoint,
// newest first, at most MaxExchanges.
func (s *Store) History(ctx context.Context, name string) ([]providers.Exchange, error) {
	var out []providers.Exchange
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if !has(tx, bProviders, name) {
			return notFoundProvider(name)
		}
		eb := bucket(tx, bExchanges)
		if eb == nil {
			return nil
		}
		b := eb.Bucket([]byte(name))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(out) < MaxExchanges; k, v = c.Prev() {
			var ex providers.Exchange
			if err := json.Unmarshal(v, &ex); err != nil {
				return corruptError(s.path, err, "an exchange record of %s is unreadable: %v", name, err)
			}
			out = append(out, ex)
		}
		return nil
	})
	return out, err
}
