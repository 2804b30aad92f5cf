package jwtverify

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/clockskew"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/safetext"
)

// Verdict labels what a token is and whether its signature holds.
type Verdict string

// The verdicts of [Verify].
const (
	VerdictValid        Verdict = "valid signature"
	VerdictBadSignature Verdict = "bad signature"
	// VerdictUnknownKey: no key with the token's kid, even after the JWKS
	// was fetched again.
	VerdictUnknownKey Verdict = "unknown key"
	// VerdictAlgNone is an unsigned JWT: never valid.
	VerdictAlgNone Verdict = "alg: none"
	// VerdictJWE is an encrypted token (five parts): not verifiable here.
	VerdictJWE       Verdict = "JWE"
	VerdictMalformed Verdict = "malformed"
	// VerdictOpaque is a token that is no JWT: only the server can say.
	VerdictOpaque Verdict = "opaque"
	// VerdictUnverified is a JWS whose signature was not checked: no JWKS,
	// or a symmetric (HS*) alg that a public JWKS cannot check.
	VerdictUnverified Verdict = "not verified"
)

// ShortLifetime is a token lifetime so short that tokentop fetches such
// tokens almost every call: twice its smallest refresh margin
// (providers.MinRefreshMargin, 30 s; a test of that package holds the
// two together).
const ShortLifetime = time.Minute

// asymmetricAlgs are the algs a JWKS can verify.
var asymmetricAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// Options say what a token is checked against.
type Options struct {
	// Now is the local clock; zero means time.Now().
	Now time.Time
	// Skew is the local clock minus the server's (from a Date header),
	// used when SkewKnown: exp, nbf and iat are checked by the server's
	// clock.
	Skew      time.Duration
	SkewKnown bool
	// SkewBound is how far the true skew may be from Skew either way
	// (see [MeasureSkew]); zero means a second, a Date's resolution.
	SkewBound time.Duration
	// Issuer is the iss expected ("" skips the check).
	Issuer string
	// Audiences are the aud values accepted (any one; none skips).
	Audiences []string
	// Algs are the algs the server signs with (discovery's
	// id_token_signing_alg_values_supported); empty means the JWK's alg.
	Algs []string
	// NoKeys says why there is no KeySet, when Verify gets nil.
	NoKeys string
}

// Verification is what [Verify] found. Every text in it is sanitised.
type Verification struct {
	Verdict Verdict `json:"verdict"`
	// Reason details the verdict; Hint says what to make of it.
	Reason string `json:"reason,omitempty"`
	Hint   string `json:"hint,omitempty"`
	// Alg and KeyID are the header's alg and kid.
	Alg   string `json:"alg,omitempty"`
	KeyID string `json:"kid,omitempty"`
	// Header and ClaimFields list every header parameter and claim,
	// sorted by name.
	Header      []jwtclaims.Field `json:"header,omitempty"`
	ClaimFields []jwtclaims.Field `json:"claims,omitempty"`
	// Claims are the claims tokentop reads (nil unless a JWS with a JSON
	// payload).
	Claims *jwtclaims.Claims `json:"-"`
	// KeySetURL is the JWKS the signature was checked against.
	KeySetURL string `json:"jwks_uri,omitempty"`
	// Checks are format, signature, alg, iss, aud, exp, nbf, iat, clock
	// and lifetime, in that order (those that apply).
	Checks []check.Check `json:"checks"`
	// ServerNow is the time the checks took as now: the local clock
	// corrected by the skew when known.
	ServerNow time.Time `json:"server_now"`
}

// OK reports that no check failed.
func (v *Verification) OK() bool { return !check.AnyFailed(v.Checks) }

// Check returns the named check, if it ran.
func (v *Verification) Check(name string) (check.Check, bool) {
	for _, c := range v.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return check.Check{}, false
}

// Verify decodes token and checks it: its form (opaque, JWE, JWS), its
// signature against keys (nil: not checked, for o.NoKeys), its alg, and
// iss, aud, exp, nbf, iat and lifetime against o. It never fails and never
// panics: whatever the input, the answer is a Verification with a verdict.
func Verify(ctx context.Context, token string, keys *KeySet, o Options) *Verification {
	v := &Verification{}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	v.ServerNow = now
	if o.SkewKnown {
		v.ServerNow = now.Add(-o.Skew)
	}
	token = strings.TrimSpace(token)
	if scheme, rest, ok := strings.Cut(token, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(rest)
	}
	parts := strings.Split(token, ".")
	switch {
	case token == "":
		return v.malformed("the token is empty")
	case strings.ContainsAny(token, " \t\r\n\"'"):
		return v.malformed("the token holds spaces, quotes or line breaks")
	case len(parts) == 5:
		return v.jwe(parts[0])
	case len(parts) == 3:
		// a JWS: below
	case strings.HasPrefix(token, "eyJ"):
		return v.malformed(fmt.Sprintf("%d dot-separated parts: a JWS has 3, a JWE 5", len(parts)))
	default:
		v.Verdict, v.Reason = VerdictOpaque, "not a JWT: a reference only the server can resolve"
		v.Hint = "ask the server about it: tokentop introspect NAME (RFC 7662)"
		v.Checks = append(v.Checks, check.Check{Name: "format", Status: check.Skip, Detail: "opaque token", Hint: v.Hint})
		return v
	}

	header, err := decodeSegment(parts[0])
	if err != nil {
		return v.malformed("the header " + err.Error())
	}
	v.Header = jwtclaims.FieldsOf(header)
	v.Alg = safetext.Line(stringField(header, "alg"))
	v.KeyID = safetext.Line(stringField(header, "kid"))
	payload, err := decodeSegment(parts[1])
	if err != nil {
		return v.malformed("the payload " + err.Error())
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return v.malformed("the signature is not base64url")
	}
	if _, ok := header["alg"].(string); !ok {
		return v.malformed("the header has no alg")
	}
	v.ClaimFields = jwtclaims.FieldsOf(payload)
	if c, err := jwtclaims.Decode(token); err == nil {
		v.Claims = c
	} else {
		v.Claims = &jwtclaims.Claims{Algorithm: v.Alg, KeyID: v.KeyID}
	}
	v.Checks = append(v.Checks, check.Check{Name: "format", Status: check.Pass, Detail: "JWS (three parts), JSON header and claims"})

	v.checkSignature(ctx, token, keys, o)
	v.checkAlg(ctx, keys, o)
	v.checkIssuer(o)
	v.checkAudience(o)
	v.checkTimes(now, o)
	return v
}

func (v *Verification) malformed(reason string) *Verification {
	v.Verdict, v.Reason = VerdictMalformed, reason
	v.Hint = "check that the whole token was copied: no quotes, no line breaks, nothing cut off"
	v.Checks = append(v.Checks, check.Check{Name: "format", Status: check.Fail, Detail: "malformed: " + reason, Hint: v.Hint})
	return v
}

func (v *Verification) jwe(rawHeader string) *Verification {
	v.Verdict = VerdictJWE
	v.Reason = "an encrypted token (JWE, five parts): only its recipient can decrypt it"
	if h, err := decodeSegment(rawHeader); err == nil {
		v.Header = jwtclaims.FieldsOf(h)
		v.Alg = safetext.Line(stringField(h, "alg"))
		v.KeyID = safetext.Line(stringField(h, "kid"))
		if enc := safetext.Line(stringField(h, "enc")); enc != "" {
			v.Reason += fmt.Sprintf(" (alg %s, enc %s)", v.Alg, enc)
		}
	}
	v.Hint = "its signature and claims cannot be checked here: ask the server with tokentop introspect NAME"
	v.Checks = append(v.Checks, check.Check{Name: "format", Status: check.Skip, Detail: "JWE: " + v.Reason, Hint: v.Hint})
	return v
}

// decodeSegment decodes a base64url JSON object.
func decodeSegment(seg string) (map[string]any, error) {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, errors.New("is not base64url")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errors.New("is not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("has data after its JSON object")
	}
	return m, nil
}

func stringField(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func (v *Verification) add(c check.Check) { v.Checks = append(v.Checks, c) }

// checkSignature sets the verdict of a well-formed JWS.
func (v *Verification) checkSignature(ctx context.Context, token string, keys *KeySet, o Options) {
	alg := v.Alg
	switch {
	case strings.EqualFold(alg, "none"):
		v.Verdict = VerdictAlgNone
		v.Reason = "the token is not signed (alg: none): anyone can have written it"
		v.Hint = "never trust it: a server issuing unsigned tokens is misconfigured, and an API accepting them is vulnerable"
		v.add(check.Check{Name: "signature", Status: check.Fail, Detail: "alg: none (unsigned, unsafe)", Hint: v.Hint})
		return
	case strings.HasPrefix(strings.ToUpper(alg), "HS"):
		v.Verdict = VerdictUnverified
		v.Reason = fmt.Sprintf("signed with a shared secret (%s): a public JWKS cannot verify it", alg)
		v.Hint = "only the server (and whoever holds the secret) can check it; resource servers usually expect RS256 or ES256"
		v.add(check.Check{Name: "signature", Status: check.Warn, Detail: v.Reason, Hint: v.Hint})
		return
	case keys == nil:
		v.Verdict = VerdictUnverified
		v.Reason = "the signature was not checked"
		if o.NoKeys != "" {
			v.Reason += ": " + safetext.Line(o.NoKeys)
		}
		v.Hint = "set jwks_uri on the provider, or an issuer whose discovery names one"
		v.add(check.Check{Name: "signature", Status: check.Skip, Detail: v.Reason, Hint: v.Hint})
		return
	}
	v.KeySetURL = keys.URL
	parser := jwt.NewParser(jwt.WithValidMethods(asymmetricAlgs), jwt.WithoutClaimsValidation(), jwt.WithJSONNumber())
	_, err := parser.Parse(token, keys.kf.KeyfuncCtx(ctx))
	kid := v.KeyID
	switch {
	case err == nil:
		v.Verdict = VerdictValid
		v.Reason = fmt.Sprintf("signed by key %s of %s", orDash(kid), keys.URL)
		v.add(check.Check{Name: "signature", Status: check.Pass, Detail: "valid signature (" + alg + ", kid " + orDash(kid) + ")"})
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		v.Verdict = VerdictBadSignature
		v.Reason = fmt.Sprintf("the signature does not match key %s of %s", orDash(kid), keys.URL)
		v.Hint = cmp.Or(v.ForeignHint(o), badSignatureHint(kid, keys.URL))
		v.add(check.Check{Name: "signature", Status: check.Fail, Detail: "bad signature (kid " + orDash(kid) + " is in the JWKS; its key does not verify the token)", Hint: v.Hint})
	case errors.Is(err, jwt.ErrTokenMalformed):
		v.Verdict = VerdictMalformed
		v.Reason = safetext.Line(err.Error())
		v.add(check.Check{Name: "signature", Status: check.Fail, Detail: "malformed: " + v.Reason})
	case kid != "" && (errors.Is(err, jwkset.ErrKeyNotFound) || !keys.has(ctx, kid)):
		v.Verdict = VerdictUnknownKey
		v.Reason = fmt.Sprintf("no key with kid %s in %s, even after fetching it again", kid, keys.URL)
		v.Hint = cmp.Or(v.ForeignHint(o), unknownKeyHint(kid, keys.URL, orNone(keys.KeyIDs(ctx))))
		v.add(check.Check{Name: "signature", Status: check.Fail, Detail: "unknown key (kid " + kid + ")", Hint: v.Hint})
	case !slices.Contains(asymmetricAlgs, alg):
		v.Verdict = VerdictUnverified
		v.Reason = fmt.Sprintf("alg %s is not one tokentop can verify", alg)
		v.add(check.Check{Name: "signature", Status: check.Warn, Detail: v.Reason})
	default:
		v.Verdict = VerdictBadSignature
		v.Reason = "no key of " + keys.URL + " verifies it: " + safetext.Line(err.Error())
		v.Hint = "the key's alg or use may not fit the token, or the token is from another issuer"
		v.add(check.Check{Name: "signature", Status: check.Fail, Detail: v.Reason, Hint: v.Hint})
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// checkAlg compares the header's alg with what the server signs with.
func (v *Verification) checkAlg(ctx context.Context, keys *KeySet, o Options) {
	alg := v.Alg
	expected := o.Algs
	source := "discovery"
	if len(expected) == 0 && keys != nil && v.KeyID != "" {
		if a := keys.keyAlg(ctx, v.KeyID); a != "" {
			expected, source = []string{a}, "the JWK"
		}
	}
	switch {
	case strings.EqualFold(alg, "none"):
		v.add(check.Check{Name: "alg", Status: check.Fail, Detail: "none: no signature", Hint: "an access token must be signed"})
	case len(expected) > 0 && !slices.Contains(expected, alg):
		v.add(check.Check{Name: "alg", Status: check.Fail, Detail: fmt.Sprintf("%s, but %s says %s", alg, source, strings.Join(expected, ", ")),
			Hint: "the token was not signed the way this server signs: another issuer, or an alg confusion"})
	case strings.HasPrefix(strings.ToUpper(alg), "HS"):
		v.add(check.Check{Name: "alg", Status: check.Warn, Detail: alg + ": symmetric (shared secret)", Hint: "APIs usually verify asymmetric algs (RS256, ES256) against the JWKS"})
	case len(expected) > 0:
		v.add(check.Check{Name: "alg", Status: check.Pass, Detail: fmt.Sprintf("%s (as %s says)", alg, source)})
	default:
		v.add(check.Check{Name: "alg", Status: check.Pass, Detail: alg})
	}
}

func (v *Verification) checkIssuer(o Options) {
	got := v.Claims.Issuer
	switch {
	case o.Issuer == "" && got == "":
		v.add(check.Check{Name: "iss", Status: check.Skip, Detail: "no iss claim, and no issuer configured"})
	case o.Issuer == "":
		v.add(check.Check{Name: "iss", Status: check.Skip, Detail: got + " (no issuer configured to compare with)"})
	case got == "":
		v.add(check.Check{Name: "iss", Status: check.Warn, Detail: "no iss claim; expected " + safetext.Line(o.Issuer)})
	case got == safetext.Line(o.Issuer):
		v.add(check.Check{Name: "iss", Status: check.Pass, Detail: got})
	case strings.TrimRight(got, "/") == strings.TrimRight(safetext.Line(o.Issuer), "/"):
		v.add(check.Check{Name: "iss", Status: check.Fail, Detail: fmt.Sprintf("%s, expected %s", got, safetext.Line(o.Issuer)),
			Hint: fmt.Sprintf("only a trailing slash differs: set `issuer: %s` (APIs compare iss exactly)", got)})
	default:
		v.add(check.Check{Name: "iss", Status: check.Fail, Detail: fmt.Sprintf("%s, expected %s", got, safetext.Line(o.Issuer)),
			Hint: notThisIssuerHint(got, safetext.Line(o.Issuer))})
	}
}

// ForeignHint is the hint of a token that names another issuer than the
// expected one, "" when it names the expected one (or either is unknown):
// a signature it fails is no mystery then.
func (v *Verification) ForeignHint(o Options) string {
	got, want := v.Claims.Issuer, safetext.Line(o.Issuer)
	if got == "" || want == "" || strings.TrimRight(got, "/") == strings.TrimRight(want, "/") {
		return ""
	}
	return notThisIssuerHint(got, want)
}

func (v *Verification) checkAudience(o Options) {
	got := v.Claims.Audience
	want := make([]string, 0, len(o.Audiences))
	for _, a := range o.Audiences {
		if a != "" {
			want = append(want, safetext.Line(a))
		}
	}
	switch {
	case len(want) == 0 && len(got) == 0:
		v.add(check.Check{Name: "aud", Status: check.Skip, Detail: "no aud claim, and no audience or resource configured"})
	case len(want) == 0:
		v.add(check.Check{Name: "aud", Status: check.Skip, Detail: strings.Join(got, " ") + " (no audience or resource configured to compare with)"})
	case len(got) == 0:
		v.add(check.Check{Name: "aud", Status: check.Warn, Detail: "no aud claim; asked for " + strings.Join(want, " "),
			Hint: "an API that checks aud will refuse this token"})
	default:
		for _, g := range got {
			if slices.Contains(want, g) {
				v.add(check.Check{Name: "aud", Status: check.Pass, Detail: strings.Join(got, " ")})
				return
			}
		}
		v.add(check.Check{Name: "aud", Status: check.Fail, Detail: fmt.Sprintf("%s, expected %s", strings.Join(got, " "), strings.Join(want, " ")),
			Hint: "the token is for another API: check the provider's `audience` or `resource`"})
	}
}

// checkTimes checks exp, nbf and iat by the server's clock, the clock
// skew, and the lifetime.
func (v *Verification) checkTimes(now time.Time, o Options) {
	c := v.Claims
	at := v.ServerNow
	clockNote := ""
	if o.SkewKnown && o.Skew != 0 {
		clockNote = " by the server's clock"
	}
	switch {
	case c.Exp == nil:
		v.add(check.Check{Name: "exp", Status: check.Warn, Detail: "no exp claim: the token says nothing of its expiry",
			Hint: "tokentop goes by expires_in; APIs may refuse a token without exp"})
	case implausible(c.Exp, at) != "":
		v.add(check.Check{Name: "exp", Status: check.Fail, Detail: "exp " + implausible(c.Exp, at), Hint: implausibleHint})
	case !at.Before(c.ExpiresAt):
		v.add(check.Check{Name: "exp", Status: check.Fail, Detail: fmt.Sprintf("expired %s ago%s (%s)", jwtclaims.SpanWords(-c.Exp.SecondsFrom(at)), clockNote, c.ExpiresAt.UTC().Format(time.RFC3339)),
			Hint: "fetch a new one: tokentop token NAME --force-refresh"})
	default:
		v.add(check.Check{Name: "exp", Status: check.Pass, Detail: fmt.Sprintf("expires in %s%s (%s)", roundDur(c.ExpiresAt.Sub(at)), clockNote, c.ExpiresAt.UTC().Format(time.RFC3339))})
	}
	// nbf and iat may be clockskew.Tolerance ahead: a second-ahead issuer is
	// no fault. A number that names no date is said so, never read as one.
	future := futureHint(o)
	if c.Nbf != nil {
		switch ahead := c.Nbf.SecondsFrom(at); {
		case undated(c.Nbf):
			v.add(check.Check{Name: "nbf", Status: check.Fail, Detail: "nbf " + undatedWords(c.Nbf, at), Hint: implausibleHint})
		case ahead > clockskew.Tolerance.Seconds():
			v.add(check.Check{Name: "nbf", Status: check.Fail, Detail: fmt.Sprintf("not valid for another %s%s", jwtclaims.SpanWords(ahead), clockNote),
				Hint: "APIs refuse it until then: " + future})
		case ahead > 0:
			v.add(check.Check{Name: "nbf", Status: check.Pass, Detail: fmt.Sprintf("valid from %s, %s ahead: within the %s tolerance", c.NotBefore.UTC().Format(time.RFC3339), roundDur(c.NotBefore.Sub(at)), clockskew.Tolerance)})
		default:
			v.add(check.Check{Name: "nbf", Status: check.Pass, Detail: "valid since " + c.NotBefore.UTC().Format(time.RFC3339)})
		}
	}
	if c.Iat != nil {
		switch ahead := c.Iat.SecondsFrom(at); {
		case undated(c.Iat):
			v.add(check.Check{Name: "iat", Status: check.Warn, Detail: "iat " + undatedWords(c.Iat, at), Hint: implausibleHint})
		case ahead > clockskew.Tolerance.Seconds():
			v.add(check.Check{Name: "iat", Status: check.Warn, Detail: fmt.Sprintf("issued %s in the future%s", jwtclaims.SpanWords(ahead), clockNote), Hint: future})
		default:
			v.add(check.Check{Name: "iat", Status: check.Pass, Detail: "issued " + c.IssuedAt.UTC().Format(time.RFC3339)})
		}
	}
	if o.SkewKnown {
		v.add(clockskew.Check("clock", &clockskew.Measure{Offset: o.Skew, Bound: cmp.Or(o.SkewBound, clockskew.DateResolution)}, nil))
	}
	if c.Iat == nil || c.Exp == nil || undated(c.Iat) || undated(c.Exp) {
		return
	}
	switch life := c.Exp.Seconds - c.Iat.Seconds; {
	case life <= 0:
		v.add(check.Check{Name: "lifetime", Status: check.Fail, Detail: "exp is not after iat", Hint: "the issuer minted a token that was never valid"})
	case life < ShortLifetime.Seconds():
		v.add(check.Check{Name: "lifetime", Status: check.Warn, Detail: jwtclaims.SpanWords(life) + ": shorter than a minute",
			Hint: "tokentop refreshes 30 s before expiry, so such tokens are fetched almost every call"})
	case life > (24 * time.Hour).Seconds():
		v.add(check.Check{Name: "lifetime", Status: check.Warn, Detail: jwtclaims.SpanWords(life) + ": longer than a day",
			Hint: "a leaked token stays useful that long"})
	default:
		v.add(check.Check{Name: "lifetime", Status: check.Pass, Detail: jwtclaims.SpanWords(life)})
	}
}

func roundDur(d time.Duration) time.Duration { return d.Round(time.Second) }

// futureHint explains an nbf or iat in the future. With the issuer's clock
// known (its Date), they were checked by it: the issuer mints tokens for
// later. Without it, its clock or ours is off, and the doctor's clock step
// tells which.
func futureHint(o Options) string {
	if o.SkewKnown {
		return "the time is ahead of the issuer's own clock (its Date header), so it is no clock skew: the issuer mints tokens valid only from later, and must fix it"
	}
	return "the issuer's clock is ahead of this machine's, or it mints tokens for later: `tokentop doctor NAME` compares the clocks by their Date headers"
}

// orNone lists names (kids), or says "none".
func orNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, " ")
}
