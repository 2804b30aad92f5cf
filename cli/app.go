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
	// Environ is the whole environment, which exec's child inherits; nil
	// means os.Environ.
	Environ func() []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OpenBrowser opens a URL in the user's browser (a login's); nil
	// opens none, which is what tests want.
	OpenBrowser func(url string) error
	// Sleep waits between a device login's polls, or until ctx is done;
	// nil waits on a timer (tests pass one that does not wait).
	Sleep func(ctx context.Context, d time.Duration) error

	dbPath string
	// stores are the flags that choose a shared store (storeaddr.go).
	stores storeFlags
	// identities are the --identity files.
	identities []string
	// argv is the command line Run was given: exec's completion looks
	// for a --, which cobra's completion does not report reliably.
	argv []string
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
	return &App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: os.LookupEnv, Environ: os.Environ, Now: time.Now, OpenBrowser: openBrowser}
}

func (a *App) environ() []string {
	if a.Environ != nil {
		return a.Environ()
	}
	return os.Environ()
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

// Run executes the command line and returns the exit code. Errors are
// printed to Stderr (see printError), with their hint when they carry one.
func (a *App) Run(ctx context.Context, argv []string) int {
	return a.run(ctx, a.rootFor(argv), argv)
}

// run executes argv on the command tree root.
func (a *App) run(ctx context.Context, root *cobra.Command, argv []string) int {
	a.argv = argv
	root.SetArgs(argv)
	root.SetIn(a.Stdin)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errInterrupted) {
		return ExitInterrupted // the user knows: no error line
	}
	var st exitStatus
	if errors.As(err, &st) {
		if st.err != nil {
			a.printError(st.err)
		}
		return st.code
	}
	a.printError(err)
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return ExitUsage
	}
	return ExitFailure
}

// exitStatus ends tokentop with code: exec's child's status, or exec's
// own 126 and 127. err, when set, is printed as any error.
type exitStatus struct {
	code int
	err  error
}

func (e exitStatus) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e exitStatus) Unwrap() error { return e.err }

// hinted is an error of tokentop's own with a hint for the user, as a
// *providers.Error carries one.
type hinted struct {
	err  error
	hint string
}

func (e hinted) Error() string { return e.err.Error() }
func (e hinted) Unwrap() error { return e.err }

// hintOf is err's hint: a provider error's, or tokentop's own.
func hintOf(err error) string {
	if h := providers.HintFor(err); h != "" {
		return h
	}
	var h hinted
	if errors.As(err, &h) {
		return h.hint
	}
	return ""
}

// usageWords is err's message, with cobra's wording of a flag group
// ("if any flags in the group [json markdown] are set none of the others
// can be; [json markdown] were all set") said plainly: "--json and
// --markdown cannot be used together; choose one".
func usageWords(msg string) string {
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
