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
// It also serves a JWKS and discovery documents under /.well-known/, an
// RFC 7662 introspection endpoint (/oauth2/introspect) and an RFC 7009
// revocation endpoint (/oauth2/revoke), and a small protected API under
// /api/v1/ that validates the tokens it issued (refusing revoked ones) and
// sends rate-limit headers.
//
// Each style has its own issuer, and so its own discovery documents naming
// its token endpoint: the root issuer for Cognito (/.well-known/...), and
// /basic-only, /auth0 and /ants for the others, each with an RFC 8414
// document (/.well-known/oauth-authorization-server/auth0) and an OIDC one
// (/auth0/.well-known/openid-configuration). Its tokens carry that issuer.
//
// For tests of token checks: [Server.RotateKey] signs with a new key (the
// previous one stays in the JWKS until the next rotation), and
// [Server.Mint] makes tokens with chosen claims, a bad signature, alg none
// or a key the JWKS does not hold. The issuer is derived from each request's Host
// header, so the server works on any port: in-process under
// net/http/httptest, or on a real listener via [Server.Start].
//
// All credentials it knows are fake sandbox data.
package sandbox
