// Package earlyterm keeps package initialisation from asking the terminal
// anything.
//
// Bubble Tea v1's init asks Lip Gloss whether the terminal's background is
// dark (tea_init.go, a workaround its authors mean to drop in v2). When
// stdout is a terminal, termenv then writes an OSC 11 query and waits up
// to five seconds for the answer, before main runs: every tokentop
// command would pay for it, `tokentop token NAME` at a prompt included,
// and at a terminal that never answers (a serial console, some
// multiplexers and CI runners) it took five seconds.
//
// termenv asks nothing when TERM is "dumb". This package's init sets
// TERM=dumb, and Restore, the first thing main does, puts the user's TERM
// back (or unsets it again) before any command reads it or passes the
// environment on. The package imports only syscall: by the Go
// specification's order of initialisation (packages sorted by import
// path, each initialised once everything it imports is) it runs before os
// and fmt, and so before termenv, Lip Gloss and Bubble Tea, which import
// them.
//
// The dashboard asks the terminal itself, with its own renderer, before
// Bubble Tea owns the terminal, and tells Lip Gloss's default renderer
// the answer (cli/dashboard.go): nothing asks while Bubble Tea reads the
// keys, which is what Bubble Tea's workaround guarded against.
package earlyterm

import "syscall"

// dumb is the TERM termenv asks nothing of.
const dumb = "dumb"

// saved is the user's TERM while init's stands in for it. It is written
// once, by init, and read by Restore: the environment it stands for is
// the process's own, so there is nothing per session to keep apart.
var saved struct {
	term string
	set  bool
	done bool
}

func init() {
	saved.term, saved.set = syscall.Getenv("TERM")
	_ = syscall.Setenv("TERM", dumb)
}

// Restore puts back the TERM the process started with. It is for main,
// before anything else; later calls do nothing.
func Restore() {
	if saved.done {
		return
	}
	saved.done = true
	if saved.set {
		_ = syscall.Setenv("TERM", saved.term)
		return
	}
	_ = syscall.Unsetenv("TERM")
}
