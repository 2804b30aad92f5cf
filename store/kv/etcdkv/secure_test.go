package etcdkv

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/etcdtest"
)

// testPassword is the etcd password of the auth tests, looked for in
// every error.
const testPassword = "pw-Zq7-never-print-me"

// basics opens cfg and runs Update, View and Lock on it.
func basics(t *testing.T, cfg Config) {
	t.Helper()
	b := openBackend(t, cfg)
	defer b.Close()
	ctx := t.Context()
	must(t, b.Update(ctx, func(tx kv.Tx) error {
		must(t, tx.CreateBucketIfNotExists(kv.P("state")))
		return tx.Put(kv.P("state"), []byte("k"), []byte("v"))
	}))
	must(t, b.View(ctx, func(tx kv.Tx) error {
		v, err := tx.Get(kv.P("state"), []byte("k"))
		if err != nil {
			return err
		}
		if string(v) != "v" {
			t.Errorf("read %q after writing %q", v, "v")
		}
		return nil
	}))
	l, err := b.Lock(ctx, "svc", kv.LockOptions{TTL: 5 * time.Second})
	must(t, err)
	if _, err := b.TryLock(ctx, "svc", kv.LockOptions{TTL: 5 * time.Second}); err == nil {
		t.Error("a second TryLock of a held lock succeeded")
	}
	must(t, l.Unlock(ctx))
}

// openFails opens cfg, which must fail, and returns the error's text,
// checked to name every endpoint and never the password.
func openFails(t *testing.T, cfg Config) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	b, err := Open(ctx, cfg)
	if err == nil {
		b.Close()
		t.Fatal("Open succeeded")
	}
	if errors.Is(err, kv.ErrUnreachable) {
		t.Errorf("a refusal reads as an unreachable cluster (which --offline-fallback would work around): %v", err)
	}
	msg := err.Error()
	for _, e := range cfg.Endpoints {
		if !strings.Contains(msg, e) {
			t.Errorf("the error does not name %s: %s", e, msg)
		}
	}
	if strings.Contains(msg, testPassword) {
		t.Errorf("the error prints the password: %s", msg)
	}
	return msg
}

func TestTLS(t *testing.T) {
	c := etcdtest.StartWith(t, 1, etcdtest.Options{TLS: true})
	var ps prefixes
	cfg := func(tls TLS) Config {
		return Config{Endpoints: c.Endpoints(), Prefix: ps.next(), DialTimeout: time.Second, TLS: &tls}
	}
	good := TLS{CAFile: c.CA.CAFile, CertFile: c.Client.CertFile, KeyFile: c.Client.KeyFile}

	t.Run("ClientCertificate", func(t *testing.T) {
		if !strings.HasPrefix(c.Endpoints()[0], "https://") {
			t.Fatalf("the TLS member's endpoint is %s", c.Endpoints()[0])
		}
		ok := cfg(good)
		ok.DialTimeout = 0
		basics(t, ok)
	})
	t.Run("WrongCA", func(t *testing.T) {
		other := etcdtest.NewCA(t, "another CA")
		wrong := good
		wrong.CAFile = other.CAFile
		msg := openFails(t, cfg(wrong))
		for _, want := range []string{"certificate", "does not trust the server's certificate", "CA file"} {
			if !strings.Contains(msg, want) {
				t.Errorf("the error does not say %q: %s", want, msg)
			}
		}
	})
	t.Run("NoClientCertificate", func(t *testing.T) {
		msg := openFails(t, cfg(TLS{CAFile: c.CA.CAFile}))
		if !strings.Contains(msg, "wants a client certificate and none was given") {
			t.Errorf("the error does not say a client certificate is needed: %s", msg)
		}
	})
	t.Run("ClientCertificateOfAnotherCA", func(t *testing.T) {
		stranger := etcdtest.NewCA(t, "another CA").Client(t, "stranger")
		msg := openFails(t, cfg(TLS{CAFile: c.CA.CAFile, CertFile: stranger.CertFile, KeyFile: stranger.KeyFile}))
		if !strings.Contains(msg, "refused the client certificate") {
			t.Errorf("the error does not say the client certificate was refused: %s", msg)
		}
	})
}

func TestAuth(t *testing.T) {
	c := etcdtest.StartWith(t, 1, etcdtest.Options{User: "tokentop", Password: testPassword})
	var ps prefixes
	cfg := func(user, password string) Config {
		return Config{Endpoints: c.Endpoints(), Prefix: ps.next(), DialTimeout: time.Second, Username: user, Password: password}
	}

	t.Run("RightPassword", func(t *testing.T) {
		basics(t, cfg("tokentop", testPassword))
	})
	t.Run("WrongPassword", func(t *testing.T) {
		msg := openFails(t, cfg("tokentop", testPassword+"-wrong"))
		if strings.Contains(msg, testPassword+"-wrong") {
			t.Errorf("the error prints the wrong password: %s", msg)
		}
		for _, want := range []string{`refused the user "tokentop"`, "password"} {
			if !strings.Contains(msg, want) {
				t.Errorf("the error does not say %q: %s", want, msg)
			}
		}
	})
	t.Run("NoUser", func(t *testing.T) {
		msg := openFails(t, cfg("", ""))
		if !strings.Contains(msg, "user") {
			t.Errorf("the error does not point at the user: %s", msg)
		}
	})
}

// TestTLSAndAuth: a cluster that wants both a client certificate and a
// user's password admits a client with both; a wrong password with the
// right certificate, or the right password without a certificate, is
// refused with the error that names what is wrong (and never the
// password).
func TestTLSAndAuth(t *testing.T) {
	c := etcdtest.StartWith(t, 1, etcdtest.Options{TLS: true, User: "tokentop", Password: testPassword})
	var ps prefixes
	good := TLS{CAFile: c.CA.CAFile, CertFile: c.Client.CertFile, KeyFile: c.Client.KeyFile}
	cfg := func(tls TLS, password string) Config {
		return Config{Endpoints: c.Endpoints(), Prefix: ps.next(), DialTimeout: time.Second,
			TLS: &tls, Username: "tokentop", Password: password}
	}

	t.Run("Both", func(t *testing.T) {
		if !strings.HasPrefix(c.Endpoints()[0], "https://") {
			t.Fatalf("the member's endpoint is %s, not TLS", c.Endpoints()[0])
		}
		basics(t, cfg(good, testPassword))
	})
	t.Run("WrongPassword", func(t *testing.T) {
		msg := openFails(t, cfg(good, testPassword+"-wrong"))
		if strings.Contains(msg, testPassword+"-wrong") {
			t.Errorf("the error prints the wrong password: %s", msg)
		}
		for _, want := range []string{`refused the user "tokentop"`, "password"} {
			if !strings.Contains(msg, want) {
				t.Errorf("the error does not say %q: %s", want, msg)
			}
		}
	})
	t.Run("NoClientCertificate", func(t *testing.T) {
		msg := openFails(t, cfg(TLS{CAFile: c.CA.CAFile}, testPassword))
		if !strings.Contains(msg, "wants a client certificate and none was given") {
			t.Errorf("the error does not say a client certificate is needed: %s", msg)
		}
	})
}
