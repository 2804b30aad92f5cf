package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/store/kv/etcdtest"
)

// etcdEnv runs tokentop against a shared store: the sandbox of e, a key
// file and a data directory (the local cache) of the test's own.
type etcdEnv struct {
	*env
	yaml string
}

func newEtcdEnv(t *testing.T) *etcdEnv {
	t.Helper()
	t.Setenv("XDG_DATA_HOME", t.TempDir()) // the local cache's directory
	e := newEnv(t)
	e.vars["TOKENTOP_KEY_FILE"] = filepath.Join(t.TempDir(), "team.key")
	yaml := filepath.Join(t.TempDir(), "sandbox.yaml")
	if err := os.WriteFile(yaml, []byte(e.sb.ProvidersYAML(e.url)), 0o600); err != nil {
		t.Fatal(err)
	}
	return &etcdEnv{env: e, yaml: yaml}
}

// run is env.run with no --db: the store comes from argv and the
// variables.
func (e *etcdEnv) run(argv ...string) (string, string, int) {
	e.t.Helper()
	var out, errb bytes.Buffer
	app := &App{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		LookupEnv: func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok },
		Now:       time.Now,
	}
	code := app.Run(context.Background(), argv)
	return out.String(), errb.String(), code
}

func (e *etcdEnv) mustRun(argv ...string) string {
	e.t.Helper()
	out, errOut, code := e.run(argv...)
	if code != 0 {
		e.t.Fatalf("tokentop %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(argv, " "), code, out, errOut)
	}
	return out
}

// importAndToken imports the sandbox into the store of flags, then gets
// a token twice: the same one, fetched once.
func (e *etcdEnv) importAndToken(flags ...string) {
	e.t.Helper()
	e.mustRun(append(flags, "import", e.yaml)...)
	tok := strings.TrimSpace(e.mustRun(append(flags, "token", "auth0-prod")...))
	if tok == "" {
		e.t.Fatal("token printed nothing")
	}
	if again := strings.TrimSpace(e.mustRun(append(flags, "token", "auth0-prod")...)); again != tok {
		e.t.Errorf("a second token call answered another token")
	}
	if n := e.sb.TotalIssued(); n != 1 {
		e.t.Errorf("the sandbox issued %d tokens, want 1", n)
	}
}

// TestStoreOverTLS: import and token through an etcd that serves TLS
// only and requires a client certificate, given by flags and by
// variables; without the client certificate the error says what is
// missing.
func TestStoreOverTLS(t *testing.T) {
	c := etcdtest.StartWith(t, 1, etcdtest.Options{TLS: true})
	addr := "etcds://" + strings.TrimPrefix(c.Endpoints()[0], "https://") + "/tt"
	e := newEtcdEnv(t)
	e.importAndToken("--store", addr, "--etcd-cacert", c.CA.CAFile, "--etcd-cert", c.Client.CertFile, "--etcd-key", c.Client.KeyFile)

	e.vars["TOKENTOP_STORE"] = addr
	e.vars["TOKENTOP_ETCD_CACERT"] = c.CA.CAFile
	e.vars["TOKENTOP_ETCD_CERT"] = c.Client.CertFile
	e.vars["TOKENTOP_ETCD_KEY"] = c.Client.KeyFile
	e.mustRun("token", "auth0-prod")

	delete(e.vars, "TOKENTOP_ETCD_CERT")
	delete(e.vars, "TOKENTOP_ETCD_KEY")
	e.vars["TOKENTOP_ETCD_DIAL_TIMEOUT"] = "1s"
	_, errOut, code := e.run("token", "--force-refresh", "auth0-prod")
	if code == 0 || !strings.Contains(errOut, "client certificate") || !strings.Contains(errOut, c.Endpoints()[0]) {
		t.Errorf("token without a client certificate: exit %d:\n%s", code, errOut)
	}
}

// TestStoreWithEtcdUser: import and token through an etcd with auth on,
// the user and password from TOKENTOP_ETCD_USER/PASSWORD; a wrong
// password fails, says so, and is printed nowhere.
func TestStoreWithEtcdUser(t *testing.T) {
	const password = "pw-cli-Hq4-never-print-me"
	c := etcdtest.StartWith(t, 1, etcdtest.Options{User: "tokentop", Password: password})
	addr := "etcd://" + strings.TrimPrefix(c.Endpoints()[0], "http://") + "/tt"
	e := newEtcdEnv(t)
	e.vars["TOKENTOP_ETCD_USER"] = "tokentop"
	e.vars["TOKENTOP_ETCD_PASSWORD"] = password
	e.importAndToken("--store", addr)

	wrong := password + "-wrong"
	e.vars["TOKENTOP_ETCD_PASSWORD"] = wrong
	for _, argv := range [][]string{{"--store", addr, "token", "--force-refresh", "auth0-prod"}, {"--store", addr, "ls"}} {
		out, errOut, code := e.run(argv...)
		if code == 0 {
			t.Errorf("%v with a wrong password: exit 0", argv)
		}
		if strings.Contains(out+errOut, password) {
			t.Errorf("%v printed the password:\n%s%s", argv, out, errOut)
		}
		if !strings.Contains(errOut, "refused the user") || !strings.Contains(errOut, "password") {
			t.Errorf("%v with a wrong password said:\n%s", argv, errOut)
		}
	}
}

// TestStoreOverTLSWithEtcdUser: an etcd that wants a client certificate
// and a user's password: import and token with both (the certificate by
// flags, the user by variables); a wrong password is refused as such and
// printed nowhere, and a missing certificate is named as what is missing.
func TestStoreOverTLSWithEtcdUser(t *testing.T) {
	const password = "pw-cli-tls-Jx8-never-print-me"
	c := etcdtest.StartWith(t, 1, etcdtest.Options{TLS: true, User: "tokentop", Password: password})
	addr := "etcds://" + strings.TrimPrefix(c.Endpoints()[0], "https://") + "/tt"
	e := newEtcdEnv(t)
	e.vars["TOKENTOP_ETCD_USER"] = "tokentop"
	e.vars["TOKENTOP_ETCD_PASSWORD"] = password
	certs := []string{"--store", addr, "--etcd-cacert", c.CA.CAFile, "--etcd-cert", c.Client.CertFile, "--etcd-key", c.Client.KeyFile}
	e.importAndToken(certs...)

	e.vars["TOKENTOP_ETCD_DIAL_TIMEOUT"] = "1s"
	for _, tt := range []struct {
		name  string
		argv  []string
		pw    string
		wants []string
	}{
		{"a wrong password", append(certs[:len(certs):len(certs)], "token", "--force-refresh", "auth0-prod"), password + "-wrong",
			[]string{"refused the user", "password"}},
		{"no client certificate", []string{"--store", addr, "--etcd-cacert", c.CA.CAFile, "token", "--force-refresh", "auth0-prod"}, password,
			[]string{"client certificate", c.Endpoints()[0]}},
	} {
		e.vars["TOKENTOP_ETCD_PASSWORD"] = tt.pw
		out, errOut, code := e.run(tt.argv...)
		if code == 0 {
			t.Errorf("%s: exit 0", tt.name)
		}
		if strings.Contains(out+errOut, password) {
			t.Errorf("%s: the password was printed:\n%s%s", tt.name, out, errOut)
		}
		for _, want := range tt.wants {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: the error does not say %q:\n%s", tt.name, want, errOut)
			}
		}
	}
}
