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

// appendExchanges adds exs to the provider's history, each bounded (see
// providers.Exchange.Bounded) and encrypted with the database's key as
// secrets and tokens are, and drops the oldest beyond MaxExchanges.
// Callers hold the write lock.
func (s *Store) appendExchanges(tx *bolt.Tx, name string, exs []providers.Exchange) error {
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
		raw, err := json.Marshal(ex.Bounded())
		if err != nil {
			return fmt.Errorf("encoding an exchange of %s: %w", name, err)
		}
		sealed, err := s.keys.seal(tx, string(raw))
		if err != nil {
			return err
		}
		if err := b.Put(u64(seq), sealed); err != nil {
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
	out, _, err := s.RecentHistory(ctx, name, MaxExchanges)
	return out, err
}

// RecentHistory is the provider's n newest exchanges, newest first, and how
// many are kept in all. Each record is decrypted on its own (an age unwrap
// apiece), so a view that shows a few asks for a few.
func (s *Store) RecentHistory(ctx context.Context, name string, n int) ([]providers.Exchange, int, error) {
	var (
		out   []providers.Exchange
		total int
	)
	n = min(max(n, 0), MaxExchanges)
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
		for k, v := c.Last(); k != nil && total < MaxExchanges; k, v = c.Prev() {
			total++
			if len(out) == n {
				continue
			}
			ex, err := s.readExchange(name, v)
			if err != nil {
				return err
			}
			out = append(out, ex)
		}
		return nil
	})
	return out, total, err
}

// readExchange decodes a stored exchange: sealed, or a plaintext JSON
// record (one that starts with "{") written before records were sealed.
func (s *Store) readExchange(name string, v []byte) (providers.Exchange, error) {
	var ex providers.Exchange
	raw := v
	if !isPlainRecord(v) {
		plain, err := s.keys.open(v, "an exchange record of "+name)
		if err != nil {
			return ex, err
		}
		raw = []byte(plain)
	}
	if err := json.Unmarshal(raw, &ex); err != nil {
		return ex, corruptError(s.path, err, "an exchange record of %s is unreadable: %v", name, err)
	}
	return ex, nil
}

// isPlainRecord reports whether a stored exchange is the old plaintext
// JSON; a sealed one starts with age's header.
func isPlainRecord(v []byte) bool { return len(v) > 0 && v[0] == '{' }

// holdsSealedExchanges reports whether any provider's history holds a
// sealed record.
func holdsSealedExchanges(tx *bolt.Tx) bool {
	eb := bucket(tx, bExchanges)
	if eb == nil {
		return false
	}
	found := false
	_ = eb.ForEachBucket(func(name []byte) error {
		if b := eb.Bucket(name); b != nil {
			if _, v := b.Cursor().Last(); v != nil && !isPlainRecord(v) {
				found = true
			}
		}
		return nil
	})
	return found
}
