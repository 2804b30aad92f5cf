package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
)

func (a *App) importCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Add or update providers from a YAML file (- for stdin)",
		Long: `Read a providers YAML file and upsert each provider by name.
${VAR} is expanded from the environment; an unknown key is an error that
names its line. A provider without client_secret keeps the stored one;
one that sends a secret and has none is warned about. Nothing runs on
import, but a client_secret_ref of cmd:COMMAND runs COMMAND as you at the
provider's first fetch: import lists those commands on stderr.
Relative key, certificate and CA file paths are made absolute against the
current directory.`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			var r io.Reader = a.Stdin
			if argv[0] != "-" {
				f, err := os.Open(argv[0])
				if err != nil {
					return fmt.Errorf("import: %w", err)
				}
				defer f.Close()
				r = f
			}
			ps, err := providers.LoadConfig(r, a.lookupEnv())
			if err != nil {
				return fmt.Errorf("import %s: %w", argv[0], err)
			}
			for i := range ps {
				if err := ps[i].AbsFiles(); err != nil {
					return fmt.Errorf("import %s: %w", argv[0], err)
				}
			}
			ctx := cmd.Context()
			st, err := a.CreateStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			existing, err := st.Providers(ctx)
			if err != nil {
				return err
			}
			had := make(map[string]bool, len(existing))
			for _, p := range existing {
				had[p.Name] = true
			}
			if err := st.PutProviders(ctx, ps); err != nil {
				return err
			}
			var added, updated []string
			for _, p := range ps {
				if had[p.Name] {
					updated = append(updated, p.Name)
				} else {
					added = append(added, p.Name)
				}
			}
			fmt.Fprintf(a.out, "imported %d provider(s) into %s\n", len(ps), st.Path())
			if len(added) > 0 {
				fmt.Fprintf(a.out, "  added:   %s\n", strings.Join(added, ", "))
			}
			if len(updated) > 0 {
				fmt.Fprintf(a.out, "  updated: %s\n", strings.Join(updated, ", "))
			}
			a.warnCommands(ps)
			return a.warnNoSecret(ctx, st, ps)
		},
	}
}

func (a *App) lookupEnv() func(string) (string, bool) {
	if a.LookupEnv != nil {
		return a.LookupEnv
	}
	return os.LookupEnv
}
