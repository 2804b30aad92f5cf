package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store"
)

// The demo's user logins: the refresh_token provider starts logged in
// with a refresh token the sandbox hands out (as a server's console
// would); the authorization_code ones log in with l in the dashboard,
// through the browser, or, in the demo only and when no browser opened,
// by tokentop following the sandbox's login page itself ("demo
// auto-approve": the sandbox approves every login at once).

// demoRefreshLogin logs p in with a fresh refresh token when its grant is
// refresh_token; a failure shows in the dashboard as the row's error.
func demoRefreshLogin(ctx context.Context, st *store.Store, srv *sandbox.Server, p providers.Provider) {
	if p.Grant != providers.GrantRefreshToken {
		return
	}
	rt, err := srv.IssueRefreshToken(p.ClientID)
	if err != nil {
		return
	}
	_, _ = st.Login(ctx, p.Name, providers.LoginOptions{RefreshToken: rt})
}

// dashboardBrowser is how the dashboard opens a login's URL: the App's
// opener, but none in an SSH session (the browser would open on the far
// machine; the overlay shows the URL).
func (a *App) dashboardBrowser(remote bool) func(string) error {
	if remote {
		return nil
	}
	return a.OpenBrowser
}

// demoFollowTimeout bounds the demo's own visit to the login page.
const demoFollowTimeout = 30 * time.Second

// demoFollower is, in the demo only, the "demo auto-approve": a visit to
// the sandbox's login page on loopback, following its redirect back to
// tokentop's listener as a browser would. nil outside the demo.
func demoFollower(demo bool) func(string) error {
	if !demo {
		return nil
	}
	return func(link string) error {
		u, err := url.Parse(link)
		if err != nil || u.Scheme != "http" || !providers.IsLoopback(u.Hostname()) {
			return fmt.Errorf("demo auto-approve follows the sandbox's loopback login page only")
		}
		c := &http.Client{Timeout: demoFollowTimeout}
		resp, err := c.Get(link)
		if err != nil {
			return fmt.Errorf("demo auto-approve: %w", err)
		}
		return resp.Body.Close()
	}
}

// demoDeviceBehaviour is how the demo's device logins end: approved at
// their fourth poll, two seconds apart, so a new user sees the overlay
// (the code, the QR code) and then a token without a second device. The
// verification page approves at once as well.
func demoDeviceBehaviour() sandbox.DeviceBehaviour {
	return sandbox.DeviceBehaviour{ApproveAfter: 4, Interval: 2 * time.Second}
}
