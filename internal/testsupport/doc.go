// Package testsupport holds the helpers tokentop's tests share: a settable
// clock, a buffer safe for a writer and a reader at once, a loopback
// address where nothing listens, shared RSA keys, SSH client keys, and
// bounded waits for a condition, for text or for a regexp, and the
// spellings servers give a secret (Spellings).
//
// It is for _test.go files only: no package of the binary imports it. It
// imports nothing of tokentop, so every package's tests can use it, the
// sandbox's and the providers' included. Helpers that need a sandbox and a
// store are in the sandboxenv sub-package.
package testsupport
