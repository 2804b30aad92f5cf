package store

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers"
)

// onDisk reads the database and its key file.
func onDisk(t *testing.T, s *Store) (db, key []byte) {
	t.Helper()
	db, err := os.ReadFile(s.Path())
	must(t, err)
	key, err = os.ReadFile(s.Path() + ".key")
	must(t, err)
	return db, key
}

func checkNoPlaintext(t *testing.T, s *Store, ts *tokenServer, passphrase bool) {
	t.Helper()
	ctx := t.Context()
	// Basic first, refused, then post: the history holds the secret's
	// Authorization header and the form with client_secret, both redacted.
	ts.RefuseBasic = true
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	res, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if len(res.Exchanges) != 2 {
		t.Fatalf("%d exchanges, want basic and post", len(res.Exchanges))
	}
	at := res.Token.AccessToken
	if !strings.HasPrefix(at, "at-") {
		t.Fatalf("unexpected token %q", at)
	}
	db, key := onDisk(t, s)
	for _, blob := range []struct {
		name string
		data []byte
	}{{"database", db}, {"key file", key}} {
		basic := strings.TrimPrefix(providers.BasicAuth(ts.ClientID, ts.Secret), "Basic ")
		for _, secret := range []string{ts.Secret, at, basic} {
			if bytes.Contains(blob.data, []byte(secret)) {
				t.Errorf("the %s holds %q in plain text", blob.name, secret)
			}
		}
	}
	// The metadata is readable (listing needs no key) …
	if !bytes.Contains(db, []byte(`"token_type":"Bearer"`)) {
		t.Error("token metadata is not stored readable")
	}
	// … and the key itself is only there in plain text without a passphrase.
	if got := bytes.Contains(key, []byte("AGE-SECRET-KEY")); got == passphrase {
		t.Errorf("key file holds AGE-SECRET-KEY: %v, with passphrase: %v", got, passphrase)
	}
	// The values still decrypt.
	again, err := s.CachedToken(ctx, "svc")
	must(t, err)
	if again.AccessToken != at {
		t.Errorf("cached token %q, want %q", again.AccessToken, at)
	}
}

func TestNoPlaintextOnDisk(t *testing.T) {
	checkNoPlaintext(t, openStore(t, Options{}), newTokenServer(t), false)
}

func TestPassphrase(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	path := testDB(t)
	s := openStore(t, Options{Path: path, Passphrase: "correct horse"})
	checkNoPlaintext(t, s, ts, true)

	// The same passphrase opens it again, and decrypts.
	s2 := openStore(t, Options{Path: path, Passphrase: "correct horse"})
	p, err := s2.ProviderWithSecret(ctx, "svc")
	must(t, err)
	if p.ClientSecret != ts.Secret {
		t.Fatalf("secret after reopening = %q", p.ClientSecret)
	}

	for _, c := range []struct{ pass, want string }{
		{"wrong", "the passphrase does not unlock it"},
		{"", "is protected by a passphrase: set TOKENTOP_PASSPHRASE"},
	} {
		_, err := Open(ctx, Options{Path: path, Passphrase: c.pass})
		if !errors.Is(err, ErrPassphrase) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path+".key") {
			t.Errorf("Open with passphrase %q: %v", c.pass, err)
		}
	}
}

func TestPassphraseGivenForPlainKey(t *testing.T) {
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	must(t, s.PutProvider(t.Context(), providers.Provider{Name: "p", ClientSecret: "x"}))
	_, err := Open(t.Context(), Options{Path: path, Passphrase: "pw"})
	if !errors.Is(err, ErrPassphrase) || !strings.Contains(err.Error(), "not protected by a passphrase") {
		t.Fatalf("Open: %v", err)
	}
}

func TestKeyCreatedOnFirstUse(t *testing.T) {
	s := openStore(t, Options{})
	if _, err := os.Stat(s.Path() + ".key"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("key file exists before anything was sealed: %v", err)
	}
	must(t, s.PutProvider(t.Context(), providers.Provider{Name: "p", ClientSecret: "x"}))
	if _, err := os.Stat(s.Path() + ".key"); err != nil {
		t.Fatal(err)
	}
}

func TestLostKey(t *testing.T) {
	ctx := t.Context()
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	must(t, s.PutProvider(ctx, providers.Provider{Name: "p", ClientSecret: "x"}))
	must(t, os.Remove(path+".key"))

	s2 := openStore(t, Options{Path: path})
	if _, err := s2.ProviderWithSecret(ctx, "p"); err == nil || !strings.Contains(err.Error(), "key file "+path+".key is missing") {
		t.Errorf("decrypting without the key: %v", err)
	}
	// A new key would make the stored secrets unreadable for good: refuse.
	err := s2.PutProvider(ctx, providers.Provider{Name: "q", ClientSecret: "y"})
	if err == nil || !strings.Contains(err.Error(), "restore the key file") {
		t.Errorf("sealing without the key: %v", err)
	}
	if _, err := os.Stat(path + ".key"); !errors.Is(err, os.ErrNotExist) {
		t.Error("a new key file was created")
	}
	// Listing needs no key.
	if _, err := s2.Summaries(ctx); err != nil {
		t.Errorf("Summaries without the key: %v", err)
	}
}
