package sshd

import (
	"net"
	"strings"
	"sync"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// stallProxy stands between SSH clients and the server, as a viewer's
// slow link does: what the clients send always goes through; what the
// server sends stops (is left unread in the socket) from stall until
// resume or the test's end. It keeps a 4 KiB buffer per direction.
type stallProxy struct {
	addr    string
	release chan struct{} // closed when the test ends

	mu      sync.Mutex
	resumed chan struct{} // nil: not stalled; closed by resume
}

func newStallProxy(t testing.TB, target string) *stallProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{addr: ln.Addr().String(), release: make(chan struct{})}
	var conns sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		close(p.release)
		conns.Wait()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			conns.Add(2)
			go func() { defer conns.Done(); p.pipe(s, c, false) }()
			go func() { defer conns.Done(); p.pipe(c, s, true) }()
		}
	}()
	return p
}

// pipe copies from src to dst until either ends; a stallable direction
// stops reading once stalled, until released.
func (p *stallProxy) pipe(dst, src net.Conn, stallable bool) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 4<<10)
	for {
		if stallable {
			if resumed := p.stalledUntil(); resumed != nil {
				select {
				case <-resumed:
				case <-p.release:
					return
				}
			}
		}
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // io.EOF or a closed connection: done either way
		}
	}
}

// stall stops what the server sends (after the read under way).
func (p *stallProxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resumed == nil {
		p.resumed = make(chan struct{})
	}
}

// resume lets what the server sends through again.
func (p *stallProxy) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resumed != nil {
		close(p.resumed)
		p.resumed = nil
	}
}

// stalledUntil is what to wait for while stalled; nil when not stalled.
func (p *stallProxy) stalledUntil() chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.resumed
}

// connectVia opens a session of w×ht through addr.
func (h *harness) connectVia(t testing.TB, addr string, key gossh.Signer, w, ht int) *client {
	t.Helper()
	conn, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "viewer", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.FixedHostKey(h.srv.signer.PublicKey()), Timeout: waitLimit,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	return startClient(t, conn, sess, w, ht, true)
}

// framesOf reports the frame writer of every running session.
func (h *harness) framesOf() []frameStats {
	h.srv.mu.Lock()
	running := make([]*session, 0, len(h.srv.sessions))
	for se := range h.srv.sessions {
		running = append(running, se)
	}
	h.srv.mu.Unlock()
	var out []frameStats
	for _, se := range running {
		if f := se.frameWriter(); f != nil {
			out = append(out, f.stats())
		}
	}
	return out
}

// dropping counts the sessions whose frame writer dropped a write.
func dropping(stats []frameStats) int {
	n := 0
	for _, st := range stats {
		if st.dropped > 0 {
			n++
		}
	}
	return n
}

// stallAndFlood stalls the proxy and resizes every client in turn (each
// new size is a full frame, drawn for a client that reads nothing) until
// the frame writers of want sessions drop frames, checking on the way
// that none holds more than its bound.
func stallAndFlood(t testing.TB, h *harness, p *stallProxy, clients []*client, want, limit int) {
	t.Helper()
	p.stall()
	wide := false
	testsupport.Eventually(t, "the stalled sessions to drop frames", func() bool {
		wide = !wide
		for _, c := range clients {
			if wide {
				_ = c.sess.WindowChange(200, 500)
			} else {
				_ = c.sess.WindowChange(199, 499)
			}
		}
		stats := h.framesOf()
		for _, st := range stats {
			if st.queued > max(limit, st.largest) || st.peak > max(limit, st.largest) {
				t.Fatalf("a session holds %d bytes (at most %d) for its client; the bound is %d or one write of %d", st.queued, st.peak, limit, st.largest)
			}
		}
		return dropping(stats) >= want
	})
}

// TestSlowViewerIsBounded: a viewer whose link stops carrying the
// server's output while its dashboard keeps drawing (a window resized
// again and again) makes its session drop frames, holding at most its
// bound; a viewer beside it keeps working; when the link carries again,
// the slow viewer gets the screen cleared and a whole frame, and its keys
// work.
func TestSlowViewerIsBounded(t *testing.T) {
	const limit = 64 << 10
	h := openHarness(t, Limits{PerAddress: 10}, func(o *Options) { o.FrameBuffer = limit })
	p := newStallProxy(t, h.addr)
	slow := h.connectVia(t, p.addr, h.stranger, 120, 40)
	slow.waitFor("cognito-dev")
	stallAndFlood(t, h, p, []*client{slow}, 1, limit)

	other := h.connect(t, h.user, 120, 40, true)
	other.filter("ants")
	other.send("\r")
	other.waitFor("Claims (decoded, not verified)")
	other.send("q")
	if err := other.ended(); err != nil {
		t.Fatal(err)
	}
	if n := h.srv.Sessions(); n != 1 {
		t.Fatalf("%d sessions running, want the stalled one", n)
	}

	slow.send("") // a new span: what comes after the link is back
	p.resume()
	testsupport.Eventually(t, "a repaint after the stall", func() bool {
		slow.mu.Lock()
		defer slow.mu.Unlock()
		return strings.Contains(string(slow.raw[slow.mark:]), string(clearScreen))
	})
	slow.waitFor("cognito-dev", "7 providers")
	slow.send("?")
	slow.waitFor("Marks and colours")
}

// BenchmarkSlowViewer stalls 20 viewers (their links stop carrying the
// server's output) while their dashboards draw full frames of the largest
// window, until each session drops frames, and reports the live heap each
// stalled session adds (after GC), as B/session: the server's side, the
// test's proxy (4 KiB a direction) and the client's half of the SSH
// connection included, so an upper bound; and the most bytes a session's
// frame writer held at once, as peak-queued-B.
func BenchmarkSlowViewer(b *testing.B) {
	const n = 20
	h := openHarness(b, Limits{PerAddress: n + 1}, nil)
	var perSession float64
	peak := 0
	for i := 0; i < b.N; i++ {
		p := newStallProxy(b, h.addr)
		before := liveHeap()
		clients := make([]*client, n)
		for j := range clients {
			clients[j] = h.connectVia(b, p.addr, h.stranger, 120, 40)
			clients[j].trim(16 << 10)
		}
		for _, c := range clients {
			c.waitFor("cognito-dev")
		}
		stallAndFlood(b, h, p, clients, n, DefaultFrameBuffer)
		perSession += float64(liveHeap()-before) / n
		for _, st := range h.framesOf() {
			peak = max(peak, st.peak)
		}
		for _, c := range clients {
			c.close()
		}
		testsupport.Eventually(b, "every session to end", func() bool { return h.srv.Sessions() == 0 })
	}
	b.ReportMetric(perSession/float64(b.N), "B/session")
	b.ReportMetric(float64(peak), "peak-queued-B")
}
