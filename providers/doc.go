// Package providers is tokentop's OAuth2 client-credentials engine.
//
// It holds a provider's configuration ([Provider]), the token it yields
// ([Token]), the flight record of every exchange with the token endpoint
// ([Exchange]), the request itself ([Client.Fetch]), a response parser that
// accepts every shape the seeded vendors send ([ParseResponse]), errors that
// say what went wrong and what to try ([Error]), JWT decoding, presets,
// rate-limit header parsing and test-calls.
//
// The package knows nothing of storage or terminals: it can be tested with
// net/http/httptest alone. Everything that came from a server and may reach a
// terminal goes through the one sanitiser first (package providers/safetext).
package providers
