package sshd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/log"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/ui"
)

// waitLimit bounds every wait for the screen or the server: generous, for
// loaded CI machines; no test asserts how long anything took.
const waitLimit = testsupport.WaitLimit

// tokenGate sits in front of the sandbox: it counts token requests and,
// while held, keeps them waiting until released or until the client gives
// up (then they get no answer, and no token is issued).
type tokenGate struct {
	mu       sync.Mutex
	release  chan struct{} // nil: not held
	started  atomic.Int32
	canceled atomic.Int32
}

func (g *tokenGate) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.release = make(chan struct{})
}

func (g *tokenGate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.release != nil {
		close(g.release)
		g.release = nil
	}
}

func (g *tokenGate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		// Read the form first: only then does the server watch the
		// connection, and see a client that gives up.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		g.started.Add(1)
		g.mu.Lock()
		rel := g.release
		g.mu.Unlock()
		if rel != nil {
			select {
			case <-rel:
			case <-r.Context().Done():
				g.canceled.Add(1)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// harness is a running server: the sandbox on loopback, a store filled
// with its providers (each with a first token), and the SSH server on a
// free loopback port, with three keys: user (in authorized_keys), admin
// (in the admin keys file) and stranger (in neither).
type harness struct {
	t     testing.TB
	ctx   context.Context
	sb    *sandbox.Server
	gate  *tokenGate
	st    *store.Store
	srv   *Server
	addr  string
	url   string // the sandbox's base URL
	logs  *testsupport.LockedBuffer
	dir   string
	names []string

	user, admin, stranger gossh.Signer

	stopOnce sync.Once
	served   chan error
	cancel   context.CancelFunc
}

func authorizedLine(s gossh.Signer) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
}

// newHarness starts everything; mod adjusts the options first.
func newHarness(t testing.TB, mod func(h *harness, o *Options)) *harness {
	t.Helper()
	ctx := context.Background()
	h := &harness{t: t, ctx: ctx, gate: &tokenGate{}, logs: &testsupport.LockedBuffer{}, dir: t.TempDir()}
	h.user, h.admin, h.stranger = testsupport.SSHSigner(t), testsupport.SSHSigner(t), testsupport.SSHSigner(t)
	// The gate opens before the web server closes: nothing waits at it.
	se := sandboxenv.Start(t, sandboxenv.Options{Wrap: h.gate.wrap, Dir: h.dir, FetchAll: true}) // broken fails, as it should
	t.Cleanup(h.gate.open)
	h.sb, h.st, h.url = se.Sandbox, se.Store, se.URL
	for _, p := range se.Providers {
		h.names = append(h.names, p.Name)
	}

	h.writeFile("authorized_keys", "# the test's keys\n"+authorizedLine(h.user)+" user@test\n")
	h.writeFile("admin_keys", authorizedLine(h.admin)+" admin@test\n")
	o := Options{
		HostKeyPath:    filepath.Join(h.dir, HostKeyFileName),
		AuthorizedKeys: filepath.Join(h.dir, "authorized_keys"),
		AdminKeys:      filepath.Join(h.dir, "admin_keys"),
		Dashboard: ui.Config{
			Store: h.st, DBLabel: "test.db", Location: time.UTC,
			Client: &providers.Client{},
		},
		Logger:        log.NewWithOptions(h.logs, log.Options{Level: log.DebugLevel}),
		ShutdownGrace: 200 * time.Millisecond, // the Go client does not hang up by itself
	}
	if mod != nil {
		mod(h, &o)
	}
	var err error
	if h.srv, err = New(o); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	sctx, cancel := context.WithCancel(ctx)
	h.cancel, h.served = cancel, make(chan error, 1)
	go func() { h.served <- h.srv.Serve(sctx, ln) }()
	t.Cleanup(func() {
		if err := h.stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
		h.checkLogHasNoSecrets()
	})
	return h
}

func (h *harness) writeFile(name, text string) {
	h.t.Helper()
	if err := os.WriteFile(filepath.Join(h.dir, name), []byte(text), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// stop shuts the server down (as SIGINT does) and waits for Serve.
func (h *harness) stop() error {
	var err error
	h.stopOnce.Do(func() {
		h.cancel()
		select {
		case err = <-h.served:
		case <-time.After(waitLimit):
			err = errors.New("Serve did not return after the shutdown")
		}
	})
	return err
}

// checkLogHasNoSecrets: no client secret and no current token is in the
// server log, whatever the test did.
func (h *harness) checkLogHasNoSecrets() {
	h.t.Helper()
	logs := h.logs.String()
	for _, c := range h.sb.Clients() {
		if c.ClientSecret != "" && strings.Contains(logs, c.ClientSecret) { // a public client has none
			h.t.Errorf("the server log holds %s's client secret:\n%s", c.Name, logs)
		}
	}
	for _, name := range h.names {
		tok, err := h.st.CachedToken(h.ctx, name)
		if err == nil && tok != nil && tok.AccessToken != "" && strings.Contains(logs, tok.AccessToken) {
			h.t.Errorf("the server log holds %s's token:\n%s", name, logs)
		}
	}
}

// token is the provider's cached access token.
func (h *harness) token(name string) string {
	h.t.Helper()
	tok, err := h.st.CachedToken(h.ctx, name)
	if err != nil || tok == nil {
		h.t.Fatalf("no cached token for %s: %v", name, err)
	}
	return tok.AccessToken
}

// dial connects with signer as the only key, checking the host key.
func (h *harness) dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", h.addr, &gossh.ClientConfig{
		User:            "tester",
		Auth:            auth,
		HostKeyCallback: gossh.FixedHostKey(h.srv.signer.PublicKey()),
		Timeout:         waitLimit,
	})
}

// client is a real SSH client with a PTY, as OpenSSH would be: it reads
// the screen and sends keys.
type client struct {
	t    testing.TB
	conn *gossh.Client
	sess *gossh.Session
	in   io.WriteCloser

	mu       sync.Mutex
	raw      []byte
	mark     int
	answered bool
	answer   bool // answer the background and device attributes queries, as terminals do
	keep     int  // when positive, keep only the last keep bytes (benchmarks)

	done    chan struct{}
	waitErr error
}

// connect opens a session with a PTY of w×h and a shell; answer says
// whether the client answers terminal queries.
func (h *harness) connect(t testing.TB, key gossh.Signer, w, ht int, answer bool) *client {
	t.Helper()
	conn, sess := h.openSession(t, key)
	return startClient(t, conn, sess, w, ht, answer)
}

// openSession logs in with key and opens a session, with no PTY yet; the
// connection is closed when the test ends.
func (h *harness) openSession(t testing.TB, key gossh.Signer) (*gossh.Client, *gossh.Session) {
	t.Helper()
	conn, err := h.dial(gossh.PublicKeys(key))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	return conn, sess
}

// startClient asks for a PTY of w×ht and a shell on sess, a session of
// conn, and reads its screen.
func startClient(t testing.TB, conn *gossh.Client, sess *gossh.Session, w, ht int, answer bool) *client {
	t.Helper()
	c := &client{t: t, conn: conn, sess: sess, answer: answer, done: make(chan struct{})}
	t.Cleanup(func() { c.close() })
	var err error
	if err := c.sess.RequestPty("xterm-256color", ht, w, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		t.Fatal(err)
	}
	c.sess.Stdout, c.sess.Stderr = c, c
	if c.in, err = c.sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := c.sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.waitErr = c.sess.Wait()
		close(c.done)
	}()
	return c
}

// Write collects the session's output and answers the terminal queries.
func (c *client) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.raw = append(c.raw, p...)
	if c.keep > 0 && len(c.raw) > 2*c.keep {
		cut := len(c.raw) - c.keep
		c.raw = append(c.raw[:0:0], c.raw[cut:]...)
		c.mark = max(c.mark-cut, 0)
	}
	reply := c.answer && !c.answered && bytes.Contains(c.raw, []byte("\x1b[c"))
	if reply {
		c.answered = true
	}
	c.mu.Unlock()
	if reply {
		go io.WriteString(c.in, "\x1b]11;rgb:1c1c/1c1c/2424\x1b\\\x1b[?62;22c")
	}
	return len(p), nil
}

// output is everything received; screen is what was drawn since the
// last key, without escape sequences.
func (c *client) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.raw)
}

func (c *client) screen() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ansi.Strip(string(c.raw[c.mark:]))
}

// send types keys and starts a new span for the next wait.
func (c *client) send(keys string) {
	c.t.Helper()
	c.mu.Lock()
	c.mark = len(c.raw)
	c.mu.Unlock()
	if _, err := io.WriteString(c.in, keys); err != nil {
		c.t.Fatalf("sending %q: %v", keys, err)
	}
}

// waitFor waits until every one of texts was drawn since the last key.
func (c *client) waitFor(texts ...string) {
	c.t.Helper()
	testsupport.WaitForText(c.t, c.screen, texts...)
}

// filter narrows the table to one provider, so the cursor is on it.
func (c *client) filter(name string) {
	c.t.Helper()
	c.send("/")
	c.waitFor("keep filter")
	c.send(name)
	c.send("\r")
	c.waitFor("filter \"" + name + "\": 1 shown")
}

// ended waits for the session to end and returns its error (nil: exit 0).
func (c *client) ended() error {
	c.t.Helper()
	select {
	case <-c.done:
		return c.waitErr
	case <-time.After(waitLimit):
		c.t.Fatalf("the session did not end; drawn since the last key:\n%s", c.screen())
		return nil
	}
}

func (c *client) close() {
	if c.sess != nil {
		c.sess.Close()
	}
	c.conn.Close()
}
