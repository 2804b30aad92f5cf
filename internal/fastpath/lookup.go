package fastpath

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/boltkv"
	"github.com/tokentop/tokentop/store/tokenrec"
)

// Bounds on what the fast path reads, whatever the files say: more is
// left to the whole program.
const (
	maxRecord  = 1 << 20
	maxKeyFile = 64 << 10
)

// lookup is the access token args asks for, or why the fast path leaves
// it to the whole program (a fixed phrase: it names no path and holds no
// byte of the data).
func lookup(args []string, getenv func(string) string, now func() time.Time) (token, reason string) {
	if len(args) != 2 || args[0] != "token" || !plainName(args[1]) {
		return "", "not `token NAME`"
	}
	if getenv(DisableEnv) != "" {
		return "", DisableEnv + " is set"
	}
	// A shared store, a passphrase, identity files: the whole program.
	for _, v := range []string{"TOKENTOP_STORE", "TOKENTOP_PASSPHRASE", "TOKENTOP_IDENTITY"} {
		if getenv(v) != "" {
			return "", v + " is set"
		}
	}
	path := getenv("TOKENTOP_DB")
	if path == "" {
		var err error
		if path, err = tokenrec.DefaultPath(); err != nil {
			return "", "no default database path"
		}
	}
	if _, err := os.Stat(path); err != nil {
		return "", "no database file"
	}
	path = filepath.Clean(path)
	rec, reason := readRecord(path, args[1])
	if reason != "" {
		return "", reason
	}
	t := now()
	if !tokenrec.Usable(rec.Sealed, rec.Token.IssuedAt, rec.Token.ExpiresAt, t) || !tokenrec.Lasts(rec.Token.ExpiresAt, t, 0) {
		return "", "the cached token is not usable"
	}
	return unseal(tokenrec.KeyPath(path), rec.Sealed)
}

// readRecord reads the token record of name in one read-only open of the
// database, after the checks the store's open makes (boltkv.Open's), and
// refuses whatever would make the store's open write or read otherwise: a
// schema other than this one, a missing bucket, a team's recipient list.
func readRecord(path, name string) (*tokenrec.Record[tokenrec.Meta], string) {
	var raw []byte
	reason := "the database is empty"
	check := func(tx kv.Tx) error {
		raw, reason = look(tx, name)
		return nil
	}
	// A lock timeout of 1 ns tries the lock once: a writer at work is
	// waited for by the whole program.
	b, err := boltkv.Open(context.Background(), boltkv.Options{Path: path, LockTimeout: time.Nanosecond, Check: check})
	if err != nil {
		return nil, "the database cannot be read"
	}
	_ = b.Close()
	if reason != "" {
		return nil, reason
	}
	var rec tokenrec.Record[tokenrec.Meta]
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, "the token record is unreadable"
	}
	return &rec, ""
}

// look is name's token record in tx, or why not.
func look(tx kv.Tx, name string) ([]byte, string) {
	schema, err := tx.Get(kv.P(kv.MetaBucket), []byte(kv.SchemaKey))
	if err != nil || string(schema) != strconv.Itoa(tokenrec.SchemaVersion) {
		return nil, "not this schema version"
	}
	for _, bkt := range kv.Buckets() {
		if ok, err := tx.BucketExists(kv.P(bkt)); err != nil || !ok {
			return nil, "a bucket is missing"
		}
	}
	if team, err := tx.Get(kv.P(kv.MetaBucket), []byte(tokenrec.RecipientsKey)); err != nil || len(team) > 0 {
		return nil, "the database has a recipient list"
	}
	raw, err := tx.Get(kv.P(tokenrec.Bucket), []byte(name))
	switch {
	case err != nil:
		return nil, "the token record cannot be read"
	case raw == nil:
		return nil, "no cached token"
	case len(raw) > maxRecord:
		return nil, "the token record is too large"
	}
	return raw, ""
}

// unseal opens sealed with the plain key file at keyFile.
func unseal(keyFile string, sealed []byte) (string, string) {
	data, err := readBounded(keyFile)
	if err != nil {
		return "", "the key file cannot be read"
	}
	if tokenrec.KeyProtected(data) {
		return "", "the key file is protected by a passphrase"
	}
	id, err := tokenrec.KeyIdentity(keyFile, data)
	if err != nil {
		return "", "the key file is unreadable"
	}
	text, err := tokenrec.Decrypt(sealed, id)
	if err != nil {
		return "", "the key file does not open the token"
	}
	toks, err := tokenrec.FromPlaintext(text)
	if err != nil {
		return "", "the sealed tokens are unreadable"
	}
	if !printable(toks.AccessToken) {
		return "", "the token is not printable ASCII"
	}
	return toks.AccessToken, ""
}

// readBounded reads a file of at most maxKeyFile bytes.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err == nil && len(data) > maxKeyFile {
		err = errors.New("too large")
	}
	return data, err
}

// plainName reports whether name is a provider name that cobra reads as
// an argument, never a flag: [a-z0-9][a-z0-9._-]*.
func plainName(name string) bool {
	if name == "" || name[0] == '.' || name[0] == '_' || name[0] == '-' {
		return false
	}
	for i := range len(name) {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// printable reports whether s is non-empty printable ASCII, which the
// sanitiser passes unchanged.
func printable(s string) bool {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return s != ""
}
