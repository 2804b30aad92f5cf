// Package interop holds tests only: tokentop's real client, doctor and
// store against a standard OAuth2 authorization server (ory/fosite) on
// loopback, so that what works against the sandbox is shown to work
// against a server tokentop's authors did not write. The harness is
// harness_test.go (newFositeServer); fosite is a dependency of these tests
// alone.
package interop
