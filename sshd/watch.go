package sshd

import (
	"fmt"
	"time"
)

// watchIdle ends the session after d without input from the client.
func (se *session) watchIdle(d time.Duration) {
	se.watch(&se.idle, d, se.in.idleFor, fmt.Sprintf("closed after %s without a key pressed", d))
}

// watchStall ends the session when a write to the client has waited d: the
// client reads nothing (it sends no window adjustment), so the dashboard
// cannot draw, quit or notice anything. Keepalives and keys do not count:
// a client may send both and never read.
func (se *session) watchStall(d time.Duration) {
	se.watch(&se.stall, d, se.out.stalledFor, fmt.Sprintf("closed: the terminal read nothing for %s", d))
}

// watch ends the session with reason once since() reaches d (never when d
// is not positive), checking again when it could next; t holds the timer
// for stop.
func (se *session) watch(t **time.Timer, d time.Duration, since func() time.Duration, reason string) {
	if d <= 0 {
		return
	}
	var check func()
	check = func() {
		if left := d - since(); left > 0 {
			se.mu.Lock()
			if !se.stopped {
				*t = time.AfterFunc(left, check)
			}
			se.mu.Unlock()
			return
		}
		se.end(reason)
	}
	se.mu.Lock()
	if !se.stopped {
		*t = time.AfterFunc(d, check)
	}
	se.mu.Unlock()
}
