// Package lazyre holds regular expressions that are compiled the first
// time they are used rather than when the process starts.
//
// Every package's variables are initialised before main runs, so a
// package-level regexp.MustCompile is paid by every tokentop process,
// `tokentop token NAME` in a script's loop included, whether it matches
// anything or not. Declared as a composite literal,
//
//	var words = &lazyre.Regexp{Expr: `(?i)\bnot found\b`}
//
// a Regexp is laid out by the compiler and costs nothing at start.
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled on first use. It is safe for
// use by several goroutines at once. Expr must not change after the first
// use.
type Regexp struct {
	// Expr is the expression, in regexp's syntax.
	Expr string

	once sync.Once
	re   *regexp.Regexp
}

// Get returns the compiled expression. Like regexp.MustCompile, it panics
// if Expr does not compile: Expr is a constant of the program.
func (r *Regexp) Get() *regexp.Regexp {
	r.once.Do(func() { r.re = regexp.MustCompile(r.Expr) })
	return r.re
}
