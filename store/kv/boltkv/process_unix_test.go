//go:build unix

package boltkv

import (
	"os"
	"os/exec"
	"testing"
)

// deadPID is the PID of a child process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestProcessGone(t *testing.T) {
	if processGone(os.Getpid()) {
		t.Error("this process is gone")
	}
	if processGone(1) {
		t.Error("pid 1 is gone (EPERM must count as alive)")
	}
	if processGone(0) || processGone(-1) {
		t.Error("pid 0 or -1 counted as a gone process")
	}
	if pid := deadPID(t); !processGone(pid) {
		t.Errorf("the reaped child %d is not gone", pid)
	}
}
