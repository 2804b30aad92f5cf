package fastpath

import (
	"io"
	"os"
	"time"

	"github.com/tokentop/tokentop/providers/safetext"
)

// The variables that steer the fast path.
const (
	// DisableEnv, set to anything, turns the fast path off.
	DisableEnv = "TOKENTOP_NO_FASTPATH"
	// TraceEnv, set to anything, has the fast path say what it did on
	// stderr: "fastpath: served" or "fastpath: deferred: REASON".
	TraceEnv = "TOKENTOP_FASTPATH_TRACE"
)

func init() {
	if Serve(os.Args[1:], os.Getenv, os.Stdout, os.Stderr, time.Now) {
		os.Exit(0)
	}
}

// Serve prints the cached token args asks for (args without the program's
// name) to stdout and reports true, when the fast path can answer as the
// whole program would; else it writes nothing to stdout and reports
// false. getenv reads the environment. With TraceEnv set it says which on
// stderr.
func Serve(args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) bool {
	tok, reason := lookup(args, getenv, now)
	if reason == "" {
		// One write of printable ASCII and a newline: the sanitiser
		// passes it as it is, in one piece.
		if _, err := safetext.NewWriter(stdout).Write([]byte(tok + "\n")); err != nil {
			reason = "stdout refused the token"
		}
	}
	if getenv(TraceEnv) != "" {
		msg := "fastpath: served\n"
		if reason != "" {
			msg = "fastpath: deferred: " + reason + "\n"
		}
		_, _ = io.WriteString(stderr, msg)
	}
	return reason == ""
}
