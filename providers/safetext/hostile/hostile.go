// Package hostile holds text made to attack a terminal, a provider record
// full of it, and the check that none of it got through: test support for
// the tests that drive every output of tokentop (each command, each
// dashboard view) with a record an older version or a hand-edited database
// could hold. Nothing outside tests imports it.
package hostile

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tokentop/tokentop/providers"
)

// Payload is every kind of attack: OSC 52 (writes the clipboard) ended
// by BEL and by ST, SGR, the C1 forms of DCS, CSI (clear the screen) and
// OSC (set the title), a bare BEL, a bidi override, a bidi mark and a
// zero-width space, and a carriage return. (Invalid UTF-8 would not
// survive the store's JSON as it is.)
const Payload = "\x1b]52;c;ZXZpbA==\x07\x1b]52;p;ZXZpbA==\x1b\\\x1b[31m\u0090dcs\u009c\u009b2J\u009d0;pwned\x07\a\u202e\u200f\u200b\r"

// HeaderSafe is the part of an attack an HTTP client lets into a request
// header or URL (no ASCII control characters): C1 controls, a bidi
// override and a bidi mark.
const HeaderSafe = "\u0090dcs\u009c\u009b2J\u009d0;pwned\u009c\u202e\u200f"

// Text is marker, the payload and "END": sanitised, it reads marker+"END"
// ([Shown]).
func Text(marker string) string { return marker + Payload + "END" }

// Shown is what [Text] of marker looks like once sanitised.
func Shown(marker string) string { return marker + "END" }

// Provider returns p with every text a fetch does not need set to an
// attack: env, scopes, audience, resource, params (keys and values),
// notes, the issuer and the discovery, introspection and revocation URLs,
// the assertion settings and the endpoints. The first endpoint calls
// apiURL, carrying only what an HTTP client accepts (C1 controls and a
// bidi override, in a header and after the #); the second is hostile
// everywhere. Name, token URL, client id, secret and auth style are kept,
// so p still gets a token.
func Provider(p providers.Provider, apiURL string) providers.Provider {
	p.Env = Text("ENV")
	p.Scopes = []string{Text("SCOPE")}
	p.Audience = Text("AUD")
	p.Resource = Text("RES")
	p.Params = map[string]string{Text("PKEY"): Text("PVAL")}
	p.Notes = "first line\n" + Text("NOTES")
	p.Issuer = "http://127.0.0.1:1/" + Text("ISS")
	p.JWKSURI = "http://127.0.0.1:1/" + Text("JWKS")
	p.IntrospectURL = "http://127.0.0.1:1/" + Text("INTRO")
	p.RevokeURL = "http://127.0.0.1:1/" + Text("REVOKE")
	p.AssertionAudience = Text("ASSERTAUD")
	p.PrivateKeyKID = Text("KID")
	p.Endpoints = []providers.Endpoint{
		{Name: "api" + HeaderSafe, Method: "GET", URL: apiURL + "#" + HeaderSafe, Headers: map[string]string{"X-Evil": HeaderSafe}},
		{Name: Text("EP"), Method: "POST", URL: "http://127.0.0.1:1/" + Text("EPURL"), Headers: map[string]string{Text("HK"): Text("HV")}, Body: Text("BODY")},
	}
	return p
}

// Broken returns p with every text field an attack, those a fetch needs
// too: it fails, and its error and the record of the attempt carry the
// attack.
func Broken(p providers.Provider) providers.Provider {
	p = Provider(p, "http://127.0.0.1:1/api")
	p.TokenURL = "http://127.0.0.1:1/" + Text("TOKENURL")
	p.ClientID = Text("CLIENTID")
	p.ClientSecretRef = "env:" + Text("SECRETREF")
	p.ScopeSeparator = Text("SEP")
	p.Response = &providers.ResponseMapping{AccessToken: Text("MAPTOK"), ExpiresIn: Text("MAPEXP")}
	p.Quota = &providers.Quota{Limit: 10, Per: providers.Period(Text("PER"))}
	p.CAFile = "/nonexistent/" + Text("CA")
	p.TLSCertFile = "/nonexistent/" + Text("CERT")
	p.TLSKeyFile = "/nonexistent/" + Text("KEY")
	p.PrivateKeyFile = "/nonexistent/" + Text("PK")
	p.AssertionAlg = Text("ALG")
	return p
}

// Check returns an error naming the first thing in out that may act on a
// terminal: a C0 control other than newline and tab (allowCR allows a
// carriage return too, which a terminal renderer writes), DEL, a C1
// control, a bidi control, an invisible character or invalid UTF-8 (a
// lone 0x9b is CSI to an 8-bit terminal). It is written apart from package safetext, so that a
// mistake there is not repeated here.
func Check(out string, allowCR bool) error {
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		bad := ""
		switch {
		case r == utf8.RuneError && size == 1:
			bad = fmt.Sprintf("the invalid byte %#x", out[i])
		case r == '\n' || r == '\t' || r == '\r' && allowCR:
		case r < 0x20 || r == 0x7f:
			bad = fmt.Sprintf("the control character %U", r)
		case r >= 0x80 && r <= 0x9f:
			bad = fmt.Sprintf("the C1 control %U", r)
		case r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			bad = fmt.Sprintf("the bidi control %U", r)
		case r >= 0x200b && r <= 0x200f || r == 0x061c || r >= 0x2060 && r <= 0x2064 || r == 0xfeff:
			bad = fmt.Sprintf("the invisible character %U", r)
		}
		if bad != "" {
			lo, hi := max(0, i-40), min(len(out), i+40)
			return fmt.Errorf("%s at byte %d: …%q…", bad, i, out[lo:hi])
		}
		i += size
	}
	return nil
}

// API is an http.Handler that answers every call with escapes in its body
// and a rate-limit header, and under a path ending in /deny with a 403
// whose WWW-Authenticate challenge carries them too.
func API() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-RateLimit-Limit", "100"+HeaderSafe)
		w.Header().Set("X-RateLimit-Remaining", "7")
		if strings.HasSuffix(r.URL.Path, "/deny") {
			w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="`+HeaderSafe+`", error_description="`+HeaderSafe+`"`)
			w.WriteHeader(http.StatusForbidden)
		}
		_, _ = io.WriteString(w, `{"item": "`+Text("BODY")+`"}`)
	})
}
