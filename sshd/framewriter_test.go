package sshd

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// gatedWriter is a client that reads only when let: its Write waits on
// the gate, as an SSH channel's does when the client's window is full.
type gatedWriter struct {
	gate chan struct{}
	mu   sync.Mutex
	got  bytes.Buffer
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.got.Write(p)
}

func (g *gatedWriter) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.got.String()
}

// TestFrameWriterDropsWholeFramesThenRepaints: while the client reads
// nothing, the writer never waits and holds at most its limit; what it
// drops, it drops whole, then everything until the dashboard's repaint
// (a clear screen), which it asks for once the client caught up; frames
// kept arrive in order.
func TestFrameWriterDropsWholeFramesThenRepaints(t *testing.T) {
	client := &gatedWriter{gate: make(chan struct{})}
	var repaints sync.WaitGroup
	repaints.Add(1)
	var asked int
	var mu sync.Mutex
	f := newFrameWriter(client, 100)
	f.setRepaint(func() {
		mu.Lock()
		asked++
		mu.Unlock()
		repaints.Done()
	})
	frame := func(c byte) []byte { return bytes.Repeat([]byte{c}, 40) }

	write := func(p []byte) {
		t.Helper()
		if n, err := f.Write(p); n != len(p) || err != nil {
			t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(p))
		}
	}
	write(frame('a')) // under way, waiting on the client
	testsupport.Eventually(t, "the first frame to be under way", func() bool { return f.stats().queued == 0 })
	for _, c := range []byte("bcdefgh") { // b and c fit; d overflows: all dropped
		write(frame(c))
	}
	if st := f.stats(); st.queued != 0 || st.peak > 100 || st.dropped != 7 {
		t.Fatalf("queued %d, peak %d, dropped %d; want 0, at most 100, 7", st.queued, st.peak, st.dropped)
	}
	close(client.gate) // the client reads again
	repaints.Wait()
	write(frame('i')) // drawn as a difference from what was dropped: dropped too
	write(append([]byte(clearScreen), "HOME"...))
	write(frame('j'))
	f.close()
	<-f.finished
	got := client.String()
	want := string(frame('a')) + string(clearScreen) + "HOME" + string(frame('j'))
	if got != want {
		t.Fatalf("the client got %q\nwant %q", got, want)
	}
	if mu.Lock(); asked != 1 {
		t.Errorf("the repaint was asked for %d times, want once", asked)
	}
	mu.Unlock()
	if _, err := f.Write([]byte("late")); err == nil {
		t.Error("a write after close was taken")
	}
}

// TestFrameWriterPassesALargeFrame: one frame larger than the limit goes
// through when nothing waits before it.
func TestFrameWriterPassesALargeFrame(t *testing.T) {
	var out testsupport.LockedBuffer
	f := newFrameWriter(&out, 10)
	big := strings.Repeat("x", 1000)
	if _, err := f.Write([]byte(big)); err != nil {
		t.Fatal(err)
	}
	f.close()
	<-f.finished
	if out.String() != big {
		t.Fatalf("the large frame did not arrive whole: %d bytes", len(out.String()))
	}
}
