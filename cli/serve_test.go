package cli

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/sshd"
)

func TestServeWithoutAuthorizedKeys(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	e := newEnv(t)
	_, errOut, code := e.run("", "serve", "--listen", "127.0.0.1:0")
	if code != ExitFailure || !strings.Contains(errOut, "no authorized_keys file") || !strings.Contains(errOut, "authorized_keys") {
		t.Fatalf("want exit 1 and how to make an authorized_keys file, got %d: %s", code, errOut)
	}
}

// tokentop serve --sandbox --demo, as the README's demo runs it, with a
// real SSH client.
func TestServeSandboxDemo(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "tokentop.db")
	signer := testsupport.SSHSigner(t)
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}

	var stderr testsupport.LockedBuffer
	app := &App{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr, LookupEnv: func(string) (string, bool) { return "", false }, Now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exit := make(chan int, 1)
	go func() {
		exit <- app.Run(ctx, []string{"--db", db, "serve", "--sandbox", "--demo", "--listen", "127.0.0.1:0"})
	}()
	addr := testsupport.WaitForMatch(t, stderr.String, regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`))[1]
	fp := testsupport.WaitForMatch(t, stderr.String, regexp.MustCompile(`host key  (SHA256:\S+) \(made now`))[1]

	conn, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "demo", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, Timeout: 30 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			if got := gossh.FingerprintSHA256(key); got != fp {
				t.Errorf("host key %s, printed %s", got, fp)
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var out testsupport.LockedBuffer
	sess.Stdout, sess.Stderr = &out, &out
	if err := sess.RequestPty("xterm-256color", 40, 120, nil); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	screen := func() string { return ansi.Strip(out.String()) }
	testsupport.WaitForMatch(t, screen, regexp.MustCompile(`(?s)demo read-only.*cognito-dev`))

	cancel() // as ctrl+c does
	select {
	case code := <-exit:
		if code != ExitOK {
			t.Fatalf("serve exited %d after ctrl+c:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after ctrl+c")
	}
	testsupport.WaitForMatch(t, screen, regexp.MustCompile(`the server is shutting down`))
	fi, err := os.Stat(filepath.Join(dir, sshd.HostKeyFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the host key should be kept beside the database, 0600: %v", err)
	}
	if _, err := os.Stat(db); err == nil {
		t.Fatal("--sandbox must not touch the database of --db")
	}
}
