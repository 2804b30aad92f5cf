// Package kvtest is the conformance suite every kv.Backend passes: the same
// table of tests, run by each backend's own tests against real data (a
// bbolt file in a temporary directory, an embedded etcd on loopback). Only
// test files import it.
package kvtest

import (
	"testing"
	"time"

	"github.com/tokentop/tokentop/store/kv"
)

// Harness makes what the suite runs against.
type Harness struct {
	// New makes a fresh, empty data set and returns a function that opens
	// a new client on it: each call is a separate client, as another
	// process or machine would be. The suite closes what it opens.
	New func(t testing.TB) (open func(t testing.TB) kv.Backend)
	// Crash ends a client abruptly, as kill -9 or a cut network would: its
	// locks are not released, and it is not used again.
	Crash func(t testing.TB, b kv.Backend)
	// Expire ends a held lock as its lease running out would.
	Expire func(t testing.TB, b kv.Backend, l kv.Lock)
	// Foreign puts data that is not tokentop's where a data set would go,
	// returns the error of opening a client on it, and checks itself that
	// the data was left as it was.
	Foreign func(t testing.TB) error
	// LockTTL is the TTL of the suite's locks: short, so that a crashed
	// holder's lock frees soon.
	LockTTL time.Duration
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, h)
		})
	}
}

type testCase struct {
	name string
	run  func(t *testing.T, h Harness)
}

func cases() []testCase {
	return []testCase{
		{"GetPutDelete", testGetPutDelete},
		{"AtomicUpdate", testAtomicUpdate},
		{"IsolationOneClient", testIsolationOneClient},
		{"IsolationTwoClients", testIsolationTwoClients},
		{"Ordering", testOrdering},
		{"NextSequence", testNextSequence},
		{"NestedBuckets", testNestedBuckets},
		{"ValuesCopiedOut", testValuesCopiedOut},
		{"BorrowedScan", testBorrowedScan},
		{"ManyBuckets", testManyBuckets},
		{"ReadYourWrites", testReadYourWrites},
		{"ScanRefusesWritesToItsBucket", testScanRefusesWrites},
		{"ChangeCounter", testChangeCounter},
		{"LockExclusion", testLockExclusion},
		{"LockMutualExclusion", testLockMutualExclusion},
		{"DeadHolderFreesLock", testDeadHolder},
		{"GuardLostLock", testGuardLost},
		{"ReleaseInCommit", testRelease},
		{"WatchSeesOtherClient", testWatch},
		{"ForeignDataRefused", testForeign},
		{"Closed", testClosed},
	}
}

// open opens a client and closes it when the test ends.
func open(t testing.TB, opener func(testing.TB) kv.Backend) kv.Backend {
	t.Helper()
	b := opener(t)
	t.Cleanup(func() { b.Close() })
	return b
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// get reads one value in a View.
func get(t testing.TB, b kv.Backend, p kv.Path, key string) []byte {
	t.Helper()
	var v []byte
	must(t, b.View(t.Context(), func(tx kv.Tx) error {
		var err error
		v, err = tx.Get(p, []byte(key))
		return err
	}))
	return v
}

// put writes one value in an Update, creating the bucket.
func put(t testing.TB, b kv.Backend, p kv.Path, key, value string) {
	t.Helper()
	must(t, b.Update(t.Context(), func(tx kv.Tx) error {
		if err := tx.CreateBucketIfNotExists(p); err != nil {
			return err
		}
		return tx.Put(p, []byte(key), []byte(value))
	}))
}

// scan lists a bucket's keys (and values) as strings.
func scan(t testing.TB, tx kv.Tx, p kv.Path, o kv.ScanOptions) (keys, vals []string) {
	t.Helper()
	must(t, tx.Scan(p, o, func(k, v []byte) error {
		keys = append(keys, string(k))
		vals = append(vals, string(v))
		return nil
	}))
	return keys, vals
}
