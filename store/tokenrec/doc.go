// Package tokenrec is how a cached token is found and read: where the
// database and its key file are, the layout of a token's record, the
// sealing of its tokens, the key file, and when a record may be handed
// out. The store reads and writes tokens with it, and the fast path of
// `tokentop token NAME` (internal/fastpath) reads them with it before the
// rest of tokentop initialises, so both decide by the same code.
//
// It imports no part of tokentop but providers/tokenlife: no OAuth2
// client, no bbolt, no network.
package tokenrec
