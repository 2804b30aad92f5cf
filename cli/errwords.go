package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tokentop/tokentop/providers/safetext"
)

// maxErrorLines bounds the lines one error prints, however many problems
// a file holds.
const maxErrorLines = 50

// printError writes err to stderr, sanitised: "tokentop: " and its
// message, then its hint. An error that joins several (errors.Join: an
// import's problems, the ${VAR}s that are not set) prints its context
// once and then each problem on a line of its own:
//
//	tokentop: import providers.yaml: 2 problems
//	  line 3: ${A} is not set
//	  line 7: ${B} is not set
func (a *App) printError(err error) {
	head, items := errorLines(err)
	fmt.Fprintf(a.errOut, "tokentop: %s\n", safetext.Line(usageWords(head)))
	for i, it := range items {
		if i == maxErrorLines {
			fmt.Fprintf(a.errOut, "  … and %d more\n", len(items)-i)
			break
		}
		fmt.Fprintf(a.errOut, "  %s\n", safetext.Line(it))
	}
	if h := hintOf(err); h != "" {
		fmt.Fprintf(a.errOut, "hint: %s\n", safetext.Line(h))
	}
}

// errorLines splits err's message into a head line and the problems it
// lists, one a line (none when it is one problem).
func errorLines(err error) (head string, items []string) {
	msg := err.Error()
	if !strings.Contains(msg, "\n") {
		return msg, nil
	}
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		joined := fmt.Sprint(j)
		if prefix, ok := strings.CutSuffix(msg, joined); ok && !strings.Contains(prefix, "\n") {
			n := 0
			for _, e := range j.Unwrap() {
				if e != nil {
					items = append(items, strings.Split(e.Error(), "\n")...)
					n++
				}
			}
			return problemsHead(strings.TrimSuffix(strings.TrimSpace(prefix), ":"), n), items
		}
	}
	lines := strings.Split(msg, "\n")
	return lines[0], lines[1:]
}

// problemsHead is "import f.yaml: 2 problems", or "2 problems" with no
// context.
func problemsHead(context string, n int) string {
	what := fmt.Sprintf("%d problems", n)
	if n == 1 {
		what = "1 problem"
	}
	if context == "" {
		return what
	}
	return context + ": " + what
}
