package store

import (
	"context"
	"errors"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/doctor"
)

// DiagnoseOptions tune Store.Diagnose.
type DiagnoseOptions struct {
	// Fetch asks the token endpoint for a new token even when the cached
	// one is good, so the exchange itself is tested (it counts against the
	// quota like any fetch).
	Fetch bool
	// IgnoreQuota fetches even when the quota is used up.
	IgnoreQuota bool
	// Endpoint is what the test-call calls (see doctor.Options).
	Endpoint string
	// Progress gets each check as soon as it is known.
	Progress func(check.Check)
}

// Diagnose runs the doctor on the provider called name. Its tokens come
// through Token, so they are counted against the quota and their
// exchanges recorded like any other; by default the cached token is used
// when it is still good. A token the doctor's retries get with a setting
// other than the configured one is not cached (see TokenOptions).
func (s *Store) Diagnose(ctx context.Context, name string, o DiagnoseOptions) (*doctor.Diagnosis, error) {
	// With its secret: the doctor checks whether form-encoding changes it
	// before it retries HTTP Basic raw. The secret is never in a check.
	p, err := s.ProviderWithSecret(ctx, name)
	if err != nil {
		return nil, err
	}
	stored, err := s.HasSecret(ctx, name)
	if err != nil {
		return nil, err
	}
	fetch := func(ctx context.Context, retry doctor.Retry) (doctor.Fetched, error) {
		res, err := s.Token(ctx, name, TokenOptions{ForceRefresh: o.Fetch || retry.Fresh, IgnoreQuota: o.IgnoreQuota,
			AuthStyle: retry.AuthStyle, AssertionAudience: retry.AssertionAudience, BasicEncoding: retry.BasicEncoding})
		if err != nil {
			return doctor.Fetched{}, err
		}
		return doctor.Fetched{Token: res.Token, Cached: res.Cached, Exchanges: res.Exchanges}, nil
	}
	ledger := func(ctx context.Context) (providers.QuotaState, error) {
		u, err := s.Usage(ctx, name)
		return u.State(s.now()), err
	}
	do := doctor.Options{Fetch: fetch, Endpoint: o.Endpoint, Progress: o.Progress, Quota: ledger, SecretStored: stored}
	if p.Grant.UserLogin() {
		do.Session = func(ctx context.Context) (doctor.Session, error) { return s.session(ctx, name) }
	}
	return doctor.Run(ctx, s.client, p, do), nil
}

// session is a user grant's session for the doctor: the cached token
// with its refresh and ID tokens (nil when nobody logged in), and the
// state's "needs login" with the failure that set it.
func (s *Store) session(ctx context.Context, name string) (doctor.Session, error) {
	var out doctor.Session
	tok, err := s.CachedToken(ctx, name)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return out, err
	default:
		out.Token = tok
	}
	sm, err := s.Summary(ctx, name)
	if err != nil {
		return out, err
	}
	out.NeedsLogin = sm.NeedsLogin
	// The failure that ended a session, or one since its token came.
	if e := sm.LastError; e != nil && (sm.NeedsLogin || tok == nil || e.At.After(tok.IssuedAt)) {
		out.LastError, out.LastHint = e.Message, e.Hint
	}
	return out, nil
}
