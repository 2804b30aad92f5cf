package sshd

import (
	"runtime"
	"testing"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// BenchmarkSessions opens 50 sessions at once, each with its dashboard
// drawn, and reports the live heap they add per session (after GC). The
// clients run in the same process, so the figure includes the client's
// half of each SSH connection: an upper bound for the server's.
func BenchmarkSessions(b *testing.B) {
	const n = 50
	h := newHarness(b, func(_ *harness, o *Options) { o.MaxSessions = n })
	benchSessionHeap(b, h, n, 120, 40, 16<<10, func(c *client) { c.waitFor("cognito-dev", "7 providers") })
}

// benchSessionHeap opens n sessions of w×ht at once, each client keeping
// the last keep bytes it receives, runs ready on each (which waits for
// what it must see drawn), and reports the live heap each session adds
// (after GC) as B/session; then it ends them all.
func benchSessionHeap(b *testing.B, h *harness, n, w, ht, keep int, ready func(*client)) {
	b.Helper()
	var perSession float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := liveHeap()
		clients := make([]*client, n)
		for j := range clients {
			clients[j] = h.connect(b, h.user, w, ht, true)
			clients[j].trim(keep)
		}
		for _, c := range clients {
			ready(c)
		}
		if got := h.srv.Sessions(); got != n {
			b.Fatalf("%d sessions running, want %d", got, n)
		}
		perSession += float64(liveHeap()-before) / float64(n)
		for _, c := range clients {
			c.send("q")
		}
		for _, c := range clients {
			_ = c.ended()
			c.close()
		}
		testsupport.Eventually(b, "every session to end", func() bool { return h.srv.Sessions() == 0 })
	}
	b.ReportMetric(perSession/float64(b.N), "B/session")
}

// liveHeap is the heap in use after a full collection.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// BenchmarkSessionsAtMaxSize is BenchmarkSessions at the largest window:
// DefaultMaxSessions sessions whose clients ask for a PTY of 65535×65535
// (taken as ui.MaxWidth×ui.MaxHeight), each with the detail open beside the
// table, so every frame fills the window. It reports the live heap each
// session adds (after GC), the clients' halves included: what a server full
// of the largest sessions holds.
func BenchmarkSessionsAtMaxSize(b *testing.B) {
	h := newHarness(b, nil)
	benchSessionHeap(b, h, DefaultMaxSessions, 65535, 65535, 1<<20, func(c *client) { // room for a whole frame while waiting
		c.waitFor("cognito-dev", "7 providers")
		c.send("\r")
		c.waitFor("Recent exchanges")
		c.trim(16 << 10)
	})
}

// trim keeps the last keep bytes the client received, from now on: what
// it drew before is not counted in the server's heap.
func (c *client) trim(keep int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keep = keep
	if cut := len(c.raw) - keep; cut > 0 {
		c.raw = append(c.raw[:0:0], c.raw[cut:]...)
		c.mark = max(c.mark-cut, 0)
	}
}
