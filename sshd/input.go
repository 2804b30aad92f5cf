package sshd

import (
	"bytes"
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
//
// The terminal's colour answers (OSC 10/11 …) never reach the readers: the
// pump takes them out of the stream and keeps the last one for the query.
// One that comes after the query gave up (a slow link) would otherwise
// reach the dashboard as keys: r, g, c, / and the rest of the colour.
type input struct {
	chunks chan []byte   // closed by the pump at the end of the channel
	done   chan struct{} // closed by close: readers and the pump stop
	once   sync.Once
	last   atomic.Int64 // unix nanoseconds of the last byte read (wall clock)
	answer atomic.Pointer[[]byte]

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
	var held []byte // the start of an answer, cut between two reads
	for {
		n, err := src.Read(buf)
		if n > 0 {
			in.last.Store(time.Now().UnixNano())
			var keys []byte
			keys, held = in.takeAnswers(append(held, buf[:n]...))
			if len(keys) > 0 {
				select {
				case in.chunks <- keys:
				case <-in.done:
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// maxAnswer bounds a colour answer: "\x1b]11;rgba:ffff/ffff/ffff/ffff\x1b\\"
// is 34 bytes.
const maxAnswer = 64

// takeAnswers returns b without the colour answers in it, keeping the last
// one for colourAnswer; held is the start of one that has not all come yet.
func (in *input) takeAnswers(b []byte) (keys, held []byte) {
	keys = make([]byte, 0, len(b))
	for {
		i := bytes.Index(b, []byte("\x1b]"))
		if i < 0 {
			return append(keys, b...), nil
		}
		keys = append(keys, b[:i]...)
		switch n := answerLen(b[i:]); {
		case n > 0:
			a := append([]byte(nil), b[i:i+n]...)
			in.answer.Store(&a)
			b = b[i+n:]
		case n < 0 && len(b)-i < maxAnswer:
			return keys, append([]byte(nil), b[i:]...)
		default: // not an answer (alt+], or too long for one): keys
			keys = append(keys, b[i:i+2]...)
			b = b[i+2:]
		}
	}
}

// answerLen is the length of the colour answer b starts with
// (ESC ] digits ; colour, then BEL or ESC \), -1 when b could be the start
// of one, 0 when it is not one.
func answerLen(b []byte) int {
	i := 2 // past ESC ]
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	switch {
	case i == len(b):
		return -1
	case i == 2 || b[i] != ';':
		return 0
	}
	i++
	for i < len(b) && isColourByte(b[i]) {
		i++
	}
	switch {
	case i == len(b):
		return -1
	case b[i] == '\a':
		return i + 1
	case b[i] != '\x1b':
		return 0
	case i+1 == len(b):
		return -1
	case b[i+1] == '\\':
		return i + 2
	}
	return 0
}

// isColourByte reports whether c can be in a colour (rgb:1c1c/1c1c/2424,
// #1c1c24).
func isColourByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == ':' || c == '/' || c == '#'
}

// colourAnswer is the last colour answer the terminal sent, nil for none.
func (in *input) colourAnswer() []byte {
	if a := in.answer.Load(); a != nil {
		return *a
	}
	return nil
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
