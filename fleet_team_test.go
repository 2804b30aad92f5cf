package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"

	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store/kv/etcdtest"
)

// A team's fleet: machines that each read the shared etcd store with their
// own age identity, on the store's recipient list; no key file is shared.

// teamFleet is the shared store, the sandbox, and each machine's HOME and
// identity file.
type teamFleet struct {
	t      *testing.T
	sb     *sandbox.Server
	client sandbox.Client
	store  string
	homes  []string
	ids    []string // ids[m] is machine m's identity file
	pubs   []string // pubs[m] is its public key
}

// newTeamFleet starts the sandbox, gives each machine a HOME and an age
// identity (0600, in that HOME), has machine 0 import the sandbox's
// providers and add every machine's public key, its own first.
func newTeamFleet(t *testing.T, c *etcdtest.Cluster, machines int) *teamFleet {
	t.Helper()
	sb, yaml, store := fleetSandbox(t, c)
	f := &teamFleet{t: t, sb: sb, client: sb.Clients()[0], store: store}
	for range machines {
		home := t.TempDir()
		id, pub := writeIdentity(t, home)
		f.homes, f.ids, f.pubs = append(f.homes, home), append(f.ids, id), append(f.pubs, pub)
	}
	f.ok(0, f.ids[0], "import", yaml)
	for m, pub := range f.pubs {
		f.ok(0, f.ids[0], "team", "add", pub, "--label", fmt.Sprintf("machine%d", m+1))
	}
	return f
}

// writeIdentity writes a new age identity to dir/identity.txt (0600):
// the file and its public key.
func writeIdentity(t *testing.T, dir string) (path, pub string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "identity.txt")
	text := fmt.Sprintf("# public key: %s\n%s\n", id.Recipient(), id)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, id.Recipient().String()
}

// cmd is tokentop on machine m reading with the identity file id.
func (f *teamFleet) cmd(m int, id string, argv ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], argv...)
	home := f.homes[m]
	cmd.Env = []string{
		"TOKENTOP_FLEET_CHILD=1", "HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"TOKENTOP_STORE=" + f.store, "TOKENTOP_IDENTITY=" + id, "PATH=" + os.Getenv("PATH"),
		"TOKENTOP_ETCD_DIAL_TIMEOUT=10s",
	}
	return cmd
}

// run runs tokentop on machine m with the identity file id: its stdout,
// its stderr and its exit code.
func (f *teamFleet) run(m int, id string, argv ...string) (stdout, stderr string, code int) {
	f.t.Helper()
	var out, errb bytes.Buffer
	cmd := f.cmd(m, id, argv...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		f.t.Fatalf("running tokentop: %v", err)
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

// ok runs tokentop on machine m and fails the test unless it exits 0; its
// stdout.
func (f *teamFleet) ok(m int, id string, argv ...string) string {
	f.t.Helper()
	out, errOut, code := f.run(m, id, argv...)
	if code != 0 {
		f.t.Fatalf("machine %d: tokentop %s: exit %d: %s%s", m+1, strings.Join(argv, " "), code, out, errOut)
	}
	return out
}

// stampede starts `tokentop token NAME` perMachine times on every machine
// at once, each machine with its own identity, and returns their stdouts.
func (f *teamFleet) stampede(perMachine int) []string {
	f.t.Helper()
	var mu sync.Mutex
	var outs []string
	var wg sync.WaitGroup
	for m := range f.homes {
		for range perMachine {
			cmd := f.cmd(m, f.ids[m], "token", f.client.Name)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				f.t.Fatal(err)
			}
			wg.Go(func() {
				if err := cmd.Wait(); err != nil {
					f.t.Errorf("machine %d: tokentop token: %v: %s", m+1, err, errb.String())
				}
				mu.Lock()
				outs = append(outs, strings.TrimSpace(out.String()))
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	return outs
}

// quotaUsed is what the shared ledger counted for the fleet's provider, as
// machine m reads it.
func (f *teamFleet) quotaUsed(m int) int {
	f.t.Helper()
	out := f.ok(m, f.ids[m], "ls", "--json")
	var rows []struct {
		Name      string `json:"name"`
		QuotaUsed int    `json:"quota_used"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		f.t.Fatalf("ls --json: %v: %s", err, out)
	}
	for _, r := range rows {
		if r.Name == f.client.Name {
			return r.QuotaUsed
		}
	}
	f.t.Fatalf("ls --json lists no %s: %s", f.client.Name, out)
	return 0
}

// refused checks that tokentop token on machine m with identity id fails
// with the identity error, printing nothing on stdout.
func (f *teamFleet) refused(m int, id, who string, argv ...string) {
	f.t.Helper()
	out, errOut, code := f.run(m, id, append(argv, "token", f.client.Name)...)
	if code == 0 || out != "" {
		f.t.Errorf("machine %d with %s: exit %d, %d bytes on stdout: want a failure and nothing printed", m+1, who, code, len(out))
	}
	if !strings.Contains(errOut, "none of your identities is on the recipient list") {
		f.t.Errorf("machine %d with %s: the error does not say the identity is not on the list: %s", m+1, who, errOut)
	}
}

func TestFleetTeamOneIdentityPerMachine(t *testing.T) {
	f := newTeamFleet(t, etcdtest.Start(t, 1), 3)
	if got := f.ok(0, f.ids[0], "team", "ls"); strings.Count(got, "machine") != 3 {
		t.Fatalf("team ls does not list the 3 machines: %s", got)
	}

	// 3 machines × 10 processes on a cold cache: one token for all.
	outs := f.stampede(10)
	if n := f.sb.Issued(f.client.ClientID); n != 1 {
		t.Errorf("the sandbox issued %d tokens to %s, want 1", n, f.client.ClientID)
	}
	for _, o := range outs {
		if o == "" || o != outs[0] {
			t.Fatalf("processes printed different tokens (or none)")
		}
	}
	if n := f.quotaUsed(1); n != 1 {
		t.Errorf("the shared ledger counted %d tokens, want 1", n)
	}
	old := outs[0]

	// Each machine's local cache is its own: sealed to its identity, not
	// to a key file beside it, so neither an outsider's identity nor
	// another member's reads it there.
	outsider, _ := writeIdentity(t, t.TempDir())
	for m := range f.homes {
		cache := filepath.Join(f.homes[m], "data", "tokentop", "cache")
		if ents, err := os.ReadDir(cache); err != nil || len(ents) == 0 {
			t.Errorf("machine %d has no local cache in %s: %v", m+1, cache, err)
		}
		keys, _ := filepath.Glob(filepath.Join(f.homes[m], "data", "tokentop", "*.key"))
		if m > 0 && len(keys) > 0 {
			t.Errorf("machine %d made a key file %v: its copies are sealed to its identity", m+1, keys)
		}
		f.refused(m, outsider, "an identity not on the list")
		f.refused(m, f.ids[(m+1)%3], fmt.Sprintf("machine %d's identity", (m+1)%3+1))
		if got := strings.TrimSpace(f.ok(m, f.ids[m], "token", f.client.Name)); got != old {
			t.Errorf("machine %d from its cache: not the token the fleet shares", m+1)
		}
	}
	if n := f.sb.TotalIssued(); n != 1 {
		t.Errorf("the sandbox issued %d tokens, want still 1", n)
	}

	// Machine 1 takes machine 3 off the list and forces a new token.
	f.ok(0, f.ids[0], "team", "rm", "machine3")
	fresh := strings.TrimSpace(f.ok(0, f.ids[0], "token", "--force-refresh", f.client.Name))
	if fresh == "" || fresh == old {
		t.Fatalf("the forced refresh printed no new token")
	}
	if n := f.sb.TotalIssued(); n != 2 {
		t.Errorf("the sandbox issued %d tokens, want 2", n)
	}
	// What machine 3 copied before stays readable to it (the old token,
	// until its own margin); the new one it cannot read: on a cold cache
	// it goes to the shared store and is refused.
	if got := strings.TrimSpace(f.ok(2, f.ids[2], "token", f.client.Name)); got != old {
		t.Errorf("machine 3 from its cache: not the old token it copied")
	}
	for m := range f.homes[1:] {
		if err := os.RemoveAll(filepath.Join(f.homes[m+1], "data", "tokentop", "cache")); err != nil {
			t.Fatal(err)
		}
	}
	f.refused(2, f.ids[2], "its identity, removed from the list")
	if got := strings.TrimSpace(f.ok(1, f.ids[1], "token", f.client.Name)); got != fresh {
		t.Errorf("machine 2 after the refresh: not the new token")
	}
	if got := strings.TrimSpace(f.ok(0, f.ids[0], "token", f.client.Name)); got != fresh {
		t.Errorf("machine 1 after the refresh: not the new token")
	}
	if n := f.sb.TotalIssued(); n != 2 {
		t.Errorf("the sandbox issued %d tokens, want still 2", n)
	}
	if n := f.quotaUsed(1); n != 2 {
		t.Errorf("the shared ledger counted %d tokens, want 2", n)
	}
}
