package jwtverify

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/clockskew"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// verifyKeys are three different signing keys shared by the verify tests.
func verifyKeys() [3]*rsa.PrivateKey {
	return [3]*rsa.PrivateKey{testsupport.RSAKey(0), testsupport.RSAKey(1), testsupport.RSAKey(2)}
}

// verifyEnv is a sandbox with a fixed clock and its JWKS fetched.
type verifyEnv struct {
	sb   *sandbox.Server
	url  string
	now  time.Time
	keys *KeySet
}

func newVerifyEnv(t *testing.T) *verifyEnv {
	t.Helper()
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	sb := sandbox.New(sandbox.Options{Now: func() time.Time { return now }, Key: verifyKeys()[0]})
	ts := httptest.NewServer(sb)
	t.Cleanup(ts.Close)
	ks, err := NewKeySet(context.Background(), ts.Client(), ts.URL+"/.well-known/jwks.json", 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return &verifyEnv{sb: sb, url: ts.URL, now: now, keys: ks}
}

func (e *verifyEnv) mint(t *testing.T, o sandbox.MintOptions) string {
	t.Helper()
	if o.Issuer == "" {
		o.Issuer = e.url
	}
	if o.ClientID == "" {
		o.ClientID = "client-1"
	}
	if o.Audience == "" {
		o.Audience = e.url + "/api"
	}
	tok, err := e.sb.Mint(o)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (e *verifyEnv) opts() Options {
	return Options{Now: e.now, Issuer: e.url, Audiences: []string{e.url + "/api"}, Algs: []string{"RS256"}}
}

func wantCheck(t *testing.T, v *Verification, name string, status check.Status, detail string) {
	t.Helper()
	c, ok := v.Check(name)
	if !ok {
		t.Errorf("no %s check in %+v", name, v.Checks)
		return
	}
	if c.Status != status || !strings.Contains(c.Detail, detail) {
		t.Errorf("%s check %+v, want %s with %q", name, c, status, detail)
	}
}

func TestVerifyValidAndRotated(t *testing.T) {
	e := newVerifyEnv(t)
	ctx := context.Background()
	old := e.mint(t, sandbox.MintOptions{Scope: "api/read"})
	v := Verify(ctx, old, e.keys, e.opts())
	if v.Verdict != VerdictValid || !v.OK() || v.KeyID != e.sb.KeyID() || v.Claims.Scope != "api/read" {
		t.Fatalf("valid token: %+v", v)
	}
	for _, name := range []string{"format", "signature", "alg", "iss", "aud", "exp", "nbf", "iat", "lifetime"} {
		if c, ok := v.Check(name); !ok || c.Status != check.Pass {
			t.Errorf("check %s: %+v", name, c)
		}
	}

	// The server rotates: a token with the new kid makes the KeySet fetch
	// the JWKS again, once; the old kid still verifies.
	fetches := e.sb.JWKSFetches()
	newKid := e.sb.RotateKeyTo(verifyKeys()[1])
	fresh := e.mint(t, sandbox.MintOptions{})
	if v := Verify(ctx, fresh, e.keys, e.opts()); v.Verdict != VerdictValid || v.KeyID != newKid {
		t.Fatalf("token of the rotated key: %s %s", v.Verdict, v.Reason)
	}
	if v := Verify(ctx, old, e.keys, e.opts()); v.Verdict != VerdictValid {
		t.Fatalf("token of the previous key: %s %s", v.Verdict, v.Reason)
	}
	if got := e.sb.JWKSFetches(); got != fetches+1 {
		t.Errorf("%d JWKS fetches for one rotation, want %d", got, fetches+1)
	}

	// A kid the server never published: unknown, and the refresh is rate
	// limited (no second fetch so soon).
	stranger := e.mint(t, sandbox.MintOptions{Key: verifyKeys()[2]})
	v = Verify(ctx, stranger, e.keys, e.opts())
	if v.Verdict != VerdictUnknownKey || v.OK() || !strings.Contains(v.Hint, newKid) {
		t.Errorf("unknown kid: %s %q hint %q", v.Verdict, v.Reason, v.Hint)
	}
	if got := e.sb.JWKSFetches(); got != fetches+1 {
		t.Errorf("%d JWKS fetches after an unknown kid, want %d (rate limited)", got, fetches+1)
	}
}

func TestVerifyUnknownKidRefreshes(t *testing.T) {
	e := newVerifyEnv(t)
	// The first unknown kid refreshes (and still is unknown).
	stranger := e.mint(t, sandbox.MintOptions{Key: verifyKeys()[2]})
	before := e.sb.JWKSFetches()
	if v := Verify(context.Background(), stranger, e.keys, e.opts()); v.Verdict != VerdictUnknownKey {
		t.Errorf("verdict %s", v.Verdict)
	}
	if e.sb.JWKSFetches() != before+1 {
		t.Errorf("an unknown kid did not refresh the JWKS")
	}
}

func TestVerifyBrokenTokens(t *testing.T) {
	e := newVerifyEnv(t)
	ctx := context.Background()
	bad, _ := e.sb.MintBadSignature(e.url, "c")
	none, _ := e.sb.MintAlgNone(e.url, "c")
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	jwe := b64(`{"alg":"RSA-OAEP","enc":"A256GCM"}`) + ".a.b.c.d"
	tests := []struct {
		name    string
		token   string
		verdict Verdict
		failed  bool
	}{
		{"bad signature", bad, VerdictBadSignature, true},
		{"alg none", none, VerdictAlgNone, true},
		{"JWE", jwe, VerdictJWE, false},
		{"opaque", "2YotnFZFEjr1zCsicMWpAA", VerdictOpaque, false},
		{"empty", "  ", VerdictMalformed, true},
		{"two parts", "eyJhbGciOiJSUzI1NiJ9.eyJ9", VerdictMalformed, true},
		{"header not base64", "eyJ!!.e30.c2ln", VerdictMalformed, true},
		{"header not JSON", b64("nope") + ".e30.c2ln", VerdictMalformed, true},
		{"no alg", b64(`{"typ":"JWT"}`) + ".e30.c2ln", VerdictMalformed, true},
		{"payload not JSON", b64(`{"alg":"RS256"}`) + "." + b64("[1]") + ".c2ln", VerdictMalformed, true},
		{"line break", "eyJh\nbGc.e30.c2ln", VerdictMalformed, true},
		{"HS256", b64(`{"alg":"HS256"}`) + "." + b64(`{"iss":"x"}`) + ".c2ln", VerdictUnverified, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Verify(ctx, tt.token, e.keys, e.opts())
			if v.Verdict != tt.verdict || v.OK() == tt.failed {
				t.Errorf("verdict %s ok %v (%s); want %s failed %v", v.Verdict, v.OK(), v.Reason, tt.verdict, tt.failed)
			}
			if v.Verdict == VerdictValid {
				t.Error("a broken token was called valid")
			}
		})
	}
	// "Bearer " in front is forgiven.
	good := e.mint(t, sandbox.MintOptions{})
	if v := Verify(ctx, "Bearer "+good, e.keys, e.opts()); v.Verdict != VerdictValid {
		t.Errorf("with Bearer prefix: %s", v.Verdict)
	}
	// Without keys the signature is not checked, and says why.
	if v := Verify(ctx, good, nil, Options{Now: e.now, NoKeys: "no jwks_uri"}); v.Verdict != VerdictUnverified || !strings.Contains(v.Reason, "no jwks_uri") || !v.OK() {
		t.Errorf("no keys: %+v", v)
	}
}

func TestVerifyClaimChecks(t *testing.T) {
	e := newVerifyEnv(t)
	ctx := context.Background()
	o := e.opts()

	other := Verify(ctx, e.mint(t, sandbox.MintOptions{Issuer: "https://prod.example", Audience: "https://api.prod.example"}), e.keys, o)
	wantCheck(t, other, "iss", check.Fail, "https://prod.example, expected "+e.url)
	wantCheck(t, other, "aud", check.Fail, "https://api.prod.example, expected "+e.url+"/api")
	if other.Verdict != VerdictValid || other.OK() {
		t.Errorf("a valid signature with the wrong iss: %s ok %v", other.Verdict, other.OK())
	}

	expired := Verify(ctx, e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(-2 * time.Hour)}), e.keys, o)
	wantCheck(t, expired, "exp", check.Fail, "expired 1h0m0s ago")

	later := Verify(ctx, e.mint(t, sandbox.MintOptions{NotBefore: e.now.Add(10 * time.Minute)}), e.keys, o)
	wantCheck(t, later, "nbf", check.Fail, "not valid for another 10m0s")

	// The same token by the server's clock: our clock is 2 h ahead (Date
	// header), so it has not expired for the server.
	tok := e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(-2 * time.Hour)})
	o.Now = e.now
	o.Skew, o.SkewKnown = clockskew.FromDate(e.now, e.now.Add(-90*time.Minute)), true
	skewed := Verify(ctx, tok, e.keys, o)
	wantCheck(t, skewed, "exp", check.Pass, "by the server's clock")
	wantCheck(t, skewed, "clock", check.Warn, "1h30m0s ahead")

	short := Verify(ctx, e.mint(t, sandbox.MintOptions{Lifetime: 20 * time.Second}), e.keys, e.opts())
	wantCheck(t, short, "lifetime", check.Warn, "20s")

	// Discovery's algs differ from the token's.
	o = e.opts()
	o.Algs = []string{"ES256"}
	wantCheck(t, Verify(ctx, e.mint(t, sandbox.MintOptions{}), e.keys, o), "alg", check.Fail, "RS256, but discovery says ES256")
	// Nothing to compare with: skipped, not failed.
	free := Verify(ctx, e.mint(t, sandbox.MintOptions{}), e.keys, Options{Now: e.now})
	wantCheck(t, free, "iss", check.Skip, e.url)
	wantCheck(t, free, "aud", check.Skip, e.url+"/api")
	wantCheck(t, free, "alg", check.Pass, "RS256 (as the JWK says)")
}

// TestVerifyClockTolerance: an nbf or iat a second ahead is no failure,
// whether or not the issuer's clock is known; ten seconds is.
func TestVerifyClockTolerance(t *testing.T) {
	e := newVerifyEnv(t)
	ctx := context.Background()
	early := e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(time.Second)})
	v := Verify(ctx, early, e.keys, e.opts())
	wantCheck(t, v, "nbf", check.Pass, "within the 5s tolerance")
	wantCheck(t, v, "iat", check.Pass, "")
	if !v.OK() {
		t.Fatalf("a second-ahead issuer failed: %+v", v.Checks)
	}
	later := Verify(ctx, e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(10 * time.Second)}), e.keys, e.opts())
	wantCheck(t, later, "nbf", check.Fail, "not valid for another 10s")
	wantCheck(t, later, "iat", check.Warn, "10s in the future")
	if c, _ := later.Check("nbf"); !strings.Contains(c.Hint, "tokentop doctor NAME compares the clocks") && !strings.Contains(c.Hint, "`tokentop doctor NAME` compares the clocks") {
		t.Fatalf("nbf hint %q", c.Hint)
	}
	// By the issuer's own clock (its Date), an nbf ahead is its doing.
	o := e.opts()
	o.SkewKnown = true
	later = Verify(ctx, e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(10 * time.Second)}), e.keys, o)
	if c, _ := later.Check("nbf"); !strings.Contains(c.Hint, "the issuer mints tokens valid only from later") {
		t.Fatalf("nbf hint with the issuer's clock known: %q", c.Hint)
	}
}

// TestVerifyTimesBeyondAnyDate: time claims too large or small for a date
// were read through int64(f), which saturates: exp 1e300 "expired
// 2562047h47m16s ago", iat -1e20 "issued 292277026596-12-04". They are
// said to be no date, by the rule the token request applies, and the
// lifetime is not computed from them.
func TestVerifyTimesBeyondAnyDate(t *testing.T) {
	e := newVerifyEnv(t)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tok := func(claims string) string { return b64(`{"alg":"HS256"}`) + "." + b64(claims) + ".c2ln" }
	soon := e.now.Add(time.Hour).Unix()
	tests := []struct {
		claims       string
		name         string
		status       check.Status
		detail       string
		wantLifetime bool
	}{
		{`{"exp":1e300}`, "exp", check.Fail, "exp 1e300: 3.17e+292 years away, past any date", false},
		{`{"exp":9.3e18}`, "exp", check.Fail, "exp 9.3e18: 2.95e+11 years away, past any date", false},
		{`{"exp":-1e300}`, "exp", check.Fail, "exp -1e300: 3.17e+292 years ago, before any date", false},
		{`{"exp":1e400}`, "exp", check.Fail, "exp 1e400: not a finite number", false},
		{`{"exp":1e18}`, "exp", check.Fail, "years away, past any date", false},
		{`{"exp":253402300799}`, "exp", check.Fail, "exp 253402300799 (9999-12-31T23:59:59Z): 7973 years away, more than tokentop's limit of 10 years", false},
		{fmt.Sprintf(`{"exp":%d,"iat":-1e20}`, soon), "iat", check.Warn, "iat -1e20: 3.17e+12 years ago, before any date", false},
		{fmt.Sprintf(`{"exp":%d,"nbf":1e300}`, soon), "nbf", check.Fail, "nbf 1e300: 3.17e+292 years away, past any date", false},
		{fmt.Sprintf(`{"exp":%d,"iat":%d}`, soon, e.now.Unix()), "exp", check.Pass, "expires in 1h0m0s", true},
		// Dated, but further than a Duration reaches: the years are right.
		{`{"exp":-30000000000}`, "exp", check.Fail, "expired 1006 years ago (1019-05-04T18:40:00Z)", false},
	}
	for _, tt := range tests {
		t.Run(tt.claims, func(t *testing.T) {
			v := Verify(context.Background(), tok(tt.claims), nil, Options{Now: e.now})
			wantCheck(t, v, tt.name, tt.status, tt.detail)
			for _, c := range v.Checks {
				if strings.Contains(c.Detail, "292277026596") || strings.Contains(c.Detail, "2562047h") {
					t.Errorf("%s check %q reads a saturated number", c.Name, c.Detail)
				}
			}
			if _, ok := v.Check("lifetime"); ok != tt.wantLifetime {
				t.Errorf("lifetime check present %v, want %v: %+v", ok, tt.wantLifetime, v.Checks)
			}
		})
	}
}
