package ui

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/atotto/clipboard"
	osc52 "github.com/aymanbagabas/go-osc52/v2"

	"github.com/tokentop/tokentop/providers"
)

// clipTarget is where copies go: OSC52 to the program's output always (it
// works in tmux and over SSH), and the system clipboard when asked for.
// It is a value captured by the copy commands.
type clipTarget struct {
	out    io.Writer
	tmux   bool
	system bool
}

// osc52Sequence is what copying text writes to the terminal.
func osc52Sequence(text string, tmux bool) string {
	seq := osc52.New(text)
	if tmux {
		seq = seq.Tmux()
	}
	return seq.String()
}

// write copies text and says how: the OSC52 sequence (one Write, so it
// never splits inside the renderer's frame) and the system clipboard.
// warn explains a system clipboard that did not work.
func (c clipTarget) write(text string) (via []string, warn string, err error) {
	if c.out != nil {
		if _, err := io.WriteString(c.out, osc52Sequence(text, c.tmux)); err != nil {
			return nil, "", fmt.Errorf("writing the OSC52 sequence: %w", err)
		}
		via = append(via, "OSC52")
	}
	if c.system {
		if clipboard.Unsupported {
			warn = "no system clipboard here"
		} else if err := clipboard.WriteAll(text); err != nil {
			warn = "system clipboard: " + err.Error()
		} else {
			via = append(via, "system clipboard")
		}
	}
	if len(via) == 0 {
		return nil, warn, fmt.Errorf("no clipboard to copy to")
	}
	return via, warn, nil
}

// clear empties the clipboards written by write.
func (c clipTarget) clear() error {
	var errs []string
	if c.out != nil {
		seq := osc52.Clear()
		if c.tmux {
			seq = seq.Tmux()
		}
		if _, err := io.WriteString(c.out, seq.String()); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if c.system && !clipboard.Unsupported {
		if err := clipboard.WriteAll(""); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("clearing the clipboard: %s", strings.Join(errs, "; "))
	}
	return nil
}

// curlCommand is a shell command that calls endpoint e with a fresh token
// from `tokentop token NAME`, never the token itself. tokenCmd is how to
// invoke tokentop (with --db when the dashboard was given one).
func curlCommand(tokenCmd, name, tokenType string, e providers.Endpoint) string {
	if tokenCmd == "" {
		tokenCmd = "tokentop"
	}
	scheme := "Bearer"
	if tokenType != "" && !strings.EqualFold(tokenType, "bearer") {
		scheme = clean(tokenType)
	}
	var b strings.Builder
	b.WriteString("curl")
	if m := methodOf(e.Method); m != http.MethodGet || e.Body != "" {
		b.WriteString(" -X " + m)
	}
	fmt.Fprintf(&b, ` -H "Authorization: %s $(%s token %s)"`, scheme, tokenCmd, shellQuote(name))
	keys := make([]string, 0, len(e.Headers))
	for k := range e.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(" -H " + shellQuote(k+": "+e.Headers[k]))
	}
	if e.Body != "" {
		b.WriteString(" -d " + shellQuote(e.Body))
	}
	b.WriteString(" " + shellQuote(e.URL))
	return b.String()
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
