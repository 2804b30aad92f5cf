package doctor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/clockskew"
	"github.com/tokentop/tokentop/providers/discovery"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/jwtverify"
	"github.com/tokentop/tokentop/providers/safetext"
)

// discovery looks for the provider's metadata with the issuer check of
// RFC 8414 §3.3. Finding none is a warning (many token endpoints publish
// none); a document for another issuer is a failure, and is not used.
func (r *doctorRun) discovery(ctx context.Context) *discovery.Result {
	start := time.Now()
	d, err := r.c.DiscoverDetail(ctx, r.p)
	took := time.Since(start)
	var ch check.Check
	var mm *discovery.IssuerMismatchError
	switch {
	case errors.As(err, &mm) && mm.Guessed:
		// No issuer is configured: the token URL's origin was a guess,
		// and the server there says it is someone else. Nothing is
		// misconfigured yet; the hint says what to set.
		ch = check.Warned(StepDiscovery, safetext.Line(mm.Error()), safetext.Line(mm.Hint()))
		d = nil
	case errors.As(err, &mm):
		ch = check.Failed(StepDiscovery, safetext.Line(mm.Error()), safetext.Line(mm.Hint()))
		d = nil
	case err != nil:
		ch = check.Warned(StepDiscovery, r.errText(err),
			"discovery is optional, but without it set jwks_uri (to check signatures), introspection_url and revocation_url")
		d = nil
	default:
		detail := fmt.Sprintf("%s at %s; issuer %s matches", d.Doc, safetext.Line(d.URL), safetext.Line(d.Metadata.Issuer))
		if d.IssuerGuessed {
			detail += " (no issuer is configured: the token URL's origin was used)"
		}
		ch = check.Passed(StepDiscovery, detail)
		warnings := d.Warnings
		for _, a := range d.Attempts {
			// A document that was there but could not be used (another
			// issuer, bad JSON) next to one that could.
			if a.Status == http.StatusOK && a.Problem != "" {
				warnings = append(warnings, fmt.Sprintf("%s was not used: %s", a.URL, a.Problem))
			}
		}
		if len(warnings) > 0 {
			ch.Status, ch.Hint = check.Warn, safetext.Line(strings.Join(warnings, "; "))
		}
	}
	ch.Took = took
	r.add(ch)
	return d
}

// jwt verifies a JWT access token: its signature against the JWKS (from
// jwks_uri or discovery), its alg, iss and aud against what the provider
// expects, exp, nbf and iat by the server's clock (the skew from the token
// response's Date), and its lifetime. Each check is a step of its own.
func (r *doctorRun) jwt(ctx context.Context, t *providers.Token, d *discovery.Result) {
	if !jwtclaims.LooksLikeJWT(t.AccessToken) && strings.Count(t.AccessToken, ".") != 4 {
		r.add(check.Skipped(StepJWT, "an opaque token: only the server can say what it holds (tokentop introspect "+r.p.Name+" asks it)"))
		return
	}
	o := providers.Expectations(r.p, d)
	o.Now = r.now()
	if m := r.issuerClock; m != nil {
		o.Skew, o.SkewBound, o.SkewKnown = m.Offset, m.Bound, true
	}
	start := time.Now()
	ks, _, noKeys := r.c.KeySetFor(ctx, r.p, d)
	o.NoKeys = noKeys
	v := jwtverify.Verify(ctx, t.AccessToken, ks, o)
	if v.Verdict == jwtverify.VerdictUnknownKey && v.ForeignHint(o) == "" {
		r.unknownKey(ctx, v, ks, o)
	}
	if i := slices.IndexFunc(v.Checks, func(c check.Check) bool { return c.Name == "aud" && c.Status == check.Fail }); i >= 0 {
		req, _, _ := r.callRequest()
		v.Checks[i].Hint = providers.APIAudienceHint(r.p, v.Claims.Audience, r.c.FindResource(ctx, r.p, req.URL, ""))
	}
	took := time.Since(start)
	for i, c := range v.Checks {
		if c.Name == "clock" {
			continue // the doctor's own clock step, last, also has the API's Date
		}
		c.Name = StepJWT + " " + c.Name
		c.Hint = providers.HintWithName(c.Hint, r.p.Name)
		if c.Name == StepJWT+" signature" && c.Status == check.Pass {
			r.sigOK = true
		}
		if i == 0 {
			c.Took = took
		}
		r.add(c)
	}
}

// testCall calls the chosen endpoint with the token and explains a 401 or
// 403 from its WWW-Authenticate (RFC 6750 §3).
func (r *doctorRun) testCall(ctx context.Context, t *providers.Token) {
	req, label, ok := r.callRequest()
	if !ok {
		r.add(check.Skipped(StepTestCall, label))
		r.apiNote = "no test-call"
		return
	}
	start, sent := time.Now(), r.now()
	res, err := r.c.Call(ctx, r.p, t, req)
	took := time.Since(start)
	if res != nil {
		if date, derr := http.ParseTime(res.Headers.Get("Date")); derr == nil {
			m := clockskew.Of(sent, r.now(), date)
			r.apiClock = &m
		}
		r.apiHeaders = res.Headers
		if r.apiHeaders == nil {
			r.apiHeaders = http.Header{}
		}
	} else {
		r.apiNote = "no answer"
	}
	var ch check.Check
	switch {
	case err != nil && res == nil:
		ch = check.Failed(StepTestCall, fmt.Sprintf("%s: %s", label, r.errText(err)), cmp.Or(safetext.Line(providers.HintFor(err)), "check the endpoint's URL"))
	case res.OK():
		ch = check.Passed(StepTestCall, fmt.Sprintf("%s: %d %s", label, res.Status, http.StatusText(res.Status)))
	case res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden:
		// The API's own identifier, when it refuses the audience, came
		// with the answer: `tokentop call` and the dashboard get the same.
		why := providers.ExplainCall(res, providers.CallContext{Provider: r.p, Token: t, SignatureVerified: r.sigOK})
		ch = check.Failed(StepTestCall, fmt.Sprintf("%s: %d %s: %s", label, res.Status, http.StatusText(res.Status), safetext.Line(why.Summary)),
			safetext.Line(providers.HintWithName(why.Hint, r.p.Name)))
	default:
		ch = check.Failed(StepTestCall, fmt.Sprintf("%s: %d %s", label, res.Status, http.StatusText(res.Status)),
			"the API refused the call for a reason other than the token: see the body with `tokentop call "+r.p.Name+"`")
	}
	ch.Took = took
	r.add(ch)
}

// callRequest picks what the test-call calls; label names it, or says why
// there is nothing to call.
func (r *doctorRun) callRequest() (providers.CallRequest, string, bool) {
	want := strings.TrimSpace(r.o.Endpoint)
	switch {
	case strings.HasPrefix(want, "http://"), strings.HasPrefix(want, "https://"):
		return providers.CallRequest{Method: http.MethodGet, URL: want}, "GET " + safetext.Line(want), true
	case want != "":
		e, ok := r.p.Endpoint(want)
		if !ok {
			return providers.CallRequest{}, fmt.Sprintf("no endpoint named %q is saved with %s", safetext.Line(want), r.p.Name), false
		}
		return providers.RequestFromEndpoint(e), endpointLabel(e), true
	case len(r.p.Endpoints) > 0:
		return providers.RequestFromEndpoint(r.p.Endpoints[0]), endpointLabel(r.p.Endpoints[0]), true
	}
	return providers.CallRequest{}, "no endpoint saved with the provider to call (add one under endpoints:, or pass one)", false
}

func endpointLabel(e providers.Endpoint) string {
	m := strings.ToUpper(cmp.Or(e.Method, http.MethodGet))
	return fmt.Sprintf("%s (%s %s)", safetext.Line(e.Name), m, safetext.Line(e.URL))
}

// unknownKey tells why the token's kid is not in the issuer's JWKS: a
// cached token whose key rotated away (a fresh token verifies), or an
// issuer that signs with a key it does not publish (a fresh token, or the
// one just fetched, fails too). It rewrites the signature check's hint.
func (r *doctorRun) unknownKey(ctx context.Context, v *jwtverify.Verification, ks *jwtverify.KeySet, o jwtverify.Options) {
	i := slices.IndexFunc(v.Checks, func(c check.Check) bool { return c.Name == "signature" })
	if i < 0 {
		return
	}
	held := orNone(ks.KeyIDs(ctx))
	hint := unpublishedKeyHint(v.KeyID, ks.URL, held)
	if r.out.TokenCached && r.o.Fetch != nil {
		got, err := r.o.Fetch(ctx, Retry{Fresh: true})
		if err == nil && got.Token != nil {
			fresh := jwtverify.Verify(ctx, got.Token.AccessToken, ks, o)
			switch fresh.Verdict {
			case jwtverify.VerdictValid:
				hint = rotatedKeyHint(v.KeyID, fresh.KeyID)
				v.Checks[i].Detail += "; a fresh token (kid " + fresh.KeyID + ") verifies"
			case jwtverify.VerdictUnknownKey:
				hint = unpublishedKeyHint(fresh.KeyID, ks.URL, held)
				v.Checks[i].Detail += "; a fresh token's kid " + fresh.KeyID + " is not there either"
			default:
				hint = v.Checks[i].Hint // a fresh token fails otherwise: its own story
			}
		} else {
			hint = v.Checks[i].Hint
		}
	}
	v.Hint, v.Checks[i].Hint = hint, hint
}
