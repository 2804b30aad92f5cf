package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/tokentop/tokentop/store/kv"
)

// ScryptWorkFactor is log2 of the scrypt cost used to protect the key file
// with a passphrase: 2^15 takes about 32 MiB and 70 ms per process start on
// a current laptop core (2^16 doubles both; age's default of 2^18 takes
// about a second, too slow for `tokentop token` in a script loop).
const ScryptWorkFactor = 15

// keyring is the age identity that seals secrets and tokens, loaded from the
// key file when first needed and created when first needed for sealing.
type keyring struct {
	path       string // the key file
	dbPath     string
	passphrase string

	mu sync.Mutex
	id *age.X25519Identity
}

// load reads the key file if it exists. A missing file is not an error:
// id stays nil until something is sealed.
func (k *keyring) load() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, err := k.loadLocked()
	return err
}

func (k *keyring) loadLocked() (*age.X25519Identity, error) {
	if k.id != nil {
		return k.id, nil
	}
	data, err := os.ReadFile(k.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read key file %s: %w", k.path, unwrapPathError(err))
	}
	id, err := k.parse(data)
	if err != nil {
		return nil, err
	}
	k.id = id
	return id, nil
}

// parse reads a key file: a plain age identity, or one encrypted to the
// passphrase.
func (k *keyring) parse(data []byte) (*age.X25519Identity, error) {
	trimmed := bytes.TrimSpace(data)
	protected := bytes.HasPrefix(trimmed, []byte(armor.Header)) || bytes.HasPrefix(trimmed, []byte("age-encryption.org/"))
	switch {
	case protected && k.passphrase == "":
		return nil, newError(ErrPassphrase, nil,
			"key file %s is protected by a passphrase: set TOKENTOP_PASSPHRASE", k.path)
	case !protected && k.passphrase != "":
		return nil, newError(ErrPassphrase, nil,
			"key file %s is not protected by a passphrase, but one was given: unset TOKENTOP_PASSPHRASE, "+
				"or protect the key by exporting with secrets, removing %s and its key file, and importing again", k.path, k.dbPath)
	case protected:
		sid, err := age.NewScryptIdentity(k.passphrase)
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", k.path, err)
		}
		var src io.Reader = bytes.NewReader(data)
		if bytes.HasPrefix(trimmed, []byte(armor.Header)) {
			src = armor.NewReader(bytes.NewReader(trimmed))
		}
		r, err := age.Decrypt(src, sid)
		if err == nil {
			data, err = io.ReadAll(r)
		}
		if errors.Is(err, age.ErrIncorrectIdentity) {
			return nil, newError(ErrPassphrase, err,
				"key file %s: the passphrase does not unlock it (check TOKENTOP_PASSPHRASE)", k.path)
		}
		if err != nil {
			return nil, fmt.Errorf("key file %s is damaged: %w", k.path, err)
		}
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("key file %s is damaged: %w", k.path, err)
	}
	for _, id := range ids {
		if x, ok := id.(*age.X25519Identity); ok {
			return x, nil
		}
	}
	return nil, fmt.Errorf("key file %s holds no X25519 identity", k.path)
}

// identity is the key for decrypting; it must exist.
func (k *keyring) identity() (*age.X25519Identity, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	id, err := k.loadLocked()
	if err != nil {
		return nil, err
	}
	if id == nil {
		return nil, fmt.Errorf("key file %s is missing: the secrets in database %s cannot be decrypted without it", k.path, k.dbPath)
	}
	return id, nil
}

// recipient is the key for sealing, created when the key file is missing
// and tx shows the database holds nothing sealed yet (a missing key with
// sealed data means the key was lost: a new one would not help). tx is a
// write transaction, which also orders creation between processes.
func (k *keyring) recipient(tx kv.Tx) (*age.X25519Recipient, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	id, err := k.loadLocked()
	if err != nil {
		return nil, err
	}
	if id != nil {
		return id.Recipient(), nil
	}
	sealed, err := holdsSealed(tx)
	if err != nil {
		return nil, err
	}
	if sealed {
		return nil, fmt.Errorf("key file %s is missing, but database %s holds encrypted secrets: restore the key file", k.path, k.dbPath)
	}
	if id, err = k.create(); err != nil {
		return nil, err
	}
	k.id = id
	return id.Recipient(), nil
}

// holdsSealed reports whether the data holds anything sealed: a secret, a
// token or a sealed exchange.
func holdsSealed(tx kv.Tx) (bool, error) {
	for _, name := range []string{bSecrets, bTokens} {
		none, err := empty(tx, kv.P(name))
		if err != nil || !none {
			return !none, err
		}
	}
	return holdsSealedExchanges(tx)
}

// create writes a new identity to the key file (0600) without ever
// exposing a half-written file: it is written beside it and linked into
// place, which fails if another process got there first; then that key is
// used.
func (k *keyring) create() (*age.X25519Identity, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("generating a key for %s: %w", k.path, err)
	}
	var content bytes.Buffer
	fmt.Fprintf(&content, "# tokentop key for %s: keep it private and with the database\n# public key: %s\n%s\n",
		k.dbPath, id.Recipient(), id)
	data := content.Bytes()
	if k.passphrase != "" {
		if data, err = sealWithPassphrase(data, k.passphrase); err != nil {
			return nil, fmt.Errorf("protecting key file %s: %w", k.path, err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(k.path), filepath.Base(k.path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("cannot create key file %s: %w", k.path, err)
	}
	defer os.Remove(tmp.Name())
	if err := writeSynced(tmp, data); err != nil {
		return nil, fmt.Errorf("cannot write key file %s: %w", k.path, err)
	}
	if err := os.Link(tmp.Name(), k.path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			if raw, rerr := os.ReadFile(k.path); rerr == nil {
				return k.parse(raw)
			}
		}
		return nil, fmt.Errorf("cannot create key file %s: %w", k.path, unwrapLinkError(err))
	}
	return id, nil
}

func writeSynced(f *os.File, data []byte) error {
	err := f.Chmod(fileMode)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func unwrapLinkError(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// sealWithPassphrase encrypts data to an scrypt recipient, ASCII-armored.
func sealWithPassphrase(data []byte, passphrase string) ([]byte, error) {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	r.SetWorkFactor(ScryptWorkFactor)
	var out bytes.Buffer
	aw := armor.NewWriter(&out)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// seal encrypts plaintext for storage, in a write transaction.
func (k *keyring) seal(tx kv.Tx, plaintext string) ([]byte, error) {
	r, err := k.recipient(tx)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	w, err := age.Encrypt(&out, r)
	if err != nil {
		return nil, fmt.Errorf("encrypting for database %s: %w", k.dbPath, err)
	}
	if _, err := io.WriteString(w, plaintext); err != nil {
		return nil, fmt.Errorf("encrypting for database %s: %w", k.dbPath, err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypting for database %s: %w", k.dbPath, err)
	}
	return out.Bytes(), nil
}

// open decrypts a sealed value; what names it for the error message ("the
// client secret of NAME").
func (k *keyring) open(sealed []byte, what string) (string, error) {
	id, err := k.identity()
	if err != nil {
		return "", err
	}
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	var plain []byte
	if err == nil {
		plain, err = io.ReadAll(r)
	}
	if err != nil {
		if errors.Is(err, age.ErrIncorrectIdentity) {
			return "", fmt.Errorf("cannot decrypt %s with key file %s: it was sealed with another key (was the key file replaced?): %w", what, k.path, err)
		}
		return "", fmt.Errorf("cannot decrypt %s in database %s: %w", what, k.dbPath, err)
	}
	return string(plain), nil
}
