package cli

import (
	"bytes"
	"context"
	"errors"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/internal/testsupport"
)

func TestServeOpenRefusesARealDatabase(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--open"}, "--open-my-real-database-to-anyone"},
		{[]string{"--open-my-real-database-to-anyone"}, "goes with --open"},
		{[]string{"--open", "--sandbox", "--present"}, "--present shows your dashboard at this terminal"},
	} {
		_, errOut, code := e.run("", append([]string{"serve", "--listen", "127.0.0.1:0"}, c.args...)...)
		if code != ExitUsage || !strings.Contains(errOut, c.says) {
			t.Errorf("serve %v: want exit 2 saying %q, got %d: %s", c.args, c.says, code, errOut)
		}
	}
}

// runningServe is `tokentop serve` running in the test.
type runningServe struct {
	stderr testsupport.LockedBuffer
	addr   string
	fp     string
	cancel context.CancelFunc
	exit   chan int
}

// startServe runs tokentop --db db serve ARGS --listen 127.0.0.1:0 until
// the test ends, and reads its address and host key from the banner.
func startServe(t *testing.T, db string, args ...string) *runningServe {
	t.Helper()
	t.Setenv("HOME", t.TempDir()) // no ~/.ssh/authorized_keys: --open needs none
	r := &runningServe{exit: make(chan int, 1)}
	app := &App{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &r.stderr, LookupEnv: func(string) (string, bool) { return "", false }, Now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		r.exit <- app.Run(ctx, append(append([]string{"--db", db, "serve"}, args...), "--listen", "127.0.0.1:0"))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.exit:
		case <-time.After(testsupport.WaitLimit):
			t.Error("serve did not stop")
		}
	})
	r.addr = testsupport.WaitForMatch(t, r.stderr.String, regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`))[1]
	r.fp = testsupport.WaitForMatch(t, r.stderr.String, regexp.MustCompile(`must be (SHA256:\S+)`))[1]
	return r
}

// viewer logs in with a key no file lists and opens a dashboard; screen
// reads it, keys type into it.
func (r *runningServe) viewer(t *testing.T) (screen func() string, keys func(string)) {
	t.Helper()
	return r.session(t, testsupport.SSHSigner(t))
}

// viewerAs opens a dashboard with key, and returns its screen.
func (r *runningServe) viewerAs(t *testing.T, key gossh.Signer) func() string {
	t.Helper()
	screen, _ := r.session(t, key)
	return screen
}

// session logs in with key and opens a dashboard of 120×40.
func (r *runningServe) session(t *testing.T, key gossh.Signer) (screen func() string, keys func(string)) {
	t.Helper()
	conn, err := gossh.Dial("tcp", r.addr, &gossh.ClientConfig{
		User: "audience", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)}, Timeout: testsupport.WaitLimit,
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			if got := gossh.FingerprintSHA256(key); got != r.fp {
				return errors.New("host key " + got + ", the share line says " + r.fp)
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var out testsupport.LockedBuffer
	sess.Stdout, sess.Stderr = &out, &out
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 40, 120, nil); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	return func() string { return ansi.Strip(out.String()) }, func(k string) { _, _ = in.Write([]byte(k)) }
}

// TestServeOpenSandbox: `tokentop serve --sandbox --demo --open`, as the
// README's talk recipe runs it: the banner gives the line to share, the
// host key and a QR code of the link; a key nobody listed gets the
// sandbox's dashboard, read-only.
func TestServeOpenSandbox(t *testing.T) {
	r := startServe(t, filepath.Join(t.TempDir(), "tokentop.db"), "--sandbox", "--demo", "--open")
	port := r.addr[strings.LastIndex(r.addr, ":")+1:]
	// The QR code and its link come after the share line startServe
	// waits for: the banner is read once they are there.
	testsupport.WaitForText(t, r.stderr.String, "ssh://127.0.0.1:"+port+"\n")
	banner := r.stderr.String()
	for _, want := range []string{
		"share     ssh -p " + port + " 127.0.0.1\n",
		"ssh://127.0.0.1:" + port + "\n",
		"any public key (--open)",
		"per address 3 at once, 5 then 10 a minute",
		"100 sessions",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner should say %q:\n%s", want, banner)
		}
	}
	if !strings.Contains(banner, "█") || !strings.Contains(banner, "▀") {
		t.Errorf("the banner has no QR code:\n%s", banner)
	}
	screen, _ := r.viewer(t)
	testsupport.WaitForMatch(t, screen, regexp.MustCompile(`(?s)read-only.*cognito-dev`))
}

// TestServeOpenRealDatabaseIsViewOnly: with the loud flag, a real
// database is served view-only: a viewer's refresh is refused, and the
// provider issues no token.
func TestServeOpenRealDatabaseIsViewOnly(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	e.mustRun("", "token", "ants")
	id := ""
	for _, c := range e.sb.Clients() {
		if c.Name == "ants" {
			id = c.ClientID
		}
	}
	issued := e.sb.Issued(id)
	r := startServe(t, e.db, "--open", "--open-my-real-database-to-anyone")
	if !strings.Contains(r.stderr.String(), "YOUR REAL DATABASE, view-only") {
		t.Errorf("the banner should say the real database is open:\n%s", r.stderr.String())
	}
	screen, keys := r.viewer(t)
	testsupport.WaitForText(t, screen, "ants")
	keys("/ants\r")
	testsupport.WaitForText(t, screen, `filter "ants": 1 shown`)
	for _, k := range []struct{ key, says string }{{"r", "refresh"}, {"t", "test-call"}, {"D", "doctor"}} {
		mark := len(screen())
		keys(k.key)
		testsupport.WaitForText(t, func() string { return screen()[mark:] }, "view-only session: "+k.says+" is turned off")
	}
	if got := e.sb.Issued(id); got != issued {
		t.Fatalf("a viewer of an open real database got %d tokens issued", got-issued)
	}
}

func TestShareHost(t *testing.T) {
	ifaces := func(as ...string) func() ([]net.Addr, error) {
		return func() ([]net.Addr, error) {
			var out []net.Addr
			for _, a := range as {
				_, n, _ := net.ParseCIDR(a)
				ip, _, _ := net.ParseCIDR(a)
				n.IP = ip
				out = append(out, n)
			}
			return out, nil
		}
	}
	host := func(h string, err error) func() (string, error) { return func() (string, error) { return h, err } }
	any4 := &net.TCPAddr{IP: net.IPv4zero, Port: 23234}
	for _, c := range []struct {
		addr   *net.TCPAddr
		ifaces func() ([]net.Addr, error)
		host   func() (string, error)
		want   string
	}{
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.9"), Port: 1}, ifaces("10.0.0.5/8"), host("box", nil), "192.0.2.9"},
		{any4, ifaces("127.0.0.1/8", "fe80::1/64", "10.0.0.5/8"), host("box", nil), "10.0.0.5"},
		{any4, ifaces("127.0.0.1/8"), host("box", nil), "box"},
		{any4, func() ([]net.Addr, error) { return nil, errors.New("no") }, host("", errors.New("no")), "HOST"},
	} {
		if got := shareHost(c.addr, c.ifaces, c.host); got != c.want {
			t.Errorf("shareHost(%s) = %q, want %q", c.addr, got, c.want)
		}
	}
	if got := sshCommand("10.0.0.5", 22); got != "ssh 10.0.0.5" {
		t.Errorf("port 22: %q", got)
	}
}
