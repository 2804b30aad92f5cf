package cli

import (
	"fmt"
	"time"

	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// tellLease says on stderr what a fetch met: another process's fetch it
// waits for (once), or a dead holder's lease it took over. Leases use the
// wall clock, so "ago" does too.
func (a *App) tellLease(ev store.LeaseEvent) {
	fmt.Fprintf(a.errOut, "tokentop: %s\n", leaseWords(ev, time.Now()))
}

// leaseWords words a lease event: "waiting for another process's fetch of
// svc (pid 4242 on host build-7, started 3s ago)".
func leaseWords(ev store.LeaseEvent, now time.Time) string {
	name := safetext.Line(ev.Provider)
	who := holderWords(ev.Holder, now)
	if ev.TakenOver {
		return fmt.Sprintf("the process that was fetching the token of %s (%s) is gone; fetching it again", name, who)
	}
	return fmt.Sprintf("waiting for another process's fetch of %s (%s)", name, who)
}

// holderWords names a lease's holder: "pid 4242 on host build-7, started
// 3s ago", or less when an older tokentop recorded less.
func holderWords(h store.LeaseHolder, now time.Time) string {
	if h.PID <= 0 {
		return "a process of an older tokentop, which records no pid"
	}
	s := fmt.Sprintf("pid %d", h.PID)
	if h.Host != "" {
		s += " on host " + safetext.Line(h.Host)
	}
	if !h.Started.IsZero() {
		s += ", started " + max(now.Sub(h.Started), 0).Round(time.Second).String() + " ago"
	}
	return s
}
