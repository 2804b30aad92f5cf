package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store"
)

// loginOptions are what `tokentop login` is asked.
type loginOptions struct {
	name      string
	noBrowser bool
	timeout   time.Duration
	// refreshStdin reads a refresh token given by hand (grant
	// refresh_token) from stdin.
	refreshStdin bool
}

func (a *App) loginCommand() *cobra.Command {
	var o loginOptions
	cmd := &cobra.Command{
		Use:   "login NAME",
		Short: "Log in to a provider of a user grant (authorization code with PKCE, device code, or a refresh token)",
		Long: `Log a user in for a provider whose grant is authorization_code: tokentop
listens on 127.0.0.1 (redirect_port, or any free port), prints the login URL
and opens it in the browser when stderr is a terminal (--no-browser never
does), waits for the browser to come back, and exchanges the code (PKCE
S256) for the access token, the refresh token and, with the openid scope,
an ID token, which is verified. All of them are stored encrypted;
` + "`tokentop token NAME`" + ` then refreshes the session before it expires, once
across processes.

For grant device_code (RFC 8628, a login on another device: over SSH, on a
machine without a browser), tokentop prints a verification URL and a code (and
a QR code of them when the terminal is wide enough), then polls the token
endpoint at the server's interval until you approve or deny at that page, or
the code expires; Ctrl+C gives up. The tokens are stored and refreshed as
above.

For grant refresh_token, give the refresh token you were given on standard
input (--refresh-token-stdin): it is used at once and kept encrypted.

Run it again when ` + "`tokentop token`" + ` says "log in again".`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.name = argv[0]
			return a.runLogin(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.noBrowser, "no-browser", false, "print the login URL only; do not open a browser")
	cmd.Flags().BoolVar(&o.refreshStdin, "refresh-token-stdin", false, "grant refresh_token: read the refresh token you were given from standard input")
	cmd.Flags().DurationVar(&o.timeout, "timeout", providers.DefaultLoginTimeout, "how long to wait for the browser to come back (a device login waits as long as its code lives)")
	return cmd
}

// runLogin logs the user in and says what the session holds.
func (a *App) runLogin(ctx context.Context, o loginOptions) error {
	if o.timeout <= 0 {
		return usagef("--timeout %s: give how long to wait, e.g. --timeout 5m", o.timeout)
	}
	lo := providers.LoginOptions{
		Timeout: o.timeout,
		Show: func(link string) {
			fmt.Fprintf(a.errOut, "To log in to %s, open this URL in a browser:\n\n  %s\n\nWaiting up to %s for the login to finish…\n", o.name, link, o.timeout)
		},
		Open: a.browserOpener(o.noBrowser),
	}
	a.withDevicePrompt(&lo, o.name)
	if o.refreshStdin {
		var err error
		if lo.RefreshToken, err = a.readRefreshToken(); err != nil {
			return err
		}
	}
	return a.withStore(ctx, func(st *store.Store) error {
		res, err := st.Login(ctx, o.name, lo)
		if err != nil {
			return err
		}
		a.warn(res.Warnings)
		return a.printSession(o.name, res.Token)
	})
}

// printSession says what a login brought, without any token.
func (a *App) printSession(name string, tok *providers.Token) error {
	now := a.now()
	fmt.Fprintf(a.out, "logged in to %s: access token valid until %s (%s)\n", name,
		tok.ExpiresAt.Local().Format(time.DateTime), tok.ExpiresAt.Sub(now).Round(time.Second))
	switch {
	case tok.RefreshToken == "":
		fmt.Fprintf(a.out, "no refresh token: log in again when it expires\n")
	case tok.RefreshExpiresAt.IsZero():
		fmt.Fprintf(a.out, "refresh token kept (its expiry is not known)\n")
	default:
		fmt.Fprintf(a.out, "refresh token kept, valid until %s\n", tok.RefreshExpiresAt.Local().Format(time.DateTime))
	}
	if tok.IDToken != "" {
		if c, err := jwtclaims.Decode(tok.IDToken); err == nil {
			fmt.Fprintf(a.out, "ID token verified: sub %s, issuer %s\n", c.Subject, c.Issuer)
		}
	}
	return nil
}

// readRefreshToken reads a refresh token from stdin: its first line. At a
// terminal, where it would echo, it is refused.
func (a *App) readRefreshToken() (string, error) {
	if f, ok := a.Stdin.(*os.File); ok && term.IsTerminal(f.Fd()) {
		return "", usagef("--refresh-token-stdin reads a pipe or a file, not the terminal (which would show it): tokentop login NAME --refresh-token-stdin < FILE")
	}
	line, _ := bufio.NewReader(io.LimitReader(a.Stdin, 64<<10)).ReadString('\n')
	if line = strings.TrimSpace(line); line == "" {
		return "", usagef("--refresh-token-stdin: the first line of standard input is empty")
	}
	return line, nil
}

// browserOpener is how a login opens the browser: the App's opener, only
// when the user did not say --no-browser and stderr (where the URL goes)
// is a terminal; nil opens none.
func (a *App) browserOpener(noBrowser bool) func(string) error {
	if noBrowser || a.OpenBrowser == nil {
		return nil
	}
	if f, ok := a.Stderr.(*os.File); !ok || !term.IsTerminal(f.Fd()) {
		return nil
	}
	return a.OpenBrowser
}

// handOutRefreshTokens says, for each sandbox client of grant
// refresh_token, a refresh token to log in with (fake, as the sandbox's
// secrets are), as a real server's console would hand one out.
func (a *App) handOutRefreshTokens(srv *sandbox.Server) {
	for _, c := range srv.Clients() {
		if c.Style != sandbox.StyleUser || c.Grant != string(providers.GrantRefreshToken) {
			continue
		}
		if rt, err := srv.IssueRefreshToken(c.ClientID); err == nil {
			fmt.Fprintf(a.errOut, "a refresh token for %s (fake): echo %s | tokentop login %s --refresh-token-stdin\n", c.Name, rt, c.Name)
		}
	}
}
