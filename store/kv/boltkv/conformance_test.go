package boltkv

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/kvtest"
)

// harness runs the conformance suite on bbolt files in t.TempDir().
func harness() kvtest.Harness {
	return kvtest.Harness{
		New: func(t testing.TB) func(testing.TB) kv.Backend {
			path := filepath.Join(t.TempDir(), "tokentop.db")
			return func(t testing.TB) kv.Backend {
				b, err := Open(t.Context(), Options{Path: path, PollInterval: 10 * time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
		},
		// A crashed process leaves its lease records behind: they are
		// waited out (the holders are on another host, so not judged dead).
		Crash: func(t testing.TB, b kv.Backend) { b.(*Backend).crash() },
		Expire: func(t testing.TB, b kv.Backend, l kv.Lock) {
			select {
			case <-l.Lost():
			case <-time.After(time.Minute):
				t.Fatal("the lease did not expire")
			}
		},
		Foreign: func(t testing.TB) error {
			path := filepath.Join(t.TempDir(), "other.db")
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("users"))
				if err != nil {
					return err
				}
				return b.Put([]byte("alice"), []byte("admin"))
			})
			if cerr := db.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, openErr := Open(t.Context(), Options{Path: path})
			after, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(before, after) {
				t.Errorf("opening another program's file changed it (%v)", err)
			}
			return openErr
		},
		LockTTL: 500 * time.Millisecond,
	}
}

// crash abandons the backend as a killed process would: its leases stay.
func (b *Backend) crash() {
	b.locksMu.Lock()
	for l := range b.locks {
		l.timer.Stop()
		delete(b.locks, l)
	}
	b.locksMu.Unlock()
	b.closed.Store(true)
	close(b.done)
}

func TestConformance(t *testing.T) { kvtest.Run(t, harness()) }

func BenchmarkBackend(b *testing.B) { kvtest.Bench(b, "bolt", harness()) }
