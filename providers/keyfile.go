package providers

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// maxKeyFileBytes caps a key or certificate file: a PEM chain of a few
// certificates is a few kilobytes.
const maxKeyFileBytes = 256 << 10

// minRSABits is the smallest RSA key tokentop signs with (RFC 7518 §3.3).
const minRSABits = 2048

// AllowOpenKeysEnv names the environment variable that lets tokentop use a
// private key file other users can read or write: set to 1, such a file is
// used as any other. Without it the file is refused, as OpenSSH refuses
// one.
const AllowOpenKeysEnv = "TOKENTOP_ALLOW_OPEN_KEYS"

// readKeyFile reads a small regular file named by a config field (a leading
// ~/ is the home directory). It refuses devices and FIFOs, so a path such
// as /dev/stdin cannot hang an import. Errors name the field.
func readKeyFile(field, path string) ([]byte, error) {
	return readFileOf(field, path, false)
}

// readPrivateKeyFile is readKeyFile for a private key: a file that other
// users can read or write (any of the mode bits 077) is refused unless
// TOKENTOP_ALLOW_OPEN_KEYS=1, with the chmod that fixes it.
func readPrivateKeyFile(field, path string) ([]byte, error) {
	return readFileOf(field, path, true)
}

func readFileOf(field, path string, private bool) ([]byte, error) {
	path = expandHome(path)
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once, first
		}
		return nil, fmt.Errorf("%s %s: %w", field, path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", field, path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s %s is not a regular file", field, path)
	}
	if private {
		if err := checkKeyMode(field, path, fi.Mode()); err != nil {
			return nil, err
		}
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", field, path, err)
	}
	if len(b) > maxKeyFileBytes {
		return nil, fmt.Errorf("%s %s is larger than %d KiB: not a PEM key or certificate", field, path, maxKeyFileBytes>>10)
	}
	return b, nil
}

// checkKeyMode refuses a private key file that other users can read or
// write, as OpenSSH does, unless TOKENTOP_ALLOW_OPEN_KEYS=1. Windows has
// no such mode bits.
func checkKeyMode(field, path string, mode fs.FileMode) error {
	if mode.Perm()&0o077 == 0 || runtime.GOOS == "windows" || os.Getenv(AllowOpenKeysEnv) == "1" {
		return nil
	}
	return &KeyModeError{Field: field, Path: path, Mode: mode.Perm()}
}

// KeyModeError is a private key file that other users can read or write.
type KeyModeError struct {
	Field string
	Path  string
	Mode  fs.FileMode
}

func (e *KeyModeError) Error() string {
	return fmt.Sprintf("%s %s can be read or written by other users (mode %04o): a private key must be yours alone; run chmod 600 %s (or set %s=1 to use it anyway)",
		e.Field, e.Path, uint32(e.Mode), e.Path, AllowOpenKeysEnv)
}

// loadPrivateKey reads the PEM private key at path for field. It takes
// PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") and SEC 1 ("EC
// PRIVATE KEY") blocks, skipping certificates and EC parameters around
// them, and says what is wrong with anything else (an encrypted key, a
// public key, an X25519 key, an RSA key under 2048 bits).
func loadPrivateKey(field, path string) (crypto.Signer, error) {
	data, err := readPrivateKeyFile(field, path)
	if err != nil {
		return nil, err
	}
	key, err := parsePrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", field, expandHome(path), err)
	}
	return key, nil
}

// parsePrivateKeyPEM finds the one private key in PEM data.
func parsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	var seen []string
	for block := range pemBlocks(data) {
		seen = append(seen, block.Type)
		if block.Headers["Proc-Type"] == "4,ENCRYPTED" || block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, errors.New("the key is encrypted; tokentop needs it unencrypted (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.plain), kept 0600")
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "PUBLIC KEY", "RSA PUBLIC KEY":
			return nil, errors.New("holds a public key; this needs the private key (the server gets the public one)")
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("the %s block does not parse: %w", block.Type, err)
		}
		return signerOf(key)
	}
	return nil, missingPEM(seen, "private key", "-----BEGIN PRIVATE KEY-----")
}

// pemBlocks yields the PEM blocks of data in order.
func pemBlocks(data []byte) iter.Seq[*pem.Block] {
	return func(yield func(*pem.Block) bool) {
		for rest := data; ; {
			var block *pem.Block
			if block, rest = pem.Decode(rest); block == nil || !yield(block) {
				return
			}
		}
	}
}

// missingPEM says that a file lacks what it should hold: PEM at all, or
// the block wanted among those seen.
func missingPEM(seen []string, want, example string) error {
	if len(seen) == 0 {
		return fmt.Errorf("holds no PEM data; want a PEM %s (%s)", want, example)
	}
	return fmt.Errorf("holds no %s (found %s)", want, strings.Join(seen, ", "))
}

// signerOf checks that key is one tokentop can sign with.
func signerOf(key any) (crypto.Signer, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < minRSABits {
			return nil, fmt.Errorf("the RSA key has %d bits; RS256 and PS256 need %d at least", bits, minRSABits)
		}
		return k, nil
	case *ecdsa.PrivateKey:
		if _, err := ecAlg(k); err != nil {
			return nil, err
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	case *ecdh.PrivateKey:
		return nil, errors.New("the key is an X25519 key, which cannot sign; use Ed25519, EC P-256 or RSA")
	}
	return nil, fmt.Errorf("the key is a %T, which tokentop cannot sign with; use RSA, EC P-256 or Ed25519", key)
}

// keyKind names a key for people: "RSA 2048", "EC P-256", "Ed25519".
func keyKind(key crypto.Signer) string {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PrivateKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PrivateKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", key)
}

// AbsFiles makes p's relative file paths (ca_file, private_key_file,
// tls_cert_file, tls_key_file) absolute, against the current directory, so
// a provider imported from one directory still finds its files when a
// token is fetched from another. Paths starting with ~/ are left for
// expansion at use.
func (p *Provider) AbsFiles() error {
	for _, f := range []*string{&p.CAFile, &p.PrivateKeyFile, &p.TLSCertFile, &p.TLSKeyFile} {
		if *f == "" || filepath.IsAbs(*f) || strings.HasPrefix(*f, "~/") {
			continue
		}
		abs, err := filepath.Abs(*f)
		if err != nil {
			return fmt.Errorf("provider %q: %s: %w", p.Name, *f, err)
		}
		*f = abs
	}
	return nil
}

// KeyFacts describes p's key and client certificate for `tokentop show`,
// reading the files now: the private key's type and the assertion
// algorithm, and the certificate's subject, issuer, expiry and SHA-256
// fingerprint, or what is wrong with them. It never returns key material.
// Each fact is a label ("key", "cert") and a line of text.
func KeyFacts(p Provider) [][2]string {
	var facts [][2]string
	if p.PrivateKeyFile != "" || p.Style() == AuthPrivateKeyJWT {
		if k, err := loadAssertionKey(p); err != nil {
			facts = append(facts, [2]string{"key", "unusable: " + err.Error()})
		} else {
			facts = append(facts, [2]string{"key", fmt.Sprintf("%s key, the assertion is signed %s", keyKind(k.signer), k.method.Alg())})
		}
	}
	if p.TLSCertFile != "" || p.TLSKeyFile != "" || p.Style() == AuthTLSClient {
		if cc, err := loadClientCert(p); err != nil {
			facts = append(facts, [2]string{"cert", "unusable: " + err.Error()})
		} else {
			facts = append(facts, [2]string{"cert", strings.TrimPrefix(cc.summary(), "client certificate ")})
		}
	}
	return facts
}
