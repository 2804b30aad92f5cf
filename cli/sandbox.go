package cli

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store"
)

// sandboxOptions are what `tokentop sandbox` is asked.
type sandboxOptions struct {
	addr     string
	tlsAddr  string
	keysDir  string
	doImport bool
}

func (a *App) sandboxCommand() *cobra.Command {
	var o sandboxOptions
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the embedded OAuth2 sandbox and print a providers YAML for it",
		Long: `Run an OAuth2 authorization server on loopback that behaves like each
documented provider style (Cognito, Basic-only, Auth0 with audience and a
monthly quota, and the comma-scoped camelCase style), with a protected sample
API. The providers YAML goes to stdout; logs go to stderr. Stop with ctrl+c.

Two more clients prove themselves with keys: jwt-client (private_key_jwt, a
signed assertion) and mtls-client (tls_client_auth, a client certificate, on
a second, https listener). Their throwaway key, certificate and CA files are
written anew on each start into --keys-dir (default: sandbox-keys beside the
database), where the providers YAML points.

  tokentop sandbox > sandbox.yaml &    # then: tokentop import sandbox.yaml
  tokentop sandbox --import            # or import straight into the database`,
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runSandbox(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.addr, "addr", "127.0.0.1:8787", "loopback address to listen on (port 0 picks a free one)")
	cmd.Flags().StringVar(&o.tlsAddr, "tls-addr", "", "loopback address of the TLS listener for mtls-client (default: --addr's port + 1, or a free one when that is 0)")
	cmd.Flags().StringVar(&o.keysDir, "keys-dir", "", "where to write the key-based clients' throwaway key and certificate files (default: sandbox-keys beside the database)")
	cmd.Flags().BoolVar(&o.doImport, "import", false, "import the sandbox providers into the database instead of printing them")
	return cmd
}

// runSandbox serves the sandbox on loopback until ctx ends, after printing
// its providers YAML (or importing it).
func (a *App) runSandbox(ctx context.Context, o sandboxOptions) error {
	tlsAddr, err := sandboxAddrs(o.addr, o.tlsAddr)
	if err != nil {
		return err
	}
	dir, err := a.sandboxKeysDir(o.keysDir)
	if err != nil {
		return err
	}
	srv := sandbox.New(sandbox.Options{})
	if _, err := srv.AddKeyClients(dir); err != nil {
		return err
	}
	base, stop, err := srv.Start(ctx, o.addr)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer stopGracefully(stop)
	tlsBase, stopTLS, err := srv.StartTLS(ctx, tlsAddr)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer stopGracefully(stopTLS)
	yaml := srv.DemoProvidersYAML(base)
	if o.doImport {
		if err := a.importSandbox(ctx, yaml); err != nil {
			return err
		}
	} else {
		fmt.Fprint(a.out, yaml)
	}
	a.handOutRefreshTokens(srv)
	fmt.Fprintf(a.errOut, "sandbox key files (throwaway) in %s\n", dir)
	fmt.Fprintf(a.errOut, "sandbox listening on %s, and with TLS for mtls-client on %s (ctrl+c to stop)\n", base, tlsBase)
	<-ctx.Done()
	fmt.Fprintln(a.errOut, "sandbox stopped")
	return nil
}

// sandboxAddrs checks that --addr and --tls-addr are loopback HOST:PORTs
// and returns the TLS one (default: --addr's port + 1).
func sandboxAddrs(addr, tlsAddr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", usagef("--addr %q: want HOST:PORT", addr)
	}
	if !providers.IsLoopback(host) {
		return "", usagef("--addr %q: the sandbox listens on loopback only", addr)
	}
	if tlsAddr == "" {
		tlsAddr = nextPort(addr)
	}
	if host, _, err := net.SplitHostPort(tlsAddr); err != nil || !providers.IsLoopback(host) {
		return "", usagef("--tls-addr %q: want a loopback HOST:PORT", tlsAddr)
	}
	return tlsAddr, nil
}

// importSandbox puts the sandbox's providers into the database, closed
// again before the sandbox waits.
func (a *App) importSandbox(ctx context.Context, yaml string) error {
	ps, err := providers.LoadConfig(strings.NewReader(yaml), a.lookupEnv())
	if err != nil {
		return fmt.Errorf("sandbox: its own YAML did not load: %w", err)
	}
	var path string
	err = a.withNewStore(ctx, func(st *store.Store) error {
		path = st.Path()
		return st.PutProviders(ctx, ps)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.errOut, "imported %d sandbox providers into %s\n", len(ps), path)
	return nil
}

// stopGracefully runs a sandbox's stop with five seconds to finish.
func stopGracefully(stop func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = stop(ctx)
}

// sandboxKeysDir is the absolute directory for the sandbox's key files:
// dir when given, else sandbox-keys beside the database.
func (a *App) sandboxKeysDir(dir string) (string, error) {
	if dir == "" {
		db, err := a.DBPath()
		if err != nil {
			return "", fmt.Errorf("sandbox: no place for the key files (%w); give --keys-dir", err)
		}
		dir = filepath.Join(filepath.Dir(db), "sandbox-keys")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("sandbox: --keys-dir %s: %w", dir, err)
	}
	return abs, nil
}

// nextPort is addr with its port one higher, or port 0 when it is 0 (or
// not a number).
func nextPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n >= 65535 {
		return net.JoinHostPort(host, "0")
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}
