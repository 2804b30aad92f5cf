package sshd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// dialFrom connects from the loopback address local (127.0.0.2 is another
// address to the limits) and logs in with key.
func (h *harness) dialFrom(t testing.TB, local string, key gossh.Signer) *gossh.Client {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: waitLimit}
	nc, err := d.Dial("tcp", h.addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", local, err)
	}
	c, chans, reqs, err := gossh.NewClientConn(nc, h.addr, &gossh.ClientConfig{
		User: "viewer", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.FixedHostKey(h.srv.signer.PublicKey()),
	})
	if err != nil {
		t.Fatalf("login from %s: %v", local, err)
	}
	conn := gossh.NewClient(c, chans, reqs)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// viewer opens a session with a PTY and a shell on conn.
func viewer(t testing.TB, conn *gossh.Client) *client {
	t.Helper()
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	return startClient(t, conn, sess, 100, 30, true)
}

// refusedWith waits for c's session to end with status 1 and message.
func refusedWith(t *testing.T, c *client, message string) {
	t.Helper()
	var exit *gossh.ExitError
	if err := c.ended(); !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Fatalf("a refused session should end with status 1, got %v", err)
	}
	if !strings.Contains(c.output(), message) {
		t.Fatalf("the refused client should read %q:\n%q", message, c.output())
	}
}

// TestPerAddressLimit: one address holds at most PerAddress sessions and
// connections; the next session is told why, the next connection is
// closed before its handshake; another address is not affected.
func TestPerAddressLimit(t *testing.T) {
	h := openHarness(t, Limits{PerAddress: 2}, nil)
	conn := h.dialFrom(t, "127.0.0.1", h.stranger)
	a, b := viewer(t, conn), viewer(t, conn)
	a.waitFor("cognito-dev")
	b.waitFor("cognito-dev")
	refusedWith(t, viewer(t, conn), "your address has as many sessions open as one address may (2)")

	second := h.dialFrom(t, "127.0.0.1", h.user) // a second connection: room for it
	refusedWith(t, viewer(t, second), "your address has as many sessions open as one address may (2)")
	if _, err := h.dial(gossh.PublicKeys(h.user)); err == nil {
		t.Fatal("a third connection from the address was let in")
	}
	other := viewer(t, h.dialFrom(t, "127.0.0.2", h.stranger))
	other.waitFor("read-only", "cognito-dev")

	a.send("q") // a place frees
	if err := a.ended(); err != nil {
		t.Fatal(err)
	}
	testsupport.Eventually(t, "the session to be counted out", func() bool { return h.srv.Sessions() == 2 })
	viewer(t, conn).waitFor("cognito-dev")
}

// TestGlobalCapSaysFull: past the sessions an open server runs, a
// newcomer reads that the demo is full.
func TestGlobalCapSaysFull(t *testing.T) {
	h := openHarness(t, Limits{PerAddress: 10}, func(o *Options) { o.MaxSessions = 2 })
	for range 2 {
		h.connect(t, h.stranger, 80, 24, true).waitFor("cognito-dev")
	}
	refusedWith(t, h.connect(t, h.user, 80, 24, true), "tokentop demo is full (2 viewers); try again in a minute")
	if !strings.Contains(h.logs.String(), "session refused") {
		t.Fatalf("the refusal should be logged:\n%s", h.logs.String())
	}
}

// banner reads what the server says first on a fresh TCP connection: its
// SSH version line when it took the connection, nothing (EOF) when the
// limits closed it.
func banner(addr string) (string, error) {
	nc, err := net.DialTimeout("tcp", addr, waitLimit)
	if err != nil {
		return "", err
	}
	defer nc.Close()
	_ = nc.SetReadDeadline(time.Now().Add(waitLimit)) // a safety net, not a measure
	line, err := bufio.NewReader(nc).ReadString('\n')
	if errors.Is(err, io.EOF) {
		return "", nil
	}
	return line, err
}

// TestThousandConnectionsFromOneAddress: a thousand connections from one
// address, with the limits' clock stopped: the burst's five get a
// handshake, every other one is closed before any, one warning is logged
// (the rest at debug level), the server holds one address and no more
// goroutines than before, and a viewer from another address gets a
// dashboard.
func TestThousandConnectionsFromOneAddress(t *testing.T) {
	stopped := time.Now()
	h := openHarness(t, OpenLimits(), func(o *Options) { o.now = func() time.Time { return stopped } })
	h.connect(t, h.stranger, 80, 24, true).waitFor("cognito-dev") // the server at rest, one viewer in
	base := runtime.NumGoroutine()

	const attempts, workers = 1000, 25
	var greeted, closed atomic.Int32
	var wg sync.WaitGroup
	next := make(chan struct{})
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				line, err := banner(h.addr)
				switch {
				case err != nil:
					t.Errorf("connection: %v", err)
				case strings.HasPrefix(line, "SSH-2.0-"):
					greeted.Add(1)
				default:
					closed.Add(1)
				}
			}
		}()
	}
	for range attempts {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	// The viewer's connection took one of the burst's five.
	if g := greeted.Load(); g != DefaultBurst-1 {
		t.Errorf("%d connections got a handshake, want %d (the burst)", g, DefaultBurst-1)
	}
	if c := closed.Load(); c != attempts-(DefaultBurst-1) {
		t.Errorf("%d connections closed at once, want %d", c, attempts-(DefaultBurst-1))
	}
	if n := h.srv.limits.remembered(); n != 1 {
		t.Errorf("the limits remember %d addresses, want 1", n)
	}
	testsupport.Eventually(t, "the goroutines to settle", func() bool { return runtime.NumGoroutine() <= base+5 })
	warns := regexp.MustCompile(`(?m)^WARN connection refused`).FindAllString(h.logs.String(), -1)
	if len(warns) != 1 {
		t.Errorf("%d warnings of refused connections, want 1 (the rest at debug level)", len(warns))
	}
	viewer(t, h.dialFrom(t, "127.0.0.2", h.stranger)).waitFor("read-only", "cognito-dev")
}

// TestHandshakeTimeout: a TCP client that sends nothing after connecting,
// and a client that logs in and opens no session, are closed once the
// handshake timeout passes; the log says why.
func TestHandshakeTimeout(t *testing.T) {
	h := openHarness(t, Limits{PerAddress: 5, HandshakeTimeout: 200 * time.Millisecond}, nil)
	nc, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetReadDeadline(time.Now().Add(waitLimit)) // a safety net, not a measure
	if _, err := io.ReadAll(nc); err != nil {
		t.Fatalf("the silent connection was not closed by the server: %v", err)
	}
	loggedIn, err := h.dial(gossh.PublicKeys(h.stranger))
	if err != nil {
		t.Fatal(err)
	}
	if !within(func() { _ = loggedIn.Wait() }) {
		t.Fatal("a connection with no session was not closed")
	}
	want := fmt.Sprintf("no session within %s of connecting", 200*time.Millisecond)
	testsupport.Eventually(t, "both ends logged", func() bool { return strings.Count(h.logs.String(), want) == 2 })
	c := h.connect(t, h.stranger, 80, 24, true) // one that opens its session stays
	c.waitFor("cognito-dev")
}

// TestLimiterForgetsIdleAddresses: the limits remember at most
// MaxAddresses; an address that holds nothing and whose bucket refilled
// makes room, one that holds a connection does not.
func TestLimiterForgetsIdleAddresses(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	lm := newLimiter(Limits{RatePerMinute: 60, Burst: 2, PerAddress: 1}.withDefaults(10), func() time.Time { return now })
	lm.l.MaxAddresses = 3
	for i := range 3 {
		key := fmt.Sprintf("10.0.0.%d", i)
		if why, _ := lm.admitConn(key); why != "" {
			t.Fatalf("%s refused: %s", key, why)
		}
		if i > 0 {
			lm.releaseConn(key)
		}
	}
	if why, _ := lm.admitConn("10.0.0.9"); !strings.Contains(why, "addresses, all in use") {
		t.Fatalf("a fourth address with every bucket spent: %q", why)
	}
	now = now.Add(time.Minute) // the buckets refill
	if why, _ := lm.admitConn("10.0.0.9"); why != "" {
		t.Fatalf("a fourth address once two were idle: %q", why)
	}
	if n := lm.remembered(); n != 2 {
		t.Fatalf("%d addresses remembered, want 2 (the busy one and the new one)", n)
	}
	if why, _ := lm.admitConn("10.0.0.0"); !strings.Contains(why, "as many connections as one may (1)") {
		t.Fatalf("a second connection of an address allowed one: %q", why)
	}
}

func TestAddrKey(t *testing.T) {
	for _, c := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 5555}, "192.0.2.7"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:3:4:5:6"), Port: 1}, "2001:db8:1:2::/64"},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.7"), Port: 1}, "192.0.2.7"},
	} {
		if got := addrKey(c.addr); got != c.want {
			t.Errorf("addrKey(%s) = %q, want %q", c.addr, got, c.want)
		}
	}
}
