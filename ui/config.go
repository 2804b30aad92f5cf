package ui

import (
	"context"
	"io"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/theme"
	"github.com/tokentop/tokentop/ui/settings"
)

// Config is what a dashboard needs. Everything a session could differ in
// (styles, output, clock, clipboard) comes in here: nothing is global, so
// an SSH server can run one dashboard per session.
type Config struct {
	// Store is the open database.
	Store *store.Store
	// Styles are built for this session's renderer; nil means the default
	// theme on lipgloss's default renderer.
	Styles *theme.Styles
	// Renderer is the renderer Styles were built for; the add/edit form's
	// styles are rebound to it. nil means lipgloss's default.
	Renderer *lipgloss.Renderer
	// Now is the clock; nil means time.Now. Tests inject a fixed one.
	Now func() time.Time
	// Location shows local times; nil means time.Local.
	Location *time.Location
	// Output is where OSC52 copy sequences go: the program's output (an
	// SSH session passes its own).
	Output io.Writer
	// Tmux says the dashboard runs inside tmux (set when $TMUX is):
	// copies go to tmux's buffer with `tmux load-buffer -w`, which tmux
	// sends on to the terminal's clipboard; when that fails, a plain OSC52
	// sequence, which tmux takes with `set-clipboard on`.
	Tmux bool
	// SystemClipboard also copies to the local system clipboard (false
	// over SSH, where "local" is the server).
	SystemClipboard bool
	// ClipboardClear, when positive, clears the clipboard that long after
	// a token was copied.
	ClipboardClear time.Duration
	// ReadOnly disables add, edit, delete and both copies (the help stops
	// listing them; pressing one says why in the status line). Tokens show
	// masked, as always (prefix…suffix); refreshes and test-calls of the
	// saved endpoints stay (no custom URL: it would send the token anywhere).
	ReadOnly bool
	// ViewOnly turns off, besides what ReadOnly does, everything that
	// reaches the network: refresh, refresh all, test-calls, auto-refresh
	// and the doctor (an open SSH server over a real database).
	ViewOnly bool
	// Demo marks the header: the database is a throwaway one.
	Demo bool
	// AutoRefresh is the auto-refresh default for every provider (x
	// toggles one).
	AutoRefresh bool
	// DBLabel replaces the database path in the header when set.
	DBLabel string
	// TokenCommand is how copied curl commands invoke tokentop ("tokentop"
	// when empty; "tokentop --db PATH" for a database given by flag).
	TokenCommand string
	// Client makes test-calls; nil means a new providers.Client on Now.
	Client *providers.Client
	// Context bounds every command; nil means context.Background. The
	// dashboard cancels its own child of it when it quits.
	Context context.Context
	// Settings are the config file's (key bindings, columns, env colours,
	// the default sort and filter); nil means the defaults. Check them
	// with CheckSettings first: New leaves out what is wrong.
	Settings *settings.File
	// State keeps the last filter and sort between runs; nil keeps
	// nothing (an SSH session: its users would share one).
	State *settings.StateFile
	// Mouse says the program reports the mouse (the help lists what it
	// does).
	Mouse bool
	// OpenBrowser opens a login's URL in a browser on this machine (l on
	// a row of grant authorization_code); nil opens none: the login
	// overlay shows the URL to open by hand.
	OpenBrowser func(url string) error
	// DemoFollow, set by tokentop demo only, follows a login's URL itself
	// when no browser opened (the sandbox's login page approves at once);
	// the overlay labels it "demo auto-approve".
	DemoFollow func(url string) error
	// Remote says the user sits elsewhere (an SSH session): a login that
	// would open a browser here is refused; the device code login works.
	Remote bool
	// Follow links the dashboard to a follow hub (tokentop serve): F
	// presents or follows, and the hub's FollowMsgs say who presents and
	// what they show. nil: no follow mode.
	Follow FollowLink
}
