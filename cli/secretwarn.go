package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// warnCommands says on stderr which of ps get their secret from a command
// (client_secret_ref: cmd:…), and what: importing a shared file runs
// nothing, but the first fetch of each runs its command as the user.
func (a *App) warnCommands(ps []providers.Provider) {
	var lines []string
	for _, p := range ps {
		ref := strings.TrimSpace(p.ClientSecretRef)
		if cmd, ok := strings.CutPrefix(ref, "cmd:"); ok {
			lines = append(lines, fmt.Sprintf("  %s: %s", p.Name, safetext.Line(providers.Truncate(strings.TrimSpace(cmd), 200))))
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(a.errOut, "warning: the first token fetch of these providers runs a command as you (/bin/sh -c) to get the client secret; check each before fetching:\n%s\n",
		strings.Join(lines, "\n"))
}

// warnNoSecret says on stderr which of ps send a client secret (auth
// basic, post or auto) but have none: none given, no client_secret_ref,
// and none stored from before. Their first fetch would be refused.
func (a *App) warnNoSecret(ctx context.Context, st *store.Store, ps []providers.Provider) error {
	for _, p := range ps {
		eff, err := p.Resolve()
		if err != nil {
			eff = p
		}
		if !providers.NoSecret(eff) {
			continue
		}
		stored, err := st.HasSecret(ctx, p.Name)
		if err != nil {
			return err
		}
		if !stored {
			fmt.Fprintf(a.errOut, "warning: %s\n", safetext.Line(providers.NoSecretHint(p.Name)))
		}
	}
	return nil
}
