package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/jwtverify"
	"github.com/tokentop/tokentop/store"
)

// perToken says whether claim differs between any two tokens.
func perToken(claim string) bool {
	switch claim {
	case "jti", "iat", "nbf", "exp":
		return true
	}
	return false
}

func (a *App) diffCommand() *cobra.Command {
	var markdown bool
	cmd := &cobra.Command{
		Use:   "diff A B",
		Short: "Compare two providers' settings and token claims side by side",
		Long: `Print the effective settings of two providers (with where each came
from, as show does) and the header and claims of their cached tokens side by
side, each difference marked ≠ (jti, iat, nbf and exp differ between any two
tokens and are not marked). For sandbox vs prod: what differs is usually why
one works. Secrets are never shown, only whether one is stored; nothing is
fetched. --markdown writes the same as a table to paste into a ticket.`,
		Args: args(2, 2),
		RunE: func(cmd *cobra.Command, argv []string) error {
			ctx := cmd.Context()
			st, err := a.OpenStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			r, err := a.diffReport(ctx, st, argv[0], argv[1])
			if err != nil {
				return err
			}
			if markdown {
				return r.WriteMarkdown(a.out)
			}
			return r.WriteText(a.out, 80)
		},
	}
	cmd.Flags().BoolVar(&markdown, "markdown", false, "write a Markdown table")
	return cmd
}

// diffSide is what diff shows of one provider.
type diffSide struct {
	settings map[string]string
	order    []string
	token    *providers.Token
	v        *jwtverify.Verification
}

func (a *App) diffSide(ctx context.Context, st *store.Store, name string) (*diffSide, error) {
	sum, err := st.Summary(ctx, name)
	if err != nil {
		return nil, err
	}
	p := sum.Provider
	if sum.HasSecret {
		p.ClientSecret = "(stored)"
	}
	settings, err := p.Describe()
	if err != nil {
		return nil, err
	}
	d := &diffSide{settings: map[string]string{}}
	for _, s := range settings {
		if s.Key == "name" {
			continue
		}
		v := s.Value
		if s.Source != providers.SourceConfig {
			v += " (" + s.Source + ")"
		}
		d.settings[s.Key] = v
		d.order = append(d.order, s.Key)
	}
	if sum.AuthStyleLearned != "" && p.Style() == providers.AuthAuto {
		d.settings["auth_style (learned)"] = string(sum.AuthStyleLearned)
		d.order = append(d.order, "auth_style (learned)")
	}
	d.settings["status"] = string(sum.Status(a.now()))
	d.order = append(d.order, "status")
	tok, err := st.CachedToken(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		d.token = tok
		d.v = jwtverify.Verify(ctx, tok.AccessToken, nil, jwtverify.Options{Now: a.now()})
	}
	return d, nil
}

func (a *App) diffReport(ctx context.Context, st *store.Store, nameA, nameB string) (*Report, error) {
	da, err := a.diffSide(ctx, st, nameA)
	if err != nil {
		return nil, err
	}
	db, err := a.diffSide(ctx, st, nameB)
	if err != nil {
		return nil, err
	}
	cols := []string{nameA, nameB}
	settings := Section{Title: "Settings", Columns: cols}
	for _, k := range union(da.order, db.order) {
		settings.Rows = append(settings.Rows, diffRow(k, da.settings[k], db.settings[k], false))
	}
	r := &Report{Title: fmt.Sprintf("tokentop diff %s %s", nameA, nameB), Sections: []Section{settings}}
	tokens := Section{Title: "Tokens (cached, decoded)", Columns: cols}
	fields := func(d *diffSide) (map[string]string, []string) {
		m, order := map[string]string{}, []string{}
		if d.token == nil {
			return m, order
		}
		r.Secrets = append(r.Secrets, d.token.AccessToken)
		add := func(k, v string) { m[k] = v; order = append(order, k) }
		add("token", TokenPreview(d.token.AccessToken))
		kind := string(d.v.Verdict)
		if d.v.Verdict == jwtverify.VerdictUnverified {
			kind = "JWT " + d.v.Alg + " (signature not checked)"
		}
		add("kind", kind)
		add("scope granted", d.token.Scope)
		add("lifetime", d.token.Lifetime().String())
		for _, f := range d.v.Header {
			add("header."+f.Key, f.Value)
		}
		for _, f := range d.v.ClaimFields {
			add(f.Key, f.Value)
		}
		return m, order
	}
	fa, oa := fields(da)
	fb, ob := fields(db)
	for _, k := range union(oa, ob) {
		tokens.Rows = append(tokens.Rows, diffRow(k, fa[k], fb[k], perToken(k) || k == "token"))
	}
	switch {
	case da.token == nil && db.token == nil:
		tokens.Notes = append(tokens.Notes, "neither has a cached token: tokentop token NAME fetches one")
	case da.token == nil:
		tokens.Notes = append(tokens.Notes, nameA+" has no cached token")
	case db.token == nil:
		tokens.Notes = append(tokens.Notes, nameB+" has no cached token")
	}
	r.Sections = append(r.Sections, tokens)
	return r, nil
}

// diffRow marks a row whose values differ, unless they always do.
func diffRow(key, a, b string, unmarked bool) Row {
	row := Row{Key: key, Values: []string{orDash(a), orDash(b)}}
	if a != b && !unmarked {
		row.Mark = "≠"
	}
	return row
}

// union is a's keys with b's that a lacks, each placed after the key it
// follows in b.
func union(a, b []string) []string {
	out := slices.Clone(a)
	at := -1 // where the last key of b seen sits in out
	for _, k := range b {
		if i := slices.Index(out, k); i >= 0 {
			at = i
			continue
		}
		at++
		out = slices.Insert(out, at, k)
	}
	return out
}
