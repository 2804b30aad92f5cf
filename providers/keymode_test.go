package providers

import (
	"context"
	"crypto/elliptic"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// chmod sets path's mode or fails the test.
func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// TestOpenPrivateKeyRefused: a private key file others can read or write
// is refused, as OpenSSH refuses one, naming the file, its mode and the
// chmod; 0600 and 0400 are fine, and TOKENTOP_ALLOW_OPEN_KEYS=1 lets an
// open one through.
func TestOpenPrivateKeyRefused(t *testing.T) {
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620, 0o660} {
		t.Run(fmt.Sprintf("%04o", mode), func(t *testing.T) {
			path := writeKey(t, newECKey(t, elliptic.P256()))
			chmod(t, path, mode)
			_, err := loadAssertionKey(Provider{PrivateKeyFile: path})
			var me *KeyModeError
			if !errors.As(err, &me) || me.Field != "private_key_file" || me.Path != path || me.Mode != mode {
				t.Fatalf("loadAssertionKey = %v, want a KeyModeError for %s mode %04o", err, path, mode)
			}
			for _, want := range []string{"private_key_file " + path, fmt.Sprintf("mode %04o", mode), "chmod 600 " + path, AllowOpenKeysEnv + "=1"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		path := writeKey(t, newECKey(t, elliptic.P256()))
		chmod(t, path, mode)
		if _, err := loadAssertionKey(Provider{PrivateKeyFile: path}); err != nil {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
	t.Run("allowed by the environment", func(t *testing.T) {
		t.Setenv(AllowOpenKeysEnv, "1")
		path := writeKey(t, newECKey(t, elliptic.P256()))
		chmod(t, path, 0o644)
		if _, err := loadAssertionKey(Provider{PrivateKeyFile: path}); err != nil {
			t.Fatalf("with %s=1: %v", AllowOpenKeysEnv, err)
		}
	})
}

// TestOpenTLSKeyRefused: the same for tls_key_file, while the certificate
// beside it may be world-readable (it is public); the fetch fails before
// any request, and the import names the field.
func TestOpenTLSKeyRefused(t *testing.T) {
	pki := newTestPKI(t)
	srvURL, forms := mtlsTokenServer(t, pki, "client-a")
	certFile, keyFile := pki.clientFiles(t, "client-a")
	chmod(t, certFile, 0o644)
	p := Provider{Name: "m", TokenURL: srvURL + "/token", ClientID: "mtls-c", AuthStyle: AuthTLSClient,
		CAFile: pki.caFile, TLSCertFile: certFile, TLSKeyFile: keyFile}
	c := &Client{}
	defer c.CloseIdleConnections()
	if _, err := c.Fetch(context.Background(), p, FetchOptions{}); err != nil {
		t.Fatalf("Fetch with the key 0600 and the certificate 0644: %v", err)
	}

	chmod(t, keyFile, 0o644)
	_, err := c.Fetch(context.Background(), p, FetchOptions{})
	var me *KeyModeError
	if !errors.As(err, &me) || me.Field != "tls_key_file" || !strings.Contains(err.Error(), "chmod 600 "+keyFile) {
		t.Fatalf("Fetch with the key 0644 = %v, want the tls_key_file refused", err)
	}
	if n := len(forms()); n != 1 {
		t.Fatalf("the server saw %d requests, want only the first fetch's", n)
	}
	yaml := fmt.Sprintf("providers:\n  - name: m\n    token_url: %s/token\n    client_id: mtls-c\n    auth_style: tls_client_auth\n    tls_cert_file: %s\n    tls_key_file: %s\n", srvURL, certFile, keyFile)
	if _, err := LoadConfig(strings.NewReader(yaml), nil); err == nil || !strings.Contains(err.Error(), "line 7") || !strings.Contains(err.Error(), "chmod 600 "+keyFile) {
		t.Fatalf("LoadConfig = %v, want line 7 (tls_key_file) refused with the chmod", err)
	}
}
