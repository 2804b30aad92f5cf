//go:build linux

package cli

import (
	"context"
	"io"
	"strings"
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
