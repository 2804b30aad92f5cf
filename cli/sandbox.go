package cli

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
)

func (a *App) sandboxCommand() *cobra.Command {
	var addr string
	var doImport bool
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the embedded OAuth2 sandbox and print a providers YAML for it",
		Long: `Run an OAuth2 authorization server on loopback that behaves like each
documented provider style (Cognito, Basic-only, Auth0 with audience and a
monthly quota, and the comma-scoped camelCase style), with a protected sample
API. The providers YAML goes to stdout; logs go to stderr. Stop with ctrl+c.

  tokentop sandbox > sandbox.yaml &    # then: tokentop import sandbox.yaml
  tokentop sandbox --import            # or import straight into the database`,
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return usagef("--addr %q: want HOST:PORT", addr)
			}
			if !providers.IsLoopback(host) {
				return usagef("--addr %q: the sandbox listens on loopback only", addr)
			}
			ctx := cmd.Context()
			srv := sandbox.New(sandbox.Options{})
			base, stop, err := srv.Start(ctx, addr)
			if err != nil {
				return fmt.Errorf("sandbox: %w", err)
			}
			defer func() {
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = stop(sctx)
			}()
			yaml := srv.ProvidersYAML(base)
			if doImport {
				ps, err := providers.LoadConfig(strings.NewReader(yaml), a.lookupEnv())
				if err != nil {
					return fmt.Errorf("sandbox: its own YAML did not load: %w", err)
				}
				st, err := a.OpenStore(ctx)
				if err != nil {
					return err
				}
				err = st.PutProviders(ctx, ps)
				st.Close()
				if err != nil {
					return err
				}
				fmt.Fprintf(a.Stderr, "imported %d sandbox providers into %s\n", len(ps), st.Path())
			} else {
				fmt.Fprint(a.Stdout, yaml)
			}
			fmt.Fprintf(a.Stderr, "sandbox listening on %s (ctrl+c to stop)\n", base)
			<-ctx.Done()
			fmt.Fprintln(a.Stderr, "sandbox stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8787", "loopback address to listen on (port 0 picks a free one)")
	cmd.Flags().BoolVar(&doImport, "import", false, "import the sandbox providers into the database instead of printing them")
	return cmd
}
