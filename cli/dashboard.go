package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/pflag"

	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/theme"
	"github.com/tokentop/tokentop/ui"
	"github.com/tokentop/tokentop/ui/settings"
)

// dashboardFlags are the flags of the dashboard (tokentop with no
// arguments, and tokentop demo).
type dashboardFlags struct {
	theme          string
	autoRefresh    bool
	clipboardClear time.Duration
	config         string
	noMouse        bool
	fs             *pflag.FlagSet // to tell a flag given from its default
}

func (f *dashboardFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.theme, "theme", theme.DefaultName, "dashboard colours: "+strings.Join(theme.Names(), ", ")+", or a palette file (NO_COLOR turns colour off)")
	fs.BoolVar(&f.autoRefresh, "auto-refresh", false, "auto-refresh every provider's token inside its refresh margin (x toggles one); pauses at 90% of a quota")
	fs.DurationVar(&f.clipboardClear, "clipboard-clear", 0, "clear the clipboard this long after copying a token, for example 30s (0: never)")
	f.registerConfig(fs)
}

// dashboardView is what differs between the dashboard and the demo.
type dashboardView struct {
	label        string
	demo         bool
	tokenCommand string
	state        *settings.StateFile // nil: keep no filter or sort
}

// rootOptions are what tokentop with no command (the dashboard) is asked.
type rootOptions struct {
	dash dashboardFlags
}

// runRoot is the dashboard over the database.
func (a *App) runRoot(ctx context.Context, o rootOptions) error {
	set, err := o.dash.setup(a)
	if err != nil {
		return err
	}
	if err := a.needTerminal(); err != nil {
		return err
	}
	return a.withNewStore(ctx, func(st *store.Store) error {
		tokenCmd := "tokentop"
		if a.dbPath != "" {
			tokenCmd += " --db " + shQuote(st.Path())
		}
		return a.runDashboard(ctx, st, set, &o.dash, dashboardView{tokenCommand: tokenCmd, state: a.stateFile()})
	})
}

// needTerminal refuses to draw a dashboard into a pipe.
func (a *App) needTerminal() error {
	in, okIn := a.Stdin.(*os.File)
	out, okOut := a.Stdout.(*os.File)
	if !okIn || !okOut || !term.IsTerminal(in.Fd()) || !term.IsTerminal(out.Fd()) {
		return errors.New("the dashboard needs a terminal; in scripts use `tokentop ls` or `tokentop token NAME`")
	}
	return nil
}

// runDashboard runs the Bubble Tea program on the App's streams until the
// user quits or ctx ends.
func (a *App) runDashboard(ctx context.Context, st *store.Store, set dashSetup, f *dashboardFlags, o dashboardView) error {
	p := tea.NewProgram(ui.New(a.dashboardConfig(ctx, st, set, f, o)), a.dashboardOptions(ctx, set.mouse)...)
	if _, err := p.Run(); err != nil && !(errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil) {
		return fmt.Errorf("dashboard: %w", err)
	}
	return nil
}

// dashboardConfig is the configuration of a dashboard on the App's
// terminal: the store, the styles for that terminal, its clipboard.
func (a *App) dashboardConfig(ctx context.Context, st *store.Store, set dashSetup, f *dashboardFlags, o dashboardView) ui.Config {
	// The renderer is built for this output: termenv reads NO_COLOR and
	// the terminal's colour support from it. Both queries run now, before
	// Bubble Tea owns the terminal's input. Lip Gloss's default renderer,
	// which the form's and the bubbles' own styles use, is told the
	// answer rather than asking again (see internal/earlyterm: nobody has
	// asked it before).
	r := lipgloss.NewRenderer(a.Stdout)
	r.ColorProfile()
	lipgloss.SetHasDarkBackground(r.HasDarkBackground())
	remote := a.env("SSH_CONNECTION") != "" || a.env("SSH_TTY") != ""
	return ui.Config{
		Store:           st,
		Styles:          theme.New(r, set.pal),
		Renderer:        r,
		Now:             a.Now,
		Output:          a.Stdout,
		Tmux:            a.env("TMUX") != "",
		SystemClipboard: !remote,
		ClipboardClear:  f.clipboardClear,
		AutoRefresh:     set.autoRefresh,
		DBLabel:         o.label,
		Demo:            o.demo,
		TokenCommand:    o.tokenCommand,
		Client:          a.client(),
		Context:         ctx,
		Settings:        set.file,
		State:           o.state,
		Mouse:           set.mouse,
		OpenBrowser:     a.dashboardBrowser(remote),
		DemoFollow:      demoFollower(o.demo),
	}
}

// dashboardOptions are the program options of a dashboard on the App's
// terminal.
func (a *App) dashboardOptions(ctx context.Context, mouse bool) []tea.ProgramOption {
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(a.Stdin), tea.WithOutput(a.Stdout)}
	if mouse {
		opts = append(opts, tea.WithMouseCellMotion())
	}
	return opts
}

// shQuote quotes s for a POSIX shell when it needs it.
func shQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
