package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// MaxExchanges is how many exchanges are kept per provider.
const MaxExchanges = 50

// flightLog is the path of a provider's exchanges.
func flightLog(name string) kv.Path { return kv.P(bExchanges, name) }

// appendExchanges adds exs to the provider's history, each bounded (see
// providers.Exchange.Bounded) and encrypted with the database's key as
// secrets and tokens are, and drops the oldest beyond MaxExchanges.
func (s *Store) appendExchanges(tx kv.Tx, name string, exs []providers.Exchange) error {
	if len(exs) == 0 {
		return nil
	}
	b := flightLog(name)
	if err := tx.CreateBucketIfNotExists(b); err != nil {
		return err
	}
	for _, ex := range exs {
		seq, err := tx.NextSequence(b)
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
		if err := tx.Put(b, kv.U64(seq), sealed); err != nil {
			return err
		}
	}
	var keys [][]byte
	err := tx.Scan(b, kv.ScanOptions{KeysOnly: true}, func(k, _ []byte) error {
		keys = append(keys, k)
		return nil
	})
	if err != nil {
		return err
	}
	for len(keys) > MaxExchanges {
		if err := tx.Delete(b, keys[0]); err != nil {
			return err
		}
		keys = keys[1:]
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
	err := s.view(ctx, func(tx kv.Tx) error {
		out, total = out[:0], 0 // a backend may run fn again
		if err := hasProvider(tx, name); err != nil {
			return err
		}
		// Newest first; past the n wanted only the keys are needed.
		var sealed [][]byte
		err := tx.Scan(flightLog(name), kv.ScanOptions{Reverse: true, KeysOnly: n == 0}, func(_, v []byte) error {
			if total == MaxExchanges {
				return kv.ErrStop
			}
			total++
			if len(sealed) < n {
				sealed = append(sealed, v)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, v := range sealed {
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
		return ex, corruptError(s.where, err, "an exchange record of %s is unreadable: %v", name, err)
	}
	return ex, nil
}

// isPlainRecord reports whether a stored exchange is the old plaintext
// JSON; a sealed one starts with age's header.
func isPlainRecord(v []byte) bool { return len(v) > 0 && v[0] == '{' }

// holdsSealedExchanges reports whether any provider's history holds a
// sealed record (its newest is enough: records are sealed since a version).
func holdsSealedExchanges(tx kv.Tx) (bool, error) {
	var names [][]byte
	if err := tx.Buckets(kv.P(bExchanges), func(name []byte) error {
		names = append(names, name)
		return nil
	}); err != nil {
		return false, err
	}
	found := false
	for _, name := range names {
		err := tx.Scan(flightLog(string(name)), kv.ScanOptions{Reverse: true}, func(_, v []byte) error {
			found = !isPlainRecord(v)
			return kv.ErrStop
		})
		if err != nil || found {
			return found, err
		}
	}
	return false, nil
}
