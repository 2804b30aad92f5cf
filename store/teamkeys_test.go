package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"
)

// member is a test user: an identity file of their own and its public key.
type member struct {
	label    string
	identity string // the private key's file
	pub      string // the public key, as team add takes it
}

// ageMember writes a new age identity file for label in its own directory.
func ageMember(t testing.TB, label string) member {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	must(t, err)
	path := filepath.Join(t.TempDir(), "identity.txt")
	must(t, os.WriteFile(path, []byte("# "+label+"\n"+id.String()+"\n"), 0o600))
	return member{label: label, identity: path, pub: id.Recipient().String()}
}

// sshMember writes a new unencrypted OpenSSH ed25519 key pair for label
// in dir/.ssh (id_ed25519 and id_ed25519.pub); passphrase, when set,
// encrypts the private key.
func sshMember(t testing.TB, label, dir, passphrase string) member {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, label)
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, label, []byte(passphrase))
	}
	must(t, err)
	sshPub, err := ssh.NewPublicKey(pub)
	must(t, err)
	sshDir := filepath.Join(dir, ".ssh")
	must(t, os.MkdirAll(sshDir, 0o700))
	path := filepath.Join(sshDir, "id_ed25519")
	must(t, os.WriteFile(path, pem.EncodeToMemory(block), 0o600))
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " " + label
	must(t, os.WriteFile(path+".pub", []byte(line+"\n"), 0o644))
	return member{label: label, identity: path, pub: line}
}

// storeAs opens the database at path as m: their identity file only, and
// an empty home so the machine's own keys play no part.
func storeAs(t testing.TB, path string, m member) *Store {
	t.Helper()
	o := Options{Path: path, Home: t.TempDir()}
	if m.identity != "" {
		o.Identities = []string{m.identity}
	}
	return openStore(t, o)
}

func TestParsePublicKey(t *testing.T) {
	a := ageMember(t, "a")
	s := sshMember(t, "alice@laptop", t.TempDir(), "")
	idText, err := os.ReadFile(a.identity)
	must(t, err)
	pemText, err := os.ReadFile(s.identity)
	must(t, err)

	key, comment, err := ParsePublicKey([]byte(s.pub))
	if err != nil || comment != "alice@laptop" || strings.Contains(key, "alice") || !strings.HasPrefix(key, "ssh-ed25519 AAAA") {
		t.Errorf("SSH key: %q %q %v", key, comment, err)
	}
	if key, _, err := ParsePublicKey([]byte("# a comment\n\n" + a.pub + "\n")); err != nil || key != a.pub {
		t.Errorf("age key in a file: %q %v", key, err)
	}
	for _, c := range []struct {
		name, text, want string
	}{
		{"age identity", string(idText), "that is a private key"},
		{"ssh private key", string(pemText), "that is a private key"},
		{"two keys", a.pub + "\n" + s.pub, "more than one key"},
		{"rsa", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 x", "not a valid SSH public key"},
		{"nothing", "# only a comment\n", "holds no public key"},
		{"garbage", "hello", "not a public key"},
		{"post-quantum", "age1pq1xyz", "post-quantum"},
	} {
		_, _, err := ParsePublicKey([]byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "AGE-SECRET-KEY") {
			t.Errorf("%s: the error quotes the private key", c.name)
		}
	}
	if DefaultLabel(key, comment) != "alice@laptop" {
		t.Errorf("default label of an SSH key = %q", DefaultLabel(key, comment))
	}
	if l := DefaultLabel(a.pub, ""); !strings.HasPrefix(l, "age-") || CheckLabel(l) != nil {
		t.Errorf("default label of an age key = %q", l)
	}
	if CheckLabel("bad\x1b[31m") == nil || CheckLabel(strings.Repeat("x", MaxLabelLen+1)) == nil {
		t.Error("CheckLabel let a control character or a long label through")
	}
}
