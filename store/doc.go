// Package store keeps tokentop's providers, their client secrets, cached
// tokens, quota ledger, exchange history and per-provider state. Its
// policy is written once against the storage seam, [kv.Backend]: [Open]
// uses the bbolt file (through boltkv, the only package that imports
// bbolt), [OpenBackend] any backend, such as a team's etcd cluster
// (etcdkv).
//
// # Sharing one file
//
// The dashboard, `tokentop token` in scripts and the SSH server all use the
// same file at once. No process keeps it open: every operation opens the
// file, runs one transaction and closes it again. Reads open it read-only
// (a shared lock, so readers do not block one another), writes open it
// read-write (an exclusive lock). Waiting for the lock is bounded by
// [Options.LockTimeout]; past it an operation fails with an error wrapping
// [ErrBusy]. The layout is the one tokentop has always written, so an
// existing database opens as before.
//
// # Secrets at rest
//
// Client secrets, access tokens and the flight records (exchanges) are
// encrypted with age to an X25519 identity kept in a key file beside the
// database (PATH + ".key", mode 0600), created the first time something is
// encrypted. A team's database instead holds a recipient list (see
// [Store.AddMember]: age X25519 and SSH ed25519 public keys) and everything
// is encrypted to every member on it; each member decrypts with their own
// identity ([Options.Identities], by default ~/.ssh/id_ed25519), and the
// key file is then only one more identity tried. With [Options.Passphrase] the key file is itself age
// passphrase-encrypted with scrypt at work factor 2^15 (about 32 MiB and
// 70 ms on a current laptop core, paid once per process start), so the
// start of `tokentop token` stays well under 0.3 s. An exchange record
// written before records were encrypted (plain JSON, starting with "{") is
// still read. Everything else a listing needs (token expiry, scope, type,
// warnings; quota counts; last error) is stored readable, so listing needs
// no decryption.
//
// # One token per expiry window
//
// [Store.Token] hands out the cached token while it is usable (outside its
// refresh margin). Otherwise it fetches, once per provider however many
// goroutines ask (singleflight) and however many processes or machines ask
// (the backend's lock named after the provider: a lease record in the
// bbolt file, an etcd lease on a cluster). The holder re-checks the cache
// and the quota ledger under the lock, makes the request with no
// transaction open, and saves the token, its exchanges, the quota count
// and the provider's state in one transaction that also releases the
// lock. A holder that dies frees the lock within its TTL (the provider's
// timeout and ten seconds); on bbolt one on this host whose process is
// gone is taken over at once.
//
// # Clocks
//
// [Options.Now] drives token expiry, quota windows and recorded times, so
// tests can inject a clock. Locks coordinate processes and use the
// backend's clock (the wall clock on bbolt, etcd's TTLs on a cluster).
package store
