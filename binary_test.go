//go:build linux || darwin

package main

import (
	"bufio"
	"bytes"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
)

// TestBinary runs the binary `go build` makes, as a shell would, for what
// only a whole process shows: package initialisation, the terminal, the
// environment a command hands on.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildTokentop(t, t.TempDir())
	env := sandboxenv.Start(t, sandboxenv.Options{FetchAll: true})
	const name = "ants"
	tok, err := env.Store.CachedToken(t.Context(), name)
	if err != nil || tok == nil {
		t.Fatalf("no cached token for %s: %v", name, err)
	}
	db := "TOKENTOP_DB=" + env.Path
	// hide keeps the token out of a failure's message.
	hide := func(b []byte) string { return strings.ReplaceAll(string(b), tok.AccessToken, "<token>") }

	// A cached token on stdout, a pipe: the token and a newline, nothing
	// on stderr.
	t.Run("token to a pipe", func(t *testing.T) {
		cmd := exec.Command(bin, "token", name)
		cmd.Env = processEnv(db, "TERM=xterm-256color")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %s", err, stderr.Bytes())
		}
		if stdout.String() != tok.AccessToken+"\n" || stderr.Len() != 0 {
			t.Errorf("stdout %q, stderr %q; want the cached token and a newline, nothing else", hide(stdout.Bytes()), hide(stderr.Bytes()))
		}
	})

	// At a terminal that never answers, `tokentop token` writes the token
	// and nothing else: no background colour query (OSC 11) or cursor
	// position query for Bubble Tea's init to wait on.
	t.Run("token at a terminal asks nothing", func(t *testing.T) {
		cmd := exec.Command(bin, "token", name)
		cmd.Env = processEnv(db, "TERM=xterm-256color")
		tty, err := pty.Start(cmd)
		if err != nil {
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		defer tty.Close()
		out, _ := io.ReadAll(tty) // ends with EIO once the process is gone
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v: %q", err, hide(out))
		}
		if string(out) != tok.AccessToken+"\r\n" {
			t.Errorf("the terminal got %q; want the token and a newline only", hide(out))
		}
	})

	// Commands see the TERM the user has, set or unset: exec's command
	// inherits it.
	t.Run("TERM as the user set it", func(t *testing.T) {
		for _, term := range []string{"xterm-256color", "dumb", ""} {
			cmd := exec.Command(bin, "exec", name, "--", "/bin/sh", "-c", `printf %s "${TERM-unset}"`)
			cmd.Env = processEnv(db)
			want := "unset"
			if term != "" {
				cmd.Env, want = append(cmd.Env, "TERM="+term), term
			}
			out, err := cmd.Output()
			if err != nil || string(out) != want {
				t.Errorf("TERM %q: the command saw %q (%v), want %q", term, out, err, want)
			}
		}
	})

	// GODEBUG=inittrace=1 lists every package whose initialisation does
	// work. Of tokentop's, only earlyterm (it hides TERM, and runs before
	// termenv, Lip Gloss and Bubble Tea) and fastpath (it answers a cached
	// `tokentop token NAME` before the heavy packages initialise, and
	// returns at once for any other command) may.
	t.Run("no init work in tokentop's packages", func(t *testing.T) {
		cmd := exec.Command(bin, "version")
		cmd.Env = processEnv(db, "GODEBUG=inittrace=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %s", err, stderr.Bytes())
		}
		const own = "github.com/tokentop/tokentop"
		order := map[string]int{}
		sc := bufio.NewScanner(&stderr)
		for i := 0; sc.Scan(); i++ {
			f := strings.Fields(sc.Text())
			if len(f) < 2 || f[0] != "init" {
				continue
			}
			order[f[1]] = i
			if strings.HasPrefix(f[1], own+"/") && f[1] != own+"/internal/earlyterm" && f[1] != own+"/internal/fastpath" {
				t.Errorf("%s does work at init: %s", f[1], sc.Text())
			}
		}
		first, ok := order[own+"/internal/earlyterm"]
		if !ok {
			t.Fatalf("earlyterm did not run at init:\n%s", stderr.String())
		}
		for _, pkg := range []string{"github.com/muesli/termenv", "github.com/charmbracelet/lipgloss", "github.com/charmbracelet/bubbletea"} {
			if at, ok := order[pkg]; ok && at < first {
				t.Errorf("%s initialised before earlyterm", pkg)
			}
		}
		if _, ok := order["github.com/charmbracelet/bubbletea"]; !ok {
			t.Error("no bubbletea init in the trace: is GODEBUG=inittrace=1 still what it was?")
		}
	})
}
