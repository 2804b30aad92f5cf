//go:build linux || darwin

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// outcome is what one run of the binary showed.
type outcome struct {
	stdout, stderr string
	code           int
}

// runTokentop runs bin with argv and env (on top of processEnv) and
// returns what it showed.
func runTokentop(t *testing.T, bin string, argv []string, env ...string) outcome {
	t.Helper()
	cmd := exec.Command(bin, argv...)
	cmd.Env = processEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("running %v: %v", argv, err)
		}
		code = ee.ExitCode()
	}
	return outcome{stdout.String(), stderr.String(), code}
}

// fastpathCase is one state of the database and one command line.
type fastpathCase struct {
	name string
	argv []string
	env  []string
	// prepare changes the case's copy of the database (nil: none).
	prepare func(t *testing.T, db string)
	// served: the fast path answers; else it defers, with reason.
	served bool
	reason string
	// fetches: the whole program fetches a new token, so the two runs
	// print two new tokens, alike in shape only.
	fetches bool
}

// TestFastPathAnswersAsTheProgram runs `tokentop token` in each state
// twice, each time on a fresh copy of the same database: with the fast
// path (traced) and with TOKENTOP_NO_FASTPATH=1. Stdout, stderr (after
// the trace's first line) and the exit status are the same; the fast
// path serves exactly the cases it should, and a served run leaves the
// database's bytes as they were.
func TestFastPathAnswersAsTheProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildTokentop(t, t.TempDir())
	base := fastpathStore(t)
	cached := []string{"token", "ants"}
	for _, c := range []fastpathCase{
		{name: "valid cached token", argv: cached, served: true},
		{name: "user grant (refresh and ID tokens sealed with it)", argv: []string{"token", "user-login"}, served: true},
		{name: "read-only directory", argv: cached, served: true, prepare: func(t *testing.T, db string) {
			must(t, os.Chmod(filepath.Dir(db), 0o500))
			t.Cleanup(func() { _ = os.Chmod(filepath.Dir(db), 0o700) })
		}},
		{name: "inside the refresh margin", argv: []string{"token", "margin"}, reason: "the cached token is not usable", fetches: true},
		{name: "expired", argv: []string{"token", "expired"}, reason: "the cached token is not usable", fetches: true},
		{name: "no token yet", argv: []string{"token", "fresh"}, reason: "no cached token", fetches: true},
		{name: "unknown provider", argv: []string{"token", "nosuch"}, reason: "no cached token"},
		{name: "a control byte in the token", argv: []string{"token", "ctrl"}, reason: "the token is not printable ASCII"},
		{name: "--json", argv: []string{"token", "ants", "--json"}, reason: "not `token NAME`"},
		{name: "--min-ttl 1m", argv: []string{"token", "--min-ttl", "1m", "ants"}, reason: "not `token NAME`"},
		{name: "-h", argv: []string{"token", "-h"}, reason: "not `token NAME`"},
		{name: "--db", argv: nil, reason: "not `token NAME`"}, // argv set below: --db PATH token ants
		{name: "another command", argv: []string{"version"}, reason: "not `token NAME`"},
		{name: "TOKENTOP_STORE set", argv: cached, env: []string{"TOKENTOP_STORE=etcd://127.0.0.1:1/x"}, reason: "TOKENTOP_STORE is set"},
		{name: "TOKENTOP_PASSPHRASE set", argv: cached, env: []string{"TOKENTOP_PASSPHRASE=p"}, reason: "TOKENTOP_PASSPHRASE is set"},
		{name: "team recipient list", argv: cached, prepare: addTeam, reason: "the database has a recipient list"},
		{name: "key file missing", argv: cached, reason: "the key file cannot be read", prepare: func(t *testing.T, db string) {
			must(t, os.Remove(db+store.KeySuffix))
		}},
		{name: "corrupt database", argv: cached, reason: "the database cannot be read", prepare: func(t *testing.T, db string) {
			must(t, os.WriteFile(db, bytes.Repeat([]byte("not bbolt "), 1000), 0o600))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fast, slow := runBoth(t, bin, base, c)
			tr, rest, _ := strings.Cut(fast.stderr, "\n")
			want := "fastpath: served"
			if !c.served {
				want = "fastpath: deferred: " + c.reason
			}
			if tr != want {
				t.Errorf("trace %q, want %q", tr, want)
			}
			if rest != slow.stderr || fast.code != slow.code {
				t.Errorf("stderr %q exit %d with the fast path; %q exit %d without", rest, fast.code, slow.stderr, slow.code)
			}
			if c.fetches {
				if fast.code != 0 || strings.Count(fast.stdout, "\n") != 1 || strings.Count(slow.stdout, "\n") != 1 || fast.stdout == base.tokens[c.argv[1]] {
					t.Errorf("a fetch printed %d and %d bytes (exit %d), not one new token each", len(fast.stdout), len(slow.stdout), fast.code)
				}
			} else if fast.stdout != slow.stdout {
				t.Errorf("stdout differs: %d bytes with the fast path, %d without", len(fast.stdout), len(slow.stdout))
			}
			if c.served && fast.stdout != base.tokens[c.argv[1]] {
				t.Errorf("served %d bytes, not the cached token", len(fast.stdout))
			}
		})
	}
}

// runBoth runs c on a fresh copy of base with the fast path, traced, then
// on another fresh copy at the same path without it. A served run must
// leave the database's bytes unchanged.
func runBoth(t *testing.T, bin string, base fastpathBase, c fastpathCase) (fast, slow outcome) {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "data", store.DefaultFileName)
	argv := c.argv
	if argv == nil {
		argv = []string{"--db", db, "token", "ants"}
	}
	env := append([]string{"TOKENTOP_DB=" + db, "HOME=" + dir}, c.env...)
	for i, extra := range []string{"TOKENTOP_FASTPATH_TRACE=1", "TOKENTOP_NO_FASTPATH=1"} {
		base.copyTo(t, db)
		if c.prepare != nil {
			c.prepare(t, db)
		}
		before, _ := os.ReadFile(db)
		o := runTokentop(t, bin, argv, append(env, extra)...)
		if after, _ := os.ReadFile(db); i == 0 && c.served && !bytes.Equal(before, after) {
			t.Error("a served token changed the database file")
		}
		if i == 0 {
			fast = o
		} else {
			slow = o
		}
		if c.prepare != nil {
			_ = os.Chmod(filepath.Dir(db), 0o700)
		}
	}
	return fast, slow
}

// fastpathBase is a database and key file to copy, and the tokens cached
// in it ("NAME" → the token and a newline).
type fastpathBase struct {
	db, key []byte
	tokens  map[string]string
}

// copyTo writes a fresh copy of the database and its key file at db.
func (b fastpathBase) copyTo(t *testing.T, db string) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(db), 0o700))
	must(t, os.WriteFile(db, b.db, 0o600))
	must(t, os.WriteFile(db+store.KeySuffix, b.key, 0o600))
}

// fastpathStore is the sandbox's store with every client's token, a
// user's login, and tokens kept directly: inside the margin, expired,
// with a control byte; and a provider with none.
func fastpathStore(t *testing.T) fastpathBase {
	t.Helper()
	env := sandboxenv.Start(t, sandboxenv.Options{FetchAll: true, UserLogins: true})
	ctx := t.Context()
	var cc, user providers.Provider
	for _, p := range env.Providers {
		switch {
		case p.Name == "ants":
			cc = p
		case p.Name == "user-login":
			user = p
		}
	}
	if cc.Name == "" || user.Name == "" {
		t.Fatal("the sandbox has no ants or user-login provider")
	}
	now := time.Now()
	keep := func(p providers.Provider, name string, tok providers.Token) {
		p.Name = name
		tok.TokenType = "Bearer"
		must(t, env.Store.Keep(ctx, p, &tok))
	}
	keep(user, "user-login", providers.Token{AccessToken: "user-access-token", RefreshToken: "user-refresh", IDToken: "a.b.c", IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
	keep(cc, "margin", providers.Token{AccessToken: "in-the-margin", IssuedAt: now.Add(-55 * time.Minute), ExpiresAt: now.Add(5 * time.Minute)})
	keep(cc, "expired", providers.Token{AccessToken: "expired", IssuedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)})
	keep(cc, "ctrl", providers.Token{AccessToken: "ab\x1b]0;owned\x07cd", IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
	fresh := cc
	fresh.Name = "fresh"
	must(t, env.Store.PutProvider(ctx, fresh))
	tokens := map[string]string{}
	for _, name := range []string{"ants", "user-login", "margin", "expired", "ctrl"} {
		tok, err := env.Store.CachedToken(ctx, name)
		must(t, err)
		tokens[name] = tok.AccessToken + "\n"
	}
	db, err := os.ReadFile(env.Path)
	must(t, err)
	key, err := os.ReadFile(env.Path + store.KeySuffix)
	must(t, err)
	return fastpathBase{db: db, key: key, tokens: tokens}
}

// addTeam puts a recipient list on the database at db: the key file's
// own key, so the whole program still reads every token.
func addTeam(t *testing.T, db string) {
	t.Helper()
	key, err := os.ReadFile(db + store.KeySuffix)
	must(t, err)
	_, pub, ok := strings.Cut(string(key), "# public key: ")
	pub, _, _ = strings.Cut(pub, "\n")
	if !ok || !strings.HasPrefix(pub, "age1") {
		t.Fatal("no public key in the key file")
	}
	st, err := store.Open(t.Context(), store.Options{Path: db, Home: t.TempDir()})
	must(t, err)
	defer st.Close()
	_, err = st.AddMember(t.Context(), store.Member{Label: "me", Key: pub})
	must(t, err)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
