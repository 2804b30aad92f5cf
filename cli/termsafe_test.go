package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext/hostile"
	"github.com/tokentop/tokentop/store"
)

// hostileAPI serves hostile.API on loopback.
func hostileAPI(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(hostile.API())
	t.Cleanup(srv.Close)
	return srv
}

// hostileStore writes two providers full of escapes straight into the
// store, past every validation, as an older version or a hand-edited
// database could hold them: evil (which still gets tokens from the
// sandbox) and evil-broken (hostile everywhere, so it fails). It returns
// the API server evil's first endpoint calls.
func hostileStore(t *testing.T, e *env) *httptest.Server {
	t.Helper()
	e.importSandbox()
	api := hostileAPI(t)
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: e.db, Client: &providers.Client{}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base, err := st.ProviderWithSecret(ctx, "basic-only")
	if err != nil {
		t.Fatal(err)
	}
	evil := hostile.Provider(base, api.URL+"/v1/items")
	evil.Name = "evil"
	broken := hostile.Broken(base)
	broken.Name = "evil-broken"
	broken.ClientSecret = ""
	if err := st.PutProviders(ctx, []providers.Provider{evil, broken}); err != nil {
		t.Fatal(err)
	}
	if evil.Validate() == nil || broken.Validate() == nil {
		t.Fatal("the hostile providers pass validation: they could not come from an import")
	}
	return api
}

// TestNoCommandPrintsAnEscape drives every command that prints provider
// data over the hostile records: nothing a terminal acts on may reach
// stdout or stderr, and the text around the attacks still shows.
func TestNoCommandPrintsAnEscape(t *testing.T) {
	e := newEnv(t)
	api := hostileStore(t, e)
	e.mustRun("", "token", "evil") // a token, and an exchange in the history
	e.run("", "token", "evil-broken")
	e.mustRun("", "call", "evil") // a last call

	tests := []struct {
		argv  []string
		shown []string // what must still be visible (sanitised) in stdout+stderr
	}{
		{[]string{"ls"}, []string{hostile.Shown("ENV")}},
		{[]string{"ls", "--json"}, nil},
		{[]string{"show", "evil"}, []string{hostile.Shown("ENV"), hostile.Shown("AUD")}},
		{[]string{"show", "evil-broken"}, []string{hostile.Shown("TOKENURL")}},
		{[]string{"export"}, nil},
		{[]string{"export", "evil", "evil-broken", "--with-secrets"}, nil},
		{[]string{"history", "evil"}, nil},
		{[]string{"history", "evil", "-v"}, []string{"PKEY%1B%5D52"}},
		{[]string{"history", "evil", "-v", "--json"}, nil},
		{[]string{"history", "evil-broken", "-v"}, nil},
		{[]string{"diff", "evil", "evil-broken"}, []string{hostile.Shown("ENV")}},
		{[]string{"diff", "evil", "evil-broken", "--markdown"}, nil},
		{[]string{"doctor", "evil"}, nil},
		{[]string{"doctor", "evil", "--json"}, nil},
		{[]string{"doctor", "evil", "--markdown"}, nil},
		{[]string{"doctor", "evil-broken"}, nil},
		{[]string{"doctor", "evil-broken", "--json"}, nil},
		{[]string{"doctor", "evil-broken", "--markdown"}, nil},
		{[]string{"inspect", "evil"}, nil},
		{[]string{"inspect", "evil", "--json"}, nil},
		{[]string{"inspect", "evil", "--markdown"}, nil},
		{[]string{"token", "evil", "--json"}, nil},
		{[]string{"token", "evil-broken"}, nil},
		{[]string{"token", "evil-broken", "--json"}, nil},
		{[]string{"call", "evil"}, []string{hostile.Shown("BODY")}},
		{[]string{"call", "evil", api.URL + "/deny"}, nil},
		{[]string{"call", "evil", hostile.Text("NOSUCH")}, nil},
		{[]string{"call", "evil-broken"}, nil},
		{[]string{"introspect", "evil"}, nil},
		{[]string{"revoke", "evil"}, nil},
		{[]string{"show", hostile.Text("ARG")}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.argv, " "), func(t *testing.T) {
			out, errOut, _ := e.run("", tt.argv...)
			if out == "" && errOut == "" {
				t.Fatal("printed nothing")
			}
			if err := hostile.Check(out, false); err != nil {
				t.Errorf("stdout: %v", err)
			}
			if err := hostile.Check(errOut, false); err != nil {
				t.Errorf("stderr: %v", err)
			}
			for _, s := range tt.shown {
				if !strings.Contains(out+errOut, s) {
					t.Errorf("%q is not shown:\n%s\n%s", s, out, errOut)
				}
			}
			if isJSON(tt.argv) && out != "" {
				var v any
				if err := json.Unmarshal([]byte(out), &v); err != nil {
					t.Errorf("--json output is not JSON: %v\n%s", err, out)
				}
			}
		})
	}
}

func isJSON(argv []string) bool {
	for _, a := range argv {
		if a == "--json" {
			return true
		}
	}
	return false
}

// TestJSONKeepsTheDataEscaped: ls --json carries the hostile text as it
// is stored, only written as \u escapes.
func TestJSONKeepsTheDataEscaped(t *testing.T) {
	e := newEnv(t)
	hostileStore(t, e)
	out := e.mustRun("", "ls", "--json")
	for _, esc := range []string{`\u001b]52;c;`, `\u0090dcs\u009c`, `\u009b2J`, `\u202e`} {
		if !strings.Contains(out, esc) {
			t.Errorf("ls --json lacks %s", esc)
		}
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r["env"] == hostile.Text("ENV") {
			found = true
		}
	}
	if !found {
		t.Errorf("no row has the stored env, byte for byte:\n%s", out)
	}
}

// TestCallBodyRawOnlyIntoAPipe: piped, call writes the body byte for
// byte (| jq, > file); into anything not known to be a file or pipe, and
// so on a terminal, sanitised.
func TestCallBodyRawOnlyIntoAPipe(t *testing.T) {
	e := newEnv(t)
	hostileStore(t, e)
	want := `{"item": "` + hostile.Text("BODY") + `"}`

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(r)
		got <- string(b)
	}()
	var errb strings.Builder
	app := &App{Stdin: strings.NewReader(""), Stdout: w, Stderr: &errb, LookupEnv: func(string) (string, bool) { return "", false }, Now: time.Now}
	code := app.Run(context.Background(), []string{"--db", e.db, "call", "evil"})
	w.Close()
	if body := <-got; code != 0 || body != want+"\n" {
		t.Fatalf("exit %d; piped body %q, want %q\nstderr: %s", code, body, want+"\n", errb.String())
	}
	if err := hostile.Check(errb.String(), false); err != nil {
		t.Errorf("stderr: %v", err)
	}

	out := e.mustRun("", "call", "evil")
	if out != `{"item": "`+hostile.Shown("BODY")+"\"}\n" {
		t.Errorf("body to a non-file: %q", out)
	}
}

// TestAddRefusesControlCharacters: the flags of tokentop add are checked
// as the config file is.
func TestAddRefusesControlCharacters(t *testing.T) {
	e := newEnv(t)
	for _, argv := range [][]string{
		{"--env", hostile.Text("ENV")},
		{"--notes", "a\u009b31m"},
		{"--param", "k=" + hostile.Text("V")},
		{"--endpoint", "e\u202e=https://x/"},
	} {
		full := append([]string{"add", "x", "--token-url", "https://auth.example.com/t", "--client-id", "c"}, argv...)
		out, errOut, code := e.run("", full...)
		if code != ExitUsage || !strings.Contains(errOut, "holds the") {
			t.Errorf("%v: exit %d, stderr %q", argv, code, errOut)
		}
		if err := hostile.Check(out+errOut, false); err != nil {
			t.Errorf("%v: %v", argv, err)
		}
	}
	for _, name := range []string{".", ".."} {
		if _, errOut, code := e.run("", "add", name, "--token-url", "https://auth.example.com/t", "--client-id", "c"); code == 0 {
			t.Errorf("add %q succeeded", name)
		} else if !strings.Contains(errOut, "not allowed") {
			t.Errorf("add %q: %s", name, errOut)
		}
	}
}
