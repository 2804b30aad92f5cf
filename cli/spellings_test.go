package cli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
)

// spellingSecret has a character of each kind servers escape differently
// (the review's repro, with a ' added).
const spellingSecret = `S3cr3t+V@lue/with=chars&more!"'‹ä x>`

// spellingServer is a token endpoint that refuses every request and
// echoes the secret it was sent in every spelling of
// testsupport.Spellings: in error_description (/json), in an HTML page
// (/html), and one spelling per response header. It keeps the Basic
// credentials it was sent.
type spellingServer struct {
	*httptest.Server
	mu    sync.Mutex
	basic []string
}

func newSpellingServer(t *testing.T) *spellingServer {
	s := &spellingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *spellingServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	secret := form.Get("client_secret")
	if cred, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic "); ok {
		s.mu.Lock()
		s.basic = append(s.basic, cred)
		s.mu.Unlock()
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			_, sec, _ := strings.Cut(string(raw), ":")
			if un, err := url.QueryUnescape(sec); err == nil && strings.Contains(sec, "%") {
				sec = un
			}
			secret = sec
		}
	}
	spelled := testsupport.Spellings(secret)
	var desc strings.Builder
	for i, name := range slices.Sorted(maps.Keys(spelled)) {
		fmt.Fprintf(&desc, "%s=%s\n", name, spelled[name])
		w.Header().Set(fmt.Sprintf("X-Echo-%02d", i), spelled[name])
	}
	if r.URL.Path == "/html" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, "<html><body><p>secret %s</p><pre>%s</pre></body></html>", spelled["html.escape (python)"], desc.String())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": desc.String()})
}

func (s *spellingServer) credentials() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.basic)
}

func TestServerSpelledSecretsAppearNowhere(t *testing.T) {
	h := newSpellingServer(t)
	e := &env{t: t, url: h.URL, db: filepath.Join(t.TempDir(), "tokentop.db"), vars: map[string]string{"SPELL_SECRET": spellingSecret}}
	cfg := fmt.Sprintf(`providers:
  - {name: spell-post, token_url: %[1]s/json, client_id: cli, client_secret: "${SPELL_SECRET}", auth_style: post}
  - {name: spell-basic, token_url: %[1]s/html, client_id: cli, client_secret: "${SPELL_SECRET}", auth_style: basic}
  - {name: spell-raw, token_url: %[1]s/json, client_id: cli, client_secret: "${SPELL_SECRET}", auth_style: basic, basic_encoding: raw}
`, h.URL)
	f := filepath.Join(t.TempDir(), "providers.yaml")
	if err := os.WriteFile(f, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun("", "import", f)

	shown := map[string]string{}
	for _, name := range []string{"spell-post", "spell-basic", "spell-raw"} {
		out, errOut, code := e.run("", "token", name)
		if code != ExitFailure || name != "spell-basic" && !strings.Contains(errOut, providers.Redacted) {
			t.Fatalf("token %s: exit %d, want a failure quoting the server, redacted\n%s", name, code, errOut)
		}
		shown["token "+name] = out + errOut
		out, errOut, _ = e.run("", "doctor", name, "--fetch", "--markdown")
		shown["doctor --markdown "+name] = out + errOut
		out, errOut, _ = e.run("", "doctor", name, "--fetch", "--json")
		shown["doctor --json "+name] = out + errOut
		shown["history -v "+name] = e.mustRun("", "history", name, "-v")
		shown["history "+name] = e.mustRun("", "history", name)
		shown["history --json "+name] = e.mustRun("", "history", name, "--json")
		shown["show "+name] = e.mustRun("", "show", name)
		shown["ls --json"] = e.mustRun("", "ls", "--json")
	}
	raw, err := os.ReadFile(e.db)
	if err != nil {
		t.Fatal(err)
	}
	shown["the database file"] = string(raw)

	creds := h.credentials()
	if len(creds) < 4 {
		t.Fatalf("the server saw %d Basic credentials", len(creds))
	}
	forms := testsupport.Spellings(spellingSecret)
	for i, c := range creds {
		forms[fmt.Sprintf("basic credentials #%d", i)] = c
	}
	for where, text := range shown {
		for name, form := range forms {
			if strings.Contains(text, form) {
				t.Errorf("%s holds the secret as %s (%q)", where, name, form)
			}
		}
	}
	for where, want := range map[string]string{
		"history -v spell-basic":        "<p>secret " + providers.Redacted + "</p>",
		"history -v spell-post":         "client_secret=%5Bredacted%5D",
		"history --json spell-post":     "raw=" + providers.Redacted,
		"history --json spell-raw":      `"basic_encoding": "raw"`,
		"history -v spell-raw":          "auth basic (raw)",
		"doctor --markdown spell-post":  "raw=" + providers.Redacted,
		"doctor --markdown spell-basic": "401",
		"ls --json":                     "raw=" + providers.Redacted, // the state's last_error, as stored

		"history spell-basic": "basic (raw)",
	} {
		if !strings.Contains(shown[where], want) {
			t.Errorf("%s lacks %q:\n%s", where, want, shown[where])
		}
	}
}
