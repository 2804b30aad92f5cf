// Package authproxy is the local auth proxy of `tokentop proxy`: a reverse
// proxy (net/http/httputil) that adds "Authorization: <type> <token>" to
// every request it passes to an upstream API, with the token from the
// store's engine.
//
// What it guarantees:
//
//   - One token per expiry window. The token is kept in memory while it is
//     usable (outside the engine's refresh margin, the larger of 30 s and
//     10 % of its lifetime) and asked of the engine only then, so a
//     thousand requests cost one token, and one fetch however many
//     processes share the database. There is no background refresh: the
//     first request inside the margin waits for the new token (while the
//     old one is still valid), and requests arriving meanwhile wait for
//     that same fetch.
//   - Recovery from a rejected token. An upstream 401 whose
//     WWW-Authenticate names invalid_token (RFC 6750 §3.1) makes the proxy
//     fetch one new token, shared by every request that saw the same
//     rejected token, and send again the requests it can repeat: those
//     whose body it still holds (none, or one of at most Options.MaxHeldBody,
//     1 MiB by default, read before sending). A larger body is streamed
//     and its 401 passed on. At most one such forced fetch runs per
//     provider every Options.ForceInterval (30 s), so an upstream that
//     rejects every token costs one extra token, not one per request.
//   - Streaming both ways. Request bodies beyond the held size and every
//     response are streamed, never buffered whole; responses are flushed
//     as they arrive (server-sent events, chunked answers).
//   - The client's own Authorization header is replaced, and the log says
//     so. The log shows method, path, status and duration; never a token,
//     and no query value that may be a secret.
//   - Figures per provider (requests, statuses, retries, latency,
//     rate-limit headers) are written to the store at most once every
//     Options.FlushEvery (1 s) and when the proxy stops.
package authproxy
