package doctor

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// The quota step reports tokentop's ledger (used/limit, the reset) and the
// vendor's rate-limit headers of the token endpoint and the API.
func TestDoctorQuota(t *testing.T) {
	var sb http.Handler // the sandbox, set before any request comes
	srv, ps, _ := doctorSandboxWith(t, func(mux *http.ServeMux) {
		mux.HandleFunc("/limited/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-RateLimit-Limit", "50")
			w.Header().Set("X-RateLimit-Remaining", "49")
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/oauth2/token"
			r2.RequestURI = ""
			sb.ServeHTTP(w, r2)
		})
	})
	sb = srv
	p := ps["cognito-dev"]
	p.TokenURL = strings.Replace(p.TokenURL, "/oauth2/token", "/limited/oauth2/token", 1)
	c := &providers.Client{}
	resets := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	ledger := func(context.Context) (providers.QuotaState, error) {
		return providers.QuotaState{Hour: 1, Day: 3, Month: 37, Limit: 1000, Per: providers.PerMonth, Used: 37, Resets: resets}, nil
	}
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p), Quota: ledger})
	ch := checkNamed(t, d, StepQuota)
	wantStatus(t, ch, check.Pass, "tokentop's ledger: 37/1000 this month (quota 1000 per month), resets 2026-04-01 00:00 UTC")
	for _, want := range []string{"token endpoint says remaining 49, limit 50", "API says remaining 99, limit 100"} {
		if !strings.Contains(ch.Detail, want) {
			t.Errorf("quota step %q lacks %q", ch.Detail, want)
		}
	}
	if last := d.Checks[len(d.Checks)-1]; last.Name != StepQuota {
		t.Errorf("the quota step is not last: %s", last.Name)
	}

	// Near the limit it warns; at the limit it says whose count it is.
	for used, want := range map[int]string{850: "tokentop refuses to fetch at the limit", 1000: "tokentop's count, not the vendor's answer"} {
		full := func(context.Context) (providers.QuotaState, error) {
			return providers.QuotaState{Month: used, Limit: 1000, Per: providers.PerMonth, Used: used, Resets: resets}, nil
		}
		d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p), Quota: full})
		if ch := checkNamed(t, d, StepQuota); ch.Status != check.Warn || !strings.Contains(ch.Hint, want) {
			t.Errorf("%d used: %s %q", used, ch.Status, ch.Hint)
		}
	}

	// A ledger refusal in the token request is tokentop's, and the quota
	// step still runs, saying the token endpoint was not asked.
	refused := func(context.Context, Retry) (Fetched, error) {
		return Fetched{}, providers.QuotaRefusal(p.Name, providers.QuotaState{Limit: 5, Per: providers.PerDay, Used: 5, Resets: resets})
	}
	d = Run(t.Context(), c, p, Options{Fetch: refused, Quota: ledger})
	tok := checkNamed(t, d, StepToken)
	wantStatus(t, tok, check.Fail, "tokentop's own ledger counts 5/5 tokens today")
	if !strings.Contains(tok.Hint, "--force, which may go past the vendor's real limit") {
		t.Errorf("token hint %q", tok.Hint)
	}
	wantStatus(t, checkNamed(t, d, StepQuota), check.Pass, "token endpoint: not asked (tokentop's own ledger refused)")

	// A ledger that cannot be read says so.
	broken := func(context.Context) (providers.QuotaState, error) {
		return providers.QuotaState{}, errors.New("database locked")
	}
	d = Run(t.Context(), c, p, Options{Fetch: directFetch(c, p), Quota: broken})
	wantStatus(t, checkNamed(t, d, StepQuota), check.Pass, "tokentop's ledger: database locked")
}

// TestDoctorQuotaSaysWhatTheTokenEndpointDid: a failed token request is
// not "refused" in the quota step: it says the endpoint answered 200 and
// tokentop refused the token (dead on arrival), or the status it
// answered, with or without the answer's headers at hand.
func TestDoctorQuotaSaysWhatTheTokenEndpointDid(t *testing.T) {
	sb, ps, _ := doctorSandboxWith(t, nil)
	c := &providers.Client{}
	withoutRecords := func(f func(context.Context, Retry) (Fetched, error)) func(context.Context, Retry) (Fetched, error) {
		return func(ctx context.Context, r Retry) (Fetched, error) {
			got, err := f(ctx, r)
			got.Exchanges = nil // as a fetch through the store gives it
			return got, err
		}
	}
	dead := ps["cognito-dev"]
	badScope := ps["cognito-dev"]
	badScope.Scopes = []string{"no-such-scope"}
	sb.SetFaults(sandbox.Faults{ExpOffset: -2 * time.Hour})
	for _, tt := range []struct {
		name  string
		p     providers.Provider
		fetch func(providers.Provider) func(context.Context, Retry) (Fetched, error)
		want  string
	}{
		{"dead on arrival", dead, func(p providers.Provider) func(context.Context, Retry) (Fetched, error) {
			return withoutRecords(directFetch(c, p))
		}, "token endpoint: answered 200, but tokentop refused the token: the token expired on arrival"},
		{"dead on arrival, headers kept", dead, func(p providers.Provider) func(context.Context, Retry) (Fetched, error) {
			return directFetch(c, p)
		}, "token endpoint (answered 200, but tokentop refused the token: the token expired on arrival"},
		{"400", badScope, func(p providers.Provider) func(context.Context, Retry) (Fetched, error) {
			return withoutRecords(directFetch(c, p))
		}, "token endpoint: answered 400 invalid_scope"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "400" {
				sb.SetFaults(sandbox.Faults{})
			}
			d := Run(t.Context(), c, tt.p, Options{Fetch: tt.fetch(tt.p)})
			ch := checkNamed(t, d, StepQuota)
			if !strings.Contains(ch.Detail, tt.want) || strings.Contains(ch.Detail, "refused (its headers") {
				t.Fatalf("quota step %q lacks %q", ch.Detail, tt.want)
			}
		})
	}
}
