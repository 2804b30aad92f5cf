package providers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// discovery looks for the provider's metadata. Not finding any is a
// warning: many token endpoints publish none.
func (r *doctorRun) discovery(ctx context.Context) *Metadata {
	start := time.Now()
	meta, err := r.c.Discover(ctx, r.p)
	took := time.Since(start)
	if err != nil {
		ch := warn(StepDiscovery, SanitizeLine(err.Error()), "discovery is optional; without it set jwks_uri to check signatures")
		ch.Took = took
		r.add(ch)
		return nil
	}
	ch := pass(StepDiscovery, "issuer "+SanitizeLine(meta.Issuer))
	ch.Took = took
	r.add(ch)
	return meta
}

// jwt checks the token's claims and signature.
func (r *doctorRun) jwt(ctx context.Context, t *Token, meta *Metadata) {
	if !LooksLikeJWT(t.AccessToken) {
		r.add(skip(StepJWT, "an opaque token: nothing to decode"), skip(StepSignature, "an opaque token"))
		return
	}
	r.add(skip(StepJWT, "not checked yet"), skip(StepSignature, "not checked yet"))
}

// testCall calls the chosen endpoint with the token and explains a 401 or
// 403 from its challenge.
func (r *doctorRun) testCall(ctx context.Context, t *Token) {
	req, label, ok := r.callRequest()
	if !ok {
		r.add(skip(StepTestCall, label))
		return
	}
	start := time.Now()
	res, err := r.c.Call(ctx, r.p, t, req)
	took := time.Since(start)
	var ch Check
	switch {
	case err != nil && res == nil:
		ch = fail(StepTestCall, fmt.Sprintf("%s: %s", label, SanitizeLine(err.Error())), cmpOr(SanitizeLine(HintFor(err)), "check the endpoint's URL"))
	case res.OK():
		ch = pass(StepTestCall, fmt.Sprintf("%s: %d %s", label, res.Status, http.StatusText(res.Status)))
	case res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden:
		detail, hint := explainChallenge(res, t)
		ch = fail(StepTestCall, fmt.Sprintf("%s: %d %s%s", label, res.Status, http.StatusText(res.Status), detail), hint)
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
	return CallRequest{}, "no endpoint saved with the provider to call", false
}

func endpointLabel(e Endpoint) string {
	m := strings.ToUpper(cmpOr(e.Method, http.MethodGet))
	return fmt.Sprintf("%s (%s %s)", SanitizeLine(e.Name), m, SanitizeLine(e.URL))
}

// explainChallenge words a 401/403's WWW-Authenticate.
func explainChallenge(res *CallResult, t *Token) (detail, hint string) {
	if res.WWWAuthenticate == "" {
		return "", "the API gave no WWW-Authenticate: check that this token is for this API (its audience) and that the client may call it"
	}
	return " · " + res.WWWAuthenticate, "see the challenge"
}
