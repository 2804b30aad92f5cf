package doctor

import (
	"context"
	"fmt"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/clockskew"
	"github.com/tokentop/tokentop/providers/netcheck"
	"github.com/tokentop/tokentop/providers/safetext"
)

// StepAPIKey names the step that reads an API key and checks its dates
// (grant api_key), in place of the token request.
const StepAPIKey = "API key"

// notUsedByKey is why an API key's report skips the token endpoint's steps.
const notUsedByKey = "not used by api_key: nothing is exchanged at a token endpoint"

// runAPIKey diagnoses an API key: its settings, the token endpoint's
// steps skipped, the key and its dates, a test-call (whose 401/403 says
// where the key went and where else it might go), the clock; the quota
// step follows with the API's rate-limit headers.
func (r *doctorRun) runAPIKey(ctx context.Context, p providers.Provider) {
	eff, err := p.Resolve()
	if err == nil {
		err = eff.Validate()
	}
	if err != nil {
		r.add(check.Failed(StepSettings, safetext.Line(err.Error()), "fix the provider: `tokentop show "+p.Name+"` prints every setting and where it came from"))
		r.add(check.Skipped(StepAPIKey, "fix the settings first"), check.Skipped(StepTestCall, "fix the settings first"))
		return
	}
	r.p = eff
	r.o.Quota = nil // the ledger counts fetched tokens: an API key has none
	r.tokenNote = "not used by api_key"
	r.add(check.Passed(StepSettings, "grant api_key · the key goes as "+eff.Placement().String()))
	for _, s := range []string{netcheck.StepDNS, netcheck.StepTCP, netcheck.StepTLS, StepDiscovery, StepAuthMethods, StepToken, StepScopes, StepJWT} {
		r.add(check.Skipped(s, notUsedByKey))
	}
	tok := r.apiKey(ctx)
	if tok == nil {
		r.add(check.Skipped(StepTestCall, "no API key"))
		return
	}
	r.out.Token = tok // not "cached": a key is never fetched, so there is no exchange to test
	r.testCall(ctx, tok)
	r.add(clockskew.Check(StepClock, nil, r.apiClock))
}

// apiKey reads the key through Options.Fetch and checks its dates.
func (r *doctorRun) apiKey(ctx context.Context) *providers.Token {
	f, err := r.o.Fetch(ctx, Retry{})
	if err != nil || f.Token == nil {
		r.add(check.Failed(StepAPIKey, r.errText(err), safetext.Line(providers.HintWithName(providers.HintFor(err), r.p.Name))))
		return nil
	}
	now := r.now()
	at, from := r.p.KeyDate()
	switch {
	case at.IsZero():
		r.add(check.Passed(StepAPIKey, "set · no expires or rotate_by date (add one to be warned before the key is due)"))
	case r.p.KeyStatus(now) == providers.StatusExpiring:
		r.add(check.Warned(StepAPIKey, safetext.Line(r.p.KeyWarning(now)), safetext.Line(providers.KeyRotationHint(r.p.Name, from))))
	default:
		r.add(check.Passed(StepAPIKey, fmt.Sprintf("set · %s %s, in %s (warned %s ahead)", from, providers.KeyDay(at), providers.DaysText(at.Sub(now)), providers.DaysText(r.p.EffectiveWarnBefore()))))
	}
	return f.Token
}
