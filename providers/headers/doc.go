// Package headers parses the response headers that explain an API's
// answer: WWW-Authenticate challenges (RFC 9110 §11.6.1, RFC 6750 §3) and
// what a 401 or 403 means ([ExplainRefusal]), and the rate-limit headers
// of the IETF draft and the common X-RateLimit-* family ([ParseRateLimit]).
// It knows nothing of providers or tokens.
package headers
