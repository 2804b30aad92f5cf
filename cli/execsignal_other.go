//go:build !unix

package cli

import "os"

// forwardedSignals are the signals exec passes on to its child: none
// where signals cannot be sent to a process (Windows delivers Ctrl+C to
// the console's every process itself).
func forwardedSignals() []os.Signal { return nil }

// childHadIt: never called without forwarded signals.
func childHadIt(os.Signal) bool { return true }

// exitCode is the child's exit status.
func exitCode(ps *os.ProcessState) int { return ps.ExitCode() }
