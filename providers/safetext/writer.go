package safetext

import (
	"io"
	"sync"
)

// Writer is an io.Writer that sanitises what is written through it before
// passing it on, as [Sanitize] does (newlines and tabs kept). It keeps its
// place between writes, so an escape sequence split across two writes is
// dropped whole. It is safe for concurrent use; each Write reaches the
// underlying writer in one piece.
type Writer struct {
	mu  sync.Mutex
	w   io.Writer
	f   filter
	buf []byte
}

// NewWriter returns a Writer that writes the clean text of its input to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, f: filter{keepLines: true}}
}

// maxKeep is the largest buffer a Writer keeps between writes.
const maxKeep = 64 << 10

// Write sanitises p and writes the result. It reports len(p) when the
// write succeeds: what was dropped was consumed.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f.idle() && isClean(p, true) {
		if _, err := w.w.Write(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	out := w.f.feed(w.buf[:0], p)
	if cap(out) <= maxKeep {
		w.buf = out
	} else {
		w.buf = nil
	}
	if len(out) > 0 {
		if _, err := w.w.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// WriteString is Write for a string.
func (w *Writer) WriteString(s string) (int, error) {
	return w.Write([]byte(s))
}
