package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/theme"
)

// DefaultLoginKeyMap returns the login overlay's keys: scrolling, and esc
// to give the login up.
func DefaultLoginKeyMap() ResultKeyMap {
	k := DefaultResultKeyMap()
	k.Again.SetEnabled(false)
	k.Back = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel the login"))
	return k
}

// loginView is the overlay of a login under way: for the authorization
// code, the URL the browser was sent to (and how it was opened); for the
// device code, where to go, the code and a QR code sized to the overlay.
// It only renders what the flow hands it.
type loginView struct {
	scrollPanel

	name  string
	grant providers.Grant
	link  string // the authorization URL, once known
	note  string // how the URL was opened
	spin  string
	now   time.Time

	// dev is the device login's part, once it started.
	dev deviceLogin

	// input takes a refresh token (grant refresh_token), hidden as it is
	// typed, while asking; its value is handed on at enter and cleared.
	input  textinput.Model
	asking bool
}

var _ Component = (*loginView)(nil)

func newLoginView(st *theme.Styles, keys ResultKeyMap) *loginView {
	return &loginView{scrollPanel: newScrollPanel(st, keys), input: newSecretInput()}
}

// newSecretInput is an input that shows a bullet per character typed.
func newSecretInput() textinput.Model {
	in := textinput.New()
	in.EchoMode, in.EchoCharacter = textinput.EchoPassword, '•'
	in.Prompt = "> "
	in.CharLimit = maxRefreshTokenInput
	return in
}

// maxRefreshTokenInput bounds the refresh token typed in the overlay.
const maxRefreshTokenInput = 8 << 10

// Start clears the overlay for a login to name by grant g.
func (v *loginView) Start(name string, g providers.Grant, now time.Time) {
	in := v.input
	in.Reset()
	in.Blur()
	*v = loginView{scrollPanel: v.scrollPanel, name: name, grant: g, now: now, input: in}
	v.vp.GotoTop()
	v.render()
}

// AskRefreshToken asks for the refresh token a grant refresh_token login
// starts from.
func (v *loginView) AskRefreshToken() tea.Cmd {
	v.asking = true
	v.input.Reset()
	cmd := v.input.Focus()
	v.render()
	return cmd
}

// Showing is the provider whose login the overlay shows.
func (v *loginView) Showing() string { return v.name }

// SetLink shows the authorization URL and how it was opened.
func (v *loginView) SetLink(link, note string) {
	if link != "" {
		v.link = link
	}
	if note != "" {
		v.note = note
	}
	v.render()
}

// SetNow moves the countdown of the device code's life.
func (v *loginView) SetNow(now time.Time) {
	v.now = now
	if v.dev.started() {
		v.render()
	}
}

// SetSpinner sets the frame shown while the login waits.
func (v *loginView) SetSpinner(frame string) {
	if v.spin != frame {
		v.spin = frame
		v.render()
	}
}

// SetSize implements Component.
func (v *loginView) SetSize(width, height int) {
	v.setSize(width, height)
	v.render()
}

// Update implements Component: esc gives the login up.
func (v *loginView) Update(msg tea.Msg) tea.Cmd {
	km, isKey := msg.(tea.KeyMsg)
	if isKey && key.Matches(km, v.keys.Back) {
		v.asking = false
		v.input.Reset()
		return v.bus.emit(loginCancelIntent{})
	}
	if v.asking {
		return v.ask(msg, km, isKey)
	}
	cmd, _ := v.handleKey(msg)
	return cmd
}

// ask is Update while the overlay asks for a refresh token: enter hands
// it on (and clears the input), anything else goes to the input.
func (v *loginView) ask(msg tea.Msg, km tea.KeyMsg, isKey bool) tea.Cmd {
	if isKey && km.Type == tea.KeyEnter {
		tok := strings.TrimSpace(v.input.Value())
		if tok == "" {
			return nil
		}
		v.asking = false
		v.input.Reset()
		v.input.Blur()
		v.render()
		return v.bus.emit(loginRefreshIntent{name: v.name, token: tok})
	}
	var cmd tea.Cmd
	v.input, cmd = v.input.Update(msg)
	v.render()
	return cmd
}

// View implements Component.
func (v *loginView) View() string {
	return v.frame("Log in to " + clean(v.name) + " · " + grantLabel(v.grant))
}

// grantLabel names a grant for a title.
func grantLabel(g providers.Grant) string {
	switch g.Of() {
	case providers.GrantAuthorizationCode:
		return "authorization code + PKCE"
	case providers.GrantDeviceCode:
		return "device code"
	}
	return string(g.Of())
}

func (v *loginView) render() {
	width := v.vp.Width
	var b strings.Builder
	switch {
	case v.asking:
		b.WriteString(v.st.Row.Render(wrapText("Paste the refresh token you were given for "+clean(v.name)+", then enter. It is not shown, and it is kept encrypted with the session.", width)))
		b.WriteString("\n\n" + v.input.View())
	case v.dev.started():
		b.WriteString(v.devicePrompt(width))
	case v.link != "":
		b.WriteString(v.st.Row.Render(wrapText(v.linkText(), width)))
	default:
		b.WriteString(v.st.Muted.Render(v.spin + " starting the login…"))
	}
	b.WriteString("\n\n")
	b.WriteString(v.st.Muted.Render(wrapText("esc gives the login up: tokentop stops waiting and closes what it opened.", width)))
	v.vp.SetContent(b.String())
}

// linkText is the authorization code's part: the URL and what waits.
func (v *loginView) linkText() string {
	note := v.note
	if note == "" {
		note = "Open this URL in a browser to log in:"
	}
	return fmt.Sprintf("%s\n\n%s\n\n%s waiting for the browser to come back to tokentop…", note, v.link, v.spin)
}
