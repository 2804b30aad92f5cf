package testsupport

import (
	"bytes"
	"sync"
)

// LockedBuffer is a bytes.Buffer safe for writers and a reader at once:
// a program's output, a server's log, a terminal's screen, written by
// other goroutines and read by the test. The zero value is ready to use.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything written so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
