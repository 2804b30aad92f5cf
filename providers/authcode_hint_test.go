package providers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCodeRefusedSaysLogInAgain: a code the token endpoint refuses
// (here its challenge was changed on the way to the server, so the
// verifier tokentop sends does not match) ends the login with an error
// whose hint names PKCE and says to log in again, on the error and on
// its flight record.
func TestCodeRefusedSaysLogInAgain(t *testing.T) {
	e := newLoginEnv(t)
	p := e.ps["user-login"]
	tampered := func(link string) error {
		u, err := url.Parse(link)
		if err != nil {
			return err
		}
		q := u.Query()
		q.Set("code_challenge", Challenge(NewVerifier()))
		u.RawQuery = q.Encode()
		resp, err := http.Get(u.String())
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
	res, err := (&Client{}).Login(context.Background(), p, LoginOptions{Timeout: time.Minute, Open: tampered})
	e2, ok := AsError(err)
	if !ok || e2.Code != "invalid_grant" || res.Token != nil {
		t.Fatalf("login with a changed challenge: %v, token %v", err, res.Token != nil)
	}
	for _, words := range []string{"code_verifier", "PKCE", "log in again: tokentop login user-login"} {
		if !strings.Contains(e2.Hint, words) {
			t.Errorf("hint %q does not say %q", e2.Hint, words)
		}
	}
	if n := len(res.Exchanges); n == 0 || res.Exchanges[n-1].Hint != e2.Hint {
		t.Errorf("the flight record does not carry the hint: %+v", res.Exchanges)
	}
}
