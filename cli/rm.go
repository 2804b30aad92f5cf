package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *App) rmCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "rm NAME…",
		Aliases: []string{"remove", "delete"},
		Short:   "Remove providers with their secrets, tokens, quota counts and history",
		Args:    args(1, -1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			ctx := cmd.Context()
			st, err := a.OpenStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, name := range argv {
				if err := st.DeleteProvider(ctx, name); err != nil {
					return err
				}
				fmt.Fprintf(a.out, "removed %s\n", name)
			}
			return nil
		},
	}
}
