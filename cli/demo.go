package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store"
)

// demoQuotaShare is how full the demo fills the one provider with a quota:
// close to the 90 % at which auto-refresh pauses.
const demoQuotaShare = 0.897

// demoOptions are what `tokentop demo` is asked.
type demoOptions struct {
	dash dashboardFlags
}

func (a *App) demoCommand() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Open the dashboard on the embedded sandbox, with a throwaway database",
		Long: `Start the embedded OAuth2 sandbox on 127.0.0.1 (a free port), fill a
throwaway database in a temporary directory with one provider per sandbox
style (Cognito, Basic-only, Auth0 with a monthly quota, ANTS, private_key_jwt
and tls_client_auth), one whose tokens live 90 seconds, one close to its
quota and one whose secret is wrong (invalid_client), and one of each user
grant (authorization code: l logs in through your browser; device code: l
shows the code and a QR code, approved by itself after a few polls; a refresh
token: logged in already) and an API key; fetch their first tokens and open
the dashboard. The
database and the sandbox are gone when you quit. Nothing touches your own
database.`,
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runDemo(cmd.Context(), o) },
	}
	o.dash.register(cmd.Flags())
	return cmd
}

// runDemo opens the dashboard on the sandbox and a throwaway database, both
// gone when it ends.
func (a *App) runDemo(ctx context.Context, o demoOptions) error {
	set, err := o.dash.setup(a)
	if err != nil {
		return err
	}
	if err := a.needTerminal(); err != nil {
		return err
	}
	d, err := a.startDemo(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	return a.runDashboard(ctx, d.st, set, &o.dash, dashboardView{
		label:        d.label,
		demo:         true,
		tokenCommand: "tokentop --db " + shQuote(d.st.Path()),
	})
}

// demoEnv is the embedded sandbox serving on loopback and a throwaway
// database filled from it.
type demoEnv struct {
	st    *store.Store
	label string
	close func()
}

// startDemo starts the sandbox on a free loopback port and seeds a new
// database in a temporary directory; close stops the one and removes the
// other.
func (a *App) startDemo(ctx context.Context) (*demoEnv, error) {
	dir, err := os.MkdirTemp("", "tokentop-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var stops []func(context.Context) error
	stopAll := func() {
		for _, stop := range slices.Backward(stops) {
			stopGracefully(stop)
		}
		os.RemoveAll(dir)
	}
	fail := func(err error) (*demoEnv, error) {
		stopAll()
		return nil, fmt.Errorf("demo: %w", err)
	}
	srv := sandbox.New(sandbox.Options{Now: a.Now})
	srv.SetDeviceBehaviour(demoDeviceBehaviour())
	// The private_key_jwt and tls_client_auth clients, their throwaway
	// key and certificate files in the demo's directory.
	if _, err := srv.AddKeyClients(filepath.Join(dir, "keys")); err != nil {
		return fail(err)
	}
	base, stop, err := srv.Start(ctx, "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	stops = append(stops, stop)
	_, stopTLS, err := srv.StartTLS(ctx, "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	stops = append(stops, stopTLS)
	st, err := a.seedDemo(ctx, srv, base, filepath.Join(dir, "demo.db"))
	if err != nil {
		stopAll()
		return nil, err
	}
	return &demoEnv{st: st, label: "throwaway db · sandbox at " + base, close: func() { st.Close(); stopAll() }}, nil
}

// demoDay is a day's count of a demo ledger.
type demoDay struct {
	at time.Time
	n  int
}

// demoLedger is a history for the dashboard's pictures: n tokens (a quota's
// share) spread over this month's days so far, unevenly, or, with n 0, a
// few tokens a day over the last two weeks; seed varies the pattern.
func demoLedger(now time.Time, n, seed int) []demoDay {
	now = now.UTC()
	var out []demoDay
	if n == 0 {
		for d := 13; d >= 0; d-- {
			if k := (seed*5 + d*3) % 7; k > 1 {
				out = append(out, demoDay{now.AddDate(0, 0, -d), k - 1})
			}
		}
		return out
	}
	days := now.Day()
	weights, total := make([]int, days), 0
	for d := range weights {
		weights[d] = 2 + (d*7+seed)%5
		total += weights[d]
	}
	left := n
	for d := range weights {
		k := n * weights[d] / total
		if d == days-1 {
			k = left
		}
		left -= k
		if k > 0 {
			at := time.Date(now.Year(), now.Month(), d+1, 12, 0, 0, 0, time.UTC)
			if at.After(now) {
				at = now
			}
			out = append(out, demoDay{at, k})
		}
	}
	return out
}

// seedDemo fills a new database at path with the sandbox's providers,
// brings the one with a quota close to its limit, and fetches every first
// token (the broken one fails, as it should).
func (a *App) seedDemo(ctx context.Context, srv *sandbox.Server, base, path string) (*store.Store, error) {
	ps, err := providers.LoadConfig(strings.NewReader(srv.DemoProvidersYAML(base)), a.lookupEnv())
	if err != nil {
		return nil, fmt.Errorf("demo: the sandbox's providers did not load: %w", err)
	}
	st, err := store.Open(ctx, a.storeOptions(path))
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*store.Store, error) {
		st.Close()
		return nil, fmt.Errorf("demo: %w", err)
	}
	if err := st.PutProviders(ctx, ps); err != nil {
		return fail(err)
	}
	for i, p := range ps {
		n := 0
		if p.Quota != nil {
			n = int(float64(p.Quota.Limit) * demoQuotaShare)
		}
		for _, day := range demoLedger(a.now(), n, i) {
			if err := st.AddQuota(ctx, p.Name, day.n, day.at); err != nil {
				return fail(err)
			}
		}
	}
	var wg sync.WaitGroup
	for _, p := range ps {
		if p.Grant.UserLogin() {
			// No token without a user: the refresh_token one is logged
			// in with a refresh token the sandbox hands out, the others
			// wait for l in the dashboard.
			demoRefreshLogin(ctx, st, srv, p)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A failure is part of the demo (the broken provider): the
			// store records it and the dashboard shows it with its hint.
			_, err := st.Token(ctx, p.Name, store.TokenOptions{})
			if err != nil && errors.Is(err, context.Canceled) {
				return
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return fail(ctx.Err())
	}
	return st, nil
}
