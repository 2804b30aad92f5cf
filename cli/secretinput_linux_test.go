//go:build linux

package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// echoOn reports whether the terminal at fd echoes what is typed.
func echoOn(t *testing.T, fd int) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// TestAddAsksForTheSecretAtATerminal: `tokentop add --client-secret-stdin`
// with a terminal (a real pty) on stdin asks on stderr and reads the
// secret with the echo off, then puts the echo back.
func TestAddAsksForTheSecretAtATerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty here: %v", err)
	}
	defer ptmx.Close()
	var echoed testsupport.LockedBuffer
	copied := make(chan struct{})
	go func() { _, _ = io.Copy(&echoed, ptmx); close(copied) }()

	e := newEnv(t)
	var stdout, stderr testsupport.LockedBuffer
	app := &App{Stdin: tty, Stdout: &stdout, Stderr: &stderr, LookupEnv: func(string) (string, bool) { return "", false }, Now: time.Now}
	done := make(chan int, 1)
	go func() {
		done <- app.Run(context.Background(), []string{"--db", e.db, "add", "typed", "--token-url", "https://auth.example.com/token", "--client-id", "c", "--client-secret-stdin"})
	}()
	// Type only once the echo is off, as a person would after the prompt.
	testsupport.Eventually(t, "the prompt, with the echo off", func() bool {
		return strings.Contains(stderr.String(), "client secret for typed: ") && !echoOn(t, int(tty.Fd()))
	})
	if _, err := ptmx.Write([]byte("typed-s3cret\n")); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != 0 {
		t.Fatalf("add: exit %d, stderr %q", code, stderr.String())
	}
	if !echoOn(t, int(tty.Fd())) {
		t.Error("the terminal's echo was left off")
	}
	tty.Close()
	<-copied
	if strings.Contains(echoed.String(), "typed-s3cret") || strings.Contains(stderr.String(), "typed-s3cret") {
		t.Fatalf("the secret was echoed: terminal %q, stderr %q", echoed.String(), stderr.String())
	}
	if got := e.mustRun("", "export", "typed", "--with-secrets"); !strings.Contains(got, "client_secret: typed-s3cret") {
		t.Fatalf("the typed secret was not stored:\n%s", got)
	}
}

// The prompt helper process's input: the database its `tokentop add`
// uses.
const promptHelperDBEnv = "TOKENTOP_PROMPT_HELPER_DB"

// TestPromptHelperProcess is not a test: run by TestCtrlCAtTheSecretPrompt
// as a child process on a pty, it runs `tokentop add --client-secret-stdin`
// as main does (SIGINT cancels the context).
func TestPromptHelperProcess(t *testing.T) {
	db := os.Getenv(promptHelperDBEnv)
	if db == "" {
		t.Skip("helper process for TestCtrlCAtTheSecretPrompt")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := NewApp().Run(ctx, []string{"--db", db, "add", "typed", "--token-url", "https://auth.example.com/token", "--client-id", "c", "--client-secret-stdin"})
	stop()
	os.Exit(code)
}

// TestCtrlCAtTheSecretPrompt: Ctrl+C typed at the secret prompt (the
// terminal sends SIGINT to the process) exits 130 at once, without an
// error line, with the echo back on and nothing stored.
func TestCtrlCAtTheSecretPrompt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty here: %v", err)
	}
	defer ptmx.Close()
	var shown testsupport.LockedBuffer
	copied := make(chan struct{})
	go func() { _, _ = io.Copy(&shown, ptmx); close(copied) }()

	db := filepath.Join(t.TempDir(), "tokentop.db")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPromptHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), promptHelperDBEnv+"="+db)
	cmd.Stdin, cmd.Stderr = tty, tty // the prompt is on stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	testsupport.Eventually(t, "the prompt, with the echo off", func() bool {
		return strings.Contains(shown.String(), "client secret for typed: ") && !echoOn(t, int(tty.Fd()))
	})
	if _, err := ptmx.Write([]byte{0x03}); err != nil { // Ctrl+C
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != ExitInterrupted {
		t.Fatalf("add after Ctrl+C: %v, want exit %d\n%s", err, ExitInterrupted, shown.String())
	}
	if !echoOn(t, int(tty.Fd())) {
		t.Error("the terminal's echo was left off")
	}
	tty.Close()
	<-copied
	if out := shown.String(); strings.Contains(out, "tokentop:") || strings.Contains(out, "context canceled") {
		t.Errorf("Ctrl+C printed an error:\n%q", out)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the database was made (%v)", err)
	}
}
