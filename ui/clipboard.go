package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/atotto/clipboard"
	osc52 "github.com/aymanbagabas/go-osc52/v2"

	"github.com/tokentop/tokentop/providers"
)

// clipTarget is where copies go: OSC52 to the program's output (it works
// over SSH and in most terminals), or inside tmux the tmux buffer; and the
// system clipboard when asked for. It is a value captured by the copy
// commands.
type clipTarget struct {
	out    io.Writer
	tmux   bool
	system bool
}

// write copies text and says how: inside tmux, into tmux's buffer with
// `tmux load-buffer -w` (tmux sends it on to the terminal's clipboard
// itself), else, or when that fails, a plain OSC52 sequence (one Write, so
// it never splits inside the renderer's frame; tmux takes a plain one with
// `set-clipboard on`, while a passthrough-wrapped one is dropped under its
// default `allow-passthrough off`); and the system clipboard. warn
// explains a path that did not work, or may not.
func (c clipTarget) write(ctx context.Context, text string) (via []string, warn string, err error) {
	var warns []string
	inTmux := false
	if c.tmux {
		if terr := tmuxLoadBuffer(ctx, text); terr == nil {
			via, inTmux = append(via, "the tmux buffer"), true
		} else {
			warns = append(warns, terr.Error())
		}
	}
	if c.out != nil && !inTmux {
		if _, err := io.WriteString(c.out, osc52.New(text).String()); err != nil {
			return nil, "", fmt.Errorf("writing the OSC52 sequence: %w", err)
		}
		via = append(via, "OSC52")
		if c.tmux {
			warns = append(warns, "inside tmux OSC52 needs set -g set-clipboard on")
		}
	}
	if c.system {
		if clipboard.Unsupported {
			warns = append(warns, "no system clipboard here")
		} else if err := clipboard.WriteAll(text); err != nil {
			warns = append(warns, "system clipboard: "+err.Error())
		} else {
			via = append(via, "system clipboard")
		}
	}
	if len(via) == 0 {
		return nil, "", fmt.Errorf("no clipboard to copy to: %s", strings.Join(warns, "; "))
	}
	return via, strings.Join(warns, "; "), nil
}

// clear empties the clipboards written by write.
func (c clipTarget) clear(ctx context.Context) error {
	var errs []string
	if c.tmux {
		// Only tokentop's own buffer: a newer copy of the user's stays.
		_ = exec.CommandContext(ctx, "tmux", "delete-buffer", "-b", tmuxBuffer).Run()
	}
	if c.out != nil {
		if _, err := io.WriteString(c.out, osc52.Clear().String()); err != nil {
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

// tmuxBuffer is the name of the tmux buffer copies go to.
const tmuxBuffer = "tokentop"

// tmuxLoadBuffer puts text in tmux's buffer tmuxBuffer and asks tmux to
// send it on to the terminal's clipboard (-w, tmux 3.2 and later), with
// the text on stdin, never in the arguments (ps would show it).
func tmuxLoadBuffer(ctx context.Context, text string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tmux", "load-buffer", "-b", tmuxBuffer, "-w", "-")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		if msg := strings.TrimSpace(clean(string(out))); msg != "" {
			return fmt.Errorf("tmux load-buffer: %s", msg)
		}
		return fmt.Errorf("tmux load-buffer: %w", err)
	}
	return nil
}

// curlCommand is a shell command that calls endpoint e with a fresh token
// from `tokentop token NAME`, never the token itself. tokenCmd is how to
// invoke tokentop (with --db when the dashboard was given one).
// An API key (key non-nil) goes where the provider sends it.
func curlCommand(tokenCmd, name, tokenType string, key *providers.KeyPlacement, e providers.Endpoint) string {
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
	if key != nil {
		b.WriteString(keyCurlArg(*key, fmt.Sprintf("$(%s token %s)", tokenCmd, shellQuote(name))))
	} else {
		fmt.Fprintf(&b, ` -H "Authorization: %s $(%s token %s)"`, scheme, tokenCmd, shellQuote(name))
	}
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
