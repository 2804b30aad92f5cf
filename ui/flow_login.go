package ui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// The login: l on a user-grant row logs its user in through the store's
// login API (store.Login), in a command of its own that reports each step
// (the URL to open, the device prompt) to the login overlay and then the
// end. One login at a time; esc cancels its context, which closes the
// loopback listener or stops the polling.

// loginIntent asks for a login of name; loginCancelIntent gives the one
// under way up.
type loginIntent struct{ name string }
type loginCancelIntent struct{}

// loginRefreshIntent is the refresh token typed in the overlay for a
// provider of grant refresh_token: the login is its first use.
type loginRefreshIntent struct{ name, token string }

func (loginIntent) isIntent()        {}
func (loginCancelIntent) isIntent()  {}
func (loginRefreshIntent) isIntent() {}

// loginStepMsg is a step of a login under way: the authorization URL
// (link) and how it was opened (note), or the device part (device.go).
type loginStepMsg struct {
	name string
	seq  uint64
	link string
	note string
	dev  deviceStep
	next <-chan tea.Msg
}

// loginDoneMsg ends a login.
type loginDoneMsg struct {
	name string
	seq  uint64
	// tok is the new session's token without any of its secrets.
	tok         *providers.Token
	refreshable bool
	warn        []string
	err         error
}

func (m loginStepMsg) tag() reqTag { return reqTag{kind: reqLogin, name: m.name, seq: m.seq} }
func (m loginDoneMsg) tag() reqTag { return reqTag{kind: reqLogin, name: m.name, seq: m.seq} }

// loginFlow is the login under way: its provider and how to cancel it.
type loginFlow struct {
	name   string
	cancel context.CancelFunc
}

// loginBuffer holds a login's steps, so its goroutine never blocks on a
// dashboard that stopped listening.
const loginBuffer = 16

// startLogin starts the login of name, or says why there is none to start.
func (m *Model) startLogin(name string) tea.Cmd {
	if m.cfg.ReadOnly {
		// A login saves a session: refused here too, however the
		// intent came (the key and the palette's entry are off).
		return m.setStatus(statusWarn, m.lockedStatus("log in"), "")
	}
	r, ok := m.rows.Row(name)
	if !ok {
		return nil
	}
	g := r.sum.Provider.Grant.Of()
	if why := m.noLogin(name, g); why != "" {
		return m.setStatus(statusWarn, why, "")
	}
	m.stopLogin()
	m.login.Start(name, g, m.now)
	m.setFocus(focusLogin)
	if g == providers.GrantRefreshToken {
		// It logs in with the refresh token the user was given: asked
		// for in the overlay, hidden as it is typed.
		return m.login.AskRefreshToken()
	}
	return m.runLogin(name, "")
}

// runLogin runs the login of name (with refreshToken for grant
// refresh_token) in a command of its own.
func (m *Model) runLogin(name, refreshToken string) tea.Cmd {
	if m.cfg.ReadOnly {
		return m.setStatus(statusWarn, m.lockedStatus("log in"), "")
	}
	tag := m.tags.next(reqLogin, name)
	ctx, cancel := context.WithCancel(m.ctx)
	m.st8.login = loginFlow{name: name, cancel: cancel}
	run := loginRun{store: m.store, tag: tag, open: m.cfg.OpenBrowser, demo: m.cfg.DemoFollow, refreshToken: refreshToken}
	return tea.Batch(run.start(ctx), m.startSpinner(), m.setStatus(statusInfo, "logging in to "+name+"…", ""))
}

// noLogin says why l does nothing for name of grant g ("" when it logs
// in): a grant without a login, or a browser login in an SSH session,
// whose browser would open on the server.
func (m *Model) noLogin(name string, g providers.Grant) string {
	switch {
	case !g.UserLogin():
		return fmt.Sprintf("%s (grant %s) has no login: r fetches its token", name, g)
	case g == providers.GrantAuthorizationCode && m.cfg.Remote:
		return fmt.Sprintf("%s logs in through a browser, which from an SSH session would open on the server: use a provider of grant device_code here, or run tokentop login %s on your own machine", name, name)
	}
	return ""
}

// stopLogin cancels the login under way, if any: its answers are stale
// from now on.
func (m *Model) stopLogin() string {
	l := m.st8.login
	if l.cancel == nil {
		return ""
	}
	l.cancel()
	m.tags.done(reqLogin, "")
	m.st8.login = loginFlow{}
	return l.name
}

// cancelLogin is esc in the login overlay.
func (m *Model) cancelLogin() tea.Cmd {
	name := m.stopLogin()
	if name == "" && m.focus == focusLogin {
		name = m.login.Showing() // asked for a refresh token, given none
	}
	m.setFocus(m.home())
	if name == "" {
		return nil
	}
	return m.setStatus(statusWarn, "login to "+name+" given up: tokentop stopped waiting and closed what it opened", "")
}

// onLoginStep shows a step in the overlay and waits for the next.
func (m *Model) onLoginStep(msg loginStepMsg) tea.Cmd {
	if msg.link != "" || msg.note != "" {
		m.login.SetLink(msg.link, msg.note)
	}
	m.onDeviceStep(msg.dev)
	return nextLoginMsg(msg.next)
}

// onLoginDone closes the overlay and says how the login ended.
func (m *Model) onLoginDone(msg loginDoneMsg) tea.Cmd {
	m.tags.done(reqLogin, "")
	m.st8.login = loginFlow{}
	if m.focus == focusLogin || (m.focus == focusHelp && m.helpFrom == focusLogin) {
		m.setFocus(m.home())
	}
	reload := m.reload()
	if msg.err != nil {
		return tea.Batch(reload, m.errStatus("log in to "+msg.name, msg.err))
	}
	return tea.Batch(reload, m.syncDetail(true), m.setStatus(statusOK, loggedIn(msg.name, msg.tok, msg.refreshable, m.now), ""))
}

// loggedIn says what a login brought, without any token.
func loggedIn(name string, t *providers.Token, refreshable bool, now time.Time) string {
	if t == nil {
		return "logged in to " + name
	}
	s := fmt.Sprintf("logged in to %s: access token valid for %s", name, countdown(t.ExpiresAt.Sub(now)))
	switch {
	case t.RefreshExpiresAt.After(now):
		s += ", refresh token for " + coarse(t.RefreshExpiresAt.Sub(now))
	case refreshable:
		s += ", refresh token kept"
	default:
		s += ", no refresh token: log in again when it expires"
	}
	return s
}

// loginRun is what a login's command captures: the store, the tag, and
// how to open a URL (the browser; in the demo, following it itself).
type loginRun struct {
	store *store.Store
	tag   reqTag
	open  func(string) error
	demo  func(string) error
	// refreshToken is the one typed for grant refresh_token.
	refreshToken string
}

// start runs the login in a goroutine and delivers its steps and its end.
func (r loginRun) start(ctx context.Context) tea.Cmd {
	ch := make(chan tea.Msg, loginBuffer)
	name, seq := r.tag.name, r.tag.seq
	step := func(msg loginStepMsg) {
		// Its fields are unexported, which safetext.Value copies as
		// they are: each string is sanitised here (the device part
		// where it is made).
		msg.name, msg.seq, msg.next = name, seq, ch
		msg.link, msg.note = safetext.Line(msg.link), safetext.Line(msg.note)
		select {
		case ch <- msg:
		default: // more steps than the buffer holds: the end still comes
		}
	}
	go func() {
		defer close(ch)
		o := providers.LoginOptions{
			Show:         func(link string) { step(loginStepMsg{link: link}) },
			Open:         r.opener(step),
			RefreshToken: r.refreshToken,
		}
		r.device(&o, step)
		res, err := r.store.Login(ctx, name, o)
		done := loginDoneMsg{name: name, seq: seq, err: err}
		if err == nil && res != nil && res.Token != nil {
			t := *res.Token
			t.AccessToken, t.RefreshToken, t.IDToken = "", "", ""
			done.refreshable = res.Token.RefreshToken != ""
			done.tok, done.warn = safetext.Value(&t), safetext.Value(res.Warnings)
		}
		select {
		case ch <- done:
		case <-ctx.Done():
		}
	}()
	return nextLoginMsg(ch)
}

// opener opens a login's URL: in the browser when there is one; in the
// demo, failing that, by following it itself (the sandbox's login page
// approves at once), which the overlay labels as such.
func (r loginRun) opener(step func(loginStepMsg)) func(string) error {
	if r.open == nil && r.demo == nil {
		return nil
	}
	return func(link string) error {
		if r.open != nil {
			if err := r.open(link); err == nil {
				step(loginStepMsg{note: "The login page is open in your browser. If it is not, open this URL:"})
				return nil
			}
		}
		if r.demo == nil {
			return fmt.Errorf("no browser opened")
		}
		step(loginStepMsg{note: "Demo auto-approve (tokentop demo only): no browser opened, so tokentop followed the sandbox's login page itself, which approves at once. The URL:"})
		return r.demo(link)
	}
}

// nextLoginMsg waits for a login's next message.
func nextLoginMsg(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}
