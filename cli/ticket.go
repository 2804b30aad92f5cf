package cli

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
)

// ticketBodyBytes is how much of the failing exchange's answer a ticket
// report shows.
const ticketBodyBytes = 2 << 10

// ticket is what `doctor --markdown` adds for a support ticket: when the
// run was, which tokentop, which client and token URL, and the exchange
// that failed (the flight record's, already redacted).
type ticket struct {
	at       time.Time
	version  string
	provider providers.Provider
	failed   *providers.Exchange
}

// failingExchange is the run's first token request that failed: the one
// with the configured settings, before any retry of the doctor's. History
// is newest first; nil when none failed since started.
func failingExchange(history []providers.Exchange, started time.Time) *providers.Exchange {
	var out *providers.Exchange
	for i := range history {
		ex := &history[i]
		if ex.Started.Before(started) {
			break
		}
		if ex.Kind == "" && !ex.OK() {
			out = ex
		}
	}
	return out
}

// add puts the ticket's rows at the top of the report's first section and
// the failing exchange after the checks.
func (t ticket) add(r *Report) {
	eff, err := t.provider.Resolve()
	if err != nil {
		eff = t.provider
	}
	rows := []Row{
		KV("run", t.at.UTC().Format("2006-01-02 15:04:05 UTC")),
		KV("tokentop", t.version),
		KV("client_id", eff.ClientID),
		KV("token_url", eff.TokenURL),
	}
	if len(r.Sections) > 0 {
		r.Sections[0].Rows = append(rows, r.Sections[0].Rows...)
	}
	if t.failed == nil {
		r.Sections = append(r.Sections, Section{Title: "Failing exchange", Notes: []string{"no token request failed in this run"}})
		return
	}
	r.Sections = append(r.Sections, Section{Title: "Failing exchange (redacted, as the flight recorder keeps it)", Pre: exchangeLines(*t.failed)})
}

// exchangeLines writes a flight record as the wire would have it: the
// request line, headers and form, then the status, headers and the first
// 2 KiB of the body. The record's secrets are redacted already.
func exchangeLines(ex providers.Exchange) []string {
	out := []string{fmt.Sprintf("%s %s", cmp.Or(ex.Method, http.MethodPost), ex.URL)}
	out = append(out, headerLines(ex.RequestHeaders)...)
	if ex.RequestBody != "" {
		out = append(out, "", ex.RequestBody)
	}
	if ex.Credential != "" {
		out = append(out, "", "(credential: "+ex.Credential+")")
	}
	out = append(out, "")
	if ex.Status == 0 {
		return append(out, "(no answer) "+ex.Error)
	}
	out = append(out, fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status)))
	out = append(out, headerLines(ex.ResponseHeaders)...)
	if ex.ResponseBody != "" {
		body := ex.ResponseBody
		if len(body) > ticketBodyBytes {
			body = strings.ToValidUTF8(body[:ticketBodyBytes], "") + fmt.Sprintf("… (%d bytes in all)", len(ex.ResponseBody))
		}
		out = append(out, "")
		out = append(out, strings.Split(strings.TrimRight(safetext.Sanitize(body), "\n"), "\n")...)
	}
	return out
}

// headerLines are "Name: value" lines, sorted by name.
func headerLines(h http.Header) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			out = append(out, k+": "+v)
		}
	}
	return out
}
