package cli

import (
	"context"
	"fmt"
	"net"
	"text/tabwriter"
	"time"

	"github.com/charmbracelet/log"
	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/internal/authproxy"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// defaultProxyListen is where `tokentop proxy` listens unless told.
const defaultProxyListen = "127.0.0.1:8790"

// proxyOptions are what `tokentop proxy` is asked.
type proxyOptions struct {
	name        string
	upstream    string
	listen      string
	routes      []string
	allowRemote bool
}

func (a *App) proxyCommand() *cobra.Command {
	var o proxyOptions
	cmd := &cobra.Command{
		Use:   "proxy [NAME --upstream URL] [--route PREFIX=NAME@URL …]",
		Short: "A local reverse proxy that adds a provider's token to every request",
		Long: `Run a reverse proxy on loopback that sends each request on to an API with
"Authorization: Bearer TOKEN" added, so local tools need no credentials:

  tokentop proxy cognito-dev --upstream https://api.example.com/v1
  curl http://127.0.0.1:8790/items          # → https://api.example.com/v1/items

Several providers at once, one path prefix each (the prefix is stripped):

  tokentop proxy --route /a=vendor-a@https://api.a.example --route /b=vendor-b@https://api.b.example
  curl http://127.0.0.1:8790/a/items        # → https://api.a.example/items, vendor-a's token

The token is the cached one, fetched once per expiry window across every
tokentop process, and again ahead of expiry (the refresh margin). An
upstream 401 with error="invalid_token" gets one new token, shared by every
request that saw the old one refused, and requests whose body the proxy
holds (none, or up to 1 MiB) are sent once more. Larger bodies and every
answer are streamed (server-sent events pass as they come). A client's own
Authorization header is replaced, and the log says so. The log (stderr)
shows method, path, status and time; never a token. Each provider's
figures (requests, statuses, latency, rate-limit headers) go to the
database every second, for the dashboard.

Listens on loopback unless --listen says otherwise, which also needs
--allow-remote: anyone who reaches the proxy uses your credentials. Stop
with ctrl+c.`,
		Args: args(0, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if len(argv) == 1 {
				o.name = argv[0]
			}
			return a.runProxy(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.upstream, "upstream", "", "the API that NAME's requests go to (http(s) URL; its path is the base of every request's)")
	fl.StringVar(&o.listen, "listen", defaultProxyListen, "address to listen on")
	fl.StringArrayVar(&o.routes, "route", nil, "PREFIX=NAME@URL: requests under PREFIX go to URL with NAME's token, the prefix stripped (repeatable)")
	fl.BoolVar(&o.allowRemote, "allow-remote", false, "let --listen be an address beyond loopback: anyone who reaches it uses your credentials")
	return cmd
}

// proxyRoutes are the routes the options ask for, as usage errors when
// malformed.
func (o proxyOptions) proxyRoutes() ([]authproxy.Route, error) {
	var rs []authproxy.Route
	switch {
	case o.name != "" && o.upstream == "":
		return nil, usagef("tokentop proxy %s needs --upstream URL: the API its requests go to", o.name)
	case o.name == "" && o.upstream != "":
		return nil, usagef("--upstream needs a provider: tokentop proxy NAME --upstream %s", o.upstream)
	case o.name == "" && len(o.routes) == 0:
		return nil, usagef("tokentop proxy needs a provider and --upstream URL, or --route PREFIX=NAME@URL (see --help)")
	case o.name != "":
		r, err := authproxy.NewRoute("/", o.name, o.upstream)
		if err != nil {
			return nil, usageError{err}
		}
		rs = append(rs, r)
	}
	for _, v := range o.routes {
		r, err := authproxy.ParseRoute(v)
		if err != nil {
			return nil, usageError{err}
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// checkListen refuses an address beyond loopback without --allow-remote.
func (o proxyOptions) checkListen() (remote bool, err error) {
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return false, usagef("--listen %q: want HOST:PORT, for example %s", o.listen, defaultProxyListen)
	}
	if providers.IsLoopback(host) {
		return false, nil
	}
	if !o.allowRemote {
		return true, usagef("--listen %s is reachable beyond this machine, and anyone who reaches the proxy uses your credentials: add --allow-remote if you mean it", o.listen)
	}
	return true, nil
}

// runProxy serves the proxy until ctx ends (ctrl+c or SIGTERM).
func (a *App) runProxy(ctx context.Context, o proxyOptions) error {
	routes, err := o.proxyRoutes()
	if err != nil {
		return err
	}
	remote, err := o.checkListen()
	if err != nil {
		return err
	}
	return a.withStore(ctx, func(st *store.Store) error {
		for i, r := range routes {
			p, err := st.Provider(ctx, r.Provider)
			if err != nil {
				return err
			}
			// The upstream gets the token: the rule of test-calls holds.
			if err := providers.CheckCallURL(p, r.Upstream.String()); err != nil {
				return err
			}
			if p.IsAPIKey() {
				k := p.Placement()
				routes[i].Key = &k
			}
			if routes[i].Transport, err = authproxy.TransportFor(p.CAFile); err != nil {
				return fmt.Errorf("proxy: %s's ca_file: %w", r.Provider, err)
			}
		}
		logger := log.NewWithOptions(a.errOut, log.Options{ReportTimestamp: true, TimeFormat: time.DateTime, Prefix: "proxy"})
		px, err := authproxy.New(authproxy.Options{Routes: routes, Engine: st, Logger: logger, Now: a.Now})
		if err != nil {
			return usageError{err}
		}
		ln, err := authproxy.Listen(ctx, o.listen)
		if err != nil {
			return fmt.Errorf("proxy: %w", err)
		}
		a.printProxyBanner(ln.Addr().String(), routes, st.Path(), remote)
		return px.Serve(ctx, ln)
	})
}

// printProxyBanner says on stderr where the proxy listens and where each
// prefix goes.
func (a *App) printProxyBanner(addr string, routes []authproxy.Route, dbPath string, remote bool) {
	fmt.Fprintf(a.errOut, "tokentop proxy: listening on http://%s\n", addr)
	tw := tabwriter.NewWriter(a.errOut, 0, 0, 2, ' ', 0)
	for _, r := range routes {
		fmt.Fprintf(tw, "  %s\t→ %s\t%s\n", r.Prefix, r.Upstream.Redacted(), r.Provider)
	}
	tw.Flush()
	fmt.Fprintf(a.errOut, "  database  %s\n", dbPath)
	if remote {
		fmt.Fprintf(a.errOut, "warning: %s is reachable beyond this machine: anyone who reaches it sends requests with your credentials\n", addr)
	}
}
