// Package cli holds tokentop's commands: one file per command. Commands
// parse flags, call the store and the providers engine, and print.
//
// Every command has one shape:
//
//   - an options struct (tokenOptions, doctorOptions, …) holding what the
//     command is asked: its arguments and flags;
//   - a constructor, (a *App) xxxCommand, that only binds the arguments and
//     flags to the options and calls the run function;
//   - a run function, (a *App) runXxx(ctx, opts), that does the work. The
//     App is the command's streams (out and errOut, behind the sanitiser),
//     environment and clock.
//
// The pieces they share, each in one place:
//
//   - the database: withStore opens it, runs a function and closes it;
//     withProvider and withProviderSecret read a provider by name first,
//     with the store's own error when there is none (store.go);
//   - the network: App.client, the one providers.Client constructor;
//   - the output format: outputFormat.Register declares --json and
//     --markdown (format.go), mutually exclusive through cobra, so giving
//     both is the same usage error on every command;
//   - usage errors (exit 2): usagef (app.go), and args, which words a
//     wrong argument count from the command's Use line (argwords.go);
//   - printing an error: printError says each problem of a joined error
//     on a line of its own, sanitised, then the hint (errwords.go);
//   - shell completion: registerCompletions gives every command that
//     takes a provider name its completion, from store.Catalog
//     (complete.go).
//
// To add a command: write its options struct, its constructor and its run
// function in a new file, and add the constructor to NewRootCommand.
package cli
