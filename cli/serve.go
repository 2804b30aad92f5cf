package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/charmbracelet/log"
	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/sshd"
	"github.com/tokentop/tokentop/ui"
)

// serveOptions are what `tokentop serve` is asked.
type serveOptions struct {
	dash           dashboardFlags
	listen         string
	authorizedKeys string
	adminKeys      string
	hostKey        string
	demo           bool
	follow         bool
	sandbox        bool
	maxSessions    int
	idleTimeout    time.Duration
	openOpts       serveOpenOptions
	presentOpts    servePresentOptions
}

func (a *App) serveCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the dashboard over SSH (public keys only)",
		Long: `Run an SSH server that gives the dashboard to every allowed key:
ssh -p 23234 HOST. Each session has its own terminal size, colours and
clipboard (copies go to the client's terminal with OSC52); all share this
database, so a token asked for in two sessions is fetched once.

Keys: only public-key authentication, from --authorized-keys (default:
authorized_keys beside the database if it exists, else ~/.ssh/authorized_keys).
The host key (ed25519) is made once and kept beside the database; its
fingerprint is printed at start.

--demo makes every session read-only: no add, edit, delete or copy, tokens
masked (refreshes and test-calls of saved endpoints still work; no
custom URL, which would get the token). Give a key full access with
the option tokentop-admin at the start of its line in tokentop's own
authorized_keys, or list it in --admin-keys. --sandbox serves the embedded
sandbox over a throwaway database, as tokentop demo does:

  tokentop serve --sandbox --demo      # then, from another terminal:
  ssh -p 23234 127.0.0.1

--open lets in any public key (no password), every session read-only with
tokens masked, for a talk's audience: only over the sandbox
(tokentop serve --sandbox --open --follow --listen 0.0.0.0:23234). It prints
the one line to share and a QR code of it. Over a real database it needs
--open-my-real-database-to-anyone, and its sessions are then view-only too:
no refresh, test-call, auto-refresh or doctor, so no viewer spends a token.
With --open, only the keys listed in --admin-keys get full access (and
may present); over a real database that is full access to it, so list
only your own.
Limits (on with --open): --per-address-rate new connections a minute from one
address after --per-address-burst at once, --per-address connections and
sessions held by one address, --max-sessions (100 with --open),
--handshake-timeout, --idle-timeout; a viewer whose link is slow has frames
dropped, never buffered.

The server's dashboard config file (--config, or the default one) applies
to every session: its theme, keys, columns, env colours, sort and filter.
Sessions keep no filter or sort between runs (their users would share one).

--follow is for an audience: every session shows what the presenter
shows (the table, a detail, a test-call, the doctor), drawn at its own
size and masked as its own. A follower presses F or esc to look around
on its own and F to follow again. Run at a terminal, --follow shows your
own dashboard right here and it presents (--present; --present=false
leaves the terminal to the log): the banner first, then enter opens the
dashboard, and quitting it stops the server. Meanwhile the log goes to
--log (default: ` + serveLogName + ` beside the host key). Without a
terminal, the first session with full access (under --demo or --open,
an admin key) presents. Without --follow, F in a session with full
access starts presenting.

Listens on loopback unless --listen says otherwise. Stop with ctrl+c (or
SIGTERM): every session is told and closed.`,
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runServe(cmd.Context(), o) },
	}
	fl := cmd.Flags()
	o.dash.register(fl)
	fl.StringVar(&o.listen, "listen", sshd.DefaultAddr, "address to listen on; one beyond loopback lets other machines in")
	fl.StringVar(&o.authorizedKeys, "authorized-keys", "", "authorized_keys file of the keys let in (default: authorized_keys beside the database, else ~/.ssh/authorized_keys)")
	fl.StringVar(&o.adminKeys, "admin-keys", "", "a second authorized_keys file whose keys get full access under --demo or --open")
	fl.StringVar(&o.hostKey, "host-key", "", "the SSH host key file, made when missing (default: "+sshd.HostKeyFileName+" beside the database)")
	fl.BoolVar(&o.demo, "demo", false, "read-only sessions (no add, edit, delete or copy; tokens masked) except for admin keys")
	fl.BoolVar(&o.follow, "follow", false, "follow mode: every session follows the presenter's view (F leaves and rejoins); at a terminal, your own dashboard here presents")
	fl.BoolVar(&o.sandbox, "sandbox", false, "serve the embedded sandbox over a throwaway database instead of --db")
	fl.IntVar(&o.maxSessions, "max-sessions", sshd.DefaultMaxSessions, fmt.Sprintf("most sessions at once (%d with --open)", sshd.DefaultOpenMaxSessions))
	fl.DurationVar(&o.idleTimeout, "idle-timeout", sshd.DefaultIdleTimeout, "close a session after this long without a key pressed (0: never)")
	o.openOpts.register(fl)
	o.presentOpts.register(fl)
	return cmd
}

// servePlan is what serve's options resolve to before anything starts.
type servePlan struct {
	set        dashSetup
	host       string // of --listen
	authorized string // the authorized_keys file
	hostKey    string // the host key file
}

// runServe runs the SSH server until ctx ends (ctrl+c or SIGTERM).
func (a *App) runServe(ctx context.Context, o serveOptions) error {
	plan, err := a.planServe(o)
	if err != nil {
		return err
	}
	present, err := a.presentsHere(o)
	if err != nil {
		return err
	}
	var logw *cappedWriter
	logOut := a.errOut
	if present {
		if logw, err = openServeLog(o.serveLogPath(plan)); err != nil {
			return err
		}
		defer logw.Close()
		logOut = logw
	}
	dash, closeDash, err := a.serveDashboard(ctx, o, plan.set)
	if err != nil {
		return err
	}
	defer closeDash()
	logger := log.NewWithOptions(logOut, log.Options{ReportTimestamp: true, TimeFormat: time.DateTime, Prefix: "serve"})
	srv, err := sshd.New(sshd.Options{
		HostKeyPath:    plan.hostKey,
		AuthorizedKeys: plan.authorized,
		AdminKeys:      o.adminKeys,
		Demo:           o.demo || o.openOpts.open,
		Open:           o.openOpts.open,
		Follow:         o.follow,
		ViewOnly:       o.openOpts.open && !o.sandbox,
		MaxSessions:    o.openOpts.maxSessions(o.maxSessions),
		Limits:         o.openOpts.limits(),
		IdleTimeout:    o.idleTimeout,
		Palette:        plan.set.pal,
		Mouse:          plan.set.mouse,
		Dashboard:      dash,
		Logger:         logger,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.listen)
	if err != nil {
		return fmt.Errorf("serve: cannot listen on %s: %w", o.listen, err)
	}
	a.printServeBanner(o, plan, srv, ln.Addr().(*net.TCPAddr), dash.Store.Path())
	if present {
		return a.presentAndServe(ctx, srv, ln, dash, plan.set, o, logw)
	}
	return srv.Serve(ctx, ln)
}

// planServe checks the options and finds the files: the authorized keys
// and the host key beside the database unless given.
func (a *App) planServe(o serveOptions) (servePlan, error) {
	var plan servePlan
	set, err := o.dash.setup(a)
	if err != nil {
		return plan, err
	}
	if o.maxSessions < 1 {
		return plan, usagef("--max-sessions must be at least 1")
	}
	if o.idleTimeout < 0 {
		return plan, usagef("--idle-timeout must not be negative")
	}
	if err := o.openOpts.check(o.sandbox); err != nil {
		return plan, err
	}
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return plan, usagef("--listen %q: want HOST:PORT, for example 127.0.0.1:23234", o.listen)
	}
	dbPath, err := a.DBPath()
	if err != nil {
		return plan, err
	}
	dataDir := filepath.Dir(dbPath)
	authorized := "" // an open server lets in any key
	if !o.openOpts.open {
		if authorized, err = a.authorizedKeysFile(o.authorizedKeys, dataDir); err != nil {
			return plan, err
		}
	}
	hostKey := o.hostKey
	if hostKey == "" {
		hostKey = filepath.Join(dataDir, sshd.HostKeyFileName)
	}
	return servePlan{set: set, host: host, authorized: authorized, hostKey: hostKey}, nil
}

// serveDashboard is the sessions' dashboard over the database, or over the
// sandbox's throwaway one with --sandbox; close releases it.
func (a *App) serveDashboard(ctx context.Context, o serveOptions, set dashSetup) (ui.Config, func(), error) {
	dash := ui.Config{
		Now:            a.Now,
		AutoRefresh:    set.autoRefresh && !(o.openOpts.open && !o.sandbox), // a view-only server fetches nothing
		Settings:       set.file,                                            // the server's config, for every session
		Mouse:          set.mouse,
		ClipboardClear: o.dash.clipboardClear,
		Client:         a.client(),
	}
	closeDash := func() {}
	if o.sandbox {
		d, err := a.startDemo(ctx)
		if err != nil {
			return dash, nil, err
		}
		dash.Store, dash.DBLabel, dash.Demo = d.st, d.label, true
		closeDash = d.close
	} else {
		st, err := a.CreateStore(ctx)
		if err != nil {
			return dash, nil, err
		}
		dash.Store = st
		closeDash = func() { st.Close() }
	}
	dash.TokenCommand = "tokentop --db " + shQuote(dash.Store.Path())
	return dash, closeDash, nil
}

// printServeBanner says on stderr where the server listens, with which
// keys and database, and how to connect.
func (a *App) printServeBanner(o serveOptions, plan servePlan, srv *sshd.Server, addr *net.TCPAddr, dbPath string) {
	made := "kept in"
	if srv.HostKeyCreated() {
		made = "made now, kept in"
	}
	fmt.Fprintf(a.errOut, "tokentop serve: listening on %s\n", addr)
	fmt.Fprintf(a.errOut, "  host key  %s (%s %s)\n", srv.Fingerprint(), made, plan.hostKey)
	switch {
	case o.openOpts.open && o.adminKeys != "":
		fmt.Fprintf(a.errOut, "  keys      any public key (--open): read-only, tokens masked · full access for the admin keys %s\n", o.adminKeys)
	case o.openOpts.open:
		fmt.Fprintln(a.errOut, "  keys      any public key (--open): every session read-only, tokens masked")
	default:
		fmt.Fprintf(a.errOut, "  keys      %s", plan.authorized)
		if o.adminKeys != "" {
			fmt.Fprintf(a.errOut, " · admin keys %s", o.adminKeys)
		}
		fmt.Fprintln(a.errOut)
	}
	fmt.Fprintf(a.errOut, "  database  %s\n", dbPath)
	if path := plan.set.file.Path(); plan.set.file.Loaded() {
		fmt.Fprintf(a.errOut, "  config    %s (this server's: it applies to every session)\n", path)
	}
	switch {
	case o.openOpts.open && !o.sandbox:
		fmt.Fprint(a.errOut, "  open      YOUR REAL DATABASE, view-only: no refresh, test-call or doctor; tokens masked")
		if o.adminKeys != "" {
			fmt.Fprint(a.errOut, " (the admin keys: full access)")
		}
		fmt.Fprintln(a.errOut)
	case o.demo && !o.openOpts.open:
		fmt.Fprintln(a.errOut, "  demo      read-only sessions, except for admin keys")
	}
	if l := o.openOpts.limits(); l.PerAddress > 0 || l.RatePerMinute > 0 {
		fmt.Fprintf(a.errOut, "  limits    %d sessions · per address %d at once, %d then %g a minute · handshake %s · idle %s\n",
			o.openOpts.maxSessions(o.maxSessions), l.PerAddress, l.Burst, l.RatePerMinute, l.HandshakeTimeout, o.idleTimeout)
	}
	a.printShare(addr, srv.Fingerprint(), o.openOpts.open)
	if !providers.IsLoopback(plan.host) {
		who := "anyone who can reach it with an allowed key gets the dashboard"
		if o.openOpts.open {
			who = "anyone who can reach it gets the dashboard, read-only"
		}
		fmt.Fprintf(a.errOut, "warning: %s is reachable beyond this machine: %s\n", o.listen, who)
	}
}

// authorizedKeysFile is --authorized-keys, else authorized_keys in the data
// directory when it exists, else ~/.ssh/authorized_keys when it exists.
func (a *App) authorizedKeysFile(flag, dataDir string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	own := filepath.Join(dataDir, "authorized_keys")
	candidates := []string{own}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		candidates = append(candidates, filepath.Join(home, ".ssh", "authorized_keys"))
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("serve: cannot read %s: %w", c, err)
		}
	}
	return "", fmt.Errorf("serve: no authorized_keys file: tokentop serve lets in only the public keys listed in one; create one with `mkdir -p %s && cat ~/.ssh/id_ed25519.pub >> %s`, or pass --authorized-keys FILE", shQuote(dataDir), shQuote(own))
}
