package boltkv_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/boltkv"
)

// tokenServer issues numbered tokens; while hold is open it answers only
// once hold is closed, and tells started of each request.
func tokenServer(t *testing.T, hold chan struct{}, started chan struct{}) *httptest.Server {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if started != nil {
			started <- struct{}{}
		}
		if hold != nil {
			<-hold
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600}`, n.Add(1))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func provider(srv *httptest.Server) providers.Provider {
	return providers.Provider{Name: "svc", TokenURL: srv.URL + "/token", ClientID: "id", ClientSecret: "secret"}
}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), store.Options{Path: path, LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openBolt(t *testing.T, path string) *boltkv.Backend {
	t.Helper()
	b, err := boltkv.Open(t.Context(), boltkv.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// TestReadsAndWritesStoreDatabase checks the layout: a database the store
// wrote reads through boltkv as the layout says, and the store still reads
// it after boltkv wrote to it.
func TestReadsAndWritesStoreDatabase(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "tokentop.db")
	s := openStore(t, path)
	srv := tokenServer(t, nil, nil)
	if err := s.PutProvider(ctx, provider(srv)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(ctx, "svc", store.TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(ctx, "svc", store.TokenOptions{ForceRefresh: true}); err != nil {
		t.Fatal(err)
	}
	before, err := s.ChangeCounter(ctx)
	if err != nil {
		t.Fatal(err)
	}

	b := openBolt(t, path)
	month := time.Now().UTC().Format("2006-01")
	err = b.View(ctx, func(tx kv.Tx) error {
		var p providers.Provider
		raw, _ := tx.Get(kv.P("providers"), []byte("svc"))
		if err := json.Unmarshal(raw, &p); err != nil || p.Name != "svc" || p.ClientSecret != "" {
			t.Errorf("providers/svc: %q (%v)", raw, err)
		}
		if v, _ := tx.Get(kv.P("meta"), []byte("schema")); string(v) != "1" {
			t.Errorf("meta/schema = %q", v)
		}
		if v, _ := tx.Get(kv.P("meta"), []byte("changes")); kv.GetU64(v) != before {
			t.Errorf("meta/changes = %d, the store says %d", kv.GetU64(v), before)
		}
		if v, _ := tx.Get(kv.P("quota", "svc"), []byte(month)); kv.GetU64(v) != 2 {
			t.Errorf("quota/svc/%s = %d, want 2", month, kv.GetU64(v))
		}
		var seqs []uint64
		err := tx.Scan(kv.P("exchanges", "svc"), kv.ScanOptions{Reverse: true, KeysOnly: true}, func(k, _ []byte) error {
			seqs = append(seqs, kv.GetU64(k))
			return nil
		})
		if len(seqs) != 2 || seqs[0] != 2 || seqs[1] != 1 {
			t.Errorf("exchanges/svc keys newest first: %v", seqs)
		}
		if ok, _ := tx.BucketExists(kv.P("leases")); !ok {
			t.Error("no leases bucket")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(ctx, func(tx kv.Tx) error {
		if err := tx.CreateBucketIfNotExists(kv.P("quota", "svc")); err != nil {
			return err
		}
		v, err := tx.Get(kv.P("quota", "svc"), []byte(month))
		if err != nil {
			return err
		}
		return tx.Put(kv.P("quota", "svc"), []byte(month), kv.U64(kv.GetU64(v)+5))
	})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Usage(ctx, "svc")
	if err != nil || u.Month != 7 {
		t.Fatalf("the store reads the month's count as %d after boltkv added 5 (%v)", u.Month, err)
	}
	if after, err := s.ChangeCounter(ctx); err != nil || after != before+1 {
		t.Fatalf("the store's change counter went from %d to %d (%v)", before, after, err)
	}
	if res, err := s.Token(ctx, "svc", store.TokenOptions{}); err != nil || !res.Cached || res.Token.AccessToken != "tok-2" {
		t.Fatalf("the cached token after boltkv's write: %+v, %v", res, err)
	}
}

// TestLeasesInteroperate: a lease the store takes for a fetch is a held
// lock to boltkv, naming the process; a lock boltkv holds makes the
// store's fetch wait, naming its holder.
func TestLeasesInteroperate(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "tokentop.db")
	s := openStore(t, path)
	hold, started := make(chan struct{}), make(chan struct{}, 1)
	srv := tokenServer(t, hold, started)
	if err := s.PutProvider(ctx, provider(srv)); err != nil {
		t.Fatal(err)
	}
	b := openBolt(t, path)

	done := make(chan error, 1)
	go func() {
		_, err := s.Token(ctx, "svc", store.TokenOptions{})
		done <- err
	}()
	<-started // the store holds the lease and is fetching
	_, err := b.TryLock(ctx, "svc", kv.LockOptions{})
	var held *kv.HeldError
	host, _ := os.Hostname()
	if !errors.As(err, &held) || held.Holder.PID != os.Getpid() || held.Holder.Host != host {
		t.Fatalf("TryLock during the store's fetch: %v (%+v)", err, held)
	}
	close(hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	l, err := b.TryLock(ctx, "svc", kv.LockOptions{TTL: time.Minute, Holder: kv.Holder{PID: 777, Host: "elsewhere"}})
	if err != nil {
		t.Fatalf("TryLock after the fetch: %v", err)
	}
	heard := make(chan store.LeaseEvent, 1)
	go func() {
		_, err := s.Token(ctx, "svc", store.TokenOptions{ForceRefresh: true, OnLease: func(e store.LeaseEvent) { heard <- e }})
		done <- err
	}()
	if e := <-heard; e.Holder.PID != 777 || e.Holder.Host != "elsewhere" || e.TakenOver {
		t.Fatalf("the store waits for %+v", e)
	}
	if err := l.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the store's fetch after Unlock: %v", err)
	}
}

// TestDeadProcessLockTakenOver: a lock whose holder ran on this host and
// whose process is gone is taken over at once, and the taker hears of it.
func TestDeadProcessLockTakenOver(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	dead := kv.Holder{PID: cmd.Process.Pid, Host: host, Started: time.Now()}
	path := filepath.Join(t.TempDir(), "tokentop.db")
	a, b := openBolt(t, path), openBolt(t, path)
	if _, err := a.Lock(ctx, "svc", kv.LockOptions{TTL: time.Hour, Holder: dead}); err != nil {
		t.Fatal(err)
	}
	var heard []kv.LockEvent
	l, err := b.Lock(ctx, "svc", kv.LockOptions{OnWait: func(e kv.LockEvent) { heard = append(heard, e) }})
	if err != nil {
		t.Fatalf("the dead holder's lock was not taken over: %v", err)
	}
	defer l.Unlock(ctx)
	if len(heard) != 1 || !heard[0].TakenOver || heard[0].Holder.PID != dead.PID {
		t.Fatalf("the taker heard %+v", heard)
	}
}

// TestDamagedFileRefused: a file that is not bbolt is refused and left as
// it was.
func TestDamagedFileRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokentop.db")
	text := strings.Repeat("not a database\n", 500)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := boltkv.Open(t.Context(), boltkv.Options{Path: path})
	if !errors.Is(err, kv.ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open of a text file: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != text {
		t.Fatal("the file was changed")
	}
}

// TestHolderBounded: a holder read from the file is cut and made safe for
// a terminal before anyone shows it.
func TestHolderBounded(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "tokentop.db")
	a, b := openBolt(t, path), openBolt(t, path)
	evil := kv.Holder{PID: 1, Host: "\x1b]0;owned\x07" + strings.Repeat("h", 10000)}
	if _, err := a.Lock(ctx, "svc", kv.LockOptions{TTL: time.Hour, Holder: evil}); err != nil {
		t.Fatal(err)
	}
	_, err := b.TryLock(ctx, "svc", kv.LockOptions{})
	var held *kv.HeldError
	if !errors.As(err, &held) {
		t.Fatal(err)
	}
	if len(held.Holder.Host) > 255 || strings.ContainsAny(held.Holder.Host, "\x1b\x07") {
		t.Fatalf("holder host %q", held.Holder.Host[:min(40, len(held.Holder.Host))])
	}
}
