package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// callOptions are what `tokentop call` is asked.
type callOptions struct {
	name string
	// target holds the endpoint's name or the URL when one is given
	// (none: the first saved endpoint).
	target  []string
	method  string
	headers []string
	data    string
	force   bool
}

func (a *App) callCommand() *cobra.Command {
	var o callOptions
	cmd := &cobra.Command{
		Use:   "call NAME [ENDPOINT|URL]",
		Short: "Call an API with the provider's bearer token",
		Long: `Call a saved endpoint (by name; the first one when none is given) or any
URL with the provider's cached token. The status, timings and rate-limit
figures go to stderr, the body to stdout, so the body can be piped:
  tokentop call auth0-prod items | jq .
Piped or redirected, the body is written byte for byte; on a terminal, its
escape sequences and control characters are dropped.
Exit code 0 on a 2xx answer, 1 otherwise.`,
		Args: args(1, 2),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.name, o.target = argv[0], argv[1:]
			return a.runCall(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.method, "request", "X", "", "HTTP method (default: the endpoint's, else GET, or POST with -d)")
	fl.StringArrayVarP(&o.headers, "header", "H", nil, `extra header "Name: value" (repeatable)`)
	fl.StringVarP(&o.data, "data", "d", "", "request body (@FILE reads a file)")
	fl.BoolVar(&o.force, "force", false, "fetch a token even past the provider's quota limit")
	return cmd
}

// runCall calls the API with the provider's token, records the call, and
// prints the summary to stderr and the body to stdout.
func (a *App) runCall(ctx context.Context, o callOptions) error {
	return a.withProvider(ctx, o.name, func(st *store.Store, p providers.Provider) error {
		req, name, err := callRequest(p, o.target, o.method, o.headers, o.data)
		if err != nil {
			return err
		}
		if err := providers.CheckCallURL(p, req.URL); err != nil {
			return err // before a token is fetched for it
		}
		res, err := st.Token(ctx, p.Name, store.TokenOptions{IgnoreQuota: o.force, OnLease: a.tellLease})
		if err != nil {
			return err
		}
		a.warn(res.Warnings)
		out, err := a.client().Call(ctx, p, res.Token, req)
		if err != nil {
			return err
		}
		rec := store.CallRecord{At: a.now(), Endpoint: name, Status: out.Status, Latency: out.Timings.Total, RateLimit: out.RateLimit.Fields(a.now())}
		if err := st.RecordCall(ctx, p.Name, rec); err != nil {
			fmt.Fprintf(a.errOut, "warning: could not record the call: %v\n", err)
		}
		printCallSummary(a, out)
		if err := a.writeBody(out); err != nil {
			return err
		}
		if !out.OK() {
			return callFailed(out, providers.CallContext{Provider: p, Token: res.Token})
		}
		return nil
	})
}

// writeBody writes the API's answer: the bytes the server sent when
// stdout is a pipe or a file (`| jq`, `> answer.bin`), whose reader wants
// them unchanged; else, on a terminal or anything not known to be a file,
// the sanitised text. A body that does not end in a newline gets one.
func (a *App) writeBody(r *providers.CallResult) error {
	w, body := a.out, []byte(r.Body)
	if f, ok := a.Stdout.(interface{ Fd() uintptr }); ok && !term.IsTerminal(f.Fd()) {
		w, body = a.Stdout, r.RawBody
	}
	if len(body) > 0 && body[len(body)-1] != '\n' {
		body = append(body[:len(body):len(body)], '\n')
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("writing the body: %w", err)
	}
	return nil
}

// callRequest builds the request from a saved endpoint or a URL plus flags.
func callRequest(p providers.Provider, rest []string, method string, headers []string, data string) (providers.CallRequest, string, error) {
	var req providers.CallRequest
	name := ""
	switch {
	case len(rest) == 1 && (strings.HasPrefix(rest[0], "http://") || strings.HasPrefix(rest[0], "https://")):
		req.URL, name = rest[0], rest[0]
	case len(rest) == 1:
		ep, ok := p.Endpoint(rest[0])
		if !ok {
			return req, "", usagef("%s has no endpoint named %q (saved: %s)", p.Name, rest[0], endpointNames(p))
		}
		req, name = providers.RequestFromEndpoint(ep), ep.Name
	case len(p.Endpoints) > 0:
		req, name = providers.RequestFromEndpoint(p.Endpoints[0]), p.Endpoints[0].Name
	default:
		return req, "", usagef("%s has no saved endpoint: give a URL, e.g. tokentop call %s https://api.example.com/v1/items", p.Name, p.Name)
	}
	if req.Headers == nil {
		req.Headers = http.Header{}
	}
	for _, h := range headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return req, "", usagef("-H %q: want \"Name: value\"", h)
		}
		req.Headers.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	if data != "" {
		if strings.HasPrefix(data, "@") {
			b, err := os.ReadFile(data[1:])
			if err != nil {
				return req, "", fmt.Errorf("-d %s: %w", data, err)
			}
			data = string(b)
		}
		req.Body = data
		if req.Method == "" || req.Method == http.MethodGet {
			req.Method = http.MethodPost
		}
	}
	if method != "" {
		req.Method = strings.ToUpper(method)
	}
	return req, name, nil
}

func endpointNames(p providers.Provider) string {
	if len(p.Endpoints) == 0 {
		return "none"
	}
	names := make([]string, len(p.Endpoints))
	for i, e := range p.Endpoints {
		names[i] = e.Name
	}
	return strings.Join(names, ", ")
}

// printCallSummary writes the status, timings and rate-limit figures to
// stderr.
func printCallSummary(a *App, r *providers.CallResult) {
	t := r.Timings
	fmt.Fprintf(a.errOut, "%s %s → %d %s\n", r.Method, r.URL, r.Status, http.StatusText(r.Status))
	fmt.Fprintf(a.errOut, "time: %s total (dns %s, connect %s, tls %s, first byte %s)\n",
		ms(t.Total), ms(t.DNS), ms(t.Connect), ms(t.TLS), ms(t.FirstByte))
	if f := r.RateLimit.Fields(a.now()); len(f) > 0 {
		keys := make([]string, 0, len(f))
		for k := range f {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+"="+f[k])
		}
		fmt.Fprintf(a.errOut, "rate limit: %s\n", strings.Join(parts, " "))
	}
	if r.WWWAuthenticate != "" {
		fmt.Fprintf(a.errOut, "www-authenticate: %s\n", r.WWWAuthenticate)
	}
}

func ms(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	return d.Round(100 * time.Microsecond).String()
}

// callFailed words a non-2xx answer, explaining a 401 or 403 as the
// doctor does (providers.ExplainCall).
func callFailed(r *providers.CallResult, cc providers.CallContext) error {
	e := &providers.Error{Status: r.Status, Description: fmt.Sprintf("the API answered %d %s", r.Status, http.StatusText(r.Status))}
	if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden || r.WWWAuthenticate != "" {
		x := providers.ExplainCall(r, cc)
		if x.Summary != "" {
			e.Description += ": " + x.Summary
		}
		e.Hint = x.Hint
	}
	return callError{e}
}

// callError is an API failure: it reads without a provider prefix, and its
// hint still reaches the user through Unwrap.
type callError struct{ err *providers.Error }

func (e callError) Error() string { return e.err.Summary() }
func (e callError) Unwrap() error { return e.err }
