//go:build !unix

package boltkv

// processGone cannot tell here: a lease's holder is waited out until its
// lease expires.
func processGone(int) bool { return false }
