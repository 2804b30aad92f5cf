package store

import (
	"context"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// ProxyFigures are what a `tokentop proxy` counted for one provider since
// it started. Several proxies for one provider each write their own, and
// the last write is kept.
type ProxyFigures struct {
	// Since is when the proxy started; At when these figures were taken.
	Since time.Time `json:"since"`
	At    time.Time `json:"at"`
	// Requests is how many requests the proxy passed on for the provider.
	Requests int64 `json:"requests"`
	// Statuses counts the answers by class ("2xx", "3xx", "4xx", "5xx")
	// and "failed": no answer from the upstream (unreachable, or the
	// client left first).
	Statuses map[string]int64 `json:"statuses,omitempty"`
	// Retried counts requests sent again with a new token after the
	// upstream answered 401 invalid_token; NewTokens the tokens fetched
	// for that reason (at most one per rejected token).
	Retried   int64 `json:"retried,omitempty"`
	NewTokens int64 `json:"new_tokens,omitempty"`
	// LatencyMean and LatencyMax are the time from a request to the
	// upstream's response headers.
	LatencyMean time.Duration `json:"latency_mean"`
	LatencyMax  time.Duration `json:"latency_max"`
	// RateLimit holds the rate-limit figures of the last answer that had
	// any, as CallRecord.RateLimit.
	RateLimit map[string]string `json:"rate_limit,omitempty"`
}

// RecordProxy saves a proxy's figures for the provider and its last
// request as the provider's last call (so the dashboard's last-call
// column shows the proxy's traffic). Both are bounded as RecordCall
// bounds a call, whatever they hold.
func (s *Store) RecordProxy(ctx context.Context, name string, f ProxyFigures, last CallRecord) error {
	last = last.bounded()
	f.Statuses = boundedFigures(f.Statuses, func(n int64) int64 { return n })
	f.RateLimit = boundedFigures(f.RateLimit, func(v string) string { return providers.Truncate(v, maxCallText) })
	return s.update(ctx, func(tx kv.Tx) error {
		if err := hasProvider(tx, name); err != nil {
			return err
		}
		return s.updateState(tx, name, func(st *stateRecord) {
			st.LastCall = &last
			st.Proxy = &f
		})
	})
}
