package authproxy

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/tokentop/tokentop/store"
)

// figures counts, per provider, what the proxy passed on since it
// started, until they are written to the store.
type figures struct {
	mu    sync.Mutex
	since time.Time
	by    map[string]*tally
}

// tally is one provider's figures.
type tally struct {
	f          store.ProxyFigures
	last       store.CallRecord
	latencySum time.Duration
	timed      int64
	dirty      bool
}

func newFigures(since time.Time) *figures {
	return &figures{since: since, by: map[string]*tally{}}
}

// add counts one request: c is its record as a call (Status 0 when the
// upstream gave no answer).
func (fs *figures) add(name string, c store.CallRecord, retried bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	t := fs.tally(name)
	t.f.Requests++
	t.f.Statuses[statusClass(c.Status)]++
	if retried {
		t.f.Retried++
	}
	if c.Status > 0 {
		t.latencySum += c.Latency
		t.timed++
		t.f.LatencyMean = t.latencySum / time.Duration(t.timed)
		t.f.LatencyMax = max(t.f.LatencyMax, c.Latency)
	}
	if len(c.RateLimit) > 0 {
		t.f.RateLimit = c.RateLimit
	}
	t.f.At = c.At
	t.last = c
	t.dirty = true
}

// newToken counts a token fetched because the upstream refused one.
func (fs *figures) newToken(name string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.tally(name).f.NewTokens++
}

// tally is the provider's tally, made when missing; fs.mu is held.
func (fs *figures) tally(name string) *tally {
	t := fs.by[name]
	if t == nil {
		t = &tally{f: store.ProxyFigures{Since: fs.since, Statuses: map[string]int64{}}}
		fs.by[name] = t
	}
	return t
}

// statusClass is "2xx" for 204, and "failed" for no answer.
func statusClass(status int) string {
	switch {
	case status >= 100 && status < 600:
		return string(rune('0'+status/100)) + "xx"
	case status == 0:
		return "failed"
	}
	return "other"
}

// snapshot is a provider's figures to write.
type snapshot struct {
	f    store.ProxyFigures
	last store.CallRecord
}

// take returns the figures changed since the last take.
func (fs *figures) take() map[string]snapshot {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := map[string]snapshot{}
	for name, t := range fs.by {
		if !t.dirty {
			continue
		}
		f := t.f
		f.Statuses = maps.Clone(t.f.Statuses)
		f.RateLimit = maps.Clone(t.f.RateLimit)
		out[name] = snapshot{f: f, last: t.last}
		t.dirty = false
	}
	return out
}

// Flush writes the figures counted since the last flush to the store,
// one write per provider; it returns the first error after trying them
// all.
func (p *Proxy) Flush(ctx context.Context) error {
	var first error
	for name, s := range p.figures.take() {
		if err := p.o.Engine.RecordProxy(ctx, name, s.f, s.last); err != nil {
			p.log.Warn("cannot record the proxy's figures", "provider", name, "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}
