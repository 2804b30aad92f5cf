package etcdkv_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/etcdkv"
	"github.com/tokentop/tokentop/store/kv/etcdtest"
	"github.com/tokentop/tokentop/store/storetest"
)

// The store's engine over etcd: several Stores, each with its own client,
// share one prefix as the machines of a team would, with one key file.

// testSlack is the fetch lock's slack in these tests, instead of ten
// seconds, so a dead holder's lock is waited out quickly.
const testSlack = time.Second

// team is a prefix on a cluster and the key file its Stores share.
type team struct {
	endpoints   []string
	prefix, key string
}

func newTeam(t *testing.T, c *etcdtest.Cluster) team {
	return team{endpoints: c.Endpoints(), prefix: fmt.Sprintf("/store-%d", time.Now().UnixNano()), key: filepath.Join(t.TempDir(), "team.key")}
}

// open opens a Store of the team on a client of its own.
func (tm team) open(ctx context.Context) (*store.Store, error) {
	b, err := etcdkv.Open(ctx, etcdkv.Config{Endpoints: tm.endpoints, Prefix: tm.prefix})
	if err != nil {
		return nil, err
	}
	s, err := store.OpenBackend(ctx, b, store.Options{KeyFile: tm.key, LockSlack: testSlack})
	if err != nil {
		b.Close()
		return nil, err
	}
	return s, nil
}

// stores opens n Stores of the team, closed when the test ends.
func (tm team) stores(t *testing.T, n int) []*store.Store {
	t.Helper()
	out := make([]*store.Store, n)
	for i := range out {
		s, err := tm.open(t.Context())
		if err != nil {
			t.Fatalf("opening a Store on etcd: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out
}

// raw is the team's prefix through etcdkv alone.
func (tm team) raw(t *testing.T) *etcdkv.Backend {
	t.Helper()
	b, err := etcdkv.Open(t.Context(), etcdkv.Config{Endpoints: tm.endpoints, Prefix: tm.prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestStoreOneTokenAcrossClients(t *testing.T) {
	storetest.OneTokenAcrossClients(t, newTeam(t, etcdtest.Start(t, 1)).stores(t, 2))
}

func TestStoreQuotaExactAcrossClients(t *testing.T) {
	storetest.QuotaExactAcrossClients(t, newTeam(t, etcdtest.Start(t, 1)).stores(t, 2))
}

// TestStoreTeamAcrossClients: the recipient list over etcd, each member on
// a client of their own with their own key file and identity.
func TestStoreTeamAcrossClients(t *testing.T) {
	tm := newTeam(t, etcdtest.Start(t, 1))
	storetest.TeamAcrossClients(t, func(t *testing.T, m storetest.Member) *store.Store {
		b, err := etcdkv.Open(t.Context(), etcdkv.Config{Endpoints: tm.endpoints, Prefix: tm.prefix})
		if err != nil {
			t.Fatal(err)
		}
		o := m.Options(t)
		o.LockSlack = testSlack
		s, err := store.OpenBackend(t.Context(), b, o)
		if err != nil {
			b.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// The helper process's inputs: the team (endpoints comma-separated).
const (
	helperEndpoints = "TOKENTOP_ETCD_HELPER_ENDPOINTS"
	helperPrefix    = "TOKENTOP_ETCD_HELPER_PREFIX"
	helperKey       = "TOKENTOP_ETCD_HELPER_KEY"
)

// TestStoreHelperProcess is not a test: run by
// TestStoreDeadHolderFreesTheLock as a child process, it asks the team's
// store for the token of svc once and prints it, as `tokentop token` does.
func TestStoreHelperProcess(t *testing.T) {
	endpoints := os.Getenv(helperEndpoints)
	if endpoints == "" {
		t.Skip("helper process for TestStoreDeadHolderFreesTheLock")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tm := team{endpoints: strings.Split(endpoints, ","), prefix: os.Getenv(helperPrefix), key: os.Getenv(helperKey)}
	s, err := tm.open(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(3)
	}
	res, err := s.Token(ctx, "svc", store.TokenOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(4)
	}
	fmt.Println(res.Token.AccessToken)
	s.Close()
	os.Exit(0)
}

// TestStoreDeadHolderFreesTheLock: a child process on etcd takes the fetch
// lock, its fetch hangs, and it is killed with SIGKILL, its lease never
// revoked. A Store on another client waits for it, saying whose fetch it
// waits for, and fetches once the lease has expired (its TTL is the
// provider's timeout and the slack: a few seconds here).
func TestStoreDeadHolderFreesTheLock(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and a child process")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	tm := newTeam(t, etcdtest.Start(t, 1))
	s := tm.stores(t, 1)[0]
	ts := storetest.NewTokenServer(t)
	ts.HoldNext(1)
	p := ts.Provider("svc")
	p.Timeout = providers.Duration(time.Second)
	if err := s.PutProvider(ctx, p); err != nil {
		t.Fatal(err)
	}

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestStoreHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEndpoints+"="+strings.Join(tm.endpoints, ","), helperPrefix+"="+tm.prefix, helperKey+"="+tm.key)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ts.Received: // the child holds the lock and waits for its answer
	case <-ctx.Done():
		t.Fatalf("the child never asked for a token: %s", stderr.String())
	}
	if _, err := tm.raw(t).TryLock(ctx, "svc", kv.LockOptions{}); !errors.Is(err, kv.ErrHeld) {
		t.Fatalf("the child's fetch holds no lock named after the provider: %v", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	var mu sync.Mutex
	var events []store.LeaseEvent
	res, err := s.Token(ctx, "svc", store.TokenOptions{OnLease: func(ev store.LeaseEvent) {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatalf("Token after the holder died: %v", err)
	}
	if res.Cached || res.Token.AccessToken == "" || ts.Issued() != 1 {
		t.Fatalf("Token = %+v, issued %d; want one new token", res, ts.Issued())
	}
	host, _ := os.Hostname()
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 1 || events[0].TakenOver || events[0].Provider != "svc" || events[0].Holder.PID != cmd.Process.Pid || events[0].Holder.Host != host {
		t.Fatalf("lease events %+v, want one wait for pid %d on %q", events, cmd.Process.Pid, host)
	}
	u, err := s.Usage(ctx, "svc")
	if err != nil || u.Month != 1 {
		t.Fatalf("%d tokens counted (%v), want 1", u.Month, err)
	}
}

// TestStoreLargeImport: an import of more providers than one etcd
// transaction takes (150 providers with secrets are over 300 writes; etcd
// takes 128) is saved whole, in batches.
func TestStoreLargeImport(t *testing.T) {
	s := newTeam(t, etcdtest.Start(t, 1)).stores(t, 1)[0]
	ps := make([]providers.Provider, 150)
	for i := range ps {
		ps[i] = providers.Provider{Name: fmt.Sprintf("p%03d", i), TokenURL: "https://idp.example.com/token", ClientID: "id", ClientSecret: "s"}
	}
	if err := s.PutProviders(t.Context(), ps); err != nil {
		t.Fatal(err)
	}
	got, err := s.Providers(t.Context())
	if err != nil || len(got) != len(ps) {
		t.Fatalf("%d providers saved (%v), want %d", len(got), err, len(ps))
	}
	p, err := s.ProviderWithSecret(t.Context(), "p149")
	if err != nil || p.ClientSecret != "s" {
		t.Fatalf("p149's secret reads %q (%v)", p.ClientSecret, err)
	}
}

// TestStoreBasics: over etcd, a Store names the cluster, counts changes
// made by other clients (reads move nothing), and opens data a newer
// tokentop wrote read-only.
func TestStoreBasics(t *testing.T) {
	ctx := t.Context()
	tm := newTeam(t, etcdtest.Start(t, 1))
	ss := tm.stores(t, 2)
	a, b := ss[0], ss[1]
	if !strings.Contains(a.Path(), tm.endpoints[0]) || !strings.Contains(a.Path(), tm.prefix) {
		t.Errorf("Path() = %q, want the endpoints and the prefix", a.Path())
	}
	n0, err := b.ChangeCounter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.PutProvider(ctx, providers.Provider{Name: "p"}); err != nil {
		t.Fatal(err)
	}
	n1, err := b.ChangeCounter(ctx)
	if err != nil || n1 <= n0 {
		t.Fatalf("a write by another client did not move the counter: %d → %d (%v)", n0, n1, err)
	}
	if _, err := a.Summaries(ctx); err != nil {
		t.Fatal(err)
	}
	if n2, _ := b.ChangeCounter(ctx); n2 != n1 {
		t.Errorf("a read moved the counter: %d → %d", n1, n2)
	}

	err = tm.raw(t).Update(ctx, func(tx kv.Tx) error { return tx.Put(kv.P(kv.MetaBucket), []byte(kv.SchemaKey), []byte("2")) })
	if err != nil {
		t.Fatal(err)
	}
	ro := tm.stores(t, 1)[0]
	if !ro.ReadOnly() {
		t.Fatal("a newer schema did not open read-only")
	}
	if err := ro.PutProvider(ctx, providers.Provider{Name: "q"}); !errors.Is(err, store.ErrReadOnly) {
		t.Fatalf("a write to a newer schema: %v", err)
	}
}
