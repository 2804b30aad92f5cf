package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// errInterrupted is a prompt left with Ctrl+C: the command exits with
// ExitInterrupted and says nothing more.
var errInterrupted = errors.New("interrupted")

// readSecret reads the client secret of the provider called name from
// stdin. At a terminal it asks on stderr ("client secret for NAME: ") and
// reads a line without echo; from a pipe it takes the first line, or
// everything when there is no newline.
func readSecret(ctx context.Context, a *App, name string) (string, error) {
	if f, ok := a.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return readSecretFromTerminal(ctx, a, f, name)
	}
	r := bufio.NewReader(a.Stdin)
	line, err := r.ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		if err != nil {
			return "", usagef("--client-secret-stdin: standard input is empty")
		}
		return "", usagef("--client-secret-stdin: the first line of standard input is empty")
	}
	return line, nil
}

// readSecretFromTerminal asks for the secret and reads it with the
// terminal's echo off. Ctrl+C (ctx cancelled: main cancels it on SIGINT)
// puts the echo back and returns errInterrupted at once; the read left
// waiting ends with the process.
func readSecretFromTerminal(ctx context.Context, a *App, f *os.File, name string) (string, error) {
	fd := int(f.Fd())
	saved, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("--client-secret-stdin: reading the terminal's settings: %w", err)
	}
	fmt.Fprintf(a.errOut, "client secret for %s: ", name)
	type read struct {
		b   []byte
		err error
	}
	got := make(chan read, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		got <- read{b, err}
	}()
	var b []byte
	select {
	case <-ctx.Done():
		_ = term.Restore(fd, saved)
		fmt.Fprintln(a.errOut)
		return "", errInterrupted
	case r := <-got:
		b, err = r.b, r.err
	}
	fmt.Fprintln(a.errOut) // the Enter typed was not echoed
	if err != nil {
		return "", fmt.Errorf("--client-secret-stdin: reading the secret from the terminal: %w", err)
	}
	secret := strings.TrimRight(string(b), "\r\n")
	if secret == "" {
		return "", usagef("--client-secret-stdin: no secret was typed")
	}
	return secret, nil
}
