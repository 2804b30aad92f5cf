package kvtest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tokentop/tokentop/store/kv"
)

// testBorrowedScan: a Scan with Borrow sees what one without sees, in a
// View; in an Update its keys and values are still copies, so changing
// them changes nothing stored.
func testBorrowedScan(t *testing.T, h Harness) {
	b := open(t, h.New(t))
	ctx := t.Context()
	p := kv.P("quota")
	want := orderedKeys()
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.CreateBucketIfNotExists(p))
		for _, k := range want {
			must(t, tx.Put(p, []byte(k), []byte("v"+k)))
		}
		return nil
	}))
	must(t, b.View(ctx, func(tx kv.Tx) error {
		for _, o := range []kv.ScanOptions{{}, {Reverse: true}, {From: []byte("ab")}, {KeysOnly: true}} {
			keys, vals := scan(t, tx, p, o)
			o.Borrow = true
			bkeys, bvals := scan(t, tx, p, o)
			if !slices.Equal(keys, bkeys) || !slices.Equal(vals, bvals) {
				t.Errorf("%+v: borrowed %q=%q, copied %q=%q", o, bkeys, bvals, keys, vals)
			}
		}
		return nil
	}))
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		return tx.Scan(p, kv.ScanOptions{Borrow: true}, func(k, v []byte) error {
			if len(k) > 0 && len(v) > 0 {
				k[0], v[0] = '!', '!'
			}
			return nil
		})
	}))
	if v := get(t, b, p, "ab"); string(v) != "vab" {
		t.Fatalf("changing what a writable borrowed scan passed changed the store: %q", v)
	}
}

// testManyBuckets: a View that goes from bucket to bucket and back (as a
// summary of every provider does: tokens, state, the provider's ledger,
// secrets) reads each bucket's own data, however many it visits.
func testManyBuckets(t *testing.T, h Harness) {
	b := open(t, h.New(t))
	ctx := t.Context()
	const n = 20
	name := func(i int) string { return fmt.Sprintf("p%02d", i) }
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		for _, top := range []string{"tokens", "state"} {
			must(t, tx.CreateBucketIfNotExists(kv.P(top)))
		}
		for i := range n {
			must(t, tx.CreateBucketIfNotExists(kv.P("quota", name(i))))
			must(t, tx.Put(kv.P("quota", name(i)), []byte("k"), []byte("quota "+name(i))))
			must(t, tx.Put(kv.P("tokens"), []byte(name(i)), []byte("token "+name(i))))
			must(t, tx.Put(kv.P("state"), []byte(name(i)), []byte("state "+name(i))))
		}
		return nil
	}))
	must(t, b.View(ctx, func(tx kv.Tx) error {
		for round := range 2 {
			for i := range n {
				for _, c := range []struct {
					p   kv.Path
					key string
					val string
				}{
					{kv.P("tokens"), name(i), "token " + name(i)},
					{kv.P("quota", name(i)), "k", "quota " + name(i)},
					{kv.P("state"), name(i), "state " + name(i)},
					{kv.P("quota", name((i+7)%n)), "k", "quota " + name((i+7)%n)},
				} {
					v, err := tx.Get(c.p, []byte(c.key))
					must(t, err)
					if string(v) != c.val {
						t.Errorf("round %d: %s %s = %q, want %q", round, c.p, c.key, v, c.val)
					}
				}
			}
		}
		return nil
	}))
}
