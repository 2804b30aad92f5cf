package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/charmbracelet/log"
	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/sshd"
	"github.com/tokentop/tokentop/ui"
)

// serveFlags are tokentop serve's flags.
type serveFlags struct {
	dash           dashboardFlags
	listen         string
	authorizedKeys string
	adminKeys      string
	hostKey        string
	demo           bool
	sandbox        bool
	maxSessions    int
	idleTimeout    time.Duration
}

func (a *App) serveCommand() *cobra.Command {
	var f serveFlags
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

Listens on loopback unless --listen says otherwise. Stop with ctrl+c (or
SIGTERM): every session is told and closed.`,
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error { return a.serve(cmd, &f) },
	}
	fl := cmd.Flags()
	f.dash.register(fl)
	fl.StringVar(&f.listen, "listen", sshd.DefaultAddr, "address to listen on; one beyond loopback lets other machines in")
	fl.StringVar(&f.authorizedKeys, "authorized-keys", "", "authorized_keys file of the keys let in (default: authorized_keys beside the database, else ~/.ssh/authorized_keys)")
	fl.StringVar(&f.adminKeys, "admin-keys", "", "a second authorized_keys file whose keys get full access under --demo")
	fl.StringVar(&f.hostKey, "host-key", "", "the SSH host key file, made when missing (default: "+sshd.HostKeyFileName+" beside the database)")
	fl.BoolVar(&f.demo, "demo", false, "read-only sessions (no add, edit, delete or copy; tokens masked) except for admin keys")
	fl.BoolVar(&f.sandbox, "sandbox", false, "serve the embedded sandbox over a throwaway database instead of --db")
	fl.IntVar(&f.maxSessions, "max-sessions", sshd.DefaultMaxSessions, "most sessions at once")
	fl.DurationVar(&f.idleTimeout, "idle-timeout", sshd.DefaultIdleTimeout, "close a session after this long without a key pressed (0: never)")
	return cmd
}

// serve runs the SSH server until the command's context ends (ctrl+c or
// SIGTERM).
func (a *App) serve(cmd *cobra.Command, f *serveFlags) error {
	pal, err := f.dash.palette()
	if err != nil {
		return err
	}
	if f.maxSessions < 1 {
		return usagef("--max-sessions must be at least 1")
	}
	if f.idleTimeout < 0 {
		return usagef("--idle-timeout must not be negative")
	}
	host, _, err := net.SplitHostPort(f.listen)
	if err != nil {
		return usagef("--listen %q: want HOST:PORT, for example 127.0.0.1:23234", f.listen)
	}
	dbPath, err := a.DBPath()
	if err != nil {
		return err
	}
	dataDir := filepath.Dir(dbPath)
	authorized, err := a.authorizedKeysFile(f.authorizedKeys, dataDir)
	if err != nil {
		return err
	}
	hostKey := f.hostKey
	if hostKey == "" {
		hostKey = filepath.Join(dataDir, sshd.HostKeyFileName)
	}

	ctx := cmd.Context()
	dash := ui.Config{
		Now:            a.Now,
		AutoRefresh:    f.dash.autoRefresh,
		ClipboardClear: f.dash.clipboardClear,
		Client:         a.client(),
	}
	if f.sandbox {
		d, err := a.startDemo(ctx)
		if err != nil {
			return err
		}
		defer d.close()
		dash.Store, dash.DBLabel, dash.Demo = d.st, d.label, true
	} else {
		st, err := a.OpenStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		dash.Store = st
	}
	dash.TokenCommand = "tokentop --db " + shQuote(dash.Store.Path())

	logger := log.NewWithOptions(a.errOut, log.Options{ReportTimestamp: true, TimeFormat: time.DateTime, Prefix: "serve"})
	srv, err := sshd.New(sshd.Options{
		HostKeyPath:    hostKey,
		AuthorizedKeys: authorized,
		AdminKeys:      f.adminKeys,
		Demo:           f.demo,
		MaxSessions:    f.maxSessions,
		IdleTimeout:    f.idleTimeout,
		Palette:        pal,
		Dashboard:      dash,
		Logger:         logger,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", f.listen)
	if err != nil {
		return fmt.Errorf("serve: cannot listen on %s: %w", f.listen, err)
	}

	made := "kept in"
	if srv.HostKeyCreated() {
		made = "made now, kept in"
	}
	addr := ln.Addr().(*net.TCPAddr)
	fmt.Fprintf(a.errOut, "tokentop serve: listening on %s\n", addr)
	fmt.Fprintf(a.errOut, "  host key  %s (%s %s)\n", srv.Fingerprint(), made, hostKey)
	fmt.Fprintf(a.errOut, "  keys      %s", authorized)
	if f.adminKeys != "" {
		fmt.Fprintf(a.errOut, " · admin keys %s", f.adminKeys)
	}
	fmt.Fprintln(a.errOut)
	fmt.Fprintf(a.errOut, "  database  %s\n", dash.Store.Path())
	if f.demo {
		fmt.Fprintln(a.errOut, "  demo      read-only sessions, except for admin keys")
	}
	fmt.Fprintf(a.errOut, "  connect   %s\n", sshCommand(addr))
	if !providers.IsLoopback(host) {
		fmt.Fprintf(a.errOut, "warning: %s is reachable beyond this machine: anyone who can reach it with an allowed key gets the dashboard\n", f.listen)
	}
	return srv.Serve(ctx, ln)
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

// sshCommand is how to connect to addr with OpenSSH.
func sshCommand(addr *net.TCPAddr) string {
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "HOST"
	}
	if addr.Port == 22 {
		return "ssh " + host
	}
	return "ssh -p " + strconv.Itoa(addr.Port) + " " + host
}
