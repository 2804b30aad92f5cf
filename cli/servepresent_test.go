//go:build linux || darwin

package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// TestServeOpenFollowWithoutATerminal: `serve --sandbox --open --follow`
// with no terminal serves as before: no dashboard of its own, the log on
// stderr; a viewer gets the read-only dashboard and nobody presents.
func TestServeOpenFollowWithoutATerminal(t *testing.T) {
	r := startServe(t, filepath.Join(t.TempDir(), "tokentop.db"), "--sandbox", "--open", "--follow")
	if s := r.stderr.String(); strings.Contains(s, "press enter") || strings.Contains(s, serveLogName) {
		t.Fatalf("without a terminal, serve should not present:\n%s", s)
	}
	screen, _ := r.viewer(t)
	testsupport.WaitForMatch(t, screen, regexp.MustCompile(`(?s)read-only.*cognito-dev`))
	testsupport.WaitForText(t, r.stderr.String, "session start", "access=read-only")
}

// TestServeOpenAdminKeys: `serve --sandbox --open --admin-keys FILE`
// starts, and its banner says who has full access; the admin key's
// session has it, a key nobody listed is read-only.
func TestServeOpenAdminKeys(t *testing.T) {
	dir := t.TempDir()
	admin := testsupport.SSHSigner(t)
	keys := filepath.Join(dir, "presenters")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(admin.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startServe(t, filepath.Join(dir, "tokentop.db"), "--sandbox", "--open", "--follow", "--admin-keys", keys)
	if s := r.stderr.String(); !strings.Contains(s, "full access for the admin keys "+keys) {
		t.Fatalf("the banner should name the admin keys:\n%s", s)
	}
	testsupport.WaitForText(t, r.viewerAs(t, admin), "presenting · 0 watching")
	viewer, _ := r.viewer(t)
	testsupport.WaitForText(t, viewer, "read-only", "following "+gossh.FingerprintSHA256(admin.PublicKey())[:15])
	fp := gossh.FingerprintSHA256(admin.PublicKey())
	testsupport.WaitForMatch(t, r.stderr.String, regexp.MustCompile(`session start.*fingerprint=`+regexp.QuoteMeta(fp)+`.*access=full`))
}

// TestServePresentsAtItsTerminal: `serve --sandbox --open --follow` at a
// terminal (a pseudo-terminal here) prints the banner, then on enter
// shows the presenter's own dashboard, which a viewer follows; the log
// goes to its file, never to the terminal; q stops the server, and the
// viewer is told.
func TestServePresentsAtItsTerminal(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("TERM", "dumb") // no colour query to answer
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	var term testsupport.LockedBuffer
	go func() { _, _ = io.Copy(&term, ptmx) }()
	screen := func() string { return ansi.Strip(term.String()) }

	dir := t.TempDir()
	app := &App{Stdin: tty, Stdout: tty, Stderr: tty, LookupEnv: func(string) (string, bool) { return "", false }, Now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exit := make(chan int, 1)
	go func() {
		exit <- app.Run(ctx, []string{"--db", filepath.Join(dir, "tokentop.db"), "serve", "--sandbox", "--open", "--follow", "--listen", "127.0.0.1:0"})
	}()
	r := &runningServe{}
	r.addr = testsupport.WaitForMatch(t, screen, regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`))[1]
	r.fp = testsupport.WaitForMatch(t, screen, regexp.MustCompile(`must be (SHA256:\S+)`))[1]
	logFile := filepath.Join(dir, serveLogName)
	testsupport.WaitForText(t, screen, "log       "+logFile, "press enter")

	if _, err := ptmx.WriteString("\r"); err != nil {
		t.Fatal(err)
	}
	testsupport.WaitForText(t, screen, "presenting · 0 watching")
	mark := len(term.String())
	viewer, _ := r.viewer(t)
	testsupport.WaitForText(t, viewer, "read-only", "following the presenter · 1 watching")
	testsupport.WaitForText(t, screen, "presenting · 1 watching")
	if _, err := ptmx.WriteString("/ants\r"); err != nil {
		t.Fatal(err)
	}
	testsupport.WaitForText(t, screen, `filter "ants": 1 shown`)
	if _, err := ptmx.WriteString("\r"); err != nil {
		t.Fatal(err)
	}
	testsupport.WaitForText(t, viewer, "ants · ants · sandbox")
	logged := func() string { b, _ := os.ReadFile(logFile); return string(b) }
	testsupport.WaitForText(t, logged, "session start", "access=read-only")
	while := ansi.Strip(term.String()[mark:])
	for _, line := range []string{"session start", "connection", "INFO", "serve:"} {
		if strings.Contains(while, line) {
			t.Fatalf("the serving terminal got a log line (%q) while the dashboard ran:\n%s", line, while)
		}
	}

	if _, err := ptmx.WriteString("q"); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exit:
		if code != ExitOK {
			t.Fatalf("serve exited %d after q:\n%s", code, screen())
		}
	case <-time.After(testsupport.WaitLimit):
		t.Fatalf("q did not stop serve:\n%s", screen())
	}
	testsupport.WaitForText(t, viewer, "the server is shutting down")
	testsupport.WaitForText(t, screen, "stopped; the log is in "+logFile)
	testsupport.WaitForText(t, logged, "session end", "stopped")
	if fi, err := os.Stat(logFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the log file should be the owner's only: %v", err)
	}
}

// TestServeLogIsCappedAndSanitised: the log file takes no escape
// sequence, and stops at its bound, saying so once.
func TestServeLogIsCappedAndSanitised(t *testing.T) {
	// The default folder (tokentop's data folder) does not exist on a
	// fresh machine: it is made.
	path := filepath.Join(t.TempDir(), "fresh", "tokentop", serveLogName)
	w, err := openServeLog(path)
	if err != nil {
		t.Fatal(err)
	}
	w.left = 40
	for _, line := range []string{"first \x1b]52;c;Zm9v\x07line\n", "second line, too long to fit\n", "third\n"} {
		if n, err := w.Write([]byte(line)); err != nil || n != len(line) {
			t.Fatalf("Write(%q) = %d, %v", line, n, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if strings.ContainsRune(got, 0x1b) || !strings.Contains(got, "first") || strings.Contains(got, "second") || strings.Contains(got, "third") ||
		strings.Count(got, "the log file is full") != 1 {
		t.Fatalf("the log file holds %q", got)
	}
}
