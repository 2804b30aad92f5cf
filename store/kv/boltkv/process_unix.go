//go:build unix

package boltkv

import (
	"errors"
	"syscall"
)

// processGone reports whether no process has pid: kill(pid, 0) answers
// ESRCH. EPERM means a process of another user has it, so it is alive; a
// zombie not yet reaped counts as alive too.
func processGone(pid int) bool {
	if pid <= 0 {
		return false // 0 and -1 would signal groups, not a process
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
