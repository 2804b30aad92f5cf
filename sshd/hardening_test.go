package sshd

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/ui"
)

// resize sends a window change and starts a new span for the next wait.
func (c *client) resize(w, ht int) {
	c.t.Helper()
	c.mu.Lock()
	c.mark = len(c.raw)
	c.mu.Unlock()
	if err := c.sess.WindowChange(ht, w); err != nil {
		c.t.Fatalf("window change to %d×%d: %v", w, ht, err)
	}
}

// cursorPosition moves the cursor (CUP); the renderer starts every frame
// with one.
var cursorPosition = regexp.MustCompile(`\x1b\[[0-9;]*H`)

// widest is the width of the widest line drawn since the last key or
// resize, in cells.
func (c *client) widest() int {
	c.mu.Lock()
	raw := string(c.raw[c.mark:])
	c.mu.Unlock()
	w := 0
	for _, l := range strings.FieldsFunc(ansi.Strip(cursorPosition.ReplaceAllString(raw, "\n")), func(r rune) bool { return r == '\n' || r == '\r' }) {
		w = max(w, ansi.StringWidth(l))
	}
	return w
}

// TestHugeWindowIsClamped: a client asking for a PTY of 65535×65535, then
// changing the window to 65535×65535 and 20000×20000 (what `stty rows 65535
// cols 65535` makes OpenSSH send), gets a dashboard drawn for
// ui.MaxWidth×ui.MaxHeight; the server stays up, and a second session
// beside it keeps taking keys and drawing.
func TestHugeWindowIsClamped(t *testing.T) {
	h := newHarness(t, nil)
	big := h.connect(t, h.user, 65535, 65535, true)
	big.waitFor("tokentop", "cognito-dev", "7 providers")
	other := h.connect(t, h.user, 120, 40, true)
	other.waitFor("cognito-dev", "7 providers")

	want := fmt.Sprintf("size=%dx%d", ui.MaxWidth, ui.MaxHeight)
	testsupport.Eventually(t, "both sessions logged", func() bool { return strings.Count(h.logs.String(), "session start") == 2 })
	if logs := h.logs.String(); !strings.Contains(logs, want) || strings.Contains(logs, "65535") {
		t.Fatalf("the server should see the PTY as %s, never 65535:\n%s", want, logs)
	}

	other.filter("ants")
	other.send("\r")
	other.waitFor("Tokens issued in", "Claims (decoded, not verified)")
	other.send("\x1b") // clears the filter
	other.waitFor("7 providers")
	other.send("\x1b") // closes the detail

	for i, size := range []int{65535, 20000} {
		big.resize(120, 40) // a size of its own between the two, so each is drawn anew
		big.waitFor("7 providers")
		big.resize(size, size)
		big.waitFor("tokentop", "cognito-dev", "7 providers")
		if w := big.widest(); w > ui.MaxWidth {
			t.Fatalf("after a window of %d×%d a line %d cells wide was drawn; want at most %d", size, size, w, ui.MaxWidth)
		}
		big.send("?")
		big.waitFor("Marks and colours")
		big.send("\x1b")
		big.waitFor("cognito-dev") // the status line is the same: not drawn again

		// The other session, meanwhile: its help, and a new order.
		other.send("?")
		other.waitFor("Marks and colours")
		other.send("\x1b")
		other.waitFor("cognito-dev")
		other.send("s")
		other.waitFor([]string{"sort: name", "sort: env"}[i])
	}
	if n := h.srv.Sessions(); n != 2 {
		t.Fatalf("%d sessions running, want 2", n)
	}
	for _, c := range []*client{big, other} {
		c.send("q")
		if err := c.ended(); err != nil {
			t.Fatalf("q should end the session with status 0: %v", err)
		}
	}
}

// TestForwardingAndExtrasRefused: agent forwarding, X11, port forwarding
// both ways and subsystems (sftp) are refused, as a real client sees it,
// and the session they were asked on still gets its dashboard.
func TestForwardingAndExtrasRefused(t *testing.T) {
	h := newHarness(t, nil)
	conn, sess := h.openSession(t, h.user)
	if err := agent.RequestAgentForwarding(sess); err == nil {
		t.Error("agent forwarding was accepted")
	}
	x11 := gossh.Marshal(struct {
		SingleConnection bool
		AuthProtocol     string
		AuthCookie       string
		ScreenNumber     uint32
	}{false, "MIT-MAGIC-COOKIE-1", strings.Repeat("ab", 16), 0})
	if ok, err := sess.SendRequest("x11-req", true, x11); ok || err != nil {
		t.Errorf("x11-req answered %v (%v); want false", ok, err)
	}
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Error("the sftp subsystem was accepted")
	}
	if ln, err := conn.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Error("remote port forwarding (tcpip-forward) was accepted")
	}
	if fwd, err := conn.Dial("tcp", h.addr); err == nil {
		fwd.Close()
		t.Error("local port forwarding (direct-tcpip) was accepted")
	}

	c := startClient(t, conn, sess, 120, 40, true)
	c.waitFor("cognito-dev", "7 providers")
	c.send("q")
	if err := c.ended(); err != nil {
		t.Fatalf("q should end the session with status 0: %v", err)
	}
	// Each refusal is logged at info level once for the connection, with
	// the key's fingerprint, and without the X11 cookie.
	if err := agent.RequestAgentForwarding(c.sess); err == nil {
		t.Error("agent forwarding was accepted the second time")
	}
	fp := gossh.FingerprintSHA256(h.user.PublicKey())
	testsupport.Eventually(t, "the refusals logged", func() bool { return strings.Contains(h.logs.String(), `what="remote port forwarding"`) })
	logs := h.logs.String()
	for _, what := range []string{"agent forwarding", "X11 forwarding", "subsystem", "remote port forwarding", "local port forwarding"} {
		re := regexp.MustCompile(`(?m)^INFO refused what="?` + what + `"? .*fingerprint=` + regexp.QuoteMeta(fp))
		if n := len(re.FindAllString(logs, -1)); n != 1 {
			t.Errorf("%d info lines for the refused %s, want 1:\n%s", n, what, logs)
		}
	}
	if strings.Contains(logs, strings.Repeat("ab", 16)) {
		t.Errorf("the X11 cookie is in the log:\n%s", logs)
	}
}

// TestEnvRequestsBounded: a session stores at most maxEnvVars variables
// and maxEnvBytes of them; the rest are refused, and the dashboard still
// reads the client's NO_COLOR sent first.
func TestEnvRequestsBounded(t *testing.T) {
	h := newHarness(t, nil)
	conn, sess := h.openSession(t, h.user)
	if err := sess.Setenv("NO_COLOR", "1"); err != nil {
		t.Fatalf("the first variable was refused: %v", err)
	}
	if err := sess.Setenv("BIG", strings.Repeat("x", maxEnvBytes)); err == nil {
		t.Error("a variable of more than maxEnvBytes was accepted")
	}
	accepted := 1
	for i := range 2 * maxEnvVars {
		if sess.Setenv(fmt.Sprintf("VAR%d", i), "v") == nil {
			accepted++
		}
	}
	if accepted != maxEnvVars {
		t.Errorf("%d variables accepted, want %d", accepted, maxEnvVars)
	}
	c := startClient(t, conn, sess, 120, 40, true)
	c.waitFor("cognito-dev", "7 providers")
	if out := c.output(); strings.Contains(out, "\x1b[38;") {
		t.Errorf("NO_COLOR was sent first and should hold: the screen has colours")
	}
}

// filterRig runs a requestFilter as a session channel would: in is what
// the client sent, out what gliderlabs' session gets.
type filterRig struct {
	f       *requestFilter
	in      chan *gossh.Request
	out     chan *gossh.Request
	refused []string // written by the filter's goroutine; read after out closes
}

func startFilter() *filterRig {
	r := &filterRig{in: make(chan *gossh.Request), out: make(chan *gossh.Request)}
	r.f = newRequestFilter(r.out, make(chan struct{}), func(what string) { r.refused = append(r.refused, what) })
	go r.f.run(r.in)
	return r
}

// send hands the filter req, as the connection's read loop does; false when
// the filter did not take it within waitLimit.
func (r *filterRig) send(req *gossh.Request) bool {
	select {
	case r.in <- req:
		return true
	case <-time.After(waitLimit):
		return false
	}
}

func (r *filterRig) next(t *testing.T) *gossh.Request {
	t.Helper()
	select {
	case req, ok := <-r.out:
		if !ok {
			t.Fatal("the filter closed its output early")
		}
		return req
	case <-time.After(waitLimit):
		t.Fatal("the filter passed nothing on")
		return nil
	}
}

// end closes the filter's input and fails for anything still passed on.
func (r *filterRig) end(t *testing.T) {
	t.Helper()
	close(r.in)
	for req := range r.out {
		t.Errorf("passed on %q", req.Type)
	}
}

// window is the size waiting for the session.
func (r *filterRig) window(t *testing.T) window {
	t.Helper()
	select {
	case <-r.f.win.ready:
	case <-time.After(waitLimit):
		t.Fatal("no window size waits for the session")
	}
	w, ok := r.f.win.take()
	if !ok {
		t.Fatal("the mailbox said ready, and held nothing")
	}
	return w
}

func windowChange(cols, rows uint32) *gossh.Request {
	return &gossh.Request{Type: "window-change", Payload: gossh.Marshal(struct{ Cols, Rows, WidthPx, HeightPx uint32 }{cols, rows, 1, 1})}
}

type ptyReq struct {
	Term                          string
	Cols, Rows, WidthPx, HeightPx uint32
	Modes                         string
}

// TestFilterClampsOnTheWire: the request filter bounds the size in a
// pty-req before gliderlabs reads it, refuses a pty-req it cannot read,
// passes the requests before the shell on in order, and keeps only the
// latest window change, bounded, for the session; once the shell runs,
// nothing but window changes gets through, and refusals are told.
func TestFilterClampsOnTheWire(t *testing.T) {
	r := startFilter()
	go func() {
		for _, req := range []*gossh.Request{
			windowChange(100, 30), // before the PTY: refused
			{Type: "pty-req", Payload: gossh.Marshal(ptyReq{"xterm", 65535, 65535, 640, 480, ""})},
			windowChange(20000, 20000),
			windowChange(120, 40),
			windowChange(0xffffffff, 7),
			{Type: "window-change", Payload: []byte{0, 0, 0, 80, 0, 0, 0, 24}}, // no pixel sizes: refused
			{Type: "pty-req", Payload: []byte{0, 0, 0, 200, 'x'}},              // TERM longer than the payload
			{Type: "env", Payload: gossh.Marshal(struct{ K, V string }{"LANG", "C"})},
			{Type: "shell"},
		} {
			r.send(req)
		}
	}()
	var p ptyReq
	if err := gossh.Unmarshal(r.next(t).Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p != (ptyReq{"xterm", ui.MaxWidth, ui.MaxHeight, 640, 480, ""}) {
		t.Errorf("pty-req passed on as %+v", p)
	}
	for _, want := range []string{"env", "shell"} {
		if got := r.next(t).Type; got != want {
			t.Fatalf("passed on %q, want %q (the unreadable pty-req left out)", got, want)
		}
	}
	if w := r.window(t); w != (window{ui.MaxWidth, 7}) {
		t.Errorf("the window waiting is %+v, want the last one, bounded", w)
	}

	r.send(&gossh.Request{Type: "signal", Payload: gossh.Marshal(struct{ S string }{"INT"})})
	r.send(&gossh.Request{Type: "shell"})
	r.send(&gossh.Request{Type: "x11-req"})
	r.send(windowChange(100, 30))
	if w := r.window(t); w != (window{100, 30}) {
		t.Errorf("the window waiting is %+v, want 100×30", w)
	}
	r.end(t)
	if fmt.Sprint(r.refused) != "[X11 forwarding]" {
		t.Errorf("refusals told: %q", r.refused)
	}
}

// TestFilterNeverWaitsOnTheSession: while the session takes nothing (its
// dashboard busy drawing for a client that reads slowly), the filter still
// takes every request the connection hands it, and keeps one size, the
// last, for the session.
func TestFilterNeverWaitsOnTheSession(t *testing.T) {
	r := startFilter()
	go r.send(&gossh.Request{Type: "pty-req", Payload: gossh.Marshal(ptyReq{"xterm", 80, 24, 0, 0, ""})})
	r.next(t)
	go r.send(&gossh.Request{Type: "shell"})
	r.next(t)
	const changes = 20000
	for i := range changes {
		if !r.send(windowChange(uint32(80+i%40), uint32(24+i%10))) {
			t.Fatalf("the filter stopped taking requests after %d window changes", i)
		}
	}
	if !r.send(windowChange(100, 30)) || !r.send(&gossh.Request{Type: "keepalive@openssh.com"}) {
		t.Fatal("the filter stopped taking requests after the burst")
	}
	if w := r.window(t); w != (window{100, 30}) {
		t.Errorf("the window waiting is %+v, want the last, 100×30", w)
	}
	if _, ok := r.f.win.take(); ok {
		t.Error("the mailbox holds a second size")
	}
	r.end(t)
}
