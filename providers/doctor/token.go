package doctor

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/clockskew"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/safetext"
)

// token gets a token; on invalid_client it asks once more with the other
// secret style and says which one works.
func (r *doctorRun) token(ctx context.Context) *providers.Token {
	if r.o.Fetch == nil {
		r.add(check.Skipped(StepToken, "no way to fetch a token was given"))
		return nil
	}
	start := time.Now()
	got, err := r.o.Fetch(ctx, Retry{})
	took := time.Since(start)
	r.noteTokenAnswer(got, err)
	if err == nil && got.Token != nil {
		ch := check.Passed(StepToken, tokenDetail(got, r.now()))
		ch.Took = took
		if len(got.Token.Warnings) > 0 {
			ch.Status, ch.Hint = check.Warn, safetext.Line(strings.Join(got.Token.Warnings, "; "))
		}
		r.add(ch)
		r.out.TokenCached = got.Cached
		r.issuerClock = issuerSkew(got)
		return got.Token
	}
	e, _ := providers.AsError(err)
	detail, hint := r.errText(err), safetext.Line(providers.HintFor(err))
	style := r.p.Style()
	if style == providers.AuthPrivateKeyJWT && e != nil && assertionRefused(e) && ctx.Err() == nil {
		return r.retryAudience(ctx, start, detail, hint)
	}
	rawNote := ""
	if e != nil && e.ClientRefused() && ctx.Err() == nil && r.rawBasicMatters(ctx) {
		tok, note := r.retryRawBasic(ctx, start, detail)
		if tok != nil {
			return tok
		}
		rawNote = note
	}
	other := style.OtherSecretStyle()
	if r.noSecret && e != nil {
		// No secret was sent: the other style would not send one either.
		ch := check.Failed(StepToken, detail, providers.NoSecretHint(r.p.Name))
		ch.Took = took
		r.add(ch)
		return nil
	}
	if e == nil || !(e.Code == "invalid_client" || e.Status == 401) || other == "" || ctx.Err() != nil {
		ch := check.Failed(StepToken, detail+rawNote, cmp.Or(hint, "see the exchange: `tokentop history "+r.p.Name+" -v`"))
		if rawNote != "" {
			ch.Hint = bothRefused()
		}
		ch.Took = took
		r.add(ch)
		return nil
	}
	retry, rerr := r.o.Fetch(ctx, Retry{AuthStyle: other})
	if rerr != nil || retry.Token == nil {
		ch := check.Failed(StepToken, fmt.Sprintf("%s%s; with auth_style %s too: %s", detail, rawNote, other, r.errText(rerr)), bothRefused())
		ch.Took = time.Since(start)
		r.add(ch)
		return nil
	}
	ch := check.Failed(StepToken, fmt.Sprintf("%s with auth_style %s; with %s it works (%s)", detail, style, other, tokenDetail(retry, r.now())),
		fmt.Sprintf("set `auth_style: %s` (or auto, which tries both and remembers)", other))
	ch.Took = time.Since(start)
	r.add(ch)
	r.issuerClock = issuerSkew(retry)
	return retry.Token
}

// issuerSkew compares our clock with the token endpoint's: by the last
// exchange's Date and its start and end, else by the cached token's skew
// (to a second); nil when the server sent no Date.
func issuerSkew(got Fetched) *clockskew.Measure {
	if n := len(got.Exchanges); n > 0 && !got.Exchanges[n-1].ServerDate.IsZero() {
		x := got.Exchanges[n-1]
		m := clockskew.Of(x.Started, x.Started.Add(x.Timings.Total), x.ServerDate)
		return &m
	}
	if t := got.Token; t != nil && !t.ServerDate.IsZero() {
		return &clockskew.Measure{Offset: t.Skew, Bound: clockskew.DateResolution}
	}
	return nil
}

// bothRefused is the hint when every way of sending the secret failed.
func bothRefused() string {
	return "both secret styles were refused: check client_id and the secret (a rotated secret, or the sandbox's credentials in prod?)"
}

// rawBasicMatters reports whether a refused request sent HTTP Basic
// form-encoded (basic or auto, basic_encoding form) for an id or secret
// that form-encoding changes: a server that does not decode sees other
// credentials than were configured.
func (r *doctorRun) rawBasicMatters(ctx context.Context) bool {
	if s := r.p.Style(); (s != providers.AuthBasic && s != providers.AuthAuto) || r.p.BasicEncodingOf() != providers.BasicForm {
		return false
	}
	secret, err := providers.ResolveSecret(ctx, r.p, r.c.LookupEnv)
	return err == nil && providers.FormEncodingChanges(r.p.ClientID, secret)
}

// retryRawBasic asks once more with HTTP Basic sent raw. It returns the
// token when that works (and reports the step), else a note for the
// step's detail.
func (r *doctorRun) retryRawBasic(ctx context.Context, start time.Time, detail string) (*providers.Token, string) {
	retry, err := r.o.Fetch(ctx, Retry{AuthStyle: providers.AuthBasic, BasicEncoding: providers.BasicRaw})
	if err != nil || retry.Token == nil {
		return nil, "; with HTTP Basic sent raw (basic_encoding: raw) too: " + r.errText(err)
	}
	ch := check.Failed(StepToken, fmt.Sprintf("%s with HTTP Basic form-encoded (RFC 6749 §2.3.1); sent raw it works (%s)", detail, tokenDetail(retry, r.now())),
		rawBasicWorks())
	ch.Took = time.Since(start)
	r.add(ch)
	return retry.Token, ""
}

// noteTokenAnswer keeps the token endpoint's last answer's headers, for
// the quota step, and, when the fetch failed, what happened: the status
// it answered, or that tokentop refused the token of a 2xx, or that no
// answer came.
func (r *doctorRun) noteTokenAnswer(got Fetched, err error) {
	if len(got.Exchanges) > 0 {
		r.tokenHeaders = http.Header{}
		for k, v := range got.Exchanges[len(got.Exchanges)-1].ResponseHeaders {
			r.tokenHeaders[k] = v
		}
	}
	switch e, _ := providers.AsError(err); {
	case got.Cached:
		r.tokenNote = "not asked (the cached token was used)"
	case e != nil && e.Kind == providers.KindQuota:
		r.tokenNote = "not asked (tokentop's own ledger refused)"
	case err != nil:
		r.tokenOutcome = tokenOutcome(e, err)
	}
}

// tokenOutcome says what a failed token request met, in the quota step's
// words: "answered 400 invalid_scope", "answered 200, but tokentop
// refused the token: …", "no answer: …".
func tokenOutcome(e *providers.Error, err error) string {
	switch {
	case e != nil && e.Status/100 == 2:
		return fmt.Sprintf("answered %d, but tokentop refused the token: %s", e.Status, safetext.Line(e.Description))
	case e != nil && e.Status != 0:
		what := fmt.Sprintf("answered %d %s", e.Status, cmp.Or(e.Code, http.StatusText(e.Status)))
		return strings.TrimSpace(what)
	case e != nil:
		return "no answer: " + safetext.Line(e.Summary())
	}
	return "no answer: " + safetext.Line(err.Error())
}

// assertionRefused is a refusal a private_key_jwt assertion's aud may
// explain: invalid_client, a 401, or invalid_request (fosite answers so).
func assertionRefused(e *providers.Error) bool {
	return e.Code == "invalid_client" || e.Code == "invalid_request" || e.Status == 401
}

// retryAudience asks once more with the assertion's other usual aud: the
// token URL when the issuer was sent, the issuer when the token URL was.
// RFC 7523 §3 lets a server want either, and servers differ (fosite and
// Hydra want the token URL; Keycloak takes both).
func (r *doctorRun) retryAudience(ctx context.Context, start time.Time, detail, hint string) *providers.Token {
	sent := r.p.AssertionAudience
	other := r.p.TokenURL
	if sent == r.p.TokenURL {
		other = r.p.Issuer
	}
	if other == "" || other == sent {
		ch := check.Failed(StepToken, detail, hint)
		ch.Took = time.Since(start)
		r.add(ch)
		return nil
	}
	retry, err := r.o.Fetch(ctx, Retry{AssertionAudience: other})
	if err != nil || retry.Token == nil {
		ch := check.Failed(StepToken, fmt.Sprintf("%s; with the assertion's aud %s too: %s", detail, safetext.Line(other), r.errText(err)), hint)
		ch.Took = time.Since(start)
		r.add(ch)
		return nil
	}
	ch := check.Failed(StepToken, fmt.Sprintf("%s with the assertion's aud %s; with aud %s it works (%s)", detail, safetext.Line(sent), safetext.Line(other), tokenDetail(retry, r.now())),
		fmt.Sprintf("set `assertion_audience: %s`", safetext.Line(other)))
	ch.Took = time.Since(start)
	r.add(ch)
	return retry.Token
}

// tokenDetail describes the token a fetch gave.
func tokenDetail(got Fetched, now time.Time) string {
	t := got.Token
	kind := "opaque"
	if jwtclaims.LooksLikeJWT(t.AccessToken) {
		kind = "JWT"
	}
	typ := cmp.Or(safetext.Line(t.TokenType), "Bearer")
	left := t.ExpiresAt.Sub(now).Round(time.Second)
	d := fmt.Sprintf("%s %s token, expires in %s (%s)", typ, kind, left, cmp.Or(t.ExpirySource, "expiry"))
	if t.ExpiryAssumed {
		d += ", assumed"
	}
	if got.Cached {
		return d + "; the cached token, no request made (ask for a new one to test the exchange)"
	}
	if n := len(got.Exchanges); n > 0 {
		x := got.Exchanges[n-1]
		d = fmt.Sprintf("%d from %s with %s in %s: %s", x.Status, safetext.Line(x.URL), x.AuthStyle, x.Timings.Total.Round(time.Millisecond), d)
	}
	return d
}
