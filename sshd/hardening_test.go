package sshd

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/log"
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
	if logs := h.logs.String(); !strings.Contains(logs, "type=auth-agent-req@openssh.com") {
		t.Errorf("the refused agent forwarding should be in the debug log:\n%s", logs)
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

// TestFilterClampsOnTheWire: the request filter bounds the size in a
// pty-req and a window-change before gliderlabs reads it, refuses a pty-req
// it cannot read, and passes every other request on untouched.
func TestFilterClampsOnTheWire(t *testing.T) {
	s := &Server{log: log.New(io.Discard)}
	type window struct{ Cols, Rows, WidthPx, HeightPx uint32 }
	type ptyReq struct {
		Term                          string
		Cols, Rows, WidthPx, HeightPx uint32
		Modes                         string
	}
	in := make(chan *gossh.Request, 8)
	out := make(chan *gossh.Request, 8)
	in <- &gossh.Request{Type: "pty-req", Payload: gossh.Marshal(ptyReq{"xterm", 65535, 65535, 640, 480, ""})}
	in <- &gossh.Request{Type: "window-change", Payload: gossh.Marshal(window{20000, 20000, 1, 1})}
	in <- &gossh.Request{Type: "window-change", Payload: gossh.Marshal(window{120, 40, 1, 1})}
	in <- &gossh.Request{Type: "window-change", Payload: gossh.Marshal(window{0xffffffff, 7, 1, 1})}
	in <- &gossh.Request{Type: "pty-req", Payload: []byte{0, 0, 0, 200, 'x'}} // TERM longer than the payload
	in <- &gossh.Request{Type: "shell"}
	close(in)
	s.filterRequests(nil, in, out)

	var got []*gossh.Request
	for r := range out {
		got = append(got, r)
	}
	if len(got) != 5 || got[4].Type != "shell" {
		t.Fatalf("the requests passed on: %d, the last %q; want 5, the unreadable pty-req left out", len(got), got[len(got)-1].Type)
	}
	var p ptyReq
	if err := gossh.Unmarshal(got[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p != (ptyReq{"xterm", ui.MaxWidth, ui.MaxHeight, 640, 480, ""}) {
		t.Errorf("pty-req passed on as %+v", p)
	}
	for i, want := range []window{{ui.MaxWidth, ui.MaxHeight, 1, 1}, {120, 40, 1, 1}, {ui.MaxWidth, 7, 1, 1}} {
		var w window
		if err := gossh.Unmarshal(got[1+i].Payload, &w); err != nil {
			t.Fatal(err)
		}
		if w != want {
			t.Errorf("window-change %d passed on as %+v, want %+v", i, w, want)
		}
	}
}
