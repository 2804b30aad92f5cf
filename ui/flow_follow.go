package ui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Follow mode (tokentop serve): one dashboard presents, the others follow.
// F in a dashboard that may present starts and stops presenting; while it
// presents, every change of what it shows is published (Update hands the
// link the new ViewState: a non-blocking handoff, no I/O). A follower
// applies the presenter's state to its own rows and views; while it
// follows, its keys do not move it (F or esc leaves, to look around on its
// own; F again rejoins, at the presenter's current view). When the
// presenter leaves, followers keep what they show as their own view and
// the status line says so.

// FollowLink connects a dashboard to a follow hub (tokentop serve's). The
// dashboard calls it from Update: every method returns at once.
type FollowLink interface {
	// CanPresent reports whether this dashboard may present.
	CanPresent() bool
	// Present makes this dashboard the presenter (on), when nobody
	// presents, or stops it presenting; the hub answers with a FollowMsg.
	Present(on bool)
	// Publish hands the hub the presenter's view; from a dashboard that
	// does not present it is ignored.
	Publish(ViewState)
	// Watch says whether this dashboard follows the presenter (it is
	// counted as watching).
	Watch(on bool)
}

// FollowMsg is the follow hub's news for one dashboard: who presents (""
// for nobody; a name the hub made safe), how many follow, whether this
// dashboard presents, and the presenter's view when there is one.
type FollowMsg struct {
	Presenter string
	Watching  int
	You       bool
	State     *ViewState
}

// followState is what a dashboard knows of follow mode.
type followState struct {
	presenter string
	watching  int
	you       bool
	following bool // the user's choice: follow whoever presents (the default)
	left      bool // the presenter left; nobody presents since

	last    *ViewState // the presenter's latest
	pending bool       // last waits for the rows to load

	published *ViewState // what this presenter published last
}

// mirroring reports whether the screen shows the presenter's view now.
func (m *Model) mirroring() bool {
	s := &m.st8.follow
	return m.cfg.Follow != nil && s.following && s.presenter != "" && !s.you
}

// typing reports whether the focused component takes typed text.
func (m *Model) typing() bool {
	return m.focus == focusFilter || m.focus == focusForm || m.focus == focusPalette
}

// onFollowKey takes the keys of follow mode; ok is false for a key it
// leaves to the focused component.
func (m *Model) onFollowKey(msg tea.KeyMsg) (cmd tea.Cmd, ok bool) {
	link, s := m.cfg.Follow, &m.st8.follow
	if link == nil {
		return nil, false
	}
	if m.mirroring() {
		switch {
		case key.Matches(msg, m.keys.Follow), msg.Type == tea.KeyEsc:
			s.following = false
			link.Watch(false)
			return m.setStatus(statusInfo, "looking around on your own · "+m.keys.Follow.Help().Key+": follow "+s.presenter+" again", ""), true
		case msg.String() == "q":
			return m.quit(), true
		}
		return m.setStatus(statusInfo, fmt.Sprintf("following %s: %s or esc to look around on your own", s.presenter, m.keys.Follow.Help().Key), ""), true
	}
	if m.typing() || !key.Matches(msg, m.keys.Follow) {
		return nil, false
	}
	switch {
	case s.you:
		link.Present(false)
		return m.setStatus(statusInfo, "you stopped presenting", ""), true
	case s.presenter != "":
		s.following = true
		link.Watch(true)
		return m.applyLast(), true
	case link.CanPresent():
		link.Present(true)
		return m.setStatus(statusInfo, "presenting: every follower sees what you see", ""), true
	}
	return m.setStatus(statusInfo, "nobody is presenting", ""), true
}

// onFollow takes the hub's news: who presents, how many watch, and the
// presenter's view, applied while this dashboard follows.
func (m *Model) onFollow(msg FollowMsg) tea.Cmd {
	s := &m.st8.follow
	was := s.presenter
	if !s.you && msg.You {
		s.published = nil // publish at once
	}
	s.presenter, s.watching, s.you = clean(msg.Presenter), msg.Watching, msg.You
	s.last = msg.State
	if s.you || s.presenter == "" {
		s.last, s.pending = nil, false
	}
	var note tea.Cmd
	switch {
	case was != "" && s.presenter == "":
		s.left = true
		note = m.setStatus(statusWarn, "presenter left — your own view", "")
	case s.presenter != "":
		s.left = false
	}
	if !m.mirroring() {
		return note
	}
	return tea.Batch(note, m.applyLast())
}

// applyLast shows the presenter's latest view, once the rows are loaded.
func (m *Model) applyLast() tea.Cmd {
	s := &m.st8.follow
	if !m.mirroring() || s.last == nil {
		return nil
	}
	if !m.rows.Loaded() {
		s.pending = true
		return nil
	}
	s.pending = false
	return m.applyView(*s.last)
}

// applyView makes this dashboard show vs: the same order, filter,
// selection and view, at this dashboard's own size.
func (m *Model) applyView(vs ViewState) tea.Cmd {
	if m.rows.Sort() != vs.sort {
		m.rows.SetSort(vs.sort)
	}
	if m.rows.Filter() != vs.filter {
		m.rows.SetFilter(vs.filter)
		m.filter.Set(vs.filter)
	}
	if vs.provider != "" {
		m.table.Select(vs.provider)
	}
	m.detailOpen = vs.view == sharedDetail && m.table.Selected() != ""
	m.setFocus(focusTable)
	m.layout()
	var cmds []tea.Cmd
	switch {
	case vs.view == sharedCall && vs.call != nil:
		m.result.apply(vs.call)
		m.result.vp.SetYOffset(vs.scroll)
		m.setFocus(focusResult)
		if vs.call.loading {
			cmds = append(cmds, m.startSpinner())
		}
	case vs.view == sharedDoctor && vs.doctor != nil:
		m.doctor.apply(vs.doctor)
		m.doctor.vp.SetYOffset(vs.scroll)
		m.setFocus(focusDoctor)
		if vs.doctor.running {
			cmds = append(cmds, m.startSpinner())
		}
	default:
		m.setFocus(m.home())
		cmds = append(cmds, m.syncDetail(false))
		m.detail.vp.SetYOffset(vs.scroll)
	}
	return tea.Batch(cmds...)
}

// publish hands the link this presenter's view when it changed.
func (m *Model) publish() {
	s := &m.st8.follow
	if m.cfg.Follow == nil || !s.you {
		return
	}
	vs := m.viewState()
	if s.published != nil && *s.published == vs {
		return
	}
	s.published = &vs
	m.cfg.Follow.Publish(vs)
}

// followNote is follow mode's part of the status line.
func (m Model) followNote() string {
	s, k := &m.st8.follow, m.keys.Follow.Help().Key
	switch {
	case m.cfg.Follow == nil:
		return ""
	case s.you:
		return fmt.Sprintf("presenting · %d watching · %s: stop", s.watching, k)
	case s.presenter != "" && s.following:
		return fmt.Sprintf("following %s · %d watching · %s/esc: look around", s.presenter, s.watching, k)
	case s.presenter != "":
		return fmt.Sprintf("%s is presenting · %d watching · %s: follow", s.presenter, s.watching, k)
	case s.left:
		return "presenter left — your own view"
	case m.cfg.Follow.CanPresent():
		return k + ": present"
	}
	return ""
}
