package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// readSecret reads the client secret of the provider called name from
// stdin. At a terminal it asks on stderr ("client secret for NAME: ") and
// reads a line without echo; from a pipe it takes the first line, or
// everything when there is no newline.
func readSecret(a *App, name string) (string, error) {
	if f, ok := a.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return readSecretFromTerminal(a, f, name)
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
// terminal's echo off.
func readSecretFromTerminal(a *App, f *os.File, name string) (string, error) {
	fmt.Fprintf(a.errOut, "client secret for %s: ", name)
	b, err := term.ReadPassword(int(f.Fd()))
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
