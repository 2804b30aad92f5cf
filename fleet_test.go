package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store/kv/etcdtest"
)

// The fleet: tokentop processes on several "machines" (each its own HOME
// and local cache, one key file shared by the team) over one etcd store.

// TestMain runs tokentop itself when a fleet test starts this binary as a
// machine's process.
func TestMain(m *testing.M) {
	if os.Getenv("TOKENTOP_FLEET_CHILD") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// fleet is a team's shared store and the sandbox its providers live on.
type fleet struct {
	t       testing.TB
	sb      *sandbox.Server
	client  sandbox.Client
	store   string
	keyFile string
	homes   []string
	// dial is TOKENTOP_ETCD_DIAL_TIMEOUT: short where etcd is down.
	dial string
	// took is, for the last stampede, each process's time from the start
	// of the stampede to its exit, in the order they exited.
	took []time.Duration
}

func newFleet(t testing.TB, c *etcdtest.Cluster, machines int) *fleet {
	t.Helper()
	sb, yaml, store := fleetSandbox(t, c)
	f := &fleet{t: t, sb: sb, client: sb.Clients()[0], store: store, keyFile: filepath.Join(t.TempDir(), "team.key"), dial: "10s"}
	for range machines {
		f.homes = append(f.homes, t.TempDir())
	}
	if out, code := f.run(0, "import", yaml); code != 0 {
		t.Fatalf("import: exit %d: %s", code, out)
	}
	return f
}

// fleetSandbox starts the sandbox (answering in 300 ms, so a fleet's
// processes overlap), writes its providers file, and names the etcd store
// on c the machines share.
func fleetSandbox(t testing.TB, c *etcdtest.Cluster) (sb *sandbox.Server, yaml, store string) {
	t.Helper()
	sb = sandbox.New(sandbox.Options{Latency: 300 * time.Millisecond})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	yaml = filepath.Join(t.TempDir(), "providers.yaml")
	if err := os.WriteFile(yaml, []byte(sb.ProvidersYAML(srv.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	var hosts []string
	for _, e := range c.Endpoints() {
		hosts = append(hosts, strings.TrimPrefix(e, "http://"))
	}
	return sb, yaml, "etcd://" + strings.Join(hosts, ",") + "/fleet"
}

// cmd is tokentop on machine m.
func (f *fleet) cmd(m int, argv ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], argv...)
	home := f.homes[m]
	cmd.Env = []string{
		"TOKENTOP_FLEET_CHILD=1", "HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"TOKENTOP_STORE=" + f.store, "TOKENTOP_KEY_FILE=" + f.keyFile, "PATH=" + os.Getenv("PATH"),
		"TOKENTOP_ETCD_DIAL_TIMEOUT=" + f.dial,
	}
	return cmd
}

// run runs tokentop on machine m: its stdout and stderr, and exit code.
func (f *fleet) run(m int, argv ...string) (string, int) {
	var out bytes.Buffer
	cmd := f.cmd(m, argv...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		f.t.Fatalf("running tokentop: %v", err)
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// stampede starts `tokentop token NAME` per machine × perMachine at once,
// calls during (when set) once they run, and returns their stdouts.
func (f *fleet) stampede(perMachine int, during func()) []string {
	f.t.Helper()
	var mu sync.Mutex
	var outs []string
	var wg sync.WaitGroup
	f.took = nil
	start := time.Now()
	for m := range f.homes {
		for range perMachine {
			cmd := f.cmd(m, "token", f.client.Name)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				f.t.Fatal(err)
			}
			wg.Go(func() {
				if err := cmd.Wait(); err != nil {
					f.t.Errorf("tokentop token: %v: %s", err, errb.String())
				}
				mu.Lock()
				outs = append(outs, strings.TrimSpace(out.String()))
				f.took = append(f.took, time.Since(start))
				mu.Unlock()
			})
		}
	}
	if during != nil {
		during()
	}
	wg.Wait()
	return outs
}

// check asserts that every process printed the one token, that the
// sandbox issued exactly one, and that the shared ledger counted it once.
func (f *fleet) check(outs []string) {
	f.t.Helper()
	if n := f.sb.Issued(f.client.ClientID); n != 1 {
		f.t.Errorf("the sandbox issued %d tokens to %s, want 1", n, f.client.ClientID)
	}
	for _, o := range outs {
		if o == "" || o != outs[0] {
			f.t.Errorf("processes printed different tokens: %q and %q", outs[0], o)
			break
		}
	}
	out, code := f.run(1, "ls", "--json")
	if code != 0 {
		f.t.Fatalf("ls: exit %d: %s", code, out)
	}
	var rows []struct {
		Name      string `json:"name"`
		QuotaUsed int    `json:"quota_used"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		f.t.Fatalf("ls --json: %v: %s", err, out)
	}
	for _, r := range rows {
		if r.Name == f.client.Name && r.QuotaUsed != 1 {
			f.t.Errorf("the shared ledger counted %d tokens of %s, want 1", r.QuotaUsed, r.Name)
		}
	}
}

func TestFleetOneTokenAcrossMachines(t *testing.T) {
	f := newFleet(t, etcdtest.Start(t, 1), 3)
	f.check(f.stampede(10, nil))
	// Each machine now answers from its own local cache.
	for m := range f.homes {
		cache := filepath.Join(f.homes[m], "data", "tokentop", "cache")
		if ents, err := os.ReadDir(cache); err != nil || len(ents) == 0 {
			t.Errorf("machine %d has no local cache in %s: %v", m, cache, err)
		}
	}
	f.check(f.stampede(2, nil))
}

func TestFleetMemberKilledMidFetch(t *testing.T) {
	c := etcdtest.Start(t, 3)
	f := newFleet(t, c, 3)
	f.check(f.stampede(10, func() {
		time.Sleep(150 * time.Millisecond) // the fetch is under way (the sandbox answers in 300 ms)
		c.Kill((c.Leader() + 1) % 3)
	}))
}

func TestFleetAllMembersDown(t *testing.T) {
	c := etcdtest.Start(t, 1)
	f := newFleet(t, c, 2)
	first, code := f.run(0, "token", f.client.Name) // machine 0 keeps a copy
	if code != 0 {
		t.Fatalf("token: exit %d: %s", code, first)
	}
	c.Kill(0)
	f.dial = "1s"

	out, code := f.run(1, "token", f.client.Name)
	if code == 0 {
		t.Fatalf("token with etcd down: exit 0: %s", out)
	}
	if want := c.Endpoints()[0]; !strings.Contains(out, want) {
		t.Errorf("the error does not name the endpoint %s: %s", want, out)
	}
	out, code = f.run(1, "token", "--offline-fallback", f.client.Name)
	if code == 0 || !strings.Contains(out, "OFFLINE FALLBACK") || !strings.Contains(out, "no copy of provider") {
		t.Errorf("offline fallback with no local copy: exit %d: %s", code, out)
	}
	if n := f.sb.TotalIssued(); n != 1 {
		t.Errorf("the sandbox issued %d tokens, want the 1 before etcd went down", n)
	}

	// Machine 0's copy is still good: it answers with no network at all.
	if out, code := f.run(0, "token", f.client.Name); code != 0 || out != first {
		t.Errorf("token from the local copy with etcd down: exit %d: %q, want %q", code, out, first)
	}
	// A forced refresh must go to etcd: refused, unless offline fallback.
	if out, code := f.run(0, "token", "--force-refresh", f.client.Name); code == 0 {
		t.Errorf("--force-refresh with etcd down: exit 0: %s", out)
	}
	out, code = f.run(0, "token", "--force-refresh", "--offline-fallback", f.client.Name)
	if code != 0 || !strings.Contains(out, "OFFLINE FALLBACK") || !strings.Contains(out, "quota") {
		t.Errorf("offline fallback with a local copy: exit %d: %s", code, out)
	}
	if n := f.sb.TotalIssued(); n != 2 {
		t.Errorf("the sandbox issued %d tokens, want 2 (one offline)", n)
	}
}

// BenchmarkFleetColdCache runs TestFleetOneTokenAcrossMachines's
// stampede once per iteration, each on a new etcd and cold caches (3
// machines × 10 processes, the sandbox answering in 300 ms), and reports
// the time until the first process printed the token, until all did, and
// the tokens the sandbox issued per stampede (1 when the fleet shares).
func BenchmarkFleetColdCache(b *testing.B) {
	var first, all time.Duration
	issued := 0
	for b.Loop() {
		b.StopTimer()
		f := newFleet(b, etcdtest.Start(b, 1), 3)
		b.StartTimer()
		outs := f.stampede(10, nil)
		b.StopTimer()
		first += f.took[0]
		all += f.took[len(f.took)-1]
		issued += f.sb.TotalIssued()
		f.check(outs)
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(first.Milliseconds())/n, "ms-to-first-token")
	b.ReportMetric(float64(all.Milliseconds())/n, "ms-to-all-30")
	b.ReportMetric(float64(issued)/n, "tokens-issued/op")
}
