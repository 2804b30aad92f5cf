package cli

import (
	"net/url"
	"strings"
	"testing"
)

// TestCallRefusesPlainHTTPToAnotherHost: `tokentop call NAME URL` sends
// the bearer token only as token_url would be sent (https, or http to a
// loopback host), refusing before a token is even fetched, and says the
// rule and the fix. 0.0.0.0 is no loopback name, though it dials this
// machine's sandbox.
func TestCallRefusesPlainHTTPToAnotherHost(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	u, err := url.Parse(e.url)
	if err != nil {
		t.Fatal(err)
	}
	clientID := ""
	for _, c := range e.sb.Clients() {
		if c.Name == "cognito-dev" {
			clientID = c.ClientID
		}
	}
	remote := "http://0.0.0.0:" + u.Port() + "/api/v1/items"
	_, errOut, code := e.run("", "call", "cognito-dev", remote)
	if code != ExitFailure || !strings.Contains(errOut, "refusing to send the bearer token over plain http to 0.0.0.0:"+u.Port()) ||
		!strings.Contains(errOut, "token_url's rule (https, or http to a loopback host only)") ||
		!strings.Contains(errOut, "hint: use https, or set `insecure_http: true` on cognito-dev") {
		t.Fatalf("call %s: exit %d, stderr %q; want the rule and the fix", remote, code, errOut)
	}
	if n := e.sb.Issued(clientID); n != 0 {
		t.Fatalf("a token was fetched (%d) for a call that was refused", n)
	}
	// The loopback address itself is fine.
	if _, errOut, code := e.run("", "call", "cognito-dev", e.url+"/api/v1/items"); code != 0 {
		t.Fatalf("call over loopback http: exit %d, stderr %q", code, errOut)
	}
}
