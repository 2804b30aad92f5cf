package providers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
)

const testKey = "k3y_live_5ecr3t_0123456789abcdef"

// echoServer answers with what it was sent: the URL (query included) and
// the headers, in the body and in a header.
func echoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.URL.String()+" "+r.Header.Get("X-Api-Key")+" "+r.Header.Get("Authorization"))
		_, _ = io.WriteString(w, "url="+r.URL.String()+"\nx-api-key="+r.Header.Get("X-Api-Key")+"\nauthorization="+r.Header.Get("Authorization")+"\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAPIKeyPlacementAndRedaction: a test-call sends the key where the
// provider says (replacing a copy in the request's own headers), and
// what comes back, the API echoing it, holds it nowhere.
func TestAPIKeyPlacementAndRedaction(t *testing.T) {
	srv := echoServer(t)
	for _, c := range []struct {
		p    providers.Provider
		sent string // what the server must have seen, redacted in the answer
	}{
		{providers.Provider{Name: "d", Grant: providers.GrantAPIKey}, "authorization=Bearer " + providers.Redacted},
		{providers.Provider{Name: "h", Grant: providers.GrantAPIKey, KeyHeader: "x-api-key"}, "x-api-key=" + providers.Redacted},
		{providers.Provider{Name: "p", Grant: providers.GrantAPIKey, KeyPrefix: "Token "}, "authorization=Token " + providers.Redacted},
		{providers.Provider{Name: "n", Grant: providers.GrantAPIKey, KeyPrefix: providers.NoKeyPrefix}, "authorization=" + providers.Redacted},
		{providers.Provider{Name: "q", Grant: providers.GrantAPIKey, KeyQuery: "apikey"}, "apikey=" + providers.Redacted},
	} {
		t.Run(c.p.Name, func(t *testing.T) {
			req := providers.CallRequest{URL: srv.URL + "/v1/things?page=2", Headers: http.Header{"X-Api-Key": {"the-callers-own-copy"}}}
			if c.p.KeyQuery != "" {
				req.URL += "&apikey=the-callers-own-copy"
			}
			res, err := (&providers.Client{}).Call(context.Background(), c.p, c.p.KeyToken(testKey), req)
			if err != nil {
				t.Fatal(err)
			}
			all := res.Body + string(res.RawBody) + res.URL + strings.Join(res.Headers.Values("X-Echo"), " ")
			if !strings.Contains(res.Body, c.sent) || strings.Contains(all, testKey) {
				t.Errorf("answer %q: want %q and the key nowhere", all, c.sent)
			}
			if strings.Contains(res.Body, "apikey=the-callers-own-copy") {
				t.Errorf("the caller's own apikey parameter was sent along: %q", res.Body)
			}
		})
	}
}

// TestAPIKeyQueryRedactedFromErrors: a test-call that fails carries the
// URL it tried in its error, the key in its query redacted.
func TestAPIKeyQueryRedactedFromErrors(t *testing.T) {
	p := providers.Provider{Name: "q", Grant: providers.GrantAPIKey, KeyQuery: "api_key", Timeout: providers.Duration(5 * time.Second)}
	_, err := (&providers.Client{}).Call(context.Background(), p, p.KeyToken(testKey), providers.CallRequest{URL: "http://" + testsupport.ClosedAddr(t) + "/x"})
	if err == nil || strings.Contains(err.Error(), testKey) {
		t.Fatalf("error %v: want one without the key", err)
	}
}

// TestAPIKeyStatus: the key's state and countdown against its dates and
// the lead time.
func TestAPIKeyStatus(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		p      providers.Provider
		status providers.Status
		left   string
		warn   string
	}{
		{providers.Provider{Name: "a"}, providers.StatusValid, "no expiry", ""},
		{providers.Provider{Name: "a", Expires: "2026-04-11"}, providers.StatusValid, "40d", ""},
		{providers.Provider{Name: "a", Expires: "2026-03-10"}, providers.StatusExpiring, "8d", "expires in 8d, on 2026-03-10 (warn_before 14d)"},
		{providers.Provider{Name: "a", Expires: "2026-03-10", WarnBefore: providers.LeadTime(3 * 24 * time.Hour)}, providers.StatusValid, "8d", ""},
		{providers.Provider{Name: "a", RotateBy: "2026-03-05T00:00:00Z", Expires: "2027-01-01"}, providers.StatusExpiring, "3d", "is due for rotation in 3d"},
		{providers.Provider{Name: "a", RotateBy: "2026-02-20"}, providers.StatusExpiring, "past 9d", "was due for rotation on 2026-02-20, 9d ago"},
		{providers.Provider{Name: "a", Expires: "2026-02-28"}, providers.StatusExpired, "past 1d", ""},
	} {
		p := c.p
		p.Grant = providers.GrantAPIKey
		st, left, warn := p.KeyStatus(now), providers.KeyCountdown(p.KeyToken(""), now), p.KeyWarning(now)
		if st != c.status || left != c.left || !strings.Contains(warn, c.warn) || (c.warn == "") != (warn == "") {
			t.Errorf("%+v: status %s, left %q, warning %q; want %s, %q, %q", c.p, st, left, warn, c.status, c.left, c.warn)
		}
	}
	p := providers.Provider{Name: "gone", Grant: providers.GrantAPIKey, Expires: "2026-02-28"}
	if err := p.KeyProblem(now); err == nil || !strings.Contains(err.Error(), "expired on 2026-02-28") || !strings.Contains(providers.HintFor(err), "tokentop add gone --client-secret-stdin") {
		t.Errorf("KeyProblem = %v (hint %q)", err, providers.HintFor(err))
	}
}

// TestLeadTimeText: warn_before reads days and durations and writes days.
func TestLeadTimeText(t *testing.T) {
	for in, want := range map[string]string{"14d": "14d", "3": "3d", "36h": "36h0m0s", "48h": "2d"} {
		l, err := providers.ParseLeadTime(in)
		if err != nil || l.String() != want {
			t.Errorf("ParseLeadTime(%q) = %v, %v; want %s", in, l, err, want)
		}
	}
	for _, bad := range []string{"-1h", "soon", "99999d"} {
		if _, err := providers.ParseLeadTime(bad); err == nil {
			t.Errorf("ParseLeadTime(%q) took it", bad)
		}
	}
}
