package cli

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/store"
)

// Exit codes of exec's own failures, as shells and env(1) have them.
const (
	exitCannotRun = 126 // the command was found but could not be started
	exitNotFound  = 127 // no such command
)

// defaultExecMinTTL is the life a token of exec has left at the start.
const defaultExecMinTTL = 5 * time.Minute

// execOptions are what `tokentop exec` is asked.
type execOptions struct {
	specs   []string // NAME or NAME=VAR, before --
	command []string // after --
	env     string   // the variable of a NAME given alone
	envSet  bool     // --env was given
	minTTL  time.Duration
	force   bool
}

func (a *App) execCommand() *cobra.Command {
	var o execOptions
	cmd := &cobra.Command{
		Use:   "exec NAME[=VAR]… -- COMMAND [ARGS…]",
		Short: "Run a command with tokens in its environment",
		Long: `Run COMMAND with a provider's access token in its environment, never on a
command line: TOKEN holds the token, TOKEN_TYPE its type (Bearer) and
TOKEN_EXPIRES_AT its expiry (RFC 3339, UTC).

  tokentop exec cognito-dev -- sh -c 'curl -H "Authorization: Bearer $TOKEN" …'
  tokentop exec --env API_TOKEN cognito-dev -- ./deploy.sh
  tokentop exec a=TOKEN_A b=TOKEN_B -- ./sync.sh

A NAME given alone goes in TOKEN, or in the variable --env names; NAME=VAR
puts that provider's token in VAR, with VAR_TYPE and VAR_EXPIRES_AT beside
it. Every token has at least --min-ttl of life left at the start (a cached
one with less is replaced early, once, across processes).

COMMAND gets tokentop's stdin, stdout and stderr as they are, and the
signals tokentop receives (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
SIGUSR2); tokentop exits with its status, or 128 + the signal's number when
a signal killed it. When a token cannot be had, COMMAND is not run.`,
		Args: execArgs,
		RunE: func(cmd *cobra.Command, argv []string) error {
			dash := cmd.ArgsLenAtDash()
			o.specs, o.command = argv[:dash], argv[dash:]
			o.envSet = cmd.Flags().Changed("env")
			return a.runExec(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.env, "env", "TOKEN", "the variable of the provider given without =VAR (with VAR_TYPE and VAR_EXPIRES_AT)")
	fl.DurationVar(&o.minTTL, "min-ttl", defaultExecMinTTL, "at least this much life left in every token at the start (0: the cached token while it is valid)")
	fl.BoolVar(&o.force, "force", false, "fetch even past a provider's quota limit")
	return cmd
}

// execArgs wants providers, --, and a command.
func execArgs(cmd *cobra.Command, argv []string) error {
	const usage = "tokentop exec NAME[=VAR]… -- COMMAND [ARGS…]"
	dash := cmd.ArgsLenAtDash()
	switch {
	case dash < 0 && len(argv) == 0:
		return usagef("tokentop exec takes provider names, then -- and the command to run; got none (%s)", usage)
	case dash < 0:
		return usagef("tokentop exec needs -- between the provider names and the command, so the command's own flags stay its own: %s", usage)
	case dash == 0:
		return usagef("tokentop exec takes at least one provider name before --; got none (%s)", usage)
	case dash == len(argv):
		return usagef("tokentop exec takes a command to run after --; got none (%s)", usage)
	}
	return nil
}

// runExec gets every token, then runs the command with them.
func (a *App) runExec(ctx context.Context, o execOptions) error {
	if err := checkMinTTL(o.minTTL); err != nil {
		return err
	}
	binds, err := execBindings(o.specs, o.env, o.envSet)
	if err != nil {
		return err
	}
	path, err := exec.LookPath(o.command[0])
	if err != nil {
		return commandNotFound(o.command[0], err)
	}
	vars, err := a.execTokens(ctx, binds, store.TokenOptions{MinTTL: o.minTTL, IgnoreQuota: o.force, OnLease: a.tellLease})
	if err != nil {
		return err
	}
	return a.runChild(path, o.command, vars)
}

// commandNotFound words a command exec cannot find or may not run.
func commandNotFound(name string, err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) && errors.Is(ee.Err, exec.ErrNotFound) {
		hint := "check its spelling, or give its path"
		if !strings.ContainsRune(name, '/') {
			hint += " (it was looked for in $PATH)"
		}
		return exitStatus{code: exitNotFound, err: hinted{fmt.Errorf("exec: %s: command not found; it was not run", name), hint}}
	}
	return exitStatus{code: exitCannotRun, err: fmt.Errorf("exec: %s cannot be run: %w", name, err)}
}

// execTokens gets each binding's token (each provider once) and returns
// the variables to set.
func (a *App) execTokens(ctx context.Context, binds []execBinding, to store.TokenOptions) ([]string, error) {
	var vars []string
	err := a.withStore(ctx, func(st *store.Store) error {
		got := map[string]*store.TokenResult{}
		for _, b := range binds {
			res, ok := got[b.provider]
			if !ok {
				var err error
				if res, err = st.Token(ctx, b.provider, to); err != nil {
					return fmt.Errorf("exec: the command was not run: %w", err)
				}
				a.warn(res.Warnings)
				got[b.provider] = res
			}
			vars = append(vars, b.vars(res)...)
		}
		return nil
	})
	return vars, err
}
