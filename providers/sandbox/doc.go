// Package sandbox is an embedded OAuth2 authorization server and protected
// sample API that behave like the vendors tokentop was designed against.
//
// One [Server] answers four token endpoints, each mimicking a vendor's
// documented behaviour, including its quirks and error shapes:
//
//	POST /oauth2/token      Cognito (Basic or body credentials, space-separated scopes)
//	POST /oauth/v2/token    Basic-only (opaque tokens, 401 with WWW-Authenticate: Basic)
//	POST /oauth/token       Auth0 (audience required, monthly token quota)
//	POST /ants/oauth/token  ANTS (comma-separated scopes, camelCase response)
//
// After [Server.AddKeyClients], two more endpoints take clients that prove
// themselves with a key (their throwaway key and certificate files written
// to a directory), the second only over the TLS listener of
// [Server.StartTLS]:
//
//	POST /jwt/oauth2/token   private_key_jwt (RFC 7523 assertion; replays refused)
//	POST /mtls/oauth2/token  tls_client_auth (RFC 8705 client certificate)
//
// It also serves a JWKS and discovery documents under /.well-known/ and a
// small protected API under /api/v1/ that validates the tokens it issued and
// sends rate-limit headers. The issuer is derived from each request's Host
// header, so the server works on any port: in-process under
// net/http/httptest, or on a real listener via [Server.Start].
//
// All credentials it knows are fake sandbox data.
package sandbox
