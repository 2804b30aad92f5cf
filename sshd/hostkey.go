package sshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// HostKeyFileName is the host key's file name beside the database.
const HostKeyFileName = "tokentop_ed25519_host_key"

// LoadOrCreateHostKey reads the host key at path, or makes an ed25519 one
// there (file 0600, directory 0700) when there is none; created says which.
// A key file that others can read is refused, as OpenSSH refuses one.
func LoadOrCreateHostKey(path string) (signer gossh.Signer, created bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		switch err := createHostKey(path); {
		case err == nil:
			created = true
		case !errors.Is(err, fs.ErrExist): // another process made it first: read that one
			return nil, false, err
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("cannot read the SSH host key %s: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("cannot read the SSH host key %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("the SSH host key %s can be read by other users (mode %04o): run chmod 600 on it", path, fi.Mode().Perm())
	}
	signer, err = gossh.ParsePrivateKey(b)
	if err != nil {
		return nil, false, fmt.Errorf("the SSH host key %s is not a private key tokentop can read (%w); move it away and a new one is made", path, err)
	}
	return signer, created, nil
}

// createHostKey writes a new ed25519 key in OpenSSH's format; it fails
// with fs.ErrExist when another process made one first.
func createHostKey(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("cannot create the directory for the SSH host key %s: %w", path, err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("cannot make an SSH host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "tokentop host key")
	if err != nil {
		return fmt.Errorf("cannot encode the SSH host key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("cannot create the SSH host key %s: %w", path, err)
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("cannot write the SSH host key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("cannot write the SSH host key %s: %w", path, err)
	}
	return nil
}
