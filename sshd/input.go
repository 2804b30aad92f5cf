package sshd

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// errReadTimeout ends a read given a deadline that passed.
var errReadTimeout = errors.New("sshd: read timed out")

// input is a session's keyboard. One goroutine reads the SSH channel and
// hands the bytes over, so a reader that stops waiting (the background
// colour query, on a terminal that does not answer) never leaves a read
// pending that would swallow the next key; bytes it read and did not want
// go back with unread. Every read is activity for the idle timeout.
type input struct {
	chunks chan []byte   // closed by the pump at the end of the channel
	done   chan struct{} // closed by close: readers and the pump stop
	once   sync.Once
	last   atomic.Int64 // unix nanoseconds of the last byte read (wall clock)

	mu   sync.Mutex
	left []byte // read from the channel, not yet handed out
}

// newInput starts reading src. When src ends (the client sends no more:
// `ssh -t host < /dev/null` for a wall display, or the channel closed),
// reads get io.EOF and the dashboard goes on showing until the output
// fails or the connection ends.
func newInput(src io.Reader) *input {
	in := &input{chunks: make(chan []byte), done: make(chan struct{})}
	in.last.Store(time.Now().UnixNano())
	go in.pump(src)
	return in
}

func (in *input) pump(src io.Reader) {
	defer close(in.chunks)
	buf := make([]byte, 4096)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			in.last.Store(time.Now().UnixNano())
			select {
			case in.chunks <- append([]byte(nil), buf[:n]...):
			case <-in.done:
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// Read implements io.Reader for the Bubble Tea program.
func (in *input) Read(p []byte) (int, error) { return in.read(p, nil) }

// read waits for input until timeout fires (nil: no timeout).
func (in *input) read(p []byte, timeout <-chan time.Time) (int, error) {
	in.mu.Lock()
	if len(in.left) > 0 {
		n := copy(p, in.left)
		in.left = in.left[n:]
		in.mu.Unlock()
		return n, nil
	}
	in.mu.Unlock()
	select {
	case c, ok := <-in.chunks:
		if !ok {
			return 0, io.EOF
		}
		n := copy(p, c)
		if n < len(c) {
			in.unread(c[n:])
		}
		return n, nil
	case <-in.done:
		return 0, io.EOF
	case <-timeout:
		return 0, errReadTimeout
	}
}

// unread puts b back before anything not yet handed out.
func (in *input) unread(b []byte) {
	if len(b) == 0 {
		return
	}
	in.mu.Lock()
	in.left = append(append([]byte(nil), b...), in.left...)
	in.mu.Unlock()
}

// idleFor is how long ago the client last sent anything.
func (in *input) idleFor() time.Duration {
	return time.Since(time.Unix(0, in.last.Load()))
}

// close ends every read; the pump stops at its next chunk.
func (in *input) close() { in.once.Do(func() { close(in.done) }) }
