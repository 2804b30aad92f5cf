package kv

import (
	"context"
	"sync"
)

// maxPending bounds the changes a Feed holds for a slow reader; beyond it
// they collapse into one "anything may have changed".
const maxPending = 64

// Feed turns a backend's stream of changes into Watch's channel: it never
// blocks the producer, holds at most 64 distinct pending changes (more
// collapse into one Change with a nil Bucket), and closes the channel when
// ctx ends. Backends create one per Watch.
type Feed struct {
	ch     chan Change
	mu     sync.Mutex
	wake   chan struct{}
	queue  []Change
	all    bool // an "anything changed" is pending
	closed bool
}

// NewFeed starts a feed whose channel closes when ctx ends.
func NewFeed(ctx context.Context) *Feed {
	f := &Feed{ch: make(chan Change), wake: make(chan struct{}, 1)}
	go f.run(ctx)
	return f
}

// C is the channel Watch returns.
func (f *Feed) C() <-chan Change { return f.ch }

// Send queues c for the reader; it never blocks.
func (f *Feed) Send(c Change) {
	f.mu.Lock()
	switch {
	case f.closed || f.all:
	case c.Bucket == nil || len(f.queue) == maxPending:
		f.all, f.queue = true, nil
	default:
		for _, q := range f.queue {
			if q.Bucket.Equal(c.Bucket) && string(q.Key) == string(c.Key) && (q.Key == nil) == (c.Key == nil) {
				f.mu.Unlock()
				return
			}
		}
		f.queue = append(f.queue, c)
	}
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// next takes the oldest pending change.
func (f *Feed) next() (Change, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.all {
		f.all = false
		return Change{}, true
	}
	if len(f.queue) == 0 {
		return Change{}, false
	}
	c := f.queue[0]
	f.queue = f.queue[1:]
	return c, true
}

func (f *Feed) run(ctx context.Context) {
	defer func() {
		f.mu.Lock()
		f.closed = true
		f.mu.Unlock()
		close(f.ch)
	}()
	for {
		c, ok := f.next()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-f.wake:
				continue
			}
		}
		select {
		case <-ctx.Done():
			return
		case f.ch <- c:
		}
	}
}
