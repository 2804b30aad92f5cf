package kvtest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tokentop/tokentop/store/kv"
)

func testGetPutDelete(t *testing.T, h Harness) {
	b := open(t, h.New(t))
	ctx := t.Context()
	p := kv.P("providers")
	if v := get(t, b, p, "svc"); v != nil {
		t.Fatalf("empty store: Get = %q, want nil", v)
	}
	err := b.Update(ctx, func(tx kv.Tx) error { return tx.Put(p, []byte("svc"), []byte("x")) })
	if !errors.Is(err, kv.ErrBucketNotFound) || !bytes.Contains([]byte(err.Error()), []byte("providers")) {
		t.Fatalf("Put into a missing bucket: %v, want ErrBucketNotFound naming it", err)
	}
	put(t, b, p, "svc", "one")
	put(t, b, p, "empty", "")
	if v := get(t, b, p, "svc"); string(v) != "one" {
		t.Fatalf("Get = %q, want one", v)
	}
	if v := get(t, b, p, "empty"); v == nil || len(v) != 0 {
		t.Fatalf("an empty value reads as %#v, want a non-nil empty slice", v)
	}
	put(t, b, p, "svc", "two")
	if v := get(t, b, p, "svc"); string(v) != "two" {
		t.Fatalf("after overwrite Get = %q, want two", v)
	}
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		if err := tx.Delete(p, []byte("svc")); err != nil {
			return err
		}
		if err := tx.Delete(p, []byte("never")); err != nil {
			return fmt.Errorf("deleting a missing key: %w", err)
		}
		return tx.Delete(kv.P("nowhere"), []byte("x"))
	}))
	if v := get(t, b, p, "svc"); v != nil {
		t.Fatalf("after Delete Get = %q, want nil", v)
	}
	err = b.View(ctx, func(tx kv.Tx) error {
		if tx.Writable() {
			t.Error("a View's Tx says it is writable")
		}
		return tx.Put(p, []byte("a"), []byte("b"))
	})
	if !errors.Is(err, kv.ErrReadOnlyTx) {
		t.Fatalf("Put in a View: %v, want ErrReadOnlyTx", err)
	}
}

func testAtomicUpdate(t *testing.T, h Harness) {
	opener := h.New(t)
	a, b := open(t, opener), open(t, opener)
	ctx := t.Context()
	p := kv.P("tokens")
	put(t, a, p, "kept", "old")
	before := counter(t, a)
	boom := errors.New("boom")
	err := a.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.Put(p, []byte("kept"), []byte("new")))
		must(t, tx.Put(p, []byte("added"), []byte("x")))
		must(t, tx.CreateBucketIfNotExists(kv.P("exchanges", "svc")))
		if _, err := tx.NextSequence(kv.P("exchanges", "svc")); err != nil {
			return err
		}
		must(t, tx.DeleteBucket(kv.P("tokens")))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	// A write the backend refuses half way rolls back the rest too.
	err = a.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.Put(p, []byte("kept"), []byte("new")))
		return tx.Put(kv.P("missing"), []byte("k"), []byte("v"))
	})
	if !errors.Is(err, kv.ErrBucketNotFound) {
		t.Fatalf("Update returned %v, want ErrBucketNotFound", err)
	}
	for _, c := range []kv.Backend{a, b} {
		if v := get(t, c, p, "kept"); string(v) != "old" {
			t.Errorf("after failed Updates kept = %q, want old", v)
		}
		if v := get(t, c, p, "added"); v != nil {
			t.Errorf("after a failed Update added = %q, want nil", v)
		}
		must(t, c.View(ctx, func(tx kv.Tx) error {
			if ok, _ := tx.BucketExists(kv.P("exchanges", "svc")); ok {
				t.Error("a failed Update's bucket exists")
			}
			return nil
		}))
	}
	if n := counter(t, b); n != before {
		t.Errorf("failed Updates moved the change counter from %d to %d", before, n)
	}
}

// increments runs n Updates that each add one to a counter key.
func increments(t *testing.T, b kv.Backend, n int) {
	for range n {
		err := b.Update(t.Context(), func(tx kv.Tx) error {
			v, err := tx.Get(kv.P("state"), []byte("n"))
			if err != nil {
				return err
			}
			return tx.Put(kv.P("state"), []byte("n"), kv.U64(kv.GetU64(v)+1))
		})
		if err != nil {
			t.Error(err)
			return
		}
	}
}

func isolation(t *testing.T, clients []kv.Backend, perClient, each int) {
	must(t, clients[0].Update(t.Context(), func(tx kv.Tx) error { return tx.CreateBucketIfNotExists(kv.P("state")) }))
	var wg sync.WaitGroup
	for _, c := range clients {
		for range perClient {
			wg.Go(func() { increments(t, c, each) })
		}
	}
	wg.Wait()
	want := uint64(len(clients) * perClient * each)
	for _, c := range clients {
		if got := kv.GetU64(get(t, c, kv.P("state"), "n")); got != want {
			t.Fatalf("counter = %d after %d increments: Updates were not serialised", got, want)
		}
	}
}

func testIsolationOneClient(t *testing.T, h Harness) {
	isolation(t, []kv.Backend{open(t, h.New(t))}, 4, 10)
}

func testIsolationTwoClients(t *testing.T, h Harness) {
	opener := h.New(t)
	isolation(t, []kv.Backend{open(t, opener), open(t, opener)}, 3, 10)
}

// orderedKeys are keys whose byte order differs from naive orders: binary,
// prefixes of each other, and big-endian sequence numbers.
func orderedKeys() []string {
	keys := []string{"\x00", "\x00\x00", "\x01", "a", "ab", "abc", "b", "\x7f", "\x80", "\xff", "\xff\xff"}
	for _, n := range []uint64{1, 2, 255, 256, 257, 65536, 1 << 40} {
		keys = append(keys, "seq"+string(kv.U64(n)))
	}
	slices.Sort(keys)
	return keys
}

func testOrdering(t *testing.T, h Harness) {
	b := open(t, h.New(t))
	ctx := t.Context()
	p := kv.P("quota")
	want := orderedKeys()
	shuffled := slices.Clone(want)
	for i := range shuffled {
		j := (i*7 + 3) % len(shuffled)
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	}
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.CreateBucketIfNotExists(p))
		must(t, tx.CreateBucketIfNotExists(kv.P("quota", "nested"))) // not a key
		for _, k := range shuffled {
			must(t, tx.Put(p, []byte(k), []byte("v"+k)))
		}
		return nil
	}))
	rev := slices.Clone(want)
	slices.Reverse(rev)
	must(t, b.View(ctx, func(tx kv.Tx) error {
		keys, vals := scan(t, tx, p, kv.ScanOptions{})
		if !slices.Equal(keys, want) {
			t.Errorf("forward:\n got %q\nwant %q", keys, want)
		}
		for i, v := range vals {
			if v != "v"+keys[i] {
				t.Errorf("value of %q = %q", keys[i], v)
			}
		}
		if keys, _ := scan(t, tx, p, kv.ScanOptions{Reverse: true}); !slices.Equal(keys, rev) {
			t.Errorf("reverse:\n got %q\nwant %q", keys, rev)
		}
		// From an existing key, and from between two keys.
		if keys, _ := scan(t, tx, p, kv.ScanOptions{From: []byte("ab")}); !slices.Equal(keys, want[slices.Index(want, "ab"):]) {
			t.Errorf("forward from ab: %q", keys)
		}
		if keys, _ := scan(t, tx, p, kv.ScanOptions{From: []byte("aa")}); !slices.Equal(keys, want[slices.Index(want, "ab"):]) {
			t.Errorf("forward from aa: %q", keys)
		}
		if keys, _ := scan(t, tx, p, kv.ScanOptions{From: []byte("ab"), Reverse: true}); !slices.Equal(keys, rev[slices.Index(rev, "ab"):]) {
			t.Errorf("reverse from ab: %q", keys)
		}
		if keys, _ := scan(t, tx, p, kv.ScanOptions{From: []byte("aa"), Reverse: true}); !slices.Equal(keys, rev[slices.Index(rev, "a"):]) {
			t.Errorf("reverse from aa: %q", keys)
		}
		if keys, _ := scan(t, tx, p, kv.ScanOptions{From: []byte("\xff\xff\xff"), Reverse: true}); !slices.Equal(keys, rev) {
			t.Errorf("reverse from past the end: %q", keys)
		}
		if keys, _ := scan(t, tx, p, kv.ScanOptions{From: []byte("\xff\xff\xff")}); len(keys) != 0 {
			t.Errorf("forward from past the end: %q", keys)
		}
		_, vals = scan(t, tx, p, kv.ScanOptions{KeysOnly: true})
		for _, v := range vals {
			if v != "" {
				t.Errorf("KeysOnly passed value %q", v)
			}
		}
		// ErrStop ends the scan quietly: the three newest, as History reads.
		var newest []string
		must(t, tx.Scan(p, kv.ScanOptions{Reverse: true}, func(k, _ []byte) error {
			newest = append(newest, string(k))
			if len(newest) == 3 {
				return kv.ErrStop
			}
			return nil
		}))
		if !slices.Equal(newest, rev[:3]) {
			t.Errorf("stopped reverse scan: %q", newest)
		}
		boom := errors.New("boom")
		if err := tx.Scan(p, kv.ScanOptions{}, func(_, _ []byte) error { return boom }); !errors.Is(err, boom) {
			t.Errorf("Scan returned %v, want fn's error", err)
		}
		return nil
	}))
}

func testNextSequence(t *testing.T, h Harness) {
	opener := h.New(t)
	a, b := open(t, opener), open(t, opener)
	ctx := t.Context()
	ex, other := kv.P("exchanges", "svc"), kv.P("exchanges", "other")
	next := func(c kv.Backend, p kv.Path) uint64 {
		var n uint64
		must(t, c.Update(ctx, func(tx kv.Tx) error {
			if err := tx.CreateBucketIfNotExists(p); err != nil {
				return err
			}
			var err error
			n, err = tx.NextSequence(p)
			return err
		}))
		return n
	}
	if got := []uint64{next(a, ex), next(a, ex), next(b, ex), next(a, other)}; !slices.Equal(got, []uint64{1, 2, 3, 1}) {
		t.Fatalf("sequences %v, want [1 2 3 1]", got)
	}
	err := a.Update(ctx, func(tx kv.Tx) error {
		if n, err := tx.NextSequence(ex); err != nil || n != 4 {
			t.Errorf("in a failing Update: %d, %v", n, err)
		}
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("Update did not fail")
	}
	if n := next(b, ex); n != 4 {
		t.Fatalf("after a rolled-back NextSequence: %d, want 4", n)
	}
	err = a.Update(ctx, func(tx kv.Tx) error {
		_, err := tx.NextSequence(kv.P("exchanges", "missing"))
		return err
	})
	if !errors.Is(err, kv.ErrBucketNotFound) {
		t.Fatalf("NextSequence of a missing bucket: %v", err)
	}
	// Many in one Update, as a fetch with retries appends its exchanges.
	must(t, a.Update(ctx, func(tx kv.Tx) error {
		for want := uint64(5); want < 9; want++ {
			if n, err := tx.NextSequence(ex); err != nil || n != want {
				t.Errorf("NextSequence = %d, %v; want %d", n, err, want)
			}
		}
		return nil
	}))
}

func testNestedBuckets(t *testing.T, h Harness) {
	b := open(t, h.New(t))
	ctx := t.Context()
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		for _, p := range []kv.Path{kv.P("quota", "a"), kv.P("quota", "b"), kv.P("quota", "a", "deep"), kv.P("exchanges")} {
			must(t, tx.CreateBucketIfNotExists(p))
		}
		must(t, tx.Put(kv.P("quota"), []byte("a"+"key"), []byte("top")))
		must(t, tx.Put(kv.P("quota", "a"), []byte("2026-01"), kv.U64(3)))
		must(t, tx.Put(kv.P("quota", "a", "deep"), []byte("k"), []byte("v")))
		must(t, tx.Put(kv.P("quota", "b"), []byte("2026-01"), kv.U64(5)))
		_, err := tx.NextSequence(kv.P("quota", "a"))
		return err
	}))
	names := func(tx kv.Tx, p kv.Path) []string {
		var out []string
		must(t, tx.Buckets(p, func(n []byte) error { out = append(out, string(n)); return nil }))
		return out
	}
	must(t, b.View(ctx, func(tx kv.Tx) error {
		if got := names(tx, kv.Root); !slices.Equal(got, []string{"exchanges", "meta", "quota"}) {
			t.Errorf("top-level buckets %q", got)
		}
		if got := names(tx, kv.P("quota")); !slices.Equal(got, []string{"a", "b"}) {
			t.Errorf("buckets in quota %q", got)
		}
		if keys, _ := scan(t, tx, kv.P("quota"), kv.ScanOptions{}); !slices.Equal(keys, []string{"akey"}) {
			t.Errorf("keys of quota %q (nested buckets are not keys)", keys)
		}
		if keys, _ := scan(t, tx, kv.P("quota", "a"), kv.ScanOptions{}); !slices.Equal(keys, []string{"2026-01"}) {
			t.Errorf("keys of quota/a %q", keys)
		}
		if v, _ := tx.Get(kv.P("quota", "b"), []byte("2026-01")); kv.GetU64(v) != 5 {
			t.Errorf("quota/b = %v", v)
		}
		if v, _ := tx.Get(kv.P("quota", "missing"), []byte("2026-01")); v != nil {
			t.Errorf("a missing bucket's key reads %q", v)
		}
		return nil
	}))
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.DeleteBucket(kv.P("quota", "a")))
		must(t, tx.DeleteBucket(kv.P("quota", "never")))
		if ok, _ := tx.BucketExists(kv.P("quota", "a")); ok {
			t.Error("a deleted bucket exists in its Update")
		}
		return nil
	}))
	must(t, b.View(ctx, func(tx kv.Tx) error {
		if got := names(tx, kv.P("quota")); !slices.Equal(got, []string{"b"}) {
			t.Errorf("after DeleteBucket, buckets in quota %q", got)
		}
		for _, p := range []kv.Path{kv.P("quota", "a"), kv.P("quota", "a", "deep")} {
			if ok, _ := tx.BucketExists(p); ok {
				t.Errorf("%s exists after its parent's DeleteBucket", p)
			}
		}
		if v, _ := tx.Get(kv.P("quota", "a", "deep"), []byte("k")); v != nil {
			t.Error("a deleted bucket's nested data remains")
		}
		if keys, _ := scan(t, tx, kv.P("quota"), kv.ScanOptions{}); !slices.Equal(keys, []string{"akey"}) {
			t.Errorf("the parent's keys after DeleteBucket: %q", keys)
		}
		return nil
	}))
	checkRecreatedBucket(t, b)
}

// checkRecreatedBucket: a bucket made again after DeleteBucket starts
// empty, its sequence at 1.
func checkRecreatedBucket(t *testing.T, b kv.Backend) {
	ctx := t.Context()
	var seq uint64
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.CreateBucketIfNotExists(kv.P("quota", "a")))
		var err error
		seq, err = tx.NextSequence(kv.P("quota", "a"))
		return err
	}))
	if seq != 1 {
		t.Errorf("a recreated bucket's sequence starts at %d, want 1", seq)
	}
	must(t, b.View(ctx, func(tx kv.Tx) error {
		if keys, _ := scan(t, tx, kv.P("quota", "a"), kv.ScanOptions{}); len(keys) != 0 {
			t.Errorf("a recreated bucket holds %q", keys)
		}
		return nil
	}))
}

func testValuesCopiedOut(t *testing.T, h Harness) {
	b := open(t, h.New(t))
	ctx := t.Context()
	p := kv.P("secrets")
	var got, k, v []byte
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.CreateBucketIfNotExists(p))
		key, val := []byte("svc"), []byte("sealed")
		must(t, tx.Put(p, key, val))
		key[0], val[0] = 'X', 'X' // the caller's slices are its own again
		must(t, tx.Put(p, []byte("other"), []byte("second")))
		return nil
	}))
	must(t, b.View(ctx, func(tx kv.Tx) error {
		var err error
		got, err = tx.Get(p, []byte("svc"))
		if err != nil {
			return err
		}
		return tx.Scan(p, kv.ScanOptions{}, func(kk, vv []byte) error {
			k, v = kk, vv // kept past the callback and the transaction
			return nil
		})
	}))
	if string(got) != "sealed" || string(k) != "svc" || string(v) != "sealed" {
		t.Fatalf("read %q, last scanned %q=%q", got, k, v)
	}
	got[0], k[0], v[0] = 'Y', 'Y', 'Y'
	if again := get(t, b, p, "svc"); string(again) != "sealed" {
		t.Fatalf("changing a value read changed the store: %q", again)
	}
}

func testReadYourWrites(t *testing.T, h Harness) {
	b := open(t, h.New(t))
	ctx := t.Context()
	p := kv.P("exchanges", "svc")
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.CreateBucketIfNotExists(p))
		for _, k := range []string{"b", "d", "f"} {
			must(t, tx.Put(p, []byte(k), []byte("old")))
		}
		return nil
	}))
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.Put(p, []byte("a"), []byte("new")))
		must(t, tx.Put(p, []byte("d"), []byte("new")))
		must(t, tx.Delete(p, []byte("f")))
		must(t, tx.Put(p, []byte("g"), []byte("new")))
		if v, _ := tx.Get(p, []byte("d")); string(v) != "new" {
			t.Errorf("own write reads %q", v)
		}
		if v, _ := tx.Get(p, []byte("f")); v != nil {
			t.Errorf("own delete reads %q", v)
		}
		keys, vals := scan(t, tx, p, kv.ScanOptions{})
		if !slices.Equal(keys, []string{"a", "b", "d", "g"}) || !slices.Equal(vals, []string{"new", "old", "new", "new"}) {
			t.Errorf("scan in the Update: %q %q", keys, vals)
		}
		if keys, _ := scan(t, tx, p, kv.ScanOptions{Reverse: true, From: []byte("e")}); !slices.Equal(keys, []string{"d", "b", "a"}) {
			t.Errorf("reverse scan in the Update: %q", keys)
		}
		// Delete the bucket, then write into a new one of the same name.
		must(t, tx.DeleteBucket(kv.P("exchanges", "svc")))
		if keys, _ := scan(t, tx, p, kv.ScanOptions{}); len(keys) != 0 {
			t.Errorf("a deleted bucket scans %q", keys)
		}
		if err := tx.Put(p, []byte("x"), []byte("y")); !errors.Is(err, kv.ErrBucketNotFound) {
			t.Errorf("Put into the deleted bucket: %v", err)
		}
		must(t, tx.CreateBucketIfNotExists(p))
		must(t, tx.Put(p, []byte("d"), []byte("newest")))
		return nil
	}))
	must(t, b.View(ctx, func(tx kv.Tx) error {
		keys, vals := scan(t, tx, p, kv.ScanOptions{})
		if !slices.Equal(keys, []string{"d"}) || !slices.Equal(vals, []string{"newest"}) {
			t.Errorf("after the commit: %q %q", keys, vals)
		}
		return nil
	}))
}

func testScanRefusesWrites(t *testing.T, h Harness) {
	b := open(t, h.New(t))
	ctx := t.Context()
	p := kv.P("exchanges", "svc")
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.CreateBucketIfNotExists(p))
		must(t, tx.CreateBucketIfNotExists(kv.P("state")))
		for i := range 5 {
			must(t, tx.Put(p, kv.U64(uint64(i+1)), []byte("x")))
		}
		return nil
	}))
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		var seen int
		err := tx.Scan(p, kv.ScanOptions{}, func(k, _ []byte) error {
			seen++
			// Writing elsewhere is fine, and the scan goes on.
			return tx.Put(kv.P("state"), k, []byte("seen"))
		})
		if err != nil || seen != 5 {
			t.Errorf("scan writing elsewhere: %v after %d keys", err, seen)
		}
		err = tx.Scan(p, kv.ScanOptions{}, func(k, _ []byte) error { return tx.Delete(p, k) })
		if err == nil {
			t.Error("deleting from the bucket being scanned was allowed")
		}
		err = tx.Scan(p, kv.ScanOptions{}, func(_, _ []byte) error { return tx.DeleteBucket(kv.P("exchanges")) })
		if err == nil {
			t.Error("deleting the scanned bucket's parent was allowed")
		}
		// The way to do it: collect, then change after the scan.
		var drop [][]byte
		must(t, tx.Scan(p, kv.ScanOptions{KeysOnly: true}, func(k, _ []byte) error {
			if len(drop) < 2 {
				drop = append(drop, k)
			}
			return nil
		}))
		for _, k := range drop {
			must(t, tx.Delete(p, k))
		}
		return nil
	}))
	must(t, b.View(ctx, func(tx kv.Tx) error {
		if keys, _ := scan(t, tx, p, kv.ScanOptions{}); len(keys) != 3 {
			t.Errorf("%d keys left, want 3", len(keys))
		}
		return nil
	}))
}

// counter reads the change counter.
func counter(t testing.TB, b kv.Backend) uint64 {
	t.Helper()
	return kv.GetU64(get(t, b, kv.P(kv.MetaBucket), kv.ChangesKey))
}

func testChangeCounter(t *testing.T, h Harness) {
	b := open(t, h.New(t))
	ctx := t.Context()
	start := counter(t, b)
	put(t, b, kv.P("tokens"), "svc", "x")
	if n := counter(t, b); n != start+1 {
		t.Fatalf("after a write the counter is %d, want %d", n, start+1)
	}
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.CreateBucketIfNotExists(kv.P("tokens"))) // exists: no write
		_, err := tx.Get(kv.P("tokens"), []byte("svc"))
		return err
	}))
	if n := counter(t, b); n != start+1 {
		t.Fatalf("an Update that wrote nothing moved the counter to %d", n)
	}
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		v, err := tx.Get(kv.P(kv.MetaBucket), []byte(kv.ChangesKey))
		if kv.GetU64(v) != start+1 {
			t.Errorf("inside an Update the counter reads %d, want the old %d", kv.GetU64(v), start+1)
		}
		must(t, tx.Put(kv.P("tokens"), []byte("a"), []byte("1")))
		must(t, tx.Put(kv.P("tokens"), []byte("b"), []byte("2")))
		return err
	}))
	if n := counter(t, b); n != start+2 {
		t.Fatalf("an Update of two writes: counter %d, want %d", n, start+2)
	}
}

func testForeign(t *testing.T, h Harness) {
	err := h.Foreign(t)
	if !errors.Is(err, kv.ErrForeign) {
		t.Fatalf("opening data that is not tokentop's: %v, want ErrForeign", err)
	}
	if !bytes.Contains([]byte(err.Error()), []byte("not changed")) {
		t.Errorf("the error does not say the data was left alone: %v", err)
	}
}

func testClosed(t *testing.T, h Harness) {
	b := h.New(t)(t)
	ch, err := b.Watch(t.Context())
	must(t, err)
	must(t, b.Close())
	closed := make(chan struct{})
	go func() {
		for range ch {
		}
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(time.Minute):
		t.Fatal("a watch stayed open after Close")
	}
	must(t, b.Close())
	if err := b.View(t.Context(), func(kv.Tx) error { return nil }); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("View after Close: %v", err)
	}
	if err := b.Update(t.Context(), func(kv.Tx) error { return nil }); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("Update after Close: %v", err)
	}
}
