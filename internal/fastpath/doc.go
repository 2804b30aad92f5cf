// Package fastpath answers a cached `tokentop token NAME` while the
// program is still initialising, before the packages a cached token does
// not need (gRPC and the etcd client, Bubble Tea, SSH, YAML, the OAuth2
// client) have run their init.
//
// Go initialises packages one at a time, the first by import path among
// those whose imports are all initialised (internal/earlyterm's doc).
// This package imports only what reading a cached token needs: bbolt
// (through store/kv/boltkv), age and the layout (store/tokenrec), os. Its
// path sorts before go.etcd.io/etcd/…, golang.org/x/…, google.golang.org/…
// and gopkg.in/…, and the heavy packages whose paths sort before it need
// standard packages it does not import (net, os/signal…), so its init
// runs when about 80 of tokentop's 200-odd packages have: on a hit it
// prints the token and ends the process, and the rest never initialise.
// main imports it (for its init alone); TestBinary holds it to being the
// only tokentop package besides earlyterm that does work at init.
//
// It answers only when its answer is byte for byte what the whole program
// would print, with nothing on stderr and nothing written anywhere
// (a cached token's read writes nothing in the store either: one
// read-only transaction, one decryption). Every other case returns from
// init untouched, and the program runs as if this package were not there,
// redoing everything. It answers only:
//
//   - argv exactly `token NAME`: no flag at all, NAME a provider name
//     ([a-z0-9][a-z0-9._-]*);
//   - a bbolt database: TOKENTOP_DB, else store's default path (the same
//     function); TOKENTOP_STORE, TOKENTOP_PASSPHRASE and
//     TOKENTOP_IDENTITY unset;
//   - a database of this schema version with every bucket (the store's
//     open writes nothing then) and no team recipient list;
//   - a plain key file beside it that opens the token's record;
//   - a token outside its refresh margin, by the store's rule
//     (store/tokenrec, providers/tokenlife); the store's cached path adds
//     no warning and reads the token whatever the provider's grant;
//   - an access token of printable ASCII, which the sanitiser passes
//     unchanged (it is written through it all the same).
//
// TOKENTOP_NO_FASTPATH=1 turns it off; TOKENTOP_FASTPATH_TRACE=1 says on
// stderr, first, "fastpath: served" or "fastpath: deferred: REASON".
package fastpath
