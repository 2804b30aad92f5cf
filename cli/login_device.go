package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// defaultPromptWidth is the width a device login's prompt is drawn for
// when the caller does not know the terminal's.
const defaultPromptWidth = 80

// deviceLoginOptions tune loginDevice.
type deviceLoginOptions struct {
	// Width is the terminal's width in cells, for the QR code (0: 80).
	Width int
	// Sleep replaces the wait between polls (tests move a fake clock).
	Sleep func(ctx context.Context, d time.Duration) error
}

// loginDevice logs the user in to the resolved provider p with the device
// authorization grant (RFC 8628): it starts the login, prints where to go
// and the code (and a QR code when it fits) on out, polls at the server's
// interval (noting a slow_down on errOut) until the user finishes, and
// saves the token, its refresh and ID tokens sealed, through st. out and
// errOut are sanitising writers (a.out, a.errOut). The login command
// dispatches here on grant: device_code.
func (a *App) loginDevice(ctx context.Context, st *store.Store, p providers.Provider, out, errOut io.Writer, o deviceLoginOptions) (*providers.Token, error) {
	c := a.client()
	da, err := c.StartDevice(ctx, p)
	if err != nil {
		return nil, loginFailed(ctx, st, p.Name, []providers.Exchange{da.Exchange}, err)
	}
	width := o.Width
	if width <= 0 {
		width = defaultPromptWidth
	}
	fmt.Fprintf(out, "Logging in to %s.\n\n%s\n", p.Name, providers.DevicePrompt(*da, width))
	fmt.Fprintf(errOut, "Waiting for you to finish (checking every %s; Ctrl+C gives up)…\n", da.Interval)
	res, err := c.PollDevice(ctx, p, da, providers.DevicePollOptions{
		Sleep: o.Sleep,
		OnAnswer: func(code string, interval time.Duration) {
			if code == "slow_down" {
				fmt.Fprintf(errOut, "The server asked tokentop to check less often: every %s now.\n", interval)
			}
		},
	})
	if err != nil {
		return nil, loginFailed(ctx, st, p.Name, res.Exchanges, err)
	}
	warnings, err := st.SaveLogin(ctx, p.Name, res.Token, res.Exchanges)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintf(errOut, "warning: %s\n", w)
	}
	fmt.Fprintf(out, "Logged in to %s: the token is valid until %s%s.\n", p.Name,
		res.Token.ExpiresAt.Local().Format("15:04:05 Mon 2 Jan"), refreshNote(res.Token))
	return res.Token, nil
}

// refreshNote says whether a refresh token came with the login.
func refreshNote(t *providers.Token) string {
	if t.RefreshToken != "" {
		return " (a refresh token came with it, stored encrypted)"
	}
	return ""
}

// loginFailed keeps the flight records of a login that failed (for
// `tokentop history`) and returns the login's error; a record that cannot
// be saved is not worth hiding that error for.
func loginFailed(ctx context.Context, st *store.Store, name string, exchanges []providers.Exchange, loginErr error) error {
	_ = st.RecordLoginFailure(context.WithoutCancel(ctx), name, exchanges, loginErr)
	return loginErr
}
