// Package doctor diagnoses one provider step by step ([Run]): its
// settings; DNS, TCP and TLS to the token endpoint (package netcheck);
// discovery and the issuer check; the server's auth methods against the
// configured style; the token request, retried once with the setting that
// may explain a refusal (the other secret style, HTTP Basic sent raw, the
// assertion's other audience); the scopes granted; the JWT's signature and
// claims; a test-call; this machine's clock against the issuer's and the
// API's (package clockskew); and tokentop's own ledger with the vendor's
// rate limits. A step that cannot run for an earlier failure is skipped
// with the reason. A user grant (authorization_code, device_code,
// refresh_token) has the login's steps in place of the token request:
// its endpoints, PKCE, the session the store keeps ([Options.Session]),
// a refresh when the access token is inside its margin or a new token is
// asked for, and the ID token.
//
// The doctor makes no token request of its own: [Options.Fetch] gets the
// token (the store provides it, so that fetches are counted and recorded).
// Every other request goes through the providers.Client given. Every text
// of a [check.Check] it reports is safe for a terminal.
package doctor
