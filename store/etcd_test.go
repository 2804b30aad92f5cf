package store

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
	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/etcdkv"
	"github.com/tokentop/tokentop/store/kv/etcdtest"
)

// The engine over etcd: several Stores, each with its own client, share
// one prefix as the machines of a team would, with one key file.

// testSlack is the fetch lock's slack in the tests that wait out a dead
// holder's lock, instead of leaseSlack's ten seconds.
const testSlack = time.Second

// etcdPrefix is a fresh prefix on the cluster.
func etcdPrefix(t testing.TB) string {
	return "/tt-" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "-") + "-" + randHex(4)
}

// openEtcd opens a Store over the cluster's prefix with the key file key.
func openEtcd(t testing.TB, endpoints []string, prefix, key string, o Options) *Store {
	t.Helper()
	b, err := etcdkv.Open(t.Context(), etcdkv.Config{Endpoints: endpoints, Prefix: prefix})
	if err != nil {
		t.Fatalf("etcdkv.Open: %v", err)
	}
	o.KeyFile = key
	s, err := OpenBackend(t.Context(), b, o)
	if err != nil {
		b.Close()
		t.Fatalf("OpenBackend: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// clients opens n Stores on one set of data: one bbolt file, or one etcd
// prefix (each Store with its own client), sharing one key file.
type clients func(t *testing.T, n int, o Options) []*Store

// backends are the backends the engine's shared-data tests run on.
func backends() map[string]clients {
	return map[string]clients{
		"bolt": func(t *testing.T, n int, o Options) []*Store {
			o.Path = testDB(t)
			out := make([]*Store, n)
			for i := range out {
				out[i] = openStore(t, o)
			}
			return out
		},
		"etcd": func(t *testing.T, n int, o Options) []*Store {
			c := etcdtest.Start(t, 1)
			prefix, key := etcdPrefix(t), filepath.Join(t.TempDir(), "team.key")
			out := make([]*Store, n)
			for i := range out {
				out[i] = openEtcd(t, c.Endpoints(), prefix, key, o)
			}
			return out
		},
	}
}

// TestOneTokenAcrossClients: 2 Stores × 10 goroutines ask at once for a
// token nobody has; one is fetched, all get it, it is counted once.
func TestOneTokenAcrossClients(t *testing.T) {
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			ts := newTokenServer(t)
			ts.Delay = 200 * time.Millisecond // so the callers overlap
			stores := open(t, 2, Options{})
			must(t, stores[0].PutProvider(ctx, ts.provider("svc")))

			const per = 10
			var wg sync.WaitGroup
			tokens := make([]string, len(stores)*per)
			errs := make([]error, len(tokens))
			for i := range tokens {
				wg.Go(func() {
					res, err := stores[i%len(stores)].Token(ctx, "svc", TokenOptions{})
					if err == nil {
						tokens[i] = res.Token.AccessToken
					}
					errs[i] = err
				})
			}
			wg.Wait()
			for i := range tokens {
				if errs[i] != nil || tokens[i] == "" || tokens[i] != tokens[0] {
					t.Fatalf("caller %d: %q, %v (caller 0: %q)", i, tokens[i], errs[i], tokens[0])
				}
			}
			if ts.Issued() != 1 {
				t.Fatalf("issued %d tokens to %d callers, want 1", ts.Issued(), len(tokens))
			}
			for i, s := range stores {
				u, err := s.Usage(ctx, "svc")
				must(t, err)
				if u.Month != 1 {
					t.Fatalf("store %d counts %d tokens, want 1", i, u.Month)
				}
			}
		})
	}
}

// TestQuotaExactAcrossClients: 2 Stores × 4 goroutines force refreshes
// until the quota refuses them; exactly the quota is issued and counted,
// and every caller ends refused.
func TestQuotaExactAcrossClients(t *testing.T) {
	const limit = 7
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			ts := newTokenServer(t)
			stores := open(t, 2, Options{})
			p := ts.provider("svc")
			p.Quota = &providers.Quota{Limit: limit, Per: providers.PerDay}
			must(t, stores[0].PutProvider(ctx, p))

			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Go(func() {
					for range 2 * limit {
						_, err := stores[i%len(stores)].Token(ctx, "svc", TokenOptions{ForceRefresh: true})
						if pe, ok := providers.AsError(err); ok && pe.Kind == providers.KindQuota {
							return
						}
						if err != nil {
							errs[i] = err
							return
						}
					}
					errs[i] = errors.New("never refused")
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("caller %d: %v", i, err)
				}
			}
			if ts.Issued() != limit {
				t.Fatalf("issued %d tokens under a quota of %d", ts.Issued(), limit)
			}
			for i, s := range stores {
				sm, err := s.Summary(ctx, "svc")
				must(t, err)
				if sm.Quota.Day != limit || sm.Quota.Used != limit {
					t.Fatalf("store %d counts %+v, want %d", i, sm.Quota, limit)
				}
				if sm.LastError == nil || sm.LastError.Kind != string(providers.KindQuota) {
					t.Fatalf("store %d: the refusal is not the last error: %+v", i, sm.LastError)
				}
			}
		})
	}
}

// openEtcdHelper is TestHelperProcess's Store over etcd: the cluster's
// endpoints in cluster, the prefix and key file in the environment, and
// the short lock slack.
func openEtcdHelper(ctx context.Context, cluster string) (*Store, error) {
	b, err := etcdkv.Open(ctx, etcdkv.Config{Endpoints: strings.Split(cluster, ","), Prefix: os.Getenv(helperEtcdEnv + "_PREFIX")})
	if err != nil {
		return nil, err
	}
	s, err := OpenBackend(ctx, b, Options{KeyFile: os.Getenv(helperEtcdEnv + "_KEY")})
	if err != nil {
		b.Close()
		return nil, err
	}
	s.leaseSlack = testSlack
	return s, nil
}

// TestDeadHolderFreesTheLockOnEtcd: a child process on etcd takes the
// fetch lock, its fetch hangs, and it is killed with SIGKILL, its lease
// never revoked. A Store on another client waits for it, saying whose
// fetch it waits for, and fetches once the lease has expired (its TTL is
// the provider's timeout and the slack: a few seconds here).
func TestDeadHolderFreesTheLockOnEtcd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and a child process")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	c := etcdtest.Start(t, 1)
	prefix, key := etcdPrefix(t), filepath.Join(t.TempDir(), "team.key")
	s := openEtcd(t, c.Endpoints(), prefix, key, Options{})
	s.leaseSlack = testSlack
	ts := newTokenServer(t)
	ts.block.Store(true)
	p := ts.provider("svc")
	p.Timeout = providers.Duration(time.Second)
	must(t, s.PutProvider(ctx, p))

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEtcdEnv+"="+strings.Join(c.Endpoints(), ","),
		helperEtcdEnv+"_PREFIX="+prefix, helperEtcdEnv+"_KEY="+key, helperNameEnv+"=svc")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	select {
	case <-ts.received: // the child holds the lock and waits for its answer
	case <-ctx.Done():
		t.Fatalf("the child never asked for a token: %s", stderr.String())
	}
	if _, err := s.b.TryLock(ctx, "svc", kv.LockOptions{}); !errors.Is(err, kv.ErrHeld) {
		t.Fatalf("the child's fetch holds no lock: %v", err)
	}
	must(t, cmd.Process.Kill())
	_ = cmd.Wait()
	ts.block.Store(false)

	ev := newLeaseEvents()
	res, err := s.Token(ctx, "svc", TokenOptions{OnLease: ev.record})
	if err != nil {
		t.Fatalf("Token after the holder died: %v", err)
	}
	if res.Cached || res.Token.AccessToken == "" || ts.Issued() != 1 {
		t.Fatalf("Token = %+v, issued %d; want one new token", res, ts.Issued())
	}
	got := ev.all()
	if len(got) != 1 || got[0].TakenOver || got[0].Holder.PID != cmd.Process.Pid || got[0].Holder.Host != hostname() {
		t.Fatalf("lease events %+v, want one wait for pid %d on %q", got, cmd.Process.Pid, hostname())
	}
	u, err := s.Usage(ctx, "svc")
	must(t, err)
	if u.Month != 1 {
		t.Fatalf("%d tokens counted, want 1", u.Month)
	}
}

// TestLargeImportOnEtcd: an import of more providers than one etcd
// transaction takes is saved whole, in batches.
func TestLargeImportOnEtcd(t *testing.T) {
	c := etcdtest.Start(t, 1)
	s := openEtcd(t, c.Endpoints(), etcdPrefix(t), filepath.Join(t.TempDir(), "team.key"), Options{})
	ps := make([]providers.Provider, 150)
	for i := range ps {
		ps[i] = providers.Provider{Name: fmt.Sprintf("p%03d", i), TokenURL: "https://idp.example.com/token", ClientID: "id", ClientSecret: "s"}
	}
	// In one transaction it is too large (so the batches are needed).
	err := s.update(t.Context(), func(tx kv.Tx) error {
		for _, p := range ps {
			if err := s.putProvider(tx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, kv.ErrTooLarge) {
		t.Fatalf("150 providers in one etcd transaction: %v, want ErrTooLarge", err)
	}
	must(t, s.PutProviders(t.Context(), ps))
	got, err := s.Providers(t.Context())
	must(t, err)
	if len(got) != len(ps) {
		t.Fatalf("%d providers saved, want %d", len(got), len(ps))
	}
	p, err := s.ProviderWithSecret(t.Context(), "p149")
	must(t, err)
	if p.ClientSecret != "s" {
		t.Fatalf("p149's secret reads %q", p.ClientSecret)
	}
}

// TestEtcdStoreBasics: over etcd, a Store names the cluster, counts
// changes made by other clients (reads move nothing), and opens data a
// newer tokentop wrote read-only.
func TestEtcdStoreBasics(t *testing.T) {
	ctx := t.Context()
	c := etcdtest.Start(t, 1)
	prefix, key := etcdPrefix(t), filepath.Join(t.TempDir(), "team.key")
	a := openEtcd(t, c.Endpoints(), prefix, key, Options{})
	b := openEtcd(t, c.Endpoints(), prefix, key, Options{})
	if !strings.Contains(a.Path(), c.Endpoints()[0]) || !strings.Contains(a.Path(), prefix) {
		t.Errorf("Path() = %q, want the endpoints and the prefix", a.Path())
	}
	n0, err := b.ChangeCounter(ctx)
	must(t, err)
	must(t, a.PutProvider(ctx, providers.Provider{Name: "p"}))
	n1, err := b.ChangeCounter(ctx)
	must(t, err)
	if n1 <= n0 {
		t.Fatalf("a write by another client did not move the counter: %d → %d", n0, n1)
	}
	if _, err := a.Summaries(ctx); err != nil {
		t.Fatal(err)
	}
	if n2, _ := b.ChangeCounter(ctx); n2 != n1 {
		t.Errorf("a read moved the counter: %d → %d", n1, n2)
	}

	must(t, a.b.Update(ctx, func(tx kv.Tx) error { return tx.Put(kv.P(bMeta), []byte(kSchema), []byte("2")) }))
	ro := openEtcd(t, c.Endpoints(), prefix, key, Options{})
	if !ro.ReadOnly() {
		t.Fatal("a newer schema did not open read-only")
	}
	if err := ro.PutProvider(ctx, providers.Provider{Name: "q"}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("a write to a newer schema: %v", err)
	}
}
