package cli

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/theme"
)

// What the shell completes: provider names from the database for every
// command that takes one, endpoint names after `call NAME`, and the values
// of the flags that have a fixed set. Completing never touches the
// network, reads no key and decrypts nothing (store.Catalog), and says
// nothing when the database is missing or busy: a completion that fails
// offers nothing.

// providerArgs is how many leading arguments of a command are provider
// names (-1: all of them), for the commands that take them.
func providerArgs(name string) (n int, ok bool) {
	switch name {
	case "token", "login", "show", "history", "doctor", "inspect", "introspect", "revoke":
		return 1, true
	case "diff":
		return 2, true
	case "rm", "export":
		return -1, true
	}
	return 0, false
}

// registerCompletions gives root's commands their completions of
// arguments and flag values. A command that brings its own keeps it.
func (a *App) registerCompletions(root *cobra.Command) {
	for _, cmd := range append([]*cobra.Command{root}, root.Commands()...) {
		if cmd.ValidArgsFunction == nil {
			if n, ok := providerArgs(cmd.Name()); ok {
				cmd.ValidArgsFunction = a.completeProviders(n)
			}
			switch cmd.Name() {
			case "call":
				cmd.ValidArgsFunction = a.completeCall
			case "exec":
				cmd.ValidArgsFunction = a.completeExec
			}
		}
		for flag, fn := range a.flagCompletions(cmd) {
			if cmd.Flags().Lookup(flag) != nil {
				_ = cmd.RegisterFlagCompletionFunc(flag, fn) // already registered: the command's own wins
			}
		}
	}
}

// flagCompletions are the value completions of cmd's flags, by flag name.
func (a *App) flagCompletions(cmd *cobra.Command) map[string]cobra.CompletionFunc {
	fs := map[string]cobra.CompletionFunc{
		"theme":          fixedFrom(theme.Names),
		"auth":           fixed(string(providers.AuthAuto), string(providers.AuthBasic), string(providers.AuthPost), string(providers.AuthPrivateKeyJWT), string(providers.AuthTLSClient)),
		"basic-encoding": fixed(string(providers.BasicForm), string(providers.BasicRaw)),
		"preset":         fixedFrom(presetList),
	}
	switch cmd.Name() {
	case "call":
		fs["request"] = fixed(http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions)
	case "doctor":
		fs["endpoint"] = a.completeEndpointFlag
	case "inspect":
		fs["provider"] = func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return a.providerNames(cmd, nil), cobra.ShellCompDirectiveNoFileComp
		}
	}
	return fs
}

// fixed completes one of values.
func fixed(values ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
}

// fixedFrom completes one of the values list gives, asked for only when
// a shell completes: the command tree is built on every run.
func fixedFrom(list func() []string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return list(), cobra.ShellCompDirectiveNoFileComp
	}
}

// presetList is the presets' names.
func presetList() []string {
	var names []string
	for _, p := range providers.Presets() {
		names = append(names, p.Name)
	}
	return names
}

// catalog is the database's providers for completion; nothing when it
// cannot be read. With a shared store (--store, TOKENTOP_STORE) it is this
// machine's local cache of it: a TAB never waits on the cluster, and the
// cache holds every provider this machine has used.
func (a *App) catalog(cmd *cobra.Command) []store.CatalogEntry {
	sh, err := a.sharedStore()
	if err != nil {
		return nil
	}
	var path string
	if sh != nil {
		path = sh.cache
	} else if path, err = a.DBPath(); err != nil {
		return nil
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	cat, err := store.Catalog(ctx, path)
	if err != nil {
		return nil
	}
	return cat
}

// providerNames are the provider names, each with its env label, leaving
// out those in given.
func (a *App) providerNames(cmd *cobra.Command, given []string) []cobra.Completion {
	var out []cobra.Completion
	for _, e := range a.catalog(cmd) {
		if slices.Contains(given, e.Name) {
			continue
		}
		if e.Env != "" {
			out = append(out, cobra.CompletionWithDesc(e.Name, e.Env))
		} else {
			out = append(out, e.Name)
		}
	}
	return out
}

// completeProviders completes provider names for a command's first n
// arguments (n < 0: every argument), each name once.
func (a *App) completeProviders(n int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, argv []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if n >= 0 && len(argv) >= n {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return a.providerNames(cmd, argv), cobra.ShellCompDirectiveNoFileComp
	}
}

// endpoints completes the saved endpoints of provider name.
func (a *App) endpoints(cmd *cobra.Command, name string) []cobra.Completion {
	for _, e := range a.catalog(cmd) {
		if e.Name == name {
			return e.Endpoints
		}
	}
	return nil
}

// completeCall completes `call NAME [ENDPOINT]`: a provider, then its
// endpoints.
func (a *App) completeCall(cmd *cobra.Command, argv []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	switch len(argv) {
	case 0:
		return a.providerNames(cmd, nil), cobra.ShellCompDirectiveNoFileComp
	case 1:
		return a.endpoints(cmd, argv[0]), cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// completeEndpointFlag completes doctor's --endpoint with the endpoints of
// the provider named first.
func (a *App) completeEndpointFlag(cmd *cobra.Command, argv []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(argv) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return a.endpoints(cmd, argv[0]), cobra.ShellCompDirectiveNoFileComp
}

// completeExec completes `exec NAME[=VAR]… -- COMMAND ARGS…`: provider
// names before --, and the shell's own completion (commands, files) after.
func (a *App) completeExec(cmd *cobra.Command, argv []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	// The command line's last word is the one being completed; a -- before
	// it means the command has begun. (cmd.ArgsLenAtDash cannot tell: cobra
	// parses the flags twice while completing, once with a -- of its own.)
	if len(a.argv) > 0 && slices.Contains(a.argv[:len(a.argv)-1], "--") {
		return nil, cobra.ShellCompDirectiveDefault
	}
	if strings.Contains(toComplete, "=") {
		return nil, cobra.ShellCompDirectiveNoFileComp // a variable name: the user's to choose
	}
	given := make([]string, len(argv))
	for i, s := range argv {
		given[i], _, _ = strings.Cut(s, "=")
	}
	return a.providerNames(cmd, given), cobra.ShellCompDirectiveNoFileComp
}
