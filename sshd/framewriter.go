package sshd

import (
	"bytes"
	"io"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// DefaultFrameBuffer bounds the output a session holds for a client that
// reads slowly: about one full frame of the largest window.
const DefaultFrameBuffer = 256 << 10

// frameWriter stands between a session's dashboard and its channel. The
// dashboard's writes never wait on the client: each is queued whole and
// written by one goroutine of its own. When the client reads too slowly
// for the queue (more than limit bytes waiting), what waits is dropped,
// whole writes at a time, and so is every write after it until the
// dashboard, asked with repaint, clears the screen and draws a full frame:
// a frame drawn as a difference from a dropped one would be drawn wrong.
// What the session holds for its client is limit bytes at most (or one
// write, a frame bounded by the window's clamp, when that is larger), plus
// the one write under way.
type frameWriter struct {
	w       io.Writer
	limit   int
	repaint func() // asks the dashboard for a full frame; never waits

	mu       sync.Mutex
	queue    [][]byte
	queued   int  // bytes in queue
	writing  bool // the writer goroutine runs
	behind   bool // writes were dropped: drop until the repaint comes
	asked    bool // the repaint was asked for
	closed   bool
	dropped  int64 // writes dropped
	peak     int   // the most bytes queued at once
	largest  int   // the largest write
	wake     chan struct{}
	finished chan struct{}
}

// newFrameWriter writes to w, holding at most limit bytes; repaint is set
// later with setRepaint (the program does not exist yet).
func newFrameWriter(w io.Writer, limit int) *frameWriter {
	if limit <= 0 {
		limit = DefaultFrameBuffer
	}
	f := &frameWriter{w: w, limit: limit, wake: make(chan struct{}, 1), finished: make(chan struct{})}
	go f.run()
	return f
}

// setRepaint sets how to ask the dashboard for a full frame.
func (f *frameWriter) setRepaint(repaint func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.repaint = repaint
}

// clearScreen starts the frame a repaint draws (Bubble Tea's clearScreen
// writes it alone, before the frame).
var clearScreen = []byte(ansi.EraseEntireScreen)

// Write queues p, or drops it when the client is behind; it never waits on
// the client.
func (f *frameWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, io.ErrClosedPipe
	}
	f.largest = max(f.largest, len(p))
	if f.behind {
		if !bytes.HasPrefix(p, clearScreen) {
			f.dropped++
			return len(p), nil
		}
		f.behind, f.asked = false, false
	}
	if f.queued > 0 && f.queued+len(p) > f.limit {
		f.dropped += int64(len(f.queue)) + 1
		f.queue, f.queued = nil, 0
		f.behind = true
		if !f.writing {
			f.askRepaint()
		}
		return len(p), nil
	}
	f.queue = append(f.queue, bytes.Clone(p))
	f.queued += len(p)
	f.peak = max(f.peak, f.queued)
	select {
	case f.wake <- struct{}{}:
	default:
	}
	return len(p), nil
}

// askRepaint asks for the full frame, once per fall behind. mu is held.
func (f *frameWriter) askRepaint() {
	if f.asked || f.repaint == nil {
		return
	}
	f.asked = true
	go f.repaint()
}

// run writes what is queued, in order, until close.
func (f *frameWriter) run() {
	defer close(f.finished)
	for {
		f.mu.Lock()
		for len(f.queue) == 0 {
			f.writing = false
			if f.behind {
				// Caught up with what was kept: now the repaint can
				// come through.
				f.askRepaint()
			}
			if f.closed {
				f.mu.Unlock()
				return
			}
			f.mu.Unlock()
			<-f.wake
			f.mu.Lock()
		}
		p := f.queue[0]
		f.queue[0] = nil
		f.queue = f.queue[1:]
		f.queued -= len(p)
		f.writing = true
		f.mu.Unlock()
		if _, err := f.w.Write(p); err != nil {
			f.mu.Lock()
			f.closed, f.queue, f.queued = true, nil, 0
			f.mu.Unlock()
		}
	}
}

// close stops the writer once what is queued is written (or the client
// stopped taking it); later writes fail.
func (f *frameWriter) close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// frameStats is what a frameWriter reports of itself.
type frameStats struct {
	queued, peak, largest int   // bytes queued now, at most, the largest write
	dropped               int64 // writes dropped
}

// stats reports the bytes queued now, the most queued at once, the
// largest write, and the writes dropped so far.
func (f *frameWriter) stats() frameStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return frameStats{queued: f.queued, peak: f.peak, largest: f.largest, dropped: f.dropped}
}
