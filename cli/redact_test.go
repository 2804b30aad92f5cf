package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tokentop/tokentop/providers"
)

// echoServer is a token server that echoes what it is sent and hands out
// tokens where they do not belong. It keeps every credential it receives
// (Authorization values, client assertions) to look for them afterwards.
type echoServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

const (
	hostileSecret  = "cli-echo-secret/+&=<0123456789>"
	formToken      = "form-encoded-access-token-0123456789"
	headerToken    = "header-echoed-access-token-0123456789"
	headerRefresh  = "header-echoed-refresh-token-0123456789"
	hostileHeaders = 4000
)

func newHostile(t *testing.T) *echoServer {
	h := &echoServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *echoServer) credentials() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

func (h *echoServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	h.mu.Lock()
	for _, v := range []string{form.Get("client_assertion"), strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")} {
		if v != "" {
			h.seen = append(h.seen, v)
		}
	}
	h.mu.Unlock()
	echo := fmt.Sprintf("cannot read %s (Authorization: %s)", body, r.Header.Get("Authorization"))
	switch r.URL.Path {
	case "/echo":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": echo})
	case "/echo-text":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(400)
		io.WriteString(w, echo)
	case "/form":
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		io.WriteString(w, "access_token="+formToken+"&token_type=bearer&expires_in=3600")
	case "/header":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Issued", headerToken)
		json.NewEncoder(w).Encode(map[string]any{"access_token": headerToken, "token_type": "Bearer", "expires_in": 3600, "refresh_token": headerRefresh})
	case "/api":
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("X-Echo", got)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello, holder of %s\n", got)
	case "/many":
		for i := range hostileHeaders {
			w.Header().Set(fmt.Sprintf("X-Filler-%04d", i), strings.Repeat("f", 200))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		io.WriteString(w, `{"error":"invalid_client"}`)
	case "/huge":
		w.Header().Set("X-Huge", strings.Repeat("h", 8<<20))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"never-read-0123456789","expires_in":60}`)
	default:
		http.NotFound(w, r)
	}
}

// writeECKey writes a P-256 key as PKCS#8 PEM.
func writeECKey(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestEchoedSecretsAndTokensAppearNowhere(t *testing.T) {
	h := newHostile(t)
	e := &env{t: t, url: h.URL, db: filepath.Join(t.TempDir(), "tokentop.db"), vars: map[string]string{}}
	secretYAML, _ := json.Marshal(hostileSecret)
	cfg := fmt.Sprintf(`providers:
  - {name: echo-post, token_url: %[1]s/echo, client_id: cli, client_secret: %[2]s, auth_style: post}
  - {name: echo-basic, token_url: %[1]s/echo-text, client_id: cli, client_secret: %[2]s, auth_style: basic}
  - {name: echo-jwt, token_url: %[1]s/echo, client_id: cli, auth_style: private_key_jwt, private_key_file: %[3]s}
  - {name: form, token_url: %[1]s/form, client_id: cli, client_secret: %[2]s, auth_style: basic}
  - name: header
    token_url: %[1]s/header
    client_id: cli
    client_secret: %[2]s
    auth_style: post
    endpoints: [{name: api, url: %[1]s/api}]
  - {name: many, token_url: %[1]s/many, client_id: cli, client_secret: %[2]s, auth_style: basic}
  - {name: huge, token_url: %[1]s/huge, client_id: cli, client_secret: %[2]s, auth_style: basic}
`, h.URL, secretYAML, writeECKey(t))
	f := filepath.Join(t.TempDir(), "providers.yaml")
	if err := os.WriteFile(f, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun("", "import", f)

	// Everything the user sees: the error of `token`, `history -v`,
	// `history --json`, the doctor, and a test-call of an API that echoes
	// the token.
	shown := map[string]string{}
	for _, name := range []string{"echo-post", "echo-basic", "echo-jwt", "form", "header", "many", "huge"} {
		out, errOut, code := e.run("", "token", name)
		if name == "header" {
			if code != 0 || strings.TrimSpace(out) != headerToken {
				t.Fatalf("token header: exit %d, %q %s", code, out, errOut)
			}
			out = "" // asked for: the token itself
		} else if code != ExitFailure {
			t.Fatalf("token %s: exit %d, want a failure\n%s", name, code, errOut)
		}
		shown["token "+name] = out + errOut
		shown["history -v "+name] = e.mustRun("", "history", name, "-v")
		shown["history --json "+name] = e.mustRun("", "history", name, "--json")
		out, errOut, _ = e.run("", "doctor", name, "--fetch")
		shown["doctor "+name] = out + errOut
	}
	out, errOut, code := e.run("", "call", "header", "api")
	if code != 0 || !strings.Contains(out, "hello, holder of "+providers.Redacted) {
		t.Fatalf("call: exit %d\n%s\n%s", code, out, errOut)
	}
	shown["call header api"] = out + errOut

	creds := h.credentials()
	if len(creds) < 3 {
		t.Fatalf("the server saw %d credentials, want the Basic ones and the assertions", len(creds))
	}
	secrets := append([]string{hostileSecret, url.QueryEscape(hostileSecret), formToken, headerToken, headerRefresh}, creds...)
	for where, text := range shown {
		text = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(text)
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s shows a secret (%q):\n%s", where, s, text)
			}
		}
	}
	for where, want := range map[string]string{
		"token echo-post":         "client_secret=" + providers.Redacted,
		"history -v echo-jwt":     "client_assertion=" + providers.Redacted,
		"token form":              "access_token=" + providers.Redacted,
		"history -v header":       "X-Issued: " + providers.Redacted,
		"history -v many":         "more headers",
		"token huge":              "tokentop's limit",
		"doctor huge":             "tokentop's limit",
		"history --json echo-jwt": providers.Redacted,
	} {
		if !strings.Contains(shown[where], want) {
			t.Errorf("%s lacks %q:\n%s", where, want, shown[where])
		}
	}

	// And the file: the secret is stored sealed, the records too.
	raw, err := os.ReadFile(e.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(string(raw), s) {
			t.Errorf("the database file holds %q", s)
		}
	}
}
