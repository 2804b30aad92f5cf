package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// The helper process's inputs.
const (
	helperEnv     = "TOKENTOP_STORE_HELPER_DB"
	helperNameEnv = "TOKENTOP_STORE_HELPER_PROVIDER"
	// helperMinTTLEnv, when set, is the MinTTL the helper asks with.
	helperMinTTLEnv = "TOKENTOP_STORE_HELPER_MIN_TTL"
)

// TestHelperProcess is not a test: run by TestSeveralProcessesGetOneToken
// as a child process, it asks the shared database for a token once and
// prints it, as `tokentop token` does.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestSeveralProcessesGetOneToken")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, Options{Path: path, LockTimeout: 30 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(3)
	}
	var o TokenOptions
	if v := os.Getenv(helperMinTTLEnv); v != "" {
		if o.MinTTL, err = time.ParseDuration(v); err != nil {
			fmt.Fprintln(os.Stderr, "min ttl:", err)
			os.Exit(5)
		}
	}
	res, err := s.Token(ctx, os.Getenv(helperNameEnv), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(4)
	}
	fmt.Println(res.Token.AccessToken)
	s.Close()
	os.Exit(0)
}

// runHelpers runs n helper processes at once, each asking the database at
// path for svc's token (with env added to theirs), and returns what each
// printed.
func runHelpers(t *testing.T, path string, n int, env ...string) []string {
	t.Helper()
	outs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
			cmd.Env = append(append(os.Environ(), helperEnv+"="+path, helperNameEnv+"=svc"), env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				errs[i] = fmt.Errorf("child %d: %v: %s", i, err, stderr.String())
			}
			outs[i] = strings.TrimSpace(stdout.String())
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if outs[i] == "" || outs[i] != outs[0] {
			t.Fatalf("child %d printed %q, child 0 printed %q", i, outs[i], outs[0])
		}
	}
	return outs
}

func TestSeveralProcessesGetOneToken(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	ctx := t.Context()
	ts := newTokenServer(t)
	ts.Delay = 200 * time.Millisecond // so the children overlap
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	must(t, s.PutProvider(ctx, ts.provider("svc")))

	const n = 6
	outs := runHelpers(t, path, n)
	if got := ts.Issued(); got != 1 {
		t.Fatalf("the token server issued %d tokens to %d processes, want 1", got, n)
	}
	// And the parent sees the very same token.
	res, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if !res.Cached || res.Token.AccessToken != outs[0] {
		t.Fatalf("parent got %q (cached %v), children %q", res.Token.AccessToken, res.Cached, outs[0])
	}
	if l := leaseOf(t, s, "svc"); l != nil {
		t.Fatalf("a lease is left: %+v", l)
	}
}

// TestSeveralProcessesWithMinTTLGetOneToken: processes asking at once for
// more life than the cached token has left replace it with one fetch, and
// all take that one new token.
func TestSeveralProcessesWithMinTTLGetOneToken(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	ctx := t.Context()
	ts := newTokenServer(t) // 1 h tokens
	ts.Delay = 200 * time.Millisecond
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	putShortToken(t, s, "svc", "old", 10*time.Minute) // usable, but short of 30 min

	const n = 6
	outs := runHelpers(t, path, n, helperMinTTLEnv+"=30m")
	if outs[0] == "old" {
		t.Fatal("the children took the token with 10 minutes left, asking for 30")
	}
	if got := ts.Issued(); got != 1 {
		t.Fatalf("the token server issued %d tokens to %d processes asking for 30m left, want 1", got, n)
	}
	cached, err := s.CachedToken(ctx, "svc")
	must(t, err)
	if cached.AccessToken != outs[0] {
		t.Fatalf("the database holds %q, the children printed %q", cached.AccessToken, outs[0])
	}
}
