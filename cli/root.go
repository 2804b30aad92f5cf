package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// NewRootCommand builds the tokentop command tree.
// Every command prints through the sanitising streams it sets up; cobra's
// own help and usage go there too.
func (a *App) NewRootCommand() *cobra.Command {
	return a.newRootCommand(a.subcommands()...)
}

// rootFor is the command tree Run needs for argv. `tokentop token …`,
// run by scripts on every call, gets the root with its one command: the
// other twenty, their flags and completions cost more to build than a
// cached token costs to read. The root is the same, so cobra finds the
// same command, parses the same flags and prints the same help and
// errors. Any other command line gets the whole tree.
func (a *App) rootFor(argv []string) *cobra.Command {
	if tokenCall(argv) {
		return a.newRootCommand(a.tokenCommand())
	}
	return a.NewRootCommand()
}

// tokenCall says whether argv starts with the token command, after --db
// and its value at most: any other flag first, and cobra's own finding
// decides (on the whole tree).
func tokenCall(argv []string) bool {
	switch {
	case len(argv) >= 3 && argv[0] == "--db":
		argv = argv[2:]
	case len(argv) >= 2 && strings.HasPrefix(argv[0], "--db="):
		argv = argv[1:]
	}
	return len(argv) > 0 && argv[0] == "token"
}

// subcommands are tokentop's commands, in the order help lists them.
func (a *App) subcommands() []*cobra.Command {
	return []*cobra.Command{
		a.importCommand(),
		a.exportCommand(),
		a.addCommand(),
		a.rmCommand(),
		a.showCommand(),
		a.lsCommand(),
		a.tokenCommand(),
		a.loginCommand(),
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
	}
}

// newRootCommand is the root with the given commands under it.
func (a *App) newRootCommand(cmds ...*cobra.Command) *cobra.Command {
	a.safeStreams()
	var o rootOptions
	root := &cobra.Command{
		Use:   "tokentop",
		Short: "A dashboard and CLI for OAuth2 tokens and API keys",
		Long: `tokentop keeps many OAuth2 providers (client credentials, user logins
with a browser or a device code) and API keys in one encrypted database,
fetches each token once per expiry window, and shows every token's countdown
and quota use. With no command it opens the dashboard.

Try it: tokentop demo (the embedded sandbox, a throwaway database)
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
	root.AddCommand(cmds...)
	a.registerCompletions(root)
	return root
}
