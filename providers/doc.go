// Package providers is tokentop's OAuth2 client-credentials engine.
//
// It holds a provider's configuration ([Provider]), the token it yields
// ([Token]), the flight record of every exchange with the token endpoint
// ([Exchange]), the request itself ([Client.Fetch]), a response parser that
// accepts every shape the seeded vendors send ([ParseResponse]), errors that
// say what went wrong and what to try ([Error]), the issuer's keys and
// what a provider's tokens are expected to hold ([Client.KeySetFor],
// [Expectations]), discovery ([Client.DiscoverDetail]), presets and
// test-calls.
//
// The settings of a provider are described once, in the table [Fields]:
// the keys of the providers file, [Provider.Validate], [Provider.Describe],
// the flags of `tokentop add` and the dashboard's form all read it. Every
// fetch uses [Provider.Resolve] (the preset applied), which describes
// nothing.
//
// Leaf packages that know nothing of providers hold the rest: jwtclaims
// (decoding a JWT for display), headers (WWW-Authenticate and rate-limit
// headers), confyaml (the YAML machinery under the providers file),
// suggest ("did you mean"), safetext (the one sanitiser), check (one step
// of a triage report), clockskew (a server's clock against ours),
// netcheck (DNS, TCP and TLS to a URL), jwtverify (a JWT checked against
// its issuer's keys and what is expected of it) and discovery (RFC 8414
// and OIDC metadata and the issuer check). Package doctor, above this
// one, diagnoses a provider step by step.
//
// The package knows nothing of storage or terminals: it can be tested with
// net/http/httptest alone. Everything that came from a server and may reach a
// terminal goes through the one sanitiser first (package providers/safetext).
package providers
