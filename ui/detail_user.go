package ui

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/safetext"
)

// The detail of a user grant's session: the grant and how to log in, the
// refresh token (masked) and its expiry, and the ID token (masked) with
// its claims. Neither token's text is ever drawn.

// sessionData is what the detail's command read of a user's session:
// masked tokens and the ID token's claims, every string sanitised.
type sessionData struct {
	refreshMasked string
	idMasked      string
	idClaims      []claimPair
	idErr         string
}

// claimPair is one claim of an ID token as shown.
type claimPair struct{ k, v string }

// idClaimKeys are the ID token claims the detail shows, in order (OIDC
// Core §2 and §5.1).
var idClaimKeys = []string{"iss", "sub", "aud", "azp", "name", "preferred_username", "email", "email_verified", "auth_time", "iat", "exp", "acr", "amr"}

// maxIDToken bounds the ID token decoded for the detail.
const maxIDToken = 64 << 10

// sessionOf masks tok's refresh and ID tokens and decodes the ID token's
// claims; the tokens themselves never leave it.
func sessionOf(tok *providers.Token) sessionData {
	var s sessionData
	s.refreshMasked = mask(tok.RefreshToken)
	if tok.IDToken == "" {
		return s
	}
	s.idMasked = mask(tok.IDToken)
	claims, err := idClaims(tok.IDToken)
	if err != nil {
		s.idErr = safetext.Line(err.Error())
		return s
	}
	s.idClaims = claims
	return s
}

// idClaims decodes the claims of idClaimKeys from an ID token's payload.
func idClaims(raw string) ([]claimPair, error) {
	if len(raw) > maxIDToken || !jwtclaims.LooksLikeJWT(raw) {
		return nil, fmt.Errorf("the ID token is not a JWT")
	}
	parts := strings.SplitN(raw, ".", 3)
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, fmt.Errorf("the ID token's claims are not base64url: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("the ID token's claims are not JSON: %w", err)
	}
	var out []claimPair
	for _, k := range idClaimKeys {
		v, ok := m[k]
		if !ok {
			continue
		}
		out = append(out, claimPair{k: k, v: claimText(k, v)})
	}
	return out, nil
}

// claimText is a claim's value as text: a date for the time claims, a
// string's text, a list joined, anything else its JSON; sanitised and cut.
func claimText(k string, v json.RawMessage) string {
	var s string
	var list []string
	var n float64
	switch {
	case json.Unmarshal(v, &s) == nil:
	case json.Unmarshal(v, &list) == nil:
		s = strings.Join(list, " ")
	case (k == "exp" || k == "iat" || k == "auth_time") && json.Unmarshal(v, &n) == nil && n > 0 && n < 1e11:
		s = time.Unix(int64(n), 0).UTC().Format(time.RFC3339)
	default:
		s = string(v)
	}
	return safetext.Line(providers.Truncate(s, 200))
}

// writeSession is a user grant's session: the grant, whether a login is
// due, and the refresh token with its expiry.
func (d *detailView) writeSession(w *lineWriter) {
	sm, st := d.sum, d.st
	g := sm.Provider.Grant.Of()
	if !g.UserLogin() {
		return
	}
	grant := string(g)
	if !d.readOnly {
		grant += " · l logs in"
	}
	w.line("Grant", grant, st.Row)
	switch login := loginState(&sm); {
	case login == "log in again":
		w.line("Session", "over: log in again (the refresh token was refused, or none is left)", st.Bad)
	case login != "":
		w.line("Session", "not logged in yet", st.Warn)
	}
	if sm.Token == nil {
		return
	}
	masked := ""
	if d.data != nil && d.data.session.refreshMasked != "" {
		masked = " · " + d.data.session.refreshMasked
	}
	switch t := sm.Token; {
	case !sm.Refreshable:
		w.line("Refresh", "none kept: log in again when the access token expires", st.Muted)
	case t.RefreshExpiresAt.IsZero():
		w.line("Refresh", "kept, encrypted (its expiry is not known)"+masked, st.Row)
	default:
		left := t.RefreshExpiresAt.Sub(d.now)
		when, sty := "expires in "+countdown(left), st.Row
		if left <= 0 {
			when, sty = "expired "+countdown(-left)+" ago", st.Bad
		}
		w.line("Refresh", "kept, encrypted · "+when+" · "+d.both(t.RefreshExpiresAt)+masked, sty)
	}
}

// writeIDClaims is the ID token: masked, its verdict and its claims.
func (d *detailView) writeIDClaims(w *lineWriter) {
	s := d.data.session
	if !d.sum.HasIDToken && s.idMasked == "" {
		return
	}
	w.section("ID token (OIDC)")
	st := d.st
	w.line("  token", s.idMasked, st.Row)
	w.line("  verdict", "verified when it came (signature against the JWKS, issuer, audience; the nonce at login): tokentop keeps no ID token that fails", st.OK)
	if s.idErr != "" {
		w.line("  claims", clean(s.idErr), st.Warn)
		return
	}
	for _, c := range s.idClaims {
		w.line("  "+c.k, c.v, st.Row)
	}
}
