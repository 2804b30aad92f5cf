package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/tokentop/tokentop/store"
)

// writeProxy is what the last `tokentop proxy` for the provider counted,
// on one labelled line (wrapped to the width like every other value);
// nothing when no proxy ran for it.
func (d *detailView) writeProxy(w *lineWriter) {
	if f := d.sum.Proxy; f != nil {
		w.line("Proxy", clean(proxyText(f, d.now, d.locOrLocal())), d.st.Row)
	}
}

// proxyText is the proxy's figures: since when, the requests, the answers
// by class (3xx only when there were some), the failed and retried ones
// and the answers' mean and longest time.
func proxyText(f *store.ProxyFigures, now time.Time, loc *time.Location) string {
	var parts []string
	if !f.Since.IsZero() {
		parts = append(parts, "since "+clock(f.Since, now, loc))
	}
	parts = append(parts, plural(f.Requests, "request", "requests"))
	for _, class := range []string{"2xx", "3xx", "4xx", "5xx"} {
		if n := f.Statuses[class]; n > 0 || class != "3xx" {
			parts = append(parts, fmt.Sprintf("%s %d", class, n))
		}
	}
	parts = append(parts,
		fmt.Sprintf("failed %d", f.Statuses["failed"]),
		fmt.Sprintf("retried %d (%s)", f.Retried, plural(f.NewTokens, "new token", "new tokens")))
	if f.Requests > 0 {
		parts = append(parts, "mean "+latency(f.LatencyMean)+", max "+latency(f.LatencyMax))
	}
	return strings.Join(parts, " · ")
}

// clock is a time as HH:MM in loc, with the date when it is not on now's
// day there.
func clock(t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	if y, m, dd := t.Date(); y == now.Year() && m == now.Month() && dd == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// plural is n and the word for it.
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
