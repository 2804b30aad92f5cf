package sshd

import (
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/tokentop/tokentop/internal/lazyre"
)

// backgroundQueryTimeout bounds the wait for a terminal's answer to the
// background colour query; one that does not answer gets the dark styles.
const backgroundQueryTimeout = time.Second

// syncWriter serialises writes to a session's channel: the Bubble Tea
// renderer and the OSC52 copies write from different goroutines, and an
// SSH channel must not be written by two at once. The first write that
// fails (the client closed the channel) calls onFail: the dashboard draws
// its clock every second, so a client gone is noticed within one.
type syncWriter struct {
	mu      sync.Mutex
	w       io.Writer
	onFail  func()
	failed  bool
	writing atomic.Int64 // unix nanoseconds when the write under way began; 0: none
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writing.Store(time.Now().UnixNano())
	n, err := s.w.Write(p)
	s.writing.Store(0)
	if err != nil && !s.failed {
		s.failed = true
		if s.onFail != nil {
			go s.onFail()
		}
	}
	return n, err
}

// stalledFor is how long the write under way has waited (0: none): an SSH
// channel's write waits while the client reads nothing.
func (s *syncWriter) stalledFor() time.Duration {
	if t := s.writing.Load(); t != 0 {
		return time.Since(time.Unix(0, t))
	}
	return 0
}

// broken reports whether a write failed.
func (s *syncWriter) broken() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// environ is a session's environment for termenv (TERM, and NO_COLOR or
// COLORTERM when the client sends them).
type environ []string

var _ termenv.Environ = environ(nil)

// Environ implements termenv.Environ.
func (e environ) Environ() []string { return e }

// Getenv implements termenv.Environ.
func (e environ) Getenv(k string) string {
	for i := len(e) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(e[i], k+"="); ok {
			return v
		}
	}
	return ""
}

// newRenderer is a lipgloss renderer for the client's terminal: the colour
// profile from its TERM and environment, and the background from asking
// the terminal itself (dark when it does not say). It asks before the
// Bubble Tea program starts, so the answer cannot reach the program as keys.
func newRenderer(out io.Writer, in *input, env []string, term string) *lipgloss.Renderer {
	if term == "" || term == "dumb" {
		r := lipgloss.NewRenderer(out, termenv.WithProfile(termenv.Ascii))
		r.SetHasDarkBackground(true)
		return r
	}
	r := lipgloss.NewRenderer(out, termenv.WithEnvironment(environ(env)), termenv.WithUnsafe(), termenv.WithColorCache(true))
	dark, ok := queryDarkBackground(out, in, backgroundQueryTimeout)
	r.SetHasDarkBackground(dark || !ok)
	r.ColorProfile()
	return r
}

// The answers to the background query: OSC 11 with the colour (the input
// takes it out of the keys and keeps it), and the primary device
// attributes (DA1) that every terminal sends, which ends the wait.
var (
	osc11Answer = &lazyre.Regexp{Expr: `\x1b\]11;rgba?:([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})(?:/[0-9a-fA-F]{1,4})?(?:\x07|\x1b\\)`}
	da1Answer   = &lazyre.Regexp{Expr: `\x1b\[\?[0-9;]*c`}
)

// queryDarkBackground asks the terminal for its background colour, then
// for its device attributes, and reads until the second answer or the
// timeout; the first comes before it, kept by in. Whatever else it read
// (keys typed meanwhile) goes back to in.
// ok is false when the terminal did not say.
func queryDarkBackground(out io.Writer, in *input, timeout time.Duration) (dark, ok bool) {
	if _, err := io.WriteString(out, "\x1b]11;?\x07\x1b[c"); err != nil {
		return false, false
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var got []byte
	buf := make([]byte, 256)
	for !da1Answer.Get().Match(got) {
		n, err := in.read(buf, deadline.C)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	if m := osc11Answer.Get().FindSubmatch(in.colourAnswer()); m != nil {
		dark, ok = isDark(m[1], m[2], m[3])
	}
	in.unread(da1Answer.Get().ReplaceAll(got, nil))
	return dark, ok
}

// isDark reads an X11 colour's channels (1 to 4 hex digits each) and
// reports whether its lightness is under a half.
func isDark(rs, gs, bs []byte) (dark, ok bool) {
	var c [3]float64
	for i, s := range [][]byte{rs, gs, bs} {
		v, err := strconv.ParseUint(string(s), 16, 16)
		if err != nil {
			return false, false
		}
		c[i] = float64(v) / float64(uint64(1)<<(4*len(s))-1)
	}
	lo, hi := min(c[0], c[1], c[2]), max(c[0], c[1], c[2])
	return (lo+hi)/2 < 0.5, true
}
