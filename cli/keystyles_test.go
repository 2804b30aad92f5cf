package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/sandbox"
)

// keyEnv is env with the sandbox's key clients: their files in a temp
// dir, the TLS listener started, and every client_assertion the sandbox
// receives kept, to look for it where it must not be.
type keyEnv struct {
	*env
	kf   sandbox.KeyFiles
	mu   sync.Mutex
	seen []string
}

func newKeyEnv(t *testing.T) *keyEnv {
	t.Helper()
	sb := sandbox.New(sandbox.Options{})
	kf, err := sb.AddKeyClients(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ke := &keyEnv{kf: kf}
	// Every client_assertion the sandbox receives is kept.
	keep := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			if f, err := url.ParseQuery(string(b)); err == nil && f.Get("client_assertion") != "" {
				ke.mu.Lock()
				ke.seen = append(ke.seen, f.Get("client_assertion"))
				ke.mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	}
	ke.env = newEnvOn(t, sb, keep)
	_, stop, err := sb.StartTLS(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })
	return ke
}

func (ke *keyEnv) assertions() []string {
	ke.mu.Lock()
	defer ke.mu.Unlock()
	return append([]string(nil), ke.seen...)
}

func (ke *keyEnv) client(name string) sandbox.Client {
	for _, c := range ke.sb.Clients() {
		if c.Name == name {
			return c
		}
	}
	ke.t.Fatalf("no sandbox client %s", name)
	return sandbox.Client{}
}

func TestKeyStylesEndToEnd(t *testing.T) {
	e := newKeyEnv(t)
	e.importSandbox()
	for _, name := range []string{sandbox.JWTClientName, sandbox.MTLSClientName} {
		t.Run(name, func(t *testing.T) {
			tok := strings.TrimSpace(e.mustRun("", "token", name))
			if tok == "" || strings.ContainsAny(tok, " \n") {
				t.Fatalf("token printed %q", tok)
			}
			if again := strings.TrimSpace(e.mustRun("", "token", name)); again != tok {
				t.Error("the second token was not the cached one")
			}
			if n := e.sb.Issued(e.client(name).ClientID); n != 1 {
				t.Errorf("issued %d tokens, want 1", n)
			}
			hist := e.mustRun("", "history", name, "-v")
			histJSON := e.mustRun("", "history", name, "--json")
			export := e.mustRun("", "export", name, "--with-secrets")
			show := e.mustRun("", "show", name)
			for _, out := range []string{hist, histJSON, export, show} {
				if strings.Contains(out, tok) || strings.Contains(out, "PRIVATE KEY") {
					t.Errorf("a token or key material was printed:\n%s", out)
				}
				for _, a := range e.assertions() {
					if strings.Contains(out, a) || strings.Contains(out, a[strings.LastIndex(a, ".")+1:]) {
						t.Errorf("the client assertion was printed:\n%s", out)
					}
				}
			}
			var want []string
			if name == sandbox.JWTClientName {
				want = []string{"auth private_key_jwt", "client_assertion=%5Bredacted%5D", "client_assertion_type=urn", "credential: client assertion ES256 (EC P-256 key) kid=", "< 200"}
				if len(e.assertions()) != 1 {
					t.Errorf("the sandbox saw %d assertions, want 1", len(e.assertions()))
				}
				for _, s := range []string{"private_key_file " + e.kf.JWTKey + " config", "assertion_audience " + e.url + "/private-key-jwt default",
					"client_secret (not used by private_key_jwt) default", "key: EC P-256 key, the assertion is signed ES256"} {
					if !hasLine(show, s) {
						t.Errorf("show lacks %q:\n%s", s, show)
					}
				}
			} else {
				want = []string{"auth tls_client_auth", "client_id=mtls-client", `credential: client certificate subject="CN=mtls-client,O=tokentop sandbox"`, "< 200"}
				for _, s := range []string{"tls_cert_file " + e.kf.ClientCert + " config", "ca_file " + e.kf.CA + " config",
					`cert: subject="CN=mtls-client,O=tokentop sandbox"`} {
					if !hasLine(show, s) {
						t.Errorf("show lacks %q:\n%s", s, show)
					}
				}
			}
			for _, w := range want {
				if !strings.Contains(hist, w) {
					t.Errorf("history -v lacks %q:\n%s", w, hist)
				}
			}
			if strings.Contains(hist, "client_secret") || strings.Contains(hist, "Authorization") {
				t.Errorf("a secret style leaked into the request:\n%s", hist)
			}
			// The items endpoint works with the token (over TLS with the
			// client certificate for mtls-client).
			if _, errOut, code := e.run("", "call", name, "items"); code != 0 {
				t.Errorf("call items: exit %d: %s", code, errOut)
			}
		})
	}
}

func TestKeyStyleWrongKeyHint(t *testing.T) {
	e := newKeyEnv(t)
	e.importSandbox()
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(other)
	if err := os.WriteFile(e.kf.JWTKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := e.run("", "token", sandbox.JWTClientName)
	if code != ExitFailure || out != "" {
		t.Fatalf("exit %d stdout %q", code, out)
	}
	for _, want := range []string{"invalid_client", "signature does not verify", "hint:", "register the public key of private_key_file"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestAddKeyStyles(t *testing.T) {
	e := newKeyEnv(t)
	jwtC, mtlsC := e.client(sandbox.JWTClientName), e.client(sandbox.MTLSClientName)
	e.mustRun("", "add", "my-jwt", "--token-url", e.url+"/jwt/oauth2/token", "--issuer", e.url+"/private-key-jwt", "--client-id", jwtC.ClientID,
		"--auth", "private_key_jwt", "--private-key-file", e.kf.JWTKey, "--private-key-kid", jwtC.KeyID, "--scope", "api/read")
	if tok := strings.TrimSpace(e.mustRun("", "token", "my-jwt")); tok == "" {
		t.Error("no token for my-jwt")
	}
	doc := e.sb.ProvidersYAML(e.url)
	tokenURL := ""
	for _, l := range strings.Split(doc, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "token_url: "); ok && strings.HasPrefix(v, "https://") {
			tokenURL = v
		}
	}
	e.mustRun("", "add", "my-mtls", "--token-url", tokenURL, "--client-id", mtlsC.ClientID, "--auth", "tls_client_auth",
		"--tls-cert", e.kf.ClientCert, "--tls-key", e.kf.ClientKey, "--ca-file", e.kf.CA)
	if tok := strings.TrimSpace(e.mustRun("", "token", "my-mtls")); tok == "" {
		t.Error("no token for my-mtls")
	}

	for _, tt := range []struct {
		name string
		argv []string
		want string
	}{
		{"a secret with private_key_jwt", []string{"--auth", "private_key_jwt", "--private-key-file", e.kf.JWTKey, "--client-secret-stdin"}, "takes no secret"},
		{"no key file", []string{"--auth", "private_key_jwt"}, "needs private_key_file"},
		{"a key file with basic", []string{"--auth", "basic", "--private-key-file", e.kf.JWTKey}, "used only with auth_style: private_key_jwt"},
		{"a certificate without its key", []string{"--auth", "tls_client_auth", "--tls-cert", e.kf.ClientCert}, "tls_cert_file is set without tls_key_file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			argv := append([]string{"add", "x", "--token-url", "https://auth.example.com/token", "--client-id", "c"}, tt.argv...)
			_, errOut, code := e.run("s\n", argv...)
			if code != ExitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
			}
		})
	}
}

// TestSandboxCommandImportsKeyClients runs `tokentop sandbox --import` as a
// user would and fetches tokens for both key clients while it serves.
func TestSandboxCommandImportsKeyClients(t *testing.T) {
	e := newEnv(t)
	keys := filepath.Join(t.TempDir(), "keys")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		app := &App{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: pw, LookupEnv: func(string) (string, bool) { return "", false }, Now: time.Now}
		code := app.Run(ctx, []string{"--db", e.db, "sandbox", "--import", "--addr", "127.0.0.1:0", "--keys-dir", keys})
		pw.Close()
		done <- code
	}()
	// Read stderr up to the line that says it serves; the rest is drained.
	var said strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		said.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "listening on") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("sandbox exit %d: %s", code, said.String())
		}
	}()
	if !strings.Contains(said.String(), "key files (throwaway) in "+keys) || !strings.Contains(said.String(), "with TLS for mtls-client on https://127.0.0.1:") {
		t.Fatalf("stderr does not say where the key files and the TLS listener are:\n%s", said.String())
	}
	for _, name := range []string{sandbox.JWTClientName, sandbox.MTLSClientName} {
		if tok := strings.TrimSpace(e.mustRun("", "token", name)); tok == "" {
			t.Errorf("no token for %s", name)
		}
	}
}

// hasLine reports whether a line of text starts with want once runs of
// spaces (tabwriter's columns) are squeezed to one.
func hasLine(text, want string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.Join(strings.Fields(l), " "), want) {
			return true
		}
	}
	return false
}

// TestKeyStylesIntrospectAndRevoke: introspection and revocation
// authenticate the key-style clients as their token requests do.
func TestKeyStylesIntrospectAndRevoke(t *testing.T) {
	e := newKeyEnv(t)
	e.importSandbox()
	for _, name := range []string{sandbox.JWTClientName, sandbox.MTLSClientName} {
		t.Run(name, func(t *testing.T) {
			tok := strings.TrimSpace(e.mustRun("", "token", name))
			out := e.mustRun("", "introspect", name)
			if !strings.Contains(out, "active      true") || strings.Contains(out, tok) {
				t.Fatalf("introspect %s:\n%s", name, out)
			}
			if out := e.mustRun("", "revoke", name); !strings.Contains(out, "revoked the token of "+name) {
				t.Fatalf("revoke %s:\n%s", name, out)
			}
			if !strings.Contains(lineOf(e.mustRun("", "ls"), name), "none") {
				t.Error("the cached token is still listed after revoke")
			}
			hist := e.mustRun("", "history", name, "-v")
			for _, a := range e.assertions() {
				if strings.Contains(hist, a) {
					t.Fatal("a client assertion reached the history")
				}
			}
		})
	}
}

// TestKeyStylesDoctor: the doctor checks the key styles too, TLS with the
// client certificate presented and the sandbox CA trusted.
func TestKeyStylesDoctor(t *testing.T) {
	e := newKeyEnv(t)
	e.importSandbox()
	for name, wants := range map[string][]string{
		sandbox.JWTClientName:  {"auth_style private_key_jwt is private_key_jwt", "[ ok ] JWT signature"},
		sandbox.MTLSClientName: {"[ ok ] TLS", "127.0.0.1, ::1 from tokentop sandbox CA", "auth_style tls_client_auth is tls_client_auth", "[ ok ] JWT signature"},
	} {
		out := e.mustRun("", "doctor", name, "--fetch")
		for _, want := range append(wants, "no step failed") {
			if !strings.Contains(out, want) {
				t.Errorf("doctor %s lacks %q:\n%s", name, want, out)
			}
		}
	}
}
