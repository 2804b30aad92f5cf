package kvtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tokentop/tokentop/store/kv"
)

// Bench measures what the store does most, on the backend the harness
// makes: a read of one key (the cached token's path), an Update of one
// key, a token's save (token, exchange, three quota windows), a lock taken
// and let go, and the fetch path's lock: taken, then released in the
// Update that saves.
func Bench(b *testing.B, name string, h Harness) {
	b.Run(name, func(b *testing.B) {
		c := open(b, h.New(b))
		ctx := b.Context()
		put(b, c, kv.P("tokens"), "svc", string(make([]byte, 600)))
		must(b, c.Update(ctx, func(tx kv.Tx) error {
			for _, p := range []kv.Path{kv.P("exchanges", "svc"), kv.P("quota", "svc"), kv.P("state")} {
				if err := tx.CreateBucketIfNotExists(p); err != nil {
					return err
				}
			}
			return nil
		}))
		b.Run("View", func(b *testing.B) {
			for b.Loop() {
				must(b, c.View(ctx, func(tx kv.Tx) error {
					v, err := tx.Get(kv.P("tokens"), []byte("svc"))
					if err == nil && v == nil {
						err = fmt.Errorf("no token")
					}
					return err
				}))
			}
		})
		b.Run("Update", func(b *testing.B) {
			for b.Loop() {
				must(b, c.Update(ctx, func(tx kv.Tx) error {
					v, err := tx.Get(kv.P("state"), []byte("n"))
					if err != nil {
						return err
					}
					return tx.Put(kv.P("state"), []byte("n"), kv.U64(kv.GetU64(v)+1))
				}))
			}
		})
		b.Run("SaveToken", func(b *testing.B) {
			for b.Loop() {
				must(b, c.Update(ctx, func(tx kv.Tx) error { return saveToken(tx) }))
			}
		})
		b.Run("Lock", func(b *testing.B) {
			for b.Loop() {
				l, err := c.TryLock(ctx, "svc", kv.LockOptions{TTL: time.Minute})
				must(b, err)
				must(b, l.Unlock(ctx))
			}
		})
		b.Run("LockAndSaveWithRelease", func(b *testing.B) {
			for b.Loop() {
				l, err := c.TryLock(ctx, "svc", kv.LockOptions{TTL: time.Minute})
				must(b, err)
				must(b, c.Update(ctx, func(tx kv.Tx) error {
					if err := saveToken(tx); err != nil {
						return err
					}
					return tx.Release(l)
				}))
			}
		})
	})
}

// saveToken writes what a fetch saves: the token, one exchange, the
// quota's three windows.
func saveToken(tx kv.Tx) error {
	if err := tx.Put(kv.P("tokens"), []byte("svc"), make([]byte, 600)); err != nil {
		return err
	}
	seq, err := tx.NextSequence(kv.P("exchanges", "svc"))
	if err != nil {
		return err
	}
	if err := tx.Put(kv.P("exchanges", "svc"), kv.U64(seq), make([]byte, 2048)); err != nil {
		return err
	}
	if seq > 50 {
		if err := tx.Delete(kv.P("exchanges", "svc"), kv.U64(seq-50)); err != nil {
			return err
		}
	}
	for _, w := range []string{"2026-01-02T03", "2026-01-02", "2026-01"} {
		v, err := tx.Get(kv.P("quota", "svc"), []byte(w))
		if err != nil {
			return err
		}
		if err := tx.Put(kv.P("quota", "svc"), []byte(w), kv.U64(kv.GetU64(v)+1)); err != nil {
			return err
		}
	}
	return nil
}
