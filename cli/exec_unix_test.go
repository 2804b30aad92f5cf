//go:build unix

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// The exec helper process's input: the command line it runs, as JSON.
const execHelperArgvEnv = "TOKENTOP_EXEC_HELPER_ARGV"

// TestExecHelperProcess is not a test: run as a child process by the exec
// tests, it is tokentop as main.go runs it, with the command line given.
func TestExecHelperProcess(t *testing.T) {
	raw := os.Getenv(execHelperArgvEnv)
	if raw == "" {
		t.Skip("helper process for the exec tests")
	}
	var argv []string
	if err := json.Unmarshal([]byte(raw), &argv); err != nil {
		os.Exit(99)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := NewApp().Run(ctx, argv)
	stop()
	os.Exit(code)
}

// tokentopProcess is tokentop run as its own process (the test binary
// again), in a process group of its own, so that no terminal the tests
// run under sends it anything.
func tokentopProcess(t *testing.T, argv ...string) *exec.Cmd {
	t.Helper()
	raw, err := json.Marshal(argv)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestExecHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), execHelperArgvEnv+"="+string(raw))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// exitOf is a finished process's exit code.
func exitOf(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("the process did not run: %v", err)
	}
	return ee.ExitCode()
}

// TestExecPutsTheTokenInTheEnvironment: TOKEN, TOKEN_TYPE and
// TOKEN_EXPIRES_AT hold the cached token's values, the command's
// arguments are the ones given (no token among them), and what the
// command writes reaches stdout byte for byte, escape sequences included:
// it is the command's own output.
func TestExecPutsTheTokenInTheEnvironment(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	var tj tokenJSON
	if err := json.Unmarshal([]byte(e.mustRun("", "token", "ants", "--json")), &tj); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := e.run("", "exec", "ants", "--", "/bin/sh", "-c",
		`printf '%s|%s|%s|%s\n' "$TOKEN" "$TOKEN_TYPE" "$TOKEN_EXPIRES_AT" "$*"; printf '\033[31mred\033[0m\n'`, "sh", "one", "two")
	want := tj.AccessToken + "|Bearer|" + tj.ExpiresAt + "|one two\n\x1b[31mred\x1b[0m\n"
	if code != 0 || out != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want stdout %q", code, out, errOut, want)
	}
	if got := e.sb.TotalIssued(); got != 1 {
		t.Fatalf("the sandbox issued %d tokens, want the cached one reused", got)
	}
}

// TestExecSeveralProviders: NAME=VAR pairs each set VAR, VAR_TYPE and
// VAR_EXPIRES_AT; --env names the variable of the one given alone; a
// variable already in the environment is replaced, not doubled.
func TestExecSeveralProviders(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	ants := strings.TrimSpace(e.mustRun("", "token", "ants"))
	cognito := strings.TrimSpace(e.mustRun("", "token", "cognito-dev"))
	t.Setenv("TOKEN_A", "stale")
	out, errOut, code := e.run("", "exec", "--env", "API", "ants=TOKEN_A", "cognito-dev", "--", "/bin/sh", "-c",
		`printf '%s %s %s\n' "$TOKEN_A" "$TOKEN_A_TYPE" "${TOKEN_A_EXPIRES_AT:+set}"; printf '%s %s\n' "$API" "$API_TYPE"; env | grep -c '^TOKEN_A='`)
	want := ants + " Bearer set\n" + cognito + " Bearer\n1\n"
	if code != 0 || out != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
}

// TestExecExitStatus: the command's exit status is tokentop's, and a
// command killed by a signal makes 128 + its number.
func TestExecExitStatus(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	for _, c := range []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 3", 3},
		{"exit 255", 255},
		{"kill -TERM $$", 128 + int(syscall.SIGTERM)},
		{"kill -KILL $$", 128 + int(syscall.SIGKILL)},
	} {
		_, errOut, code := e.run("", "exec", "ants", "--", "/bin/sh", "-c", c.script)
		if code != c.want || errOut != "" {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and nothing said", c.script, code, errOut, c.want)
		}
	}
}

// TestExecPassesStdin: the command reads tokentop's stdin.
func TestExecPassesStdin(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	in := "line one\nline two\n"
	out, errOut, code := e.run(in, "exec", "ants", "--", "cat")
	if code != 0 || out != in {
		t.Fatalf("exit %d, stdout %q, stderr %q; want stdin back", code, out, errOut)
	}
}

// TestExecBadInput: no command, a command that does not exist, an unknown
// provider and a failing one: each says why, exits non-zero and runs
// nothing; a command that does not exist costs no token either.
func TestExecBadInput(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	marker := filepath.Join(t.TempDir(), "ran")
	touch := []string{"--", "/bin/sh", "-c", "touch " + marker}
	for _, c := range []struct {
		argv []string
		code int
		want []string
	}{
		{[]string{"exec", "ants"}, ExitUsage, []string{"tokentop: tokentop exec needs -- between the provider names and the command"}},
		{[]string{"exec", "ants", "--"}, ExitUsage, []string{"tokentop: tokentop exec takes a command to run after --; got none"}},
		{[]string{"exec", "--", "true"}, ExitUsage, []string{"takes at least one provider name before --"}},
		{[]string{"exec", "ants", "--", "tokentop-no-such-command"}, exitNotFound, []string{"tokentop: exec: tokentop-no-such-command: command not found; it was not run\n", "hint: check its spelling"}},
		{append([]string{"exec", "nope"}, touch...), ExitFailure, []string{"tokentop: exec: the command was not run: no provider named nope\n"}},
		{append([]string{"exec", "broken"}, touch...), ExitFailure, []string{"tokentop: exec: the command was not run: broken: ", "invalid_client", "\nhint: "}},
		{append([]string{"exec", "ants", "--min-ttl", "-1m"}, touch...), ExitUsage, []string{"--min-ttl -1m0s is negative"}},
		{append([]string{"exec", "ants", "cognito-dev"}, touch...), ExitUsage, []string{"ants and cognito-dev would both go in TOKEN"}},
		{append([]string{"exec", "ants=1X"}, touch...), ExitUsage, []string{`"1X" is not a variable name`}},
		{append([]string{"exec", "ants=A", "cognito-dev=A_TYPE"}, touch...), ExitUsage, []string{"A_TYPE would be set twice"}},
		{append([]string{"exec", "--env", "API", "ants=A"}, touch...), ExitUsage, []string{"--env names the variable of a provider given without =VAR"}},
	} {
		out, errOut, code := e.run("", c.argv...)
		if code != c.code || out != "" || !testsupport.ContainsAll(errOut, c.want...) {
			t.Errorf("tokentop %s: exit %d, stdout %q, stderr %q; want exit %d and %q", strings.Join(c.argv, " "), code, out, errOut, c.code, c.want)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a command ran although its token could not be had")
	}
	if got := e.sb.TotalIssued(); got != 0 {
		t.Fatalf("the sandbox issued %d tokens; bad input should cost none", got)
	}
}

// TestExecMinTTLOneFetchAcrossProcesses: tokentop exec processes started
// at once, asking for more life than the cached token has left, replace it
// with one new token between them, and every command gets that one.
func TestExecMinTTLOneFetchAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	sb := sandbox.New(sandbox.Options{})
	e := newEnvOn(t, sb, nil)
	e.importSandbox()
	var ants sandbox.Client
	for _, c := range sb.Clients() {
		if c.Name == "ants" {
			ants = c
		}
	}
	short := ants
	short.Lifetime = 20 * time.Minute
	sb.AddClient(short)
	old := strings.TrimSpace(e.mustRun("", "token", "ants")) // 20 minutes left
	sb.AddClient(ants)                                       // tokens of an hour from now on
	sb.SetLatency(200 * time.Millisecond)                    // so the processes overlap

	const n = 5
	outs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			cmd := tokentopProcess(t, "--db", e.db, "exec", "--min-ttl", "30m", "ants", "--", "/bin/sh", "-c", `printf %s "$TOKEN"`)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Errorf("process %d: %v: %s", i, err, stderr.String())
			}
			outs[i] = stdout.String()
		})
	}
	wg.Wait()
	for i, o := range outs {
		if o == "" || o == old || o != outs[0] {
			t.Fatalf("process %d's command got %q (first %q, the old one %q): want one new token for all", i, o, outs[0], old)
		}
	}
	if got := sb.Issued(ants.ClientID); got != 2 {
		t.Fatalf("the sandbox issued %d tokens to ants, want 2: the old one and one new for %d processes", got, n)
	}
	// Asked again with --min-ttl 30m, the new token serves from the cache.
	out, _, code := e.run("", "exec", "--min-ttl", "30m", "ants", "--", "/bin/sh", "-c", `printf %s "$TOKEN"`)
	if code != 0 || out != outs[0] || sb.Issued(ants.ClientID) != 2 {
		t.Fatalf("again: exit %d, token new=%v, issued %d", code, out != outs[0], sb.Issued(ants.ClientID))
	}
}

// TestExecPassesSignals: SIGTERM, SIGHUP, SIGINT and SIGUSR1 sent to the
// tokentop process reach the command, whose exit status (from its trap) is
// tokentop's.
func TestExecPassesSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	e := newEnv(t)
	e.importSandbox()
	e.mustRun("", "token", "ants") // cached, so each run below fetches nothing
	for i, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT, syscall.SIGUSR1} {
		code := 40 + i
		script := "trap 'echo got it; exit " + strconv.Itoa(code) + "' " + strings.TrimPrefix(sigName(sig), "SIG") + "; echo ready; while :; do sleep 0.05; done"
		cmd := tokentopProcess(t, "--db", e.db, "exec", "ants", "--", "/bin/sh", "-c", script)
		var stdout testsupport.LockedBuffer
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		testsupport.WaitForText(t, stdout.String, "ready\n")
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		got := exitOf(t, cmd.Wait())
		if got != code || stdout.String() != "ready\ngot it\n" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d after the command's trap", sigName(sig), got, stdout.String(), stderr.String(), code)
		}
	}
}

func sigName(s syscall.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGUSR1:
		return "SIGUSR1"
	}
	return s.String()
}
