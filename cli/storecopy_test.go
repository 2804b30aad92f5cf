package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tokentop/tokentop/store/kv/etcdtest"
)

// TestStoreCopyBoltToBolt: the sandbox's providers with a token copy to a
// new database, which then answers the same token without a fetch; a
// second copy is refused (exit 1) unless --force.
func TestStoreCopyBoltToBolt(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	tok := strings.TrimSpace(e.mustRun("", "token", "auth0-prod"))
	target := filepath.Join(t.TempDir(), "copy.db")
	out := e.mustRun("", "store", "copy", e.db, target)
	for _, want := range []string{"copied ", " 1 tokens", "checked: the target holds", "to   " + target} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, tok) {
		t.Fatal("store copy printed a token")
	}
	copied := &env{t: t, sb: e.sb, url: e.url, db: target, vars: map[string]string{}}
	if got := strings.TrimSpace(copied.mustRun("", "token", "auth0-prod")); got != tok {
		t.Fatal("the copied database answers another token")
	}
	_, errOut, code := e.run("", "store", "copy", e.db, target)
	if code != 1 || !strings.Contains(errOut, "the target holds providers") || !strings.Contains(errOut, "--force") {
		t.Fatalf("a copy into a full target: exit %d\n%s", code, errOut)
	}
	e.mustRun("", "store", "copy", "--force", e.db, target)
}

// TestStoreCopyNeedsKeyForEtcd: an etcd store without its key file, a
// missing source and the same store twice are usage errors or refusals
// before anything is written.
func TestStoreCopyRefusals(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	cases := []struct {
		argv []string
		code int
		want string
	}{
		{[]string{"store", "copy", e.db, "etcd://127.0.0.1:1/team"}, 2, "--to-key"},
		{[]string{"store", "copy", "etcd://127.0.0.1:1/team", e.db}, 2, "--from-key"},
		{[]string{"store", "copy", "--to-key", "k", e.db, "etcd://u:p@127.0.0.1:1/team"}, 2, "TOKENTOP_ETCD_PASSWORD"},
		{[]string{"store", "copy", filepath.Join(t.TempDir(), "typo.db"), e.db}, 1, "no database at"},
		{[]string{"store", "copy", e.db, e.db}, 2, "the same store"},
	}
	for _, c := range cases {
		_, errOut, code := e.run("", c.argv...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.argv, code, c.code, c.want, errOut)
		}
	}
}

// TestStoreCopyThroughEtcd: a database copied to an etcd prefix and from
// there to a new database; etcd holds no client secret or token in
// plaintext, and the last copy answers the first's token.
func TestStoreCopyThroughEtcd(t *testing.T) {
	cluster := etcdtest.Start(t, 1)
	e := newEnv(t)
	e.importSandbox()
	tok := strings.TrimSpace(e.mustRun("", "token", "auth0-prod"))
	host := strings.TrimPrefix(cluster.Endpoints()[0], "http://")
	prefix := fmt.Sprintf("/copy-%d", time.Now().UnixNano())
	addr := "etcd://" + host + prefix
	teamKey := filepath.Join(t.TempDir(), "team.key")
	out := e.mustRun("", "store", "copy", "--to-key", teamKey, e.db, addr)
	if !strings.Contains(out, "checked: ") || !strings.Contains(out, "prefix "+prefix) {
		t.Fatalf("copy to etcd said:\n%s", out)
	}

	cli, err := clientv3.New(clientv3.Config{Endpoints: cluster.Endpoints()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.Get(t.Context(), prefix+"/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) == 0 {
		t.Fatal("nothing under the prefix after the copy")
	}
	secrets := []string{tok}
	for _, c := range e.sb.Clients() {
		if c.ClientSecret != "" {
			secrets = append(secrets, c.ClientSecret)
		}
	}
	for _, kv := range resp.Kvs {
		for _, s := range secrets {
			if strings.Contains(string(kv.Value), s) {
				t.Fatalf("etcd holds a secret or token in plaintext at %s", kv.Key)
			}
		}
	}

	back := filepath.Join(t.TempDir(), "back.db")
	e.mustRun("", "store", "copy", "--from-key", teamKey, addr, back)
	copied := &env{t: t, sb: e.sb, url: e.url, db: back, vars: map[string]string{}}
	if got := strings.TrimSpace(copied.mustRun("", "token", "auth0-prod")); got != tok {
		t.Fatal("the database copied back answers another token")
	}
}
