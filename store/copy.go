package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// Copy moves everything a Store holds to another, whatever their
// backends: providers, secrets, tokens, quota ledgers, exchange records
// and provider state. Secrets, tokens and records are decrypted with the
// source's key and sealed with the target's; the change counter and the
// fetch locks are the target's own and are not copied.

// CopyOptions tune Copy.
type CopyOptions struct {
	// Force copies into a target that already holds providers: a provider
	// of the source replaces the target's of that name with everything
	// kept for it; the target's other providers stay. Without Force such a
	// target is refused before anything is written.
	Force bool
}

// CopyCounts is what a copy holds, per kind of data.
type CopyCounts struct {
	Providers, Secrets, Tokens, Records, QuotaCounts, States int
}

// ErrTargetNotEmpty is Copy's error for a target that holds providers,
// without Force.
var ErrTargetNotEmpty = errors.New("the target holds providers")

// maxCopyQuotaKeys bounds the quota ledger keys read for one provider:
// tokentop keeps 25 months of hours, days and months (about 18,300).
const maxCopyQuotaKeys = 20000

// copyChunk bounds the writes of one transaction of a copy (etcd takes 128
// operations in one transaction by default).
const copyChunk = 48

// providerData is one provider's data as read from the source, its
// secrets decrypted.
type providerData struct {
	name     string
	provider []byte // the provider's JSON, as stored (it holds no secret)
	secret   *string
	token    *providers.Token
	state    []byte
	quota    [][2][]byte // key, value, in key order
	records  [][]byte    // exchange JSON, oldest first
}

// Copy copies every provider of from into to (see CopyOptions.Force for
// a target that holds providers) and returns what it copied. Each
// provider's data lands in a few transactions, the provider's own record
// last, so a copy cut short shows no half-copied provider; run it again
// with Force.
func Copy(ctx context.Context, from, to *Store, o CopyOptions) (CopyCounts, error) {
	var c CopyCounts
	if to.readOnly != nil {
		return c, to.readOnly
	}
	names, err := from.providerNames(ctx)
	if err != nil {
		return c, err
	}
	held, err := to.providerNames(ctx)
	if err != nil {
		return c, err
	}
	if len(held) > 0 && !o.Force {
		return c, fmt.Errorf("copying to %s: %w (%d); nothing was copied: copy into an empty store, or replace the providers of the same names with --force", to.where, ErrTargetNotEmpty, len(held))
	}
	for _, name := range names {
		d, err := from.readForCopy(ctx, name)
		if err != nil {
			return c, fmt.Errorf("copying %s from %s: %w", name, from.where, err)
		}
		if slices.Contains(held, name) {
			if err := to.DeleteProvider(ctx, name); err != nil && !errors.Is(err, ErrNotFound) {
				return c, fmt.Errorf("replacing %s in %s: %w", name, to.where, err)
			}
		}
		if err := to.writeCopy(ctx, d); err != nil {
			return c, fmt.Errorf("copying %s to %s: %w", name, to.where, err)
		}
		c.add(d)
	}
	return c, nil
}

func (c *CopyCounts) add(d *providerData) {
	c.Providers++
	if d.secret != nil {
		c.Secrets++
	}
	if d.token != nil {
		c.Tokens++
	}
	if d.state != nil {
		c.States++
	}
	c.Records += len(d.records)
	c.QuotaCounts += len(d.quota)
}

// providerNames lists the providers, in name order.
func (s *Store) providerNames(ctx context.Context) ([]string, error) {
	var names []string
	err := s.view(ctx, func(tx kv.Tx) error {
		names = names[:0]
		return tx.Scan(kv.P(bProviders), kv.ScanOptions{KeysOnly: true}, func(k, _ []byte) error {
			names = append(names, string(k))
			return nil
		})
	})
	return names, err
}

// readForCopy reads one provider's data in one transaction, then
// decrypts it.
func (s *Store) readForCopy(ctx context.Context, name string) (*providerData, error) {
	d := &providerData{name: name}
	var (
		sealedSecret []byte
		rec          *tokenRecord
	)
	err := s.view(ctx, func(tx kv.Tx) error {
		*d = providerData{name: name}
		var err error
		if d.provider, err = tx.Get(kv.P(bProviders), []byte(name)); err != nil {
			return err
		}
		if d.provider == nil {
			return notFoundProvider(name)
		}
		if sealedSecret, err = tx.Get(kv.P(bSecrets), []byte(name)); err != nil {
			return err
		}
		if rec, err = s.getToken(tx, name); err != nil {
			return err
		}
		if d.state, err = tx.Get(kv.P(bState), []byte(name)); err != nil {
			return err
		}
		err = tx.Scan(ledger(name), kv.ScanOptions{}, func(k, v []byte) error {
			if len(d.quota) == maxCopyQuotaKeys {
				return fmt.Errorf("its quota ledger holds more than %d counts, more than tokentop keeps", maxCopyQuotaKeys)
			}
			d.quota = append(d.quota, [2][]byte{k, v})
			return nil
		})
		if err != nil {
			return err
		}
		// The newest MaxExchanges, as tokentop keeps.
		return tx.Scan(flightLog(name), kv.ScanOptions{Reverse: true}, func(_, v []byte) error {
			if len(d.records) == MaxExchanges {
				return kv.ErrStop
			}
			d.records = append(d.records, v)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.Reverse(d.records)
	if sealedSecret != nil {
		secret, err := s.keys.open(sealedSecret, "the client secret of "+name)
		if err != nil {
			return nil, err
		}
		d.secret = &secret
	}
	if rec != nil && len(rec.Sealed) > 0 {
		if d.token, err = s.unseal(name, rec); err != nil {
			return nil, err
		}
	}
	for i, v := range d.records {
		if isPlainRecord(v) {
			continue
		}
		plain, err := s.keys.open(v, "an exchange record of "+name)
		if err != nil {
			return nil, err
		}
		d.records[i] = []byte(plain)
	}
	return d, nil
}

// writeCopy writes one provider's data: the records and the quota ledger
// in chunks, then the token, secret, state and provider together.
func (s *Store) writeCopy(ctx context.Context, d *providerData) error {
	for rest := d.records; len(rest) > 0; {
		chunk := rest[:min(len(rest), copyChunk)]
		rest = rest[len(chunk):]
		err := s.update(ctx, func(tx kv.Tx) error {
			b := flightLog(d.name)
			if err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
			for _, raw := range chunk {
				seq, err := tx.NextSequence(b)
				if err != nil {
					return err
				}
				sealed, err := s.keys.seal(tx, string(raw))
				if err != nil {
					return err
				}
				if err := tx.Put(b, kv.U64(seq), sealed); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for rest := d.quota; len(rest) > 0; {
		chunk := rest[:min(len(rest), copyChunk)]
		rest = rest[len(chunk):]
		err := s.update(ctx, func(tx kv.Tx) error {
			if err := tx.CreateBucketIfNotExists(ledger(d.name)); err != nil {
				return err
			}
			for _, e := range chunk {
				if err := tx.Put(ledger(d.name), e[0], e[1]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return s.update(ctx, func(tx kv.Tx) error {
		if d.token != nil {
			if err := s.putToken(tx, d.name, d.token); err != nil {
				return err
			}
		}
		if d.secret != nil {
			sealed, err := s.keys.seal(tx, *d.secret)
			if err != nil {
				return err
			}
			if err := tx.Put(kv.P(bSecrets), []byte(d.name), sealed); err != nil {
				return err
			}
		}
		if d.state != nil {
			if err := tx.Put(kv.P(bState), []byte(d.name), d.state); err != nil {
				return err
			}
		}
		return tx.Put(kv.P(bProviders), []byte(d.name), d.provider)
	})
}

// CopyMismatchError is VerifyCopy's finding: what differs, by provider
// and kind (never a value).
type CopyMismatchError struct {
	Target      string
	Differences []string
}

func (e *CopyMismatchError) Error() string {
	const shown = 10
	list := e.Differences
	more := ""
	if len(list) > shown {
		more = fmt.Sprintf(" and %d more", len(list)-shown)
		list = list[:shown]
	}
	return fmt.Sprintf("the copy in %s differs from its source: %s%s", e.Target, joinDiffs(list), more)
}

func joinDiffs(list []string) string {
	var b bytes.Buffer
	for i, s := range list {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(s)
	}
	return b.String()
}

// VerifyCopy re-reads every provider of from in to and compares them,
// secrets, tokens and records decrypted, each with its own store's key.
// It returns what the target holds of them, and a *CopyMismatchError
// naming each difference.
func VerifyCopy(ctx context.Context, from, to *Store) (CopyCounts, error) {
	var c CopyCounts
	names, err := from.providerNames(ctx)
	if err != nil {
		return c, err
	}
	var diffs []string
	for _, name := range names {
		want, err := from.readForCopy(ctx, name)
		if err != nil {
			return c, fmt.Errorf("re-reading %s in %s: %w", name, from.where, err)
		}
		got, err := to.readForCopy(ctx, name)
		if errors.Is(err, ErrNotFound) {
			diffs = append(diffs, name+": missing")
			continue
		}
		if err != nil {
			return c, fmt.Errorf("re-reading %s in %s: %w", name, to.where, err)
		}
		c.add(got)
		diffs = append(diffs, compareCopy(want, got)...)
	}
	if len(diffs) > 0 {
		return c, &CopyMismatchError{Target: to.where, Differences: diffs}
	}
	return c, nil
}

// compareCopy lists how got differs from want.
func compareCopy(want, got *providerData) []string {
	var diffs []string
	differ := func(what string) { diffs = append(diffs, want.name+": "+what) }
	if !bytes.Equal(want.provider, got.provider) {
		differ("provider settings")
	}
	if (want.secret == nil) != (got.secret == nil) || (want.secret != nil && *want.secret != *got.secret) {
		differ("client secret")
	}
	if !sameToken(want.token, got.token) {
		differ("token")
	}
	if !bytes.Equal(want.state, got.state) {
		differ("state")
	}
	if !slices.EqualFunc(want.quota, got.quota, func(a, b [2][]byte) bool {
		return bytes.Equal(a[0], b[0]) && bytes.Equal(a[1], b[1])
	}) {
		differ("quota ledger")
	}
	if !slices.EqualFunc(want.records, got.records, bytes.Equal) {
		differ("exchange records")
	}
	return diffs
}

// sameToken compares two tokens field by field (through JSON: a token
// holds slices and maps).
func sameToken(a, b *providers.Token) bool {
	if a == nil || b == nil {
		return a == b
	}
	ja, erra := json.Marshal(a)
	jb, errb := json.Marshal(b)
	return erra == nil && errb == nil && bytes.Equal(ja, jb) && a.AccessToken == b.AccessToken
}
