package cli

import (
	"github.com/spf13/cobra"
)

// NewRootCommand builds the tokentop command tree.
// Every command prints through the sanitising streams it sets up; cobra's
// own help and usage go there too.
func (a *App) NewRootCommand() *cobra.Command {
	a.safeStreams()
	var o rootOptions
	root := &cobra.Command{
		Use:   "tokentop",
		Short: "A dashboard and CLI for OAuth2 client-credentials tokens",
		Long: `tokentop keeps many OAuth2 client-credentials providers in one encrypted
database, fetches each token once per expiry window, and shows every token's
countdown and quota use.

Scripts: curl -H "Authorization: Bearer $(tokentop token NAME)" …`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// With no arguments: the dashboard.
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runRoot(cmd.Context(), o) },
	}
	o.dash.register(root.Flags())
	root.PersistentFlags().StringVar(&a.dbPath, "db", "", "database file (default $TOKENTOP_DB, else tokentop.db in the user's data directory)")
	a.stores.register(root.PersistentFlags())
	root.PersistentFlags().StringArrayVar(&a.identities, "identity", nil,
		"an identity file to decrypt with (age identity or unencrypted OpenSSH ed25519 key; repeatable; default $TOKENTOP_IDENTITY, else ~/.ssh/id_ed25519)")
	setVersionFlag(root)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	// `tokentop completion` is tokentop's own (completion.go), shown in help.
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetOut(a.out)
	root.SetErr(a.errOut)
	root.AddCommand(
		a.importCommand(),
		a.exportCommand(),
		a.addCommand(),
		a.rmCommand(),
		a.showCommand(),
		a.lsCommand(),
		a.tokenCommand(),
		a.execCommand(),
		a.callCommand(),
		a.historyCommand(),
		a.inspectCommand(),
		a.introspectCommand(),
		a.revokeCommand(),
		a.diffCommand(),
		a.sandboxCommand(),
		a.versionCommand(),
		a.demoCommand(),
		a.doctorCommand(),
		a.serveCommand(),
		a.proxyCommand(),
		a.storeCommand(),
		a.completionCommand(),
		a.teamCommand(),
	)
	a.registerCompletions(root)
	return root
}
