package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// sessionTokens reads the session of name from the database, as the
// store keeps it.
func (e *env) sessionTokens(name string) *providers.Token {
	e.t.Helper()
	st, err := store.Open(context.Background(), store.Options{Path: e.db})
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	tok, err := st.CachedToken(context.Background(), name)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// TestUserDoctorHistoryAndRevoke: after a login, the doctor's JSON and
// Markdown have the user steps and no refresh or ID token; history names
// the code exchange and the refresh; revoke revokes the refresh token at
// the server (which then refuses it) and ends the session.
func TestUserDoctorHistoryAndRevoke(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	if out, errOut, code := e.login("user-login"); code != 0 {
		t.Fatalf("login: exit %d\n%s\n%s", code, out, errOut)
	}
	before := e.sessionTokens("user-login")
	var d doctorJSON
	if err := json.Unmarshal([]byte(e.mustRun("", "doctor", "user-login", "--json")), &d); err != nil {
		t.Fatal(err)
	}
	steps := map[string]string{}
	for _, c := range d.Checks {
		steps[c.Name] = string(c.Status) + " " + c.Detail
	}
	for name, want := range map[string]string{"session": "pass logged in", "refresh": "skip not needed", "ID token": "pass verified", "PKCE": "pass S256"} {
		if !strings.HasPrefix(steps[name], want) {
			t.Errorf("--json step %s: %q, want %q", name, steps[name], want)
		}
	}
	md := e.mustRun("", "doctor", "user-login", "--markdown", "--fetch")
	if !strings.Contains(md, "refreshed: 200") || !strings.Contains(md, "the refresh token rotated") {
		t.Errorf("--markdown --fetch does not report the refresh:\n%s", md)
	}
	after := e.sessionTokens("user-login")
	hist := e.mustRun("", "history", "user-login")
	for _, want := range []string{"GRANT", "authorization_code", "code exchanged: session started", "refresh_token", "refreshed"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
	verbose := e.mustRun("", "history", "user-login", "--json")
	for what, out := range map[string]string{"doctor --json": e.mustRun("", "doctor", "user-login", "--json"), "doctor --markdown": md, "history": hist, "history --json": verbose,
		"history -v": e.mustRun("", "history", "user-login", "-v")} {
		for _, s := range []string{before.RefreshToken, before.IDToken, after.RefreshToken, after.IDToken} {
			if strings.Contains(out, s) {
				t.Errorf("%s shows a refresh or ID token", what)
			}
		}
		if refreshTokenText.MatchString(out) {
			t.Errorf("%s shows a refresh token", what)
		}
	}
	// The code and verifier are redacted from the code exchange's record.
	var exs []providers.Exchange
	if err := json.Unmarshal([]byte(verbose), &exs); err != nil {
		t.Fatal(err)
	}
	exchanged := false
	for _, ex := range exs {
		if ex.Grant == "authorization_code" {
			exchanged = true
			if !strings.Contains(ex.RequestBody, "&code=%5Bredacted%5D&") || !strings.Contains(ex.RequestBody, "code_verifier=%5Bredacted%5D") {
				t.Errorf("the code exchange's record does not redact the code and the verifier: %s", ex.RequestBody)
			}
		}
	}
	if !exchanged {
		t.Error("no code exchange in the history")
	}

	out := e.mustRun("", "revoke", "user-login")
	if !strings.Contains(out, "revoked the refresh token and the access token") || !strings.Contains(out, "log in again: tokentop login user-login") {
		t.Errorf("revoke said: %s", out)
	}
	p := e.provider("user-login")
	if _, err := (&providers.Client{}).Refresh(t.Context(), p, after.RefreshToken, providers.FetchOptions{}); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("the revoked refresh token: %v, want invalid_grant", err)
	}
	_, errOut, code := e.run("", "token", "user-login")
	if code == 0 || !strings.Contains(errOut, "tokentop login user-login") {
		t.Errorf("token after revoke: exit %d, %s", code, errOut)
	}
	_, errOut, code = e.run("", "doctor", "user-login")
	if code == 0 || !strings.Contains(errOut, "session") {
		t.Errorf("doctor after revoke: exit %d, %s", code, errOut)
	}
	hist = e.mustRun("", "history", "user-login", "-v")
	if !strings.Contains(hist, "token_type_hint=refresh_token") {
		t.Errorf("the refresh token's revocation is not recorded:\n%s", hist)
	}
}

// provider is name's settings from the sandbox's providers file.
func (e *env) provider(name string) providers.Provider {
	e.t.Helper()
	ps, err := providers.LoadConfig(strings.NewReader(e.sb.ProvidersYAML(e.url)), func(string) (string, bool) { return "", false })
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	e.t.Fatalf("no provider %s in the sandbox", name)
	return providers.Provider{}
}
