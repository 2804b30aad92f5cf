//go:build unix

package cli

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// forwardedSignals are the signals exec passes on to its child.
func forwardedSignals() []os.Signal {
	return []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}
}

// childHadIt reports whether the child got s itself already: a terminal
// sends Ctrl+C (SIGINT) and Ctrl+\ (SIGQUIT) to every process of its
// foreground process group, the child with tokentop, so passing it on
// would make it twice (and many programs read a second Ctrl+C as "stop
// now, skip the cleanup"). When tokentop is not in the terminal's
// foreground group (no terminal, in the background, a kill from a script)
// only tokentop had it, and it is passed on.
func childHadIt(s os.Signal) bool {
	if s != syscall.SIGINT && s != syscall.SIGQUIT {
		return false
	}
	tty, err := os.Open("/dev/tty") // the controlling terminal, if any
	if err != nil {
		return false
	}
	defer tty.Close()
	fg, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}

// exitCode is the child's exit status, or 128 + the signal's number when a
// signal killed it, as shells report it.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
