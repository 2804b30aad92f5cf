package doctor

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/safetext"
)

// clean is c with its detail and hint passed through the sanitiser: they
// hold what a server said (discovery's URLs, its errors).
func clean(c check.Check) check.Check {
	c.Detail, c.Hint = safetext.Line(c.Detail), safetext.Line(c.Hint)
	return c
}

// RefreshRefusedHint is the doctor's words for a refresh token the server
// refused with invalid_grant.
func RefreshRefusedHint(name string) string {
	return "the refresh token was revoked, expired or already used (rotation): " + providers.LoginAgain(name)
}

// session reads the session the store keeps and reports it: never logged
// in, over ("needs login"), or its access and refresh tokens' expiries.
// ok is false when there is no session to go on with.
func (r *doctorRun) session(ctx context.Context) (Session, bool) {
	name := r.p.Name
	if r.o.Session == nil {
		r.add(check.Skipped(StepSession, "no way to read the session was given"))
		return Session{}, false
	}
	s, err := r.o.Session(ctx)
	if err != nil {
		r.add(check.Failed(StepSession, r.errText(err), "the store could not be read: see the error"))
		return s, false
	}
	r.keep(s.Token)
	now := r.now()
	if (s.Token == nil || s.Token.AccessToken == "") && s.NeedsLogin {
		r.add(check.Failed(StepSession, "the session of "+name+" is over: no token is kept (revoked, or the server refused its refresh token)", "run tokentop login "+name))
		return s, false
	}
	if s.Token == nil || s.Token.AccessToken == "" {
		r.add(check.Failed(StepSession, "nobody has logged in to "+name+" yet", "run tokentop login "+name))
		return s, false
	}
	access := expiryText("the access token", s.Token.ExpiresAt, now)
	if s.NeedsLogin {
		r.add(clean(check.Failed(StepSession, "the session needs a login: "+cmp.Or(s.LastError, "its refresh token is gone")+" · "+access, needsLoginHint(name, s))))
		return s, now.Before(s.Token.ExpiresAt)
	}
	rt := s.Token.RefreshToken
	switch {
	case rt == "" && !now.Before(s.Token.ExpiresAt):
		r.add(check.Failed(StepSession, "logged in, but "+access+" and no refresh token is kept", providers.LoginAgain(name)))
		return s, false
	case rt == "":
		r.add(check.Warned(StepSession, "logged in · "+access+" · no refresh token: the session ends then",
			"the server gave no refresh token: "+providers.LoginAgain(name)+" when it expires (some servers give one only for the offline_access scope)"))
	case !s.Token.RefreshExpiresAt.IsZero() && !now.Before(s.Token.RefreshExpiresAt):
		r.add(check.Failed(StepSession, "logged in, but "+expiryText("the refresh token", s.Token.RefreshExpiresAt, now)+" · "+access, providers.LoginAgain(name)))
		return s, now.Before(s.Token.ExpiresAt)
	case s.Token.RefreshExpiresAt.IsZero():
		r.add(check.Passed(StepSession, "logged in · "+access+" · a refresh token is kept (the server gave it no expiry)"))
	default:
		r.add(check.Passed(StepSession, "logged in · "+access+" · "+expiryText("the refresh token", s.Token.RefreshExpiresAt, now)))
	}
	return s, true
}

// needsLoginHint is the session step's hint for a session marked over:
// the refresh token's refusal explained when that is what ended it.
func needsLoginHint(name string, s Session) string {
	if strings.Contains(s.LastError, "invalid_grant") {
		return RefreshRefusedHint(name)
	}
	return cmp.Or(s.LastHint, providers.LoginAgain(name))
}

// expiryText says when what expires or expired, by now.
func expiryText(what string, at, now time.Time) string {
	when := at.UTC().Format(time.RFC3339)
	if now.Before(at) {
		return fmt.Sprintf("%s expires in %s (%s)", what, at.Sub(now).Round(time.Second), when)
	}
	return fmt.Sprintf("%s expired %s ago (%s)", what, now.Sub(at).Round(time.Second), when)
}

// refresh renews the access token with the refresh token when the
// doctor's rule spends one: the access token is inside its refresh margin
// (Options.Fetch then refreshes, as `tokentop token` would) or --fetch
// asked for a new one. Otherwise the session's access token is the one
// checked. It returns the access token the rest of the steps look at.
func (r *doctorRun) refresh(ctx context.Context, s Session, reachable bool) *providers.Token {
	alive := r.now().Before(s.Token.ExpiresAt)
	switch {
	case s.Token.RefreshToken == "" || s.NeedsLogin:
		r.add(check.Skipped(StepRefresh, "no refresh token to try"))
		return r.sessionToken(s, alive)
	case !reachable:
		r.add(check.Skipped(StepRefresh, "the token endpoint cannot be reached (see above)"))
		return r.sessionToken(s, alive)
	case r.o.Fetch == nil:
		r.add(check.Skipped(StepRefresh, "no way to fetch a token was given"))
		return r.sessionToken(s, alive)
	}
	start := time.Now()
	got, err := r.o.Fetch(ctx, Retry{})
	took := time.Since(start)
	r.noteTokenAnswer(got, err)
	r.keep(got.Token)
	if err != nil || got.Token == nil {
		ch := clean(check.Failed(StepRefresh, r.errText(err), refreshHint(r.p.Name, err)))
		ch.Took = took
		r.add(ch)
		return nil
	}
	r.out.TokenCached = got.Cached
	r.issuerClock = issuerSkew(got)
	if got.Cached {
		r.add(check.Skipped(StepRefresh, fmt.Sprintf("not needed: the access token is good for %s; --fetch refreshes now to test it (a rotating server replaces the refresh token)",
			got.Token.ExpiresAt.Sub(r.now()).Round(time.Second))))
		return got.Token
	}
	detail := "refreshed: " + tokenDetail(got, r.now())
	switch {
	case got.Token.RefreshToken != "" && got.Token.RefreshToken != s.Token.RefreshToken:
		detail += "; the refresh token rotated (the new one is kept)"
	case got.Token.RefreshToken != "":
		detail += "; the same refresh token stays in force"
	}
	ch := check.Passed(StepRefresh, detail)
	if len(got.Token.Warnings) > 0 {
		ch.Status, ch.Hint = check.Warn, strings.Join(got.Token.Warnings, "; ")
	}
	ch = clean(ch)
	ch.Took = took
	r.add(ch)
	return got.Token
}

// sessionToken is the session's access token while it lives (the cached
// token: nothing was fetched), nil once it died.
func (r *doctorRun) sessionToken(s Session, alive bool) *providers.Token {
	if !alive {
		return nil
	}
	r.out.TokenCached = true
	return s.Token
}

// refreshHint explains a refused refresh: invalid_grant (the refresh
// token), invalid_client (the client, as for client credentials), or
// the error's own hint.
func refreshHint(name string, err error) string {
	e, ok := providers.AsError(err)
	switch {
	case ok && e.Code == "invalid_grant":
		return RefreshRefusedHint(name)
	case ok && e.ClientRefused():
		return cmp.Or(providers.HintFor(err), bothRefused())
	}
	return cmp.Or(providers.HintWithName(providers.HintFor(err), name), "see the exchange: `tokentop history "+name+" -v`")
}
