package store

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// ErrIdentity: none of the user's identities can decrypt a sealed value
// (not on the database's recipient list), or an identity file could not
// be used.
var ErrIdentity = errors.New("no identity can decrypt")

// maxIdentityFile bounds what is read of an identity file: an ed25519
// OpenSSH key is about 400 bytes, an age identity 74.
const maxIdentityFile = 64 << 10

// DefaultIdentityFiles are the identity files tried when none is named
// (Options.Identities empty): the user's unencrypted SSH ed25519 key,
// HOME/.ssh/id_ed25519. The database's own key file is always tried
// first, whatever this says.
func DefaultIdentityFiles(home string) []string {
	if home == "" {
		return nil
	}
	return []string{filepath.Join(home, ".ssh", "id_ed25519")}
}

// identityFile is one identity file tried, and what came of it.
type identityFile struct {
	path string
	// ids decrypt; pubs[i] is ids[i]'s public key as a recipient list
	// holds it (Member.Key), for saying which is which.
	ids  []age.Identity
	pubs []string
	// problem says why the file gave no identity ("not found", "protected
	// by a passphrase …"); empty when ids is set.
	problem string
}

// describe is the file for an error message: its path and its keys'
// fingerprints, or its problem.
func (f identityFile) describe() string {
	if f.problem != "" {
		return f.path + " (" + f.problem + ")"
	}
	fps := make([]string, 0, len(f.pubs))
	for _, p := range f.pubs {
		if p != "" {
			fps = append(fps, Member{Key: p}.Type()+" "+Member{Key: p}.Fingerprint())
		}
	}
	return f.path + " (" + strings.Join(fps, ", ") + ")"
}

// loadIdentityFiles reads the identity files: the explicit ones when
// given (each must exist and be usable), else the default search (a
// missing or unusable default is noted, not fatal: another identity may
// still decrypt).
func loadIdentityFiles(explicit []string, home string) ([]identityFile, error) {
	paths, strict := explicit, true
	if len(paths) == 0 {
		paths, strict = DefaultIdentityFiles(home), false
	}
	out := make([]identityFile, 0, len(paths))
	for _, p := range paths {
		f, err := readIdentityFile(p)
		if err != nil && strict {
			return nil, err
		}
		if err != nil {
			f.problem = problemOf(err, p)
		}
		out = append(out, f)
	}
	return out, nil
}

// problemOf is err's message without the leading "identity file PATH: ".
func problemOf(err error, path string) string {
	return strings.TrimPrefix(err.Error(), "identity file "+path+": ")
}

// readIdentityFile reads an age identity file (AGE-SECRET-KEY-1… lines)
// or an unencrypted OpenSSH ed25519 private key.
func readIdentityFile(path string) (identityFile, error) {
	f := identityFile{path: path}
	fail := func(cause error, format string, args ...any) (identityFile, error) {
		return f, newError(ErrIdentity, cause, "identity file %s: %s", path, fmt.Sprintf(format, args...))
	}
	fh, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fail(err, "not found")
		}
		return fail(err, "cannot read it: %v", unwrapPathError(err))
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxIdentityFile+1))
	if err != nil {
		return fail(err, "cannot read it: %v", unwrapPathError(err))
	}
	if len(data) > maxIdentityFile {
		return fail(nil, "larger than %d KiB: not an identity file", maxIdentityFile>>10)
	}
	if bytes.Contains(data, []byte("-----BEGIN")) {
		return readSSHIdentity(f, data, fail)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		// age's parse errors never quote the key material.
		return fail(err, "not an age identity file or an OpenSSH private key (%v)", err)
	}
	for _, id := range ids {
		pub := ""
		switch x := id.(type) {
		case *age.X25519Identity:
			pub = x.Recipient().String()
		case *age.HybridIdentity:
			pub = x.Recipient().String()
		}
		f.ids = append(f.ids, id)
		f.pubs = append(f.pubs, pub)
	}
	return f, nil
}

func readSSHIdentity(f identityFile, pemBytes []byte, fail func(error, string, ...any) (identityFile, error)) (identityFile, error) {
	raw, err := ssh.ParseRawPrivateKey(pemBytes)
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return fail(err, "the SSH key is protected by a passphrase, which tokentop cannot ask for on every call: "+
			"make an age identity for tokentop (age-keygen -o ~/.config/tokentop/identity.txt), set TOKENTOP_IDENTITY to it "+
			"and have a member run `tokentop team add` with its public key (age-keygen -y FILE); or use an SSH ed25519 key without a passphrase")
	case err != nil:
		return fail(err, "not a usable OpenSSH private key (%v)", err)
	}
	var key ed25519.PrivateKey
	switch k := raw.(type) {
	case ed25519.PrivateKey:
		key = k
	case *ed25519.PrivateKey:
		key = *k
	default:
		return fail(nil, "an SSH key of type %T: tokentop's team recipients are ed25519 keys (ssh-keygen -t ed25519)", raw)
	}
	id, err := agessh.NewEd25519Identity(key)
	if err != nil {
		return fail(err, "%v", err)
	}
	pub, err := ssh.NewPublicKey(key.Public())
	if err != nil {
		return fail(err, "%v", err)
	}
	f.ids = []age.Identity{id}
	f.pubs = []string{sshKeyString(pub)}
	return f, nil
}

// sshKeyString is an SSH public key as a recipient list stores it: type
// and base64, no comment.
func sshKeyString(pub ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}
