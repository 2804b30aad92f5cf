// Package interop holds tests only: tokentop's real client, doctor and
// store against a standard OAuth2 authorization server (ory/fosite) on
// loopback, so that what works against the sandbox is shown to work
// against a server tokentop's authors did not write. The harnesses are
// harness_test.go (newFositeServer: the client credentials grant) and
// user_harness_test.go (newUserServer: the authorization code grant with
// PKCE enforced, rotating refresh tokens, OpenID Connect ID tokens, and an
// authorize endpoint that approves a fixed user); fosite is a dependency
// of these tests alone.
package interop
