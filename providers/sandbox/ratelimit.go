package sandbox

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// The sample API's rate limit: requests per token subject per window.
const (
	rateLimit  = 100
	rateWindow = 60 * time.Second
)

// window is one subject's fixed rate-limit window.
type window struct {
	start time.Time
	n     int
}

// rateState is the outcome of counting one request.
type rateState struct {
	remaining int
	reset     time.Time
	exceeded  bool
}

// take counts one API request by subject at now.
func (s *Server) take(subject string, now time.Time) rateState {
	s.mu.Lock()
	defer s.mu.Unlock()
	win := s.limiters[subject]
	if win.start.IsZero() || !now.Before(win.start.Add(rateWindow)) {
		win = window{start: now.Truncate(time.Second)}
	}
	win.n++
	s.limiters[subject] = win
	return rateState{
		remaining: max(0, rateLimit-win.n),
		reset:     win.start.Add(rateWindow),
		exceeded:  win.n > rateLimit,
	}
}

// setHeaders writes both the de-facto X-RateLimit-* headers and the IETF
// draft RateLimit and RateLimit-Policy headers; on 429 also Retry-After.
func (st rateState) setHeaders(h http.Header, now time.Time) {
	secs := strconv.Itoa(max(1, int(math.Ceil(st.reset.Sub(now).Seconds()))))
	limit := strconv.Itoa(rateLimit)
	remaining := strconv.Itoa(st.remaining)
	h.Set("X-RateLimit-Limit", limit)
	h.Set("X-RateLimit-Remaining", remaining)
	h.Set("X-RateLimit-Reset", strconv.FormatInt(st.reset.Unix(), 10))
	h.Set("RateLimit-Policy", limit+";w="+strconv.Itoa(int(rateWindow.Seconds())))
	h.Set("RateLimit", "limit="+limit+", remaining="+remaining+", reset="+secs)
	if st.exceeded {
		h.Set("Retry-After", secs)
	}
}
