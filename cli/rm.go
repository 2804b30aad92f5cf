package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/store"
)

// rmOptions are what `tokentop rm` is asked.
type rmOptions struct {
	names []string
}

func (a *App) rmCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "rm NAME…",
		Aliases: []string{"remove", "delete"},
		Short:   "Remove providers with their secrets, tokens, quota counts and history",
		Args:    args(1, -1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.runRm(cmd.Context(), rmOptions{names: argv})
		},
	}
}

// runRm removes the providers one by one, stopping at the first that
// cannot be.
func (a *App) runRm(ctx context.Context, o rmOptions) error {
	return a.withStore(ctx, func(st *store.Store) error {
		for _, name := range o.names {
			if err := st.DeleteProvider(ctx, name); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "removed %s\n", name)
		}
		return nil
	})
}
