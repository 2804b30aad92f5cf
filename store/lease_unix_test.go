//go:build unix

package store

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// leaseEvents records what Token's OnLease heard.
type leaseEvents struct {
	mu  sync.Mutex
	got []LeaseEvent
	ch  chan LeaseEvent
}

func newLeaseEvents() *leaseEvents { return &leaseEvents{ch: make(chan LeaseEvent, 16)} }

func (e *leaseEvents) record(ev LeaseEvent) {
	e.mu.Lock()
	e.got = append(e.got, ev)
	e.mu.Unlock()
	e.ch <- ev
}

func (e *leaseEvents) all() []LeaseEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]LeaseEvent(nil), e.got...)
}

// deadPID is the PID of a child process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	must(t, cmd.Run())
	return cmd.Process.Pid
}

// TestDeadHolderTakenOver: a child process takes the lease, its fetch
// hangs, and it is killed with SIGKILL (as a kill -9 mid-fetch). The next
// fetch sees on this host that the holder's PID is gone and takes the
// lease over instead of waiting it out: the lease would live ten minutes,
// and the context allows one, so only a takeover gets the token.
func TestDeadHolderTakenOver(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	ts := newTokenServer(t)
	ts.block.Store(true)
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	p := ts.provider("svc")
	p.Timeout = providers.Duration(10 * time.Minute)
	must(t, s.PutProvider(ctx, p))

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+path, helperNameEnv+"=svc")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	select {
	case <-ts.received: // the child holds the lease and waits for its answer
	case <-ctx.Done():
		t.Fatalf("the child never asked for a token: %s", stderr.String())
	}
	l := leaseOf(t, s, "svc")
	if l == nil || l.PID != cmd.Process.Pid || l.Host != hostname() || l.Started.IsZero() {
		t.Fatalf("the child's lease = %+v, want its pid %d on %q with a start time", l, cmd.Process.Pid, hostname())
	}
	must(t, cmd.Process.Kill())
	_ = cmd.Wait() // reaped: a zombie would still count as alive
	ts.block.Store(false)

	ev := newLeaseEvents()
	res, err := s.Token(ctx, "svc", TokenOptions{OnLease: ev.record})
	if err != nil {
		t.Fatalf("Token after the holder died: %v", err)
	}
	if res.Cached || res.Token.AccessToken == "" {
		t.Fatalf("Token = %+v, want a new token", res)
	}
	got := ev.all()
	if len(got) != 1 || !got[0].TakenOver || got[0].Provider != "svc" || got[0].Holder.PID != cmd.Process.Pid ||
		got[0].Holder.Host != hostname() || !got[0].Holder.Started.Equal(l.Started) {
		t.Fatalf("lease events %+v, want one takeover of pid %d's lease on %q", got, cmd.Process.Pid, hostname())
	}
	if l := leaseOf(t, s, "svc"); l != nil {
		t.Fatalf("a lease is left: %+v", l)
	}
}

// TestWaitIsToldOnce: a live holder's lease makes the fetch wait and say
// so once, naming the holder, however often it looks; a dead PID on
// another host is waited for too (it cannot be told from a live one).
func TestWaitIsToldOnce(t *testing.T) {
	for _, tt := range []struct {
		name string
		pid  func(t *testing.T) int
		host func(s *Store) string
	}{
		{"a live process on this host", func(*testing.T) int { return os.Getpid() }, func(*Store) string { return hostname() }},
		{"a dead PID on another host", deadPID, func(*Store) string { return "another-host.example" }},
		{"a lease from before holders were recorded", func(*testing.T) int { return 0 }, func(*Store) string { return "" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			ts := newTokenServer(t)
			s := openStore(t, Options{})
			must(t, s.PutProvider(ctx, ts.provider("svc")))
			held := leaseRecord{Owner: "another", Expires: time.Now().Add(time.Hour), PID: tt.pid(t), Host: tt.host(s), Started: time.Now().Add(-5 * time.Second).Round(0)}
			must(t, s.update(ctx, func(tx kv.Tx) error { return putJSON(tx, bLeases, "svc", held) }))

			ev := newLeaseEvents()
			done := make(chan error, 1)
			go func() {
				_, err := s.Token(ctx, "svc", TokenOptions{OnLease: ev.record})
				done <- err
			}()
			first := <-ev.ch
			want := LeaseEvent{Provider: "svc", Holder: LeaseHolder{PID: held.PID, Host: held.Host, Started: held.Started}}
			if first.TakenOver || first.Provider != want.Provider || first.Holder.PID != want.Holder.PID ||
				first.Holder.Host != want.Holder.Host || !first.Holder.Started.Equal(want.Holder.Started) {
				t.Fatalf("event %+v, want %+v", first, want)
			}
			// Let it look again a few times (boltkv's waiters look at most
			// 200 ms apart) before the holder lets go; nothing is asserted
			// of the time.
			time.Sleep(600 * time.Millisecond)
			if n := ts.requests.Load(); n != 0 {
				t.Fatalf("fetched %d times beside a held lease", n)
			}
			must(t, s.update(ctx, func(tx kv.Tx) error { return del(tx, bLeases, "svc") }))
			must(t, <-done)
			if got := ev.all(); len(got) != 1 {
				t.Fatalf("lease events %+v, want the wait told once", got)
			}
			if ts.Issued() != 1 {
				t.Fatalf("issued %d tokens, want 1 after the holder let go", ts.Issued())
			}
		})
	}
}
