package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
)

func (a *App) exportCommand() *cobra.Command {
	var withSecrets bool
	cmd := &cobra.Command{
		Use:   "export [NAME…]",
		Short: "Write providers as YAML (secrets left out unless --with-secrets)",
		Args:  args(0, -1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			ctx := cmd.Context()
			st, err := a.OpenStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			var ps []providers.Provider
			if len(argv) == 0 {
				if ps, err = st.Providers(ctx); err != nil {
					return err
				}
			} else {
				for _, name := range argv {
					p, err := st.Provider(ctx, name)
					if err != nil {
						return err
					}
					ps = append(ps, p)
				}
			}
			if withSecrets {
				for i, p := range ps {
					if ps[i], err = st.ProviderWithSecret(ctx, p.Name); err != nil {
						return err
					}
				}
				fmt.Fprintln(a.errOut, "warning: the output holds client secrets in plain text")
			}
			out, err := providers.MarshalConfig(ps, withSecrets)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			_, err = a.out.Write(out)
			return err
		},
	}
	cmd.Flags().BoolVar(&withSecrets, "with-secrets", false, "include client secrets in plain text")
	return cmd
}
