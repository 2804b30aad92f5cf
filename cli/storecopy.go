package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// storeCopyOptions are what `tokentop store copy` is asked.
type storeCopyOptions struct {
	from, to       string
	fromKey, toKey string
	force          bool
}

// storeCommand groups the commands that act on a whole store.
func (a *App) storeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Act on a whole store: copy it to another backend",
		Args:  args(0, 0),
	}
	cmd.AddCommand(a.storeCopyCommand())
	return cmd
}

func (a *App) storeCopyCommand() *cobra.Command {
	var o storeCopyOptions
	cmd := &cobra.Command{
		Use:   "copy FROM TO",
		Short: "Copy every provider, secret, token, record, quota count and state from one store to another, and check the copy",
		Long: `Copy everything a store holds to another: a bbolt database file or an etcd
address (etcd://HOST:2379[,HOST2…]/PREFIX), in either direction. Secrets,
tokens and records are decrypted with the source's key and sealed with the
target's. The copy is then read back and compared, decrypted; a difference
exits 1.

A target that already holds providers is refused, unless --force: then
each provider of the source replaces the target's of the same name, and
the target's other providers stay.

A bbolt store's key file is the database's beside it; an etcd store needs
--from-key or --to-key. etcd credentials come from TOKENTOP_ETCD_USER,
TOKENTOP_ETCD_PASSWORD, TOKENTOP_ETCD_CACERT, TOKENTOP_ETCD_CERT and
TOKENTOP_ETCD_KEY.`,
		Args: args(2, 2),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.from, o.to = argv[0], argv[1]
			return a.runStoreCopy(cmd.Context(), o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.fromKey, "from-key", "", "key file of the source (default: a bbolt database's own; required for etcd)")
	fs.StringVar(&o.toKey, "to-key", "", "key file of the target (default: a bbolt database's own, made if missing; required for etcd)")
	fs.BoolVar(&o.force, "force", false, "copy into a target that holds providers, replacing those of the same names")
	return cmd
}

// runStoreCopy copies, checks and prints the summary.
func (a *App) runStoreCopy(ctx context.Context, o storeCopyOptions) error {
	if o.from == o.to {
		return usagef("store copy: FROM and TO are the same store")
	}
	from, err := a.openLocation(ctx, o.from, locationOptions{keyFile: o.fromKey, flag: "--from-key"})
	if err != nil {
		return err
	}
	defer from.Close()
	to, err := a.openLocation(ctx, o.to, locationOptions{keyFile: o.toKey, create: true, flag: "--to-key"})
	if err != nil {
		return err
	}
	defer to.Close()
	copied, err := store.Copy(ctx, from, to, store.CopyOptions{Force: o.force})
	if errors.Is(err, store.ErrTargetNotEmpty) {
		return hinted{err: err, hint: "copy into a new database or an unused etcd prefix, or pass --force to replace the providers of the same names"}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "copied %s\n  from %s\n  to   %s\n", countsText(copied), safetext.Line(from.Path()), safetext.Line(to.Path()))
	checked, err := store.VerifyCopy(ctx, from, to)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "checked: the target holds %s, each equal to the source's (secrets and tokens compared decrypted)\n", countsText(checked))
	return nil
}

// countsText words a copy's counts.
func countsText(c store.CopyCounts) string {
	return fmt.Sprintf("%d providers, %d secrets, %d tokens, %d exchange records, %d quota counts, %d states",
		c.Providers, c.Secrets, c.Tokens, c.Records, c.QuotaCounts, c.States)
}
