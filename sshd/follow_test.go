package sshd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/ui"
)

// inbox collects what a deliverer hands a session's program.
type inbox struct {
	mu   sync.Mutex
	msgs []ui.FollowMsg
}

func (b *inbox) send(msg tea.Msg) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, msg.(ui.FollowMsg))
}

func (b *inbox) last() (ui.FollowMsg, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.msgs) == 0 {
		return ui.FollowMsg{}, 0
	}
	return b.msgs[len(b.msgs)-1], len(b.msgs)
}

// take empties a mailbox nobody delivers.
func take(t *testing.T, f *follower) (ui.FollowMsg, bool) {
	t.Helper()
	select {
	case msg := <-f.box:
		return msg, true
	default:
		return ui.FollowMsg{}, false
	}
}

func TestHubLatestWins(t *testing.T) {
	h := newFollowHub(true)
	pres := h.join("alice", true)
	viewer := h.join("bob", false)
	if who, n := h.watching(); who != "alice" || n != 1 {
		t.Fatalf("presenter %q watched by %d, want alice by 1", who, n)
	}
	take(t, pres)
	// A view to publish: the hub does not look inside, so any value does.
	var states []ui.ViewState
	for range 100 {
		states = append(states, ui.ViewState{})
	}
	for i := range states {
		pres.Publish(states[i])
	}
	msg, ok := take(t, viewer)
	if !ok || msg.State == nil || msg.Presenter != "alice" || msg.Watching != 1 || msg.You {
		t.Fatalf("the viewer's mailbox holds %+v, want alice's view, 1 watching", msg)
	}
	if _, again := take(t, viewer); again {
		t.Fatal("the mailbox held more than one message")
	}
	if _, got := take(t, pres); got {
		t.Fatal("the presenter was sent its own view")
	}
	// A session that may not present cannot publish.
	viewer.Publish(ui.ViewState{})
	if _, got := take(t, pres); got {
		t.Fatal("a viewer's publish reached the presenter")
	}
}

func TestHubPresenterLeavesAndAnotherPresents(t *testing.T) {
	h := newFollowHub(false)
	a, b, c := h.join("a", true), h.join("b", true), h.join("c", false)
	if who, _ := h.watching(); who != "" {
		t.Fatalf("without Options.Follow nobody presents at first, got %q", who)
	}
	c.Present(true)
	if who, _ := h.watching(); who != "" {
		t.Fatal("a session that may not present became the presenter")
	}
	a.Present(true)
	b.Present(true) // taken: a presents
	if who, n := h.watching(); who != "a" || n != 2 {
		t.Fatalf("presenter %q watched by %d, want a by 2", who, n)
	}
	c.Watch(false)
	if _, n := h.watching(); n != 1 {
		t.Fatalf("%d watching after c looked around, want 1", n)
	}
	a.Publish(ui.ViewState{})
	take(t, b)
	a.leave()
	msg, ok := take(t, b)
	if !ok || msg.Presenter != "" || msg.State != nil {
		t.Fatalf("after the presenter left b got %+v, want nobody presenting", msg)
	}
	a.leave() // twice is harmless
	b.Present(true)
	if msg, _ := take(t, b); !msg.You {
		t.Fatalf("b presents now: %+v", msg)
	}
	a.Present(true) // gone: ignored
	if who, _ := h.watching(); who != "b" {
		t.Fatalf("a session that left took the presentation: %q", who)
	}
}

// TestHubStalledViewerDoesNotStopOthers: one session's program takes
// nothing (its client reads nothing); the presenter keeps publishing and
// the other session gets the latest view.
func TestHubStalledViewerDoesNotStopOthers(t *testing.T) {
	h := newFollowHub(true)
	pres := h.join("alice", true)
	stalled, other := h.join("stuck", false), h.join("bob", false)
	ctx, cancel := context.WithCancel(context.Background())
	block := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); pres.deliver(ctx, func(tea.Msg) {}) }()
	stuck := make(chan struct{})
	var once sync.Once
	go func() {
		defer wg.Done()
		stalled.deliver(ctx, func(tea.Msg) {
			once.Do(func() { close(stuck) })
			<-block
		})
	}()
	var got inbox
	go func() { defer wg.Done(); other.deliver(ctx, got.send) }()
	select { // its program takes nothing from now on
	case <-stuck:
	case <-time.After(testsupport.WaitLimit):
		t.Fatal("the stalled session was never sent its news")
	}

	for range 1000 {
		pres.Publish(ui.ViewState{})
	}
	other.Watch(false)
	testsupport.Eventually(t, "bob to get the news after the last publish", func() bool {
		msg, _ := got.last()
		return msg.Presenter == "alice" && msg.State != nil && msg.Watching == 1
	})
	if len(stalled.box) != 1 {
		t.Fatalf("the stalled session's mailbox holds %d messages, want 1", len(stalled.box))
	}

	// Ending the sessions ends every deliverer, the stalled one once its
	// program lets go, and empties the hub.
	cancel()
	close(block)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(testsupport.WaitLimit):
		t.Fatal("a deliverer did not end with its session")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.members) != 0 || h.presenter != nil {
		t.Fatalf("the hub still holds %d sessions (presenter %v)", len(h.members), h.presenter)
	}
}

func TestDisplayName(t *testing.T) {
	dir := t.TempDir()
	named, nameless, evil, stranger := testsupport.SSHSigner(t), testsupport.SSHSigner(t), testsupport.SSHSigner(t), testsupport.SSHSigner(t)
	file := filepath.Join(dir, "keys")
	text := authorizedLine(named) + " alice@laptop\n" + authorizedLine(nameless) + "\n" +
		authorizedLine(evil) + " \x1b]52;c;aGk=\x07" + strings.Repeat("x", 200) + "\n"
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	k := keyFiles{authorized: file}
	if got := k.displayName(named.PublicKey()); got != "alice@laptop" {
		t.Fatalf("named key: %q", got)
	}
	if got := k.displayName(nameless.PublicKey()); !strings.HasPrefix(got, "SHA256:") || len(got) != len("SHA256:")+8 {
		t.Fatalf("a key without a comment is named by its fingerprint's start, got %q", got)
	}
	got := k.displayName(evil.PublicKey())
	if strings.ContainsAny(got, "\x1b\x07") || len([]rune(got)) > maxNameLen {
		t.Fatalf("a comment reaches the status line unsanitised or unbounded: %q", got)
	}
	if got := k.displayName(stranger.PublicKey()); !strings.HasPrefix(got, "SHA256:") {
		t.Fatalf("a key not in the files: %q", got)
	}
}
