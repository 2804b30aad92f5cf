package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
	// ExitInterrupted is a prompt left with Ctrl+C (128 + SIGINT, as a
	// shell reports it).
	ExitInterrupted = 130
)

// App is what every command shares: its streams, its environment and its
// clock. Nothing lives in package variables, so tests (and SSH sessions)
// run commands side by side.
//
// Commands print to out and errOut, which sanitise everything written
// through them (see [safetext.Writer]): text from a server, a config file,
// a flag or an old database cannot reach the terminal as an escape
// sequence, whichever command prints it. Stdout itself is written only
// where raw bytes are the point: the dashboard's own drawing, and the body
// of `call` when stdout is not a terminal.
type App struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// LookupEnv reads the environment; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	dbPath string
	// out and errOut are Stdout and Stderr behind the sanitiser; they are
	// set by NewRootCommand.
	out, errOut io.Writer
}

// safeStreams puts the sanitiser in front of Stdout and Stderr.
func (a *App) safeStreams() {
	a.out, a.errOut = safetext.NewWriter(a.Stdout), safetext.NewWriter(a.Stderr)
}

// NewApp returns an App wired to the process's streams and environment.
func NewApp() *App {
	return &App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: os.LookupEnv, Now: time.Now}
}

func (a *App) env(key string) string {
	look := a.LookupEnv
	if look == nil {
		look = os.LookupEnv
	}
	v, _ := look(key)
	return v
}

func (a *App) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// warn writes each warning of a token fetch to stderr, one a line.
func (a *App) warn(warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(a.errOut, "warning: %s\n", safetext.Line(w))
	}
}

// DBPath is the database the commands use: --db, then TOKENTOP_DB, then the
// default in the user's data directory.
func (a *App) DBPath() (string, error) {
	if a.dbPath != "" {
		return a.dbPath, nil
	}
	if p := a.env("TOKENTOP_DB"); p != "" {
		return p, nil
	}
	return store.DefaultPath()
}

// usageError marks a mistake in how a command was called (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// args checks the number of positional arguments, as a usage error.
func args(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if len(a) < lo || (hi >= 0 && len(a) > hi) {
			switch {
			case lo == hi:
				return usagef("%s takes %d argument(s), got %d (see --help)", cmd.CommandPath(), lo, len(a))
			case hi < 0:
				return usagef("%s takes at least %d argument(s), got %d (see --help)", cmd.CommandPath(), lo, len(a))
			}
			return usagef("%s takes %d to %d arguments, got %d (see --help)", cmd.CommandPath(), lo, hi, len(a))
		}
		return nil
	}
}

// Run executes the command line and returns the exit code. Errors are
// printed to Stderr, with their hint when they carry one.
func (a *App) Run(ctx context.Context, argv []string) int {
	root := a.NewRootCommand()
	root.SetArgs(argv)
	root.SetIn(a.Stdin)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errInterrupted) {
		return ExitInterrupted // the user knows: no error line
	}
	fmt.Fprintf(a.errOut, "tokentop: %s\n", safetext.Line(usageWords(err)))
	if h := providers.HintFor(err); h != "" {
		fmt.Fprintf(a.errOut, "hint: %s\n", safetext.Line(h))
	}
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return ExitUsage
	}
	return ExitFailure
}

// usageWords is err's message, with cobra's wording of a flag group
// ("if any flags in the group [json markdown] are set none of the others
// can be; [json markdown] were all set") said plainly: "--json and
// --markdown cannot be used together; choose one".
func usageWords(err error) string {
	msg := err.Error()
	const prefix = "if any flags in the group ["
	if !strings.HasPrefix(msg, prefix) {
		return msg
	}
	names, _, ok := strings.Cut(msg[len(prefix):], "]")
	if !ok {
		return msg
	}
	flags := strings.Fields(names)
	for i, f := range flags {
		flags[i] = "--" + f
	}
	switch len(flags) {
	case 0, 1:
		return msg
	case 2:
		return flags[0] + " and " + flags[1] + " cannot be used together; choose one"
	}
	return strings.Join(flags[:len(flags)-1], ", ") + " and " + flags[len(flags)-1] + " cannot be used together; choose one"
}

// isCobraUsage recognises the usage errors cobra makes itself.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "required flag", "invalid argument", "flag needs an argument", "accepts ", "requires at least",
		// flag groups (--json with --markdown)
		"if any flags in the group", "at least one of the flags in the group"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
