package cli

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
)

// runChild runs the command at path with vars in its environment, passes
// the signals tokentop receives on to it, and ends tokentop with its exit
// status (128 + the signal's number when a signal killed it).
func (a *App) runChild(path string, argv, vars []string) error {
	cmd := a.childCommand(path, argv, childEnv(a.environ(), vars))
	sigs := make(chan os.Signal, 16)
	if fwd := forwardedSignals(); len(fwd) > 0 {
		// Before Start, so none is lost; those that come before the child
		// exists wait in the channel.
		signal.Notify(sigs, fwd...)
		defer signal.Stop(sigs)
	}
	if err := cmd.Start(); err != nil {
		return exitStatus{code: exitCannotRun, err: fmt.Errorf("exec: %s cannot be run: %w", argv[0], err)}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case s := <-sigs:
				if !childHadIt(s) {
					_ = cmd.Process.Signal(s) // it may have exited meanwhile
				}
			case <-done:
				return
			}
		}
	}()
	werr := cmd.Wait()
	close(done)
	<-stopped
	if cmd.ProcessState == nil {
		return fmt.Errorf("exec: waiting for %s: %w", argv[0], werr)
	}
	if code := exitCode(cmd.ProcessState); code != 0 {
		return exitStatus{code: code}
	}
	if werr != nil {
		return fmt.Errorf("exec: %s: %w", argv[0], werr) // its streams failed
	}
	return nil
}

// childCommand is the child process: the command's own path and
// arguments, the environment given, and tokentop's own streams as they
// are. The child's output is its own: it reaches the terminal (or the
// pipe) without tokentop's sanitiser, and with *os.File streams the child
// writes to the very same file descriptors.
func (a *App) childCommand(path string, argv, env []string) *exec.Cmd {
	return &exec.Cmd{Path: path, Args: argv, Env: env, Stdin: a.Stdin, Stdout: a.Stdout, Stderr: a.Stderr}
}
