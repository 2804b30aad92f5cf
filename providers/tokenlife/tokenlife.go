// Package tokenlife is the rule of a token's refresh margin: when a cached
// token stops being handed out. It imports nothing but time, so that
// whatever reads a cached token (the store, the fast path of
// `tokentop token`) decides by the same rule without linking the OAuth2
// client.
package tokenlife

import "time"

// MinRefreshMargin is the smallest refresh margin: a cached token is not
// handed out when it has less than this left.
const MinRefreshMargin = 30 * time.Second

// RefreshMargin is the larger of 30 s and 10 % of lifetime.
func RefreshMargin(lifetime time.Duration) time.Duration {
	if m := lifetime / 10; m > MinRefreshMargin {
		return m
	}
	return MinRefreshMargin
}

// Usable reports whether a token issued at issued that expires at expires
// may be handed out at now: now is before its refresh margin.
func Usable(issued, expires, now time.Time) bool {
	return now.Before(expires.Add(-RefreshMargin(expires.Sub(issued))))
}
