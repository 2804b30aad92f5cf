package authproxy

import (
	"net/http"
	"time"

	"github.com/tokentop/tokentop/store"
)

// finish logs the request and counts it in the figures.
func (p *Proxy) finish(r *http.Request, rec *recorder, a *attempt, start time.Time) {
	end := p.o.Now()
	if r.Context().Err() != nil {
		a.clientGone = true
	}
	var secrets []string
	if a.token != nil {
		secrets = append(secrets, a.token.AccessToken)
	}
	path := logPath(a.route.keyHidden(r.URL), secrets)
	kv := []any{"provider", a.route.Provider, "status", rec.status, "took", roundDuration(end.Sub(start))}
	if a.clientAuth {
		kv = append(kv, "auth", a.route.replacedWords())
	}
	switch {
	case a.retried && a.newToken:
		kv = append(kv, "retried", "the upstream refused the token (invalid_token): sent again with a new token")
	case a.retried:
		kv = append(kv, "retried", "the upstream refused the token (invalid_token): sent again with the token another request got")
	case a.notReplayable:
		kv = append(kv, "not_retried", "the upstream refused the token (invalid_token), and the body was streamed, so the request was not sent again")
	}
	if a.replaceErr != nil {
		kv = append(kv, "token_error", a.replaceErr.Error())
	}
	if a.upstreamErr != nil {
		kv = append(kv, "error", a.upstreamErr.Error())
	}
	if a.clientGone {
		kv = append(kv, "client", "left before the end of the answer")
	}
	msg := r.Method + " " + path
	if rec.status >= 500 || rec.status == 0 || a.replaceErr != nil {
		p.log.Warn(msg, kv...)
	} else {
		p.log.Info(msg, kv...)
	}

	c := store.CallRecord{At: end, Endpoint: "proxy " + msg, RateLimit: a.rateLimit.Fields(end)}
	if !a.headersAt.IsZero() {
		c.Status, c.Latency = rec.status, a.headersAt.Sub(start)
	}
	p.figures.add(a.route.Provider, c, a.retried)
}

// roundDuration keeps a duration readable in the log: microseconds under
// 10 ms, milliseconds above.
func roundDuration(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
