// Package kv is tokentop's storage seam: a small interface of transactions
// over named buckets, a lock that dies with its holder, and a change feed.
// The store's policy (one fetch per expiry window, the quota rule, the
// records) is written once against it; boltkv (the embedded default, over
// the bbolt file tokentop has always written) and etcdkv (a cluster shared
// by several machines) implement it.
//
// # Data model
//
// Data lives in buckets addressed by a Path from the root: tokentop's
// top-level buckets are providers, secrets, tokens, quota, exchanges,
// state, leases and meta, and quota/NAME and exchanges/NAME are nested.
// A bucket holds keys (non-empty byte strings, iterated in byte order),
// nested buckets, and a sequence (NextSequence). Values read from a Tx are
// copies: they stay valid, and the caller may keep and change them.
//
// # Transactions
//
// View runs a function over a consistent snapshot; Update runs one whose
// writes land together or not at all, serialised with every other Update
// on the same data, from any process or machine. An Update that wrote
// something also increments the change counter (the uint64 big-endian
// value of key "changes" in bucket "meta"), creating the meta bucket when
// needed: within the Update the counter still reads its old value, so
// "counter+1" is the generation the Update commits.
//
// # Locks
//
// Lock and TryLock take a named lock that ends when its holder ends: on
// etcd with the holder's lease (its TTL, kept alive while the holder's
// client lives), on bbolt with the lease record's expiry (or at once when
// the holder ran on this host and its process is gone). A waiter learns
// who holds the lock (PID, host, since when) to say what it waits for. A
// Tx can make its commit conditional on a lock still being held (Guard)
// and release the lock in the same commit (Release).
package kv
