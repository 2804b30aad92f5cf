package providers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// discovery looks for the provider's metadata with the issuer check of
// RFC 8414 §3.3. Finding none is a warning (many token endpoints publish
// none); a document for another issuer is a failure, and is not used.
func (r *doctorRun) discovery(ctx context.Context) *Discovery {
	start := time.Now()
	d, err := r.c.DiscoverDetail(ctx, r.p)
	took := time.Since(start)
	var ch Check
	var mm *IssuerMismatchError
	switch {
	case errors.As(err, &mm) && mm.Guessed:
		// No issuer is configured: the token URL's origin was a guess,
		// and the server there says it is someone else. Nothing is
		// misconfigured yet; the hint says what to set.
		ch = warn(StepDiscovery, SanitizeLine(mm.Error()), SanitizeLine(mm.Hint()))
		d = nil
	case errors.As(err, &mm):
		ch = fail(StepDiscovery, SanitizeLine(mm.Error()), SanitizeLine(mm.Hint()))
		d = nil
	case err != nil:
		ch = warn(StepDiscovery, r.errText(err),
			"discovery is optional, but without it set jwks_uri (to check signatures), introspection_url and revocation_url")
		d = nil
	default:
		detail := fmt.Sprintf("%s at %s; issuer %s matches", d.Doc, SanitizeLine(d.URL), SanitizeLine(d.Metadata.Issuer))
		if d.IssuerGuessed {
			detail += " (no issuer is configured: the token URL's origin was used)"
		}
		ch = pass(StepDiscovery, detail)
		warnings := d.Warnings
		for _, a := range d.Attempts {
			// A document that was there but could not be used (another
			// issuer, bad JSON) next to one that could.
			if a.Status == http.StatusOK && a.Problem != "" {
				warnings = append(warnings, fmt.Sprintf("%s was not used: %s", a.URL, a.Problem))
			}
		}
		if len(warnings) > 0 {
			ch.Status, ch.Hint = CheckWarn, SanitizeLine(strings.Join(warnings, "; "))
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
func (r *doctorRun) jwt(ctx context.Context, t *Token, d *Discovery) {
	if !LooksLikeJWT(t.AccessToken) && strings.Count(t.AccessToken, ".") != 4 {
		r.add(skip(StepJWT, "an opaque token: only the server can say what it holds (tokentop introspect "+r.p.Name+" asks it)"))
		return
	}
	o := Expectations(r.p, d)
	o.Now = r.c.now()
	if !t.ServerDate.IsZero() {
		o.Skew, o.SkewKnown = t.Skew, true
	}
	start := time.Now()
	ks, _, noKeys := r.c.KeySetFor(ctx, r.p, d)
	o.NoKeys = noKeys
	v := Verify(ctx, t.AccessToken, ks, o)
	took := time.Since(start)
	for i, c := range v.Checks {
		c.Name = StepJWT + " " + c.Name
		c.Hint = HintWithName(c.Hint, r.p.Name)
		if c.Name == StepJWT+" signature" && c.Status == CheckPass {
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
func (r *doctorRun) testCall(ctx context.Context, t *Token) {
	req, label, ok := r.callRequest()
	if !ok {
		r.add(skip(StepTestCall, label))
		r.apiNote = "no test-call"
		return
	}
	start := time.Now()
	res, err := r.c.Call(ctx, r.p, t, req)
	took := time.Since(start)
	if res != nil {
		r.apiHeaders = res.Headers
		if r.apiHeaders == nil {
			r.apiHeaders = http.Header{}
		}
	} else {
		r.apiNote = "no answer"
	}
	var ch Check
	switch {
	case err != nil && res == nil:
		ch = fail(StepTestCall, fmt.Sprintf("%s: %s", label, r.errText(err)), cmp.Or(SanitizeLine(HintFor(err)), "check the endpoint's URL"))
	case res.OK():
		ch = pass(StepTestCall, fmt.Sprintf("%s: %d %s", label, res.Status, http.StatusText(res.Status)))
	case res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden:
		why := ExplainCall(res, CallContext{Provider: r.p, Token: t, SignatureVerified: r.sigOK})
		ch = fail(StepTestCall, fmt.Sprintf("%s: %d %s: %s", label, res.Status, http.StatusText(res.Status), SanitizeLine(why.Summary)),
			SanitizeLine(why.Hint))
	default:
		ch = fail(StepTestCall, fmt.Sprintf("%s: %d %s", label, res.Status, http.StatusText(res.Status)),
			"the API refused the call for a reason other than the token: see the body with `tokentop call "+r.p.Name+"`")
	}
	ch.Took = took
	r.add(ch)
}

// callRequest picks what the test-call calls; label names it, or says why
// there is nothing to call.
func (r *doctorRun) callRequest() (CallRequest, string, bool) {
	want := strings.TrimSpace(r.o.Endpoint)
	switch {
	case strings.HasPrefix(want, "http://"), strings.HasPrefix(want, "https://"):
		return CallRequest{Method: http.MethodGet, URL: want}, "GET " + SanitizeLine(want), true
	case want != "":
		e, ok := r.p.Endpoint(want)
		if !ok {
			return CallRequest{}, fmt.Sprintf("no endpoint named %q is saved with %s", SanitizeLine(want), r.p.Name), false
		}
		return RequestFromEndpoint(e), endpointLabel(e), true
	case len(r.p.Endpoints) > 0:
		return RequestFromEndpoint(r.p.Endpoints[0]), endpointLabel(r.p.Endpoints[0]), true
	}
	return CallRequest{}, "no endpoint saved with the provider to call (add one under endpoints:, or pass one)", false
}

func endpointLabel(e Endpoint) string {
	m := strings.ToUpper(cmp.Or(e.Method, http.MethodGet))
	return fmt.Sprintf("%s (%s %s)", SanitizeLine(e.Name), m, SanitizeLine(e.URL))
}
