package ui

import (
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// pipe is a follow hub for two dashboards in one test: what the presenter
// publishes reaches the viewer as the SSH server's hub would send it.
type pipe struct {
	mu        sync.Mutex
	viewer    *driver
	published []ViewState
	presented []bool
}

type pipeEnd struct {
	p          *pipe
	canPresent bool
}

func (e pipeEnd) CanPresent() bool { return e.canPresent }
func (e pipeEnd) Present(on bool) {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	e.p.presented = append(e.p.presented, on)
}
func (e pipeEnd) Watch(bool) {}
func (e pipeEnd) Publish(vs ViewState) {
	e.p.mu.Lock()
	e.p.published = append(e.p.published, vs)
	v := e.p.viewer
	e.p.mu.Unlock()
	if v != nil {
		v.TestModel.Send(FollowMsg{Presenter: "alice@laptop", Watching: 1, State: &vs})
	}
}

func (p *pipe) last() (ViewState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.published) == 0 {
		return ViewState{}, false
	}
	return p.published[len(p.published)-1], true
}

// startPair starts a presenter at 120×40 and a viewer at vw×vh on one
// store, the presenter already presenting.
func startPair(t *testing.T, e *env, vw, vh int) (*pipe, *driver, *driver) {
	t.Helper()
	p := &pipe{}
	pc := e.config()
	pc.Follow = pipeEnd{p: p, canPresent: true}
	pres := e.start(pc, 120, 40)
	vc := e.config()
	vc.ReadOnly = true
	vc.Follow = pipeEnd{p: p}
	viewer := e.start(vc, vw, vh)
	p.mu.Lock()
	p.viewer = viewer
	p.mu.Unlock()
	pres.Send(FollowMsg{Presenter: "alice@laptop", Watching: 1, You: true})
	waitFor(t, pres, "presenting · 1 watching")
	return p, pres, viewer
}

func TestFollowMirrorsDetailCallAndDoctor(t *testing.T) {
	e := newEnv(t, true)
	p, pres, viewer := startPair(t, e, 80, 24)
	selectProvider(t, pres, "cognito-dev")
	press(pres, "enter")
	waitFor(t, pres, "Tokens issued in")
	waitFor(t, viewer, "following alice@laptop · 1 watching", "cognito-dev · cognito · sandbox")
	if vs, _ := p.last(); vs.String() != "detail of cognito-dev" {
		t.Fatalf("the presenter published %s, want the detail of cognito-dev", vs)
	}

	press(pres, "esc", "t")
	waitFor(t, pres, "items")
	press(pres, "enter")
	waitFor(t, pres, "200 OK")
	waitFor(t, viewer, "Test-call cognito-dev · items", "200 OK")

	press(pres, "esc", "D")
	waitFor(t, pres, "no failures")
	waitFor(t, viewer, "Doctor cognito-dev", "no failures")
	tok, err := e.st.CachedToken(e.ctx, "cognito-dev")
	if err != nil || tok == nil {
		t.Fatalf("no token: %v", err)
	}
	token := tok.AccessToken
	if strings.Contains(viewer.since(), token) || strings.Contains(pres.since(), token) {
		t.Fatal("a screen shows the whole token")
	}
}

func TestFollowerLooksAroundAndRejoins(t *testing.T) {
	e := newEnv(t, true)
	_, pres, viewer := startPair(t, e, 100, 30)
	selectProvider(t, pres, "cognito-dev")
	waitFor(t, viewer, "/ cognito-dev")

	// While it follows, the viewer's keys do not move it.
	press(viewer, "/")
	waitFor(t, viewer, "following alice@laptop: F or esc to look around")
	press(viewer, "F")
	waitFor(t, viewer, "looking around on your own")
	press(viewer, "ctrl+u") // a key of its own works again
	press(pres, "enter")
	waitFor(t, pres, "Tokens issued in")
	press(viewer, "/")
	waitFor(t, viewer, "keep filter")
	press(viewer, "esc")
	waitFor(t, viewer, "alice@laptop is presenting · 1 watching · F: follow")
	if strings.Contains(viewer.since(), "cognito-dev · cognito · sandbox") {
		t.Fatalf("a viewer looking around was moved by the presenter:\n%s", viewer.since())
	}

	press(viewer, "F")
	waitFor(t, viewer, "following alice@laptop", "cognito-dev · cognito · sandbox")

	viewer.Send(FollowMsg{})
	waitFor(t, viewer, "presenter left — your own view")
	press(viewer, "esc", "q")
	viewer.WaitFinished(t)
}

// TestFollowAtEverySize applies the presenter's detail to viewers from
// 1×1 past the clamp: no line is wider than the window (or the narrowest
// the dashboard draws), and a large one shows the detail.
func TestFollowAtEverySize(t *testing.T) {
	e := newEnv(t, true)
	p, pres, _ := startPair(t, e, 80, 24)
	selectProvider(t, pres, "auth0-prod")
	press(pres, "enter")
	waitFor(t, pres, "Tokens issued in")
	vs, ok := p.last()
	if !ok || vs.String() != "detail of auth0-prod" {
		t.Fatalf("published %v", vs)
	}
	for _, size := range [][2]int{{1, 1}, {20, 5}, {80, 24}, {160, 48}, {MaxWidth, MaxHeight}, {MaxWidth + 100, MaxHeight + 100}} {
		cfg := e.config()
		cfg.ReadOnly = true
		cfg.Follow = pipeEnd{p: &pipe{}}
		m := e.loaded(cfg, size[0], size[1])
		m.update(FollowMsg{Presenter: "alice@laptop", Watching: 3, State: &vs})
		view := m.View()
		if size[0] >= 80 && (!strings.Contains(view, "auth0-prod · auth0 · sandbox") || !strings.Contains(view, "following alice@laptop")) {
			t.Fatalf("at %dx%d the viewer does not show the presenter's detail:\n%s", size[0], size[1], view)
		}
		lines := strings.Split(view, "\n")
		if len(lines) > max(min(size[1], MaxHeight), minHeight) {
			t.Fatalf("at %dx%d the view has %d lines", size[0], size[1], len(lines))
		}
		for i, line := range lines {
			if w := ansi.StringWidth(line); w > max(min(size[0], MaxWidth), minWidth) {
				t.Fatalf("at %dx%d line %d is %d cells wide", size[0], size[1], i, w)
			}
		}
	}
}
