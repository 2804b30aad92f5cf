package testsupport

import (
	"sync"
	"time"
)

// Clock is a settable time source, safe for concurrent use: pass its Now
// to whatever takes a clock (the sandbox, the store, the client, the UI)
// and move it with Set or Add.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a Clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
