package doctor

import (
	"context"
	"slices"
	"strings"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/jwtverify"
)

// idToken verifies the session's ID token as a login does (signature
// against the JWKS, iss the issuer, aud the client_id; OIDC Core
// §3.1.3.7) and says which check failed. An ID token that verifies but
// has expired is a warning: it proved the login when it came.
func (r *doctorRun) idToken(ctx context.Context, t *providers.Token) {
	if t.IDToken == "" {
		if slices.Contains(r.p.Scopes, "openid") {
			r.add(check.Warned(StepIDToken, "none: the scopes ask for openid, and the server sent no ID token",
				"a server that answers openid with no ID token is not an OpenID provider for this client: check the client's settings at the vendor"))
			return
		}
		r.add(check.Skipped(StepIDToken, "none (the scopes do not ask for openid)"))
		return
	}
	v, err := r.c.VerifyIDToken(ctx, r.p, t.IDToken, "")
	if v == nil {
		r.add(clean(check.Failed(StepIDToken, "cannot verify: "+r.errText(err), providers.HintWithName(providers.HintFor(err), r.p.Name))))
		return
	}
	r.add(clean(idTokenCheck(v)))
}

// idTokenCheck is the ID token step's verdict from its verification: the
// checks that failed named, with the first one's hint.
func idTokenCheck(v *jwtverify.Verification) check.Check {
	var failed, passed []string
	hint := ""
	for _, c := range v.Checks {
		switch c.Status {
		case check.Fail:
			failed = append(failed, c.Name+" ("+c.Detail+")")
			if hint == "" {
				hint = c.Hint
			}
		case check.Pass:
			if slices.Contains([]string{"signature", "iss", "aud"}, c.Name) {
				passed = append(passed, c.Name)
			}
		}
	}
	sub := ""
	if v.Claims != nil && v.Claims.Subject != "" {
		sub = " · sub " + v.Claims.Subject
	}
	switch {
	case len(failed) == 1 && strings.HasPrefix(failed[0], "exp "):
		return check.Warned(StepIDToken, "verified ("+strings.Join(passed, ", ")+"), but it has expired: "+failed[0]+sub,
			"an ID token proves the login when it came; a refresh that brings none leaves the old one: log in again for a new one if an API wants it")
	case len(failed) > 0:
		if hint == "" {
			hint = "the ID token does not answer this client: check issuer, client_id and jwks_uri"
		}
		return check.Failed(StepIDToken, "does not verify: "+strings.Join(failed, "; ")+sub, hint)
	case v.Verdict != jwtverify.VerdictValid:
		return check.Failed(StepIDToken, "does not verify: "+string(v.Verdict)+": "+v.Reason, v.Hint)
	}
	return check.Passed(StepIDToken, "verified: "+strings.Join(passed, ", ")+sub)
}
