package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// historyOptions are what `tokentop history` is asked.
type historyOptions struct {
	name    string
	output  outputFormat
	verbose bool
	limit   int
}

func (a *App) historyCommand() *cobra.Command {
	var o historyOptions
	cmd := &cobra.Command{
		Use:   "history NAME",
		Short: "Show the flight recorder: the last 50 token exchanges",
		Long: `Show a provider's recent exchanges with its token endpoint, newest first,
each with its grant (a login's code exchange, a refresh…) and outcome.
-v prints each one in full: request and response headers and bodies (the
secret, the Authorization header and the access token redacted) and timings.`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.name = argv[0]
			return a.runHistory(cmd.Context(), o)
		},
	}
	o.output.Register(cmd, jsonFlag("print JSON"))
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "print each exchange in full")
	cmd.Flags().IntVarP(&o.limit, "limit", "n", 0, "show at most N exchanges")
	return cmd
}

// runHistory prints the provider's flight records, newest first: a table,
// each in full, or JSON.
func (a *App) runHistory(ctx context.Context, o historyOptions) error {
	var exs []providers.Exchange
	err := a.withProvider(ctx, o.name, func(st *store.Store, _ providers.Provider) error {
		var err error
		exs, err = st.History(ctx, o.name)
		return err
	})
	if err != nil {
		return err
	}
	if o.limit > 0 && len(exs) > o.limit {
		exs = exs[:o.limit]
	}
	if o.output.Format() == formatJSON {
		return safetext.EncodeJSON(a.out, exs)
	}
	if len(exs) == 0 {
		fmt.Fprintf(a.out, "no exchanges recorded for %s yet: try tokentop token %s\n", o.name, o.name)
		return nil
	}
	if o.verbose {
		for i, ex := range exs {
			if i > 0 {
				fmt.Fprintln(a.out)
			}
			printExchange(a, ex)
		}
		return nil
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN (UTC)\tGRANT\tAUTH\tSTATUS\tTIME\tRESULT")
	for _, ex := range exs {
		result := providers.Truncate(ex.Outcome(), 100)
		status := "-"
		if ex.Status != 0 {
			status = fmt.Sprint(ex.Status)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ex.Started.UTC().Format("2006-01-02 15:04:05"), ex.GrantName(), ex.Auth(), status, ms(ex.Timings.Total), result)
	}
	return tw.Flush()
}

// printExchange writes one flight record in full, sanitised.
func printExchange(a *App, ex providers.Exchange) {
	w := a.out
	kind := "  grant " + ex.GrantName()
	if ex.Kind != "" {
		kind = "  " + safetext.Line(ex.Kind)
	}
	fmt.Fprintf(w, "── %s  auth %s%s\n", ex.Started.UTC().Format(time.RFC3339), ex.Auth(), kind)
	fmt.Fprintf(w, "> %s %s\n", ex.Method, safetext.Line(ex.URL))
	writeHeaders(w, "> ", ex.RequestHeaders)
	if ex.RequestBody != "" {
		fmt.Fprintf(w, ">\n> %s\n", safetext.Line(ex.RequestBody))
	}
	if ex.Credential != "" {
		fmt.Fprintf(w, "credential: %s\n", safetext.Line(ex.Credential))
	}
	if ex.Status != 0 {
		fmt.Fprintf(w, "< %d %s\n", ex.Status, http.StatusText(ex.Status))
		writeHeaders(w, "< ", ex.ResponseHeaders)
		if ex.ResponseBody != "" {
			fmt.Fprintln(w, "<")
			for _, line := range strings.Split(safetext.Sanitize(ex.ResponseBody), "\n") {
				fmt.Fprintf(w, "< %s\n", line)
			}
		}
	}
	t := ex.Timings
	fmt.Fprintf(w, "time: %s total (dns %s, connect %s, tls %s, first byte %s)\n", ms(t.Total), ms(t.DNS), ms(t.Connect), ms(t.TLS), ms(t.FirstByte))
	if !ex.ServerDate.IsZero() {
		fmt.Fprintf(w, "server date: %s (local clock %s at the time)\n", ex.ServerDate.UTC().Format(time.RFC3339), ex.Started.UTC().Format(time.RFC3339))
	}
	if ex.Error != "" {
		fmt.Fprintf(w, "error: %s\n", safetext.Line(ex.Error))
	}
	if ex.Hint != "" {
		fmt.Fprintf(w, "hint: %s\n", safetext.Line(ex.Hint))
	}
}

func writeHeaders(w io.Writer, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(w, "%s%s: %s\n", prefix, safetext.Line(k), safetext.Line(v))
		}
	}
}
