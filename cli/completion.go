package cli

import (
	"slices"

	"github.com/spf13/cobra"
)

// completionShells are the shells `tokentop completion` writes for.
func completionShells() []string { return []string{"bash", "zsh", "fish", "powershell"} }

// completionOptions are what `tokentop completion` is asked.
type completionOptions struct {
	shell string
}

func (a *App) completionCommand() *cobra.Command {
	var o completionOptions
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script (provider names, endpoints, flag values)",
		Long: `Print the completion script for a shell. It completes commands and flags,
provider names from the database (for every command that takes one),
endpoint names after tokentop call NAME, and flag values (--theme, --auth,
--basic-encoding, --preset, -X). Completing reads the database's provider
names only: no network, no key, nothing decrypted.

  bash:        tokentop completion bash > ~/.local/share/bash-completion/completions/tokentop
  zsh:         tokentop completion zsh > "${fpath[1]}/_tokentop"   (with compinit)
  fish:        tokentop completion fish > ~/.config/fish/completions/tokentop.fish
  powershell:  tokentop completion powershell | Out-String | Invoke-Expression

Or for the current shell only: source <(tokentop completion bash).`,
		Args:                  completionArgs,
		ValidArgs:             completionShells(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.shell = argv[0]
			return a.runCompletion(cmd.Root(), o)
		},
	}
	return cmd
}

// completionArgs wants one shell tokentop knows.
func completionArgs(cmd *cobra.Command, argv []string) error {
	if err := args(1, 1)(cmd, argv); err != nil {
		return err
	}
	if !slices.Contains(completionShells(), argv[0]) {
		return usagef("tokentop completion does not know the shell %q: it writes for bash, zsh, fish or powershell", argv[0])
	}
	return nil
}

// runCompletion writes root's completion script for the shell, with
// descriptions.
func (a *App) runCompletion(root *cobra.Command, o completionOptions) error {
	switch o.shell {
	case "bash":
		return root.GenBashCompletionV2(a.out, true)
	case "zsh":
		return root.GenZshCompletion(a.out)
	case "fish":
		return root.GenFishCompletion(a.out, true)
	}
	return root.GenPowerShellCompletionWithDesc(a.out)
}
