package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/tokenrec"
)

// ScryptWorkFactor is log2 of the scrypt cost used to protect the key file
// with a passphrase: 2^15 takes about 32 MiB and 70 ms per process start on
// a current laptop core (2^16 doubles both; age's default of 2^18 takes
// about a second, too slow for `tokentop token` in a script loop).
const ScryptWorkFactor = 15

// keyring seals and opens secrets, tokens and flight records. Sealing goes
// to the database's recipient list when it has one (see team.go), else to
// the X25519 identity of the key file, loaded when first needed and
// created when first needed for sealing. Opening tries the key file's
// identity, then the user's identity files (identity.go).
type keyring struct {
	path       string // the key file
	dbPath     string
	passphrase string
	// identityFiles are the files the user named (Options.Identities);
	// when empty, DefaultIdentityFiles(home) are searched.
	identityFiles []string
	home          string

	mu sync.Mutex
	id *age.X25519Identity
	// files are the identity files, read once when first needed.
	files       []identityFile
	filesLoaded bool
	filesErr    error
	// team is the recipient list last read from the database.
	team teamCache
}

// teamCache is a stored recipient list and what it parses to, so a list
// read again unchanged is not parsed again.
type teamCache struct {
	raw     []byte
	members []Member
	rs      []age.Recipient
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
	protected := tokenrec.KeyProtected(data)
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
	return tokenrec.KeyIdentity(k.path, data)
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

// seal encrypts plaintext for storage: to every member of the database's
// recipient list, or to the key file when the list is empty, in
// a write transaction.
func (k *keyring) seal(tx kv.Tx, plaintext string) ([]byte, error) {
	rs, err := k.sealRecipients(tx)
	if err != nil {
		return nil, err
	}
	return k.encrypt(rs, plaintext)
}

// sealRecipients are the recipients of what tx seals.
func (k *keyring) sealRecipients(tx kv.Tx) ([]age.Recipient, error) {
	raw, err := tx.Get(kv.P(bMeta), []byte(kRecipients))
	if err != nil {
		return nil, err
	}
	if len(raw) > 0 {
		_, rs, err := k.noteTeam(raw)
		if err != nil {
			return nil, corruptError(k.dbPath, err, "%v", err)
		}
		return rs, nil
	}
	k.noteTeam(nil)
	r, err := k.recipient(tx)
	if err != nil {
		return nil, err
	}
	return []age.Recipient{r}, nil
}

// noteTeam remembers the stored recipient list raw (nil: none) and returns
// what it parses to.
func (k *keyring) noteTeam(raw []byte) ([]Member, []age.Recipient, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(raw) == 0 {
		k.team = teamCache{}
		return nil, nil, nil
	}
	if bytes.Equal(raw, k.team.raw) {
		return k.team.members, k.team.rs, nil
	}
	members, rs, err := decodeTeam(raw)
	if err != nil {
		return nil, nil, err
	}
	k.team = teamCache{raw: bytes.Clone(raw), members: members, rs: rs}
	return members, rs, nil
}

// noteTeamTx remembers the list stored in tx, when it can be read: the
// error messages of open name its members.
func (k *keyring) noteTeamTx(tx kv.Tx) {
	if raw, err := tx.Get(kv.P(bMeta), []byte(kRecipients)); err == nil {
		_, _, _ = k.noteTeam(raw)
	}
}

// teamMembers is the recipient list last seen (nil: none, sealed to the
// key file).
func (k *keyring) teamMembers() []Member {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.team.members
}

// encrypt seals plaintext to rs.
func (k *keyring) encrypt(rs []age.Recipient, plaintext string) ([]byte, error) {
	var out bytes.Buffer
	w, err := age.Encrypt(&out, rs...)
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
// client secret of NAME"). The key file's identity is tried first, alone
// while the database has no recipient list (so a database without a team
// reads no other file); then every identity the user has.
func (k *keyring) open(sealed []byte, what string) (string, error) {
	id, err := k.keyFileIdentity()
	if err != nil {
		return "", err
	}
	if id != nil && len(k.teamMembers()) == 0 {
		plain, err := decrypt(sealed, id)
		if !errors.Is(err, age.ErrIncorrectIdentity) {
			return plain, k.decryptError(what, err)
		}
	}
	ids, err := k.allIdentities()
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "", k.noIdentity(what, nil)
	}
	plain, err := decrypt(sealed, ids...)
	if errors.Is(err, age.ErrIncorrectIdentity) {
		return "", k.noIdentity(what, err)
	}
	return plain, k.decryptError(what, err)
}

// decrypt opens sealed with ids.
func decrypt(sealed []byte, ids ...age.Identity) (string, error) {
	return tokenrec.Decrypt(sealed, ids...)
}

func (k *keyring) decryptError(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("cannot decrypt %s in database %s: %w", what, k.dbPath, err)
}

// keyFileIdentity is the key file's identity, nil when there is no key
// file.
func (k *keyring) keyFileIdentity() (*age.X25519Identity, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.loadLocked()
}

// allIdentities are every identity the user has: the key file's, then
// those of the identity files; those on the recipient list last seen
// come first (age tries an X25519 identity against every stanza, one
// scalar multiplication each, so one not on the list costs a member
// count of them).
func (k *keyring) allIdentities() ([]age.Identity, error) {
	id, err := k.keyFileIdentity()
	if err != nil {
		return nil, err
	}
	files, err := k.identityFilesLoaded()
	if err != nil {
		return nil, err
	}
	onList := map[string]bool{}
	for _, m := range k.teamMembers() {
		onList[m.Key] = true
	}
	var first, rest []age.Identity
	add := func(id age.Identity, pub string) {
		if onList[pub] {
			first = append(first, id)
		} else {
			rest = append(rest, id)
		}
	}
	if id != nil {
		add(id, id.Recipient().String())
	}
	for _, f := range files {
		for i, id := range f.ids {
			add(id, f.pubs[i])
		}
	}
	return append(first, rest...), nil
}

// identityFilesLoaded reads the identity files once.
func (k *keyring) identityFilesLoaded() ([]identityFile, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.filesLoaded {
		k.files, k.filesErr = loadIdentityFiles(k.identityFiles, k.home)
		k.filesLoaded = true
	}
	return k.files, k.filesErr
}

// noIdentity says that none of the user's identities opens a value: for a
// database without a recipient list, as before teams (the key file is
// missing or another); for a team's, which identities were tried and who
// is on the list.
func (k *keyring) noIdentity(what string, cause error) error {
	id, _ := k.keyFileIdentity()
	members := k.teamMembers()
	if len(members) == 0 {
		if id == nil {
			return newError(ErrIdentity, cause, "key file %s is missing: the secrets in database %s cannot be decrypted without it", k.path, k.dbPath)
		}
		return newError(ErrIdentity, cause, "cannot decrypt %s with key file %s: it was sealed with another key (was the key file replaced?)", what, k.path)
	}
	tried := []string{k.path + " (not found)"}
	if id != nil {
		tried[0] = identityFile{path: k.path, pubs: []string{id.Recipient().String()}}.describe()
	}
	files, _ := k.identityFilesLoaded()
	for _, f := range files {
		tried = append(tried, f.describe())
	}
	const shown = 10
	list := make([]string, 0, min(len(members), shown)+1)
	for i, m := range members {
		if i == shown {
			list = append(list, fmt.Sprintf("and %d more", len(members)-shown))
			break
		}
		list = append(list, m.describe())
	}
	return newError(ErrIdentity, cause,
		"cannot decrypt %s: none of your identities is on the recipient list of database %s. Tried: %s. On the list: %s. "+
			"Ask a member to run `tokentop team add` with your public key, or name an identity on the list with TOKENTOP_IDENTITY or --identity",
		what, k.dbPath, strings.Join(tried, "; "), strings.Join(list, ", "))
}
