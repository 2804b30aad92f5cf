package sshd

import (
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// windowPayload is a window-change request's payload (RFC 4254 6.7).
func windowPayload(cols, rows uint32) []byte {
	return gossh.Marshal(struct{ Cols, Rows, WidthPx, HeightPx uint32 }{cols, rows, 0, 0})
}

// within runs f and waits for it at most waitLimit; false when it did not
// return by then (it goes on, and the test's cleanup closes what it uses).
func within(f func()) bool {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
		return true
	case <-time.After(waitLimit):
		return false
	}
}

// TestWindowChangeBurstKeepsTheConnectionAlive: a client that sends 20000
// window changes at once, then a keepalive, gets its keepalive answered
// and its dashboard drawn for the last size; a second session beside it
// keeps working; and when the burst's client hangs up, its session is
// counted out and logged as ended.
func TestWindowChangeBurstKeepsTheConnectionAlive(t *testing.T) {
	h := newHarness(t, nil)
	burst := h.connect(t, h.user, 80, 24, true)
	burst.waitFor("cognito-dev")
	other := h.connect(t, h.user, 120, 40, true)
	other.waitFor("cognito-dev", "7 providers")

	const changes = 20000
	var sendErr error
	sent := within(func() {
		for i := range changes {
			// Sizes that change every time, ending on 100×30.
			cols, rows := uint32(80+i%40), uint32(24+i%10)
			if i == changes-1 {
				cols, rows = 100, 30
			}
			if _, sendErr = burst.sess.SendRequest("window-change", false, windowPayload(cols, rows)); sendErr != nil {
				return
			}
		}
	})
	if !sent {
		t.Fatalf("the server stopped reading the connection during the burst of %d window changes", changes)
	}
	if sendErr != nil {
		t.Fatalf("the burst of window changes: %v", sendErr)
	}
	var answered bool
	if !within(func() {
		_, _, err := burst.conn.SendRequest("keepalive@openssh.com", true, nil)
		answered = err == nil
	}) || !answered {
		t.Fatal("the keepalive after the burst was not answered")
	}
	// A channel request with a reply wanted is answered too.
	var replied bool
	if !within(func() {
		_, err := burst.sess.SendRequest("window-change", true, windowPayload(100, 30))
		replied = err == nil
	}) || !replied {
		t.Fatal("a window change wanting a reply was not answered")
	}

	// The burst's session is alive: it takes keys and draws.
	burst.send("?")
	burst.waitFor("Marks and colours")
	burst.send("\x1b")

	// The other session never noticed.
	other.filter("ants")
	other.send("\r")
	other.waitFor("Claims (decoded, not verified)")

	burst.close()
	testsupport.Eventually(t, "the burst's session to be counted out", func() bool { return h.srv.Sessions() == 1 })
	if logs := h.logs.String(); strings.Count(logs, "session end") != 1 {
		t.Fatalf("the burst's session end should be logged once:\n%s", logs)
	}
	other.send("\x1b") // clears the filter
	other.waitFor("7 providers")
	other.close()
	testsupport.Eventually(t, "every session to be counted out", func() bool { return h.srv.Sessions() == 0 })
}

// TestClientThatReadsNothingIsClosed: a client that keeps its connection
// up but reads nothing of the screen (its window fills, the dashboard's
// writes wait) has its session ended and its connection closed; the
// session is counted out and its end logged.
func TestClientThatReadsNothingIsClosed(t *testing.T) {
	h := newHarness(t, func(_ *harness, o *Options) { o.stallAfter = 300 * time.Millisecond })
	conn, sess := h.openSession(t, h.user)
	if err := sess.RequestPty("xterm-256color", 200, 500, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.StdoutPipe(); err != nil { // and never read
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	testsupport.Eventually(t, "the session to start", func() bool { return h.srv.Sessions() == 1 })
	// Every new size is a full screen drawn, until the client's window
	// (2 MiB for x/crypto/ssh) is full.
	wide := false
	testsupport.WaitForTextNudging(t, 10*time.Millisecond, func() {
		wide = !wide
		w := 499
		if wide {
			w = 500
		}
		_ = sess.WindowChange(200, w) // the connection may be closed already
	}, h.logs.String, "session end", "the terminal read nothing for 300ms")
	testsupport.Eventually(t, "the session to be counted out", func() bool { return h.srv.Sessions() == 0 })
	if err := conn.Wait(); err == nil {
		t.Log("the connection ended cleanly")
	}
}
