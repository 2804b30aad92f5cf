//go:build linux || darwin

package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// execHelperFgEnv asks the exec helper process to say only whether it
// would pass SIGINT and SIGTERM on (childHadIt), where it runs.
const execHelperFgEnv = "TOKENTOP_EXEC_HELPER_FOREGROUND"

// TestExecForegroundHelperProcess is not a test: run by
// TestExecPassesCtrlCOnlyWhenTheTerminalDidNot as a child process.
func TestExecForegroundHelperProcess(t *testing.T) {
	if os.Getenv(execHelperFgEnv) == "" {
		t.Skip("helper process for TestExecPassesCtrlCOnlyWhenTheTerminalDidNot")
	}
	fmt.Printf("SIGINT:%v SIGTERM:%v\n", childHadIt(syscall.SIGINT), childHadIt(syscall.SIGTERM))
	os.Exit(0)
}

// TestExecPassesCtrlCOnlyWhenTheTerminalDidNot: at a terminal, Ctrl+C goes
// from the terminal to every process of its foreground group, the command
// with tokentop, so tokentop in that group does not pass SIGINT on (the
// command would see it twice); in a group of its own (a script's kill, a
// CI runner) it does. SIGTERM is passed on either way. Then, end to end at
// a terminal: Ctrl+C reaches the command, and a SIGUSR1 sent to tokentop
// alone is passed on.
func TestExecPassesCtrlCOnlyWhenTheTerminalDidNot(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes on a pseudo-terminal")
	}
	// In a process group of its own: passes SIGINT on.
	bg := tokentopProcess(t)
	bg.Args[1] = "-test.run=^TestExecForegroundHelperProcess$"
	bg.Env = append(bg.Env, execHelperFgEnv+"=1")
	out, err := bg.Output()
	if err != nil || string(out) != "SIGINT:false SIGTERM:false\n" {
		t.Fatalf("in a group of its own: %q, %v; want both passed on", out, err)
	}

	// The foreground group of a terminal: SIGINT came to the command too.
	fg := tokentopProcess(t)
	fg.Args[1] = "-test.run=^TestExecForegroundHelperProcess$"
	// TERM=dumb: no colour query to wait on. pty.Start makes it a session
	// leader with the terminal as its own.
	fg.Env = append(fg.Env, execHelperFgEnv+"=1", "TERM=dumb")
	fg.SysProcAttr = nil
	tty, err := pty.Start(fg)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	var term testsupport.LockedBuffer
	go func() { _, _ = io.Copy(&term, tty) }()
	text := testsupport.WaitForText(t, term.String, "SIGTERM:")
	_ = fg.Wait()
	tty.Close()
	if !strings.Contains(text, "SIGINT:true SIGTERM:false") {
		t.Fatalf("at a terminal: %q; want SIGINT left to the terminal, SIGTERM passed on", text)
	}

	// End to end at a terminal.
	e := newEnv(t)
	e.importSandbox()
	e.mustRun("", "token", "ants")
	script := `n=0; trap 'n=$((n+1)); echo "int $n"' INT; trap 'echo "usr1 $n"; exit 0' USR1; echo ready; while :; do sleep 0.05; done`
	cmd := tokentopProcess(t, "--db", e.db, "exec", "ants", "--", "/bin/sh", "-c", script)
	cmd.Env = append(cmd.Env, "TERM=dumb")
	cmd.SysProcAttr = nil
	tty, err = pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out2 testsupport.LockedBuffer
	go func() { _, _ = io.Copy(&out2, tty) }()
	testsupport.WaitForText(t, out2.String, "ready")
	if _, err := tty.Write([]byte{3}); err != nil { // Ctrl+C
		t.Fatal(err)
	}
	testsupport.WaitForText(t, out2.String, "int 1")
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	text = testsupport.WaitForText(t, out2.String, "usr1 ")
	if code := exitOf(t, cmd.Wait()); code != 0 || !strings.Contains(text, "usr1 1") {
		t.Fatalf("exit %d, terminal:\n%s\nwant the Ctrl+C and the SIGUSR1 seen by the command", code, text)
	}
}
