package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// lsRow is one provider in `tokentop ls --json`.
type lsRow struct {
	Name       string `json:"name"`
	Env        string `json:"env"`
	Status     string `json:"status"`
	ExpiresAt  string `json:"expires_at,omitempty"`
	ExpiresIn  int64  `json:"expires_in_seconds,omitempty"`
	Assumed    bool   `json:"expiry_assumed,omitempty"`
	QuotaUsed  int    `json:"quota_used"`
	QuotaLimit int    `json:"quota_limit,omitempty"`
	QuotaPer   string `json:"quota_per,omitempty"`
	LastError  string `json:"last_error,omitempty"`
	// APIKey rows (grant api_key) count in days: KeyLeft is "41d", "past
	// 3d" or "no expiry", Warning the lead time's warning.
	APIKey  bool   `json:"api_key,omitempty"`
	KeyLeft string `json:"key_left,omitempty"`
	Warning string `json:"warning,omitempty"`
}

// lsOptions are what `tokentop ls` is asked.
type lsOptions struct {
	output outputFormat
}

func (a *App) lsCommand() *cobra.Command {
	var o lsOptions
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List providers with their token status and quota use",
		Long: `List providers: name, env, status (valid; expiring inside the refresh
margin, 10 % of the token's lifetime and at least 30 s; expired, error, none;
login: a user's login is needed, tokentop login NAME), when the token expires, and quota used/limit in the
quota's window (tokens issued this month when no quota is set).`,
		Args: args(0, 0),
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runLs(cmd.Context(), o) },
	}
	o.output.Register(cmd, jsonFlag("print JSON"))
	return cmd
}

// runLs lists the providers as a table or as JSON.
func (a *App) runLs(ctx context.Context, o lsOptions) error {
	var sums []store.Summary
	err := a.withStore(ctx, func(st *store.Store) error {
		var err error
		sums, err = st.Summaries(ctx)
		return err
	})
	if err != nil {
		return err
	}
	rows := lsRows(sums, a.now())
	if o.output.Format() == formatJSON {
		return safetext.EncodeJSON(a.out, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(a.out, "no providers yet: tokentop import FILE, or tokentop add NAME …")
		return nil
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tENV\tSTATUS\tEXPIRES AT\tEXPIRES IN\tQUOTA")
	for _, r := range rows {
		exp, in := "-", "-"
		switch {
		case r.APIKey:
			exp, in = orDash(r.ExpiresAt), r.KeyLeft
			if r.Warning != "" {
				in += " (rotate)"
			}
		case r.ExpiresAt != "":
			exp = r.ExpiresAt
			in = humanUntil(time.Duration(r.ExpiresIn) * time.Second)
			if r.Assumed {
				in += " (assumed)"
			}
		}
		quota := fmt.Sprintf("%d", r.QuotaUsed)
		if r.QuotaLimit > 0 {
			quota = fmt.Sprintf("%d/%d %s", r.QuotaUsed, r.QuotaLimit, r.QuotaPer)
		} else {
			quota += " this month"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, orDash(r.Env), r.Status, exp, in, quota)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var warnings []string
	for _, r := range rows {
		if r.Warning != "" {
			warnings = append(warnings, r.Warning)
		}
	}
	a.warn(warnings)
	return nil
}

// lsRows are the providers' summaries as ls shows them at now.
func lsRows(sums []store.Summary, now time.Time) []lsRow {
	rows := make([]lsRow, 0, len(sums))
	for _, s := range sums {
		r := lsRow{Name: s.Provider.Name, Env: s.Provider.Env, Status: string(s.Status(now)), QuotaUsed: s.Quota.Month}
		if s.Quota.Limit > 0 {
			r.QuotaUsed, r.QuotaLimit, r.QuotaPer = s.Quota.Used, s.Quota.Limit, string(s.Quota.Per)
		}
		if t := s.Token; t != nil && !t.ExpiresAt.IsZero() {
			r.ExpiresAt = t.ExpiresAt.UTC().Format(time.RFC3339)
			r.ExpiresIn = int64(t.ExpiresAt.Sub(now).Seconds())
			r.Assumed = t.ExpiryAssumed
		}
		if s.Provider.IsAPIKey() {
			r.APIKey, r.KeyLeft, r.Warning = true, providers.KeyCountdown(s.Token, now), safetext.Line(s.Provider.KeyWarning(now))
			r.Assumed = false
		}
		if s.Provider.Grant.UserLogin() && (s.NeedsLogin || s.Token == nil) {
			// A user's session that is over, or never began: what helps
			// is a login, which the status says rather than "error".
			r.Status = lsNeedsLogin
		}
		if e := s.LastError; e != nil && (r.Status == string(providers.StatusError) || r.Status == lsNeedsLogin) {
			r.LastError = safetext.Line(e.Message)
		}
		rows = append(rows, r)
	}
	return rows
}

// lsNeedsLogin is the status of a user grant's provider with no session:
// tokentop login NAME is what it needs.
const lsNeedsLogin = "login"

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
