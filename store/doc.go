// Package store keeps tokentop's providers, their client secrets, cached
// tokens, quota ledger, exchange history and per-provider state in one bbolt
// file. It is the only package that imports bbolt.
//
// # Sharing one file
//
// The dashboard, `tokentop token` in scripts and the SSH server all use the
// same file at once. No process keeps it open: every operation opens the
// file, runs one transaction and closes it again. Reads open it read-only
// (a shared lock, so readers do not block one another), writes open it
// read-write (an exclusive lock). Within a process a sync.RWMutex orders the
// opens. Waiting for the lock is bounded by [Options.LockTimeout]; past it an
// operation fails with an error wrapping [ErrBusy].
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
// goroutines ask (singleflight) and however many processes ask (a lease in
// the database, taken in the same transaction that re-checks the cache and
// the quota ledger). The network request runs with no lock held; the token,
// its exchanges, the quota count and the provider's state are then saved in
// one transaction.
//
// # Clocks
//
// [Options.Now] drives token expiry, quota windows and recorded times, so
// tests can inject a clock. Leases coordinate processes and always use the
// wall clock.
package store
