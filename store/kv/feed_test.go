package kv

import (
	"context"
	"fmt"
	"testing"
)

func TestFeedCoalesces(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	f := NewFeed(ctx)
	f.Send(Change{Bucket: P("tokens"), Key: []byte("a")})
	f.Send(Change{Bucket: P("tokens"), Key: []byte("a")}) // a duplicate
	first := <-f.C()
	if !first.Bucket.Equal(P("tokens")) || string(first.Key) != "a" {
		t.Fatalf("first change %+v", first)
	}
	// More than the feed holds, with no reader: they collapse into one
	// "anything may have changed", and the sender never blocks.
	for i := range 3 * maxPending {
		f.Send(Change{Bucket: P("quota", fmt.Sprint(i)), Key: []byte("k")})
	}
	c := <-f.C()
	if c.Bucket != nil {
		// The reader may have taken one before the overflow: then the next
		// is the collapse.
		c = <-f.C()
	}
	if c.Bucket != nil {
		t.Fatalf("after an overflow: %+v, want a nil Bucket", c)
	}
	cancel()
	for range f.C() {
	}
	f.Send(Change{}) // after the end: dropped, no panic
}
