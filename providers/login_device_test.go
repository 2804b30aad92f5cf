package providers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/sandbox"
)

// noWait is a sleep that does not wait: the sandbox ends these logins by
// poll count, not by time.
func noWait(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// TestLoginDeviceCodeThenRefresh logs in to the sandbox's device-login
// entry of its providers file through Client.Login, then refreshes: the
// device login's refresh token rotates and is revoked as a code login's.
func TestLoginDeviceCodeThenRefresh(t *testing.T) {
	e := newLoginEnv(t)
	e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{ApproveAfter: 2})
	p := e.ps["device-login"]
	c := &Client{}
	var shown []DeviceAuthorization
	res, err := c.Login(t.Context(), p, LoginOptions{
		ShowDevice: func(d DeviceAuthorization) { shown = append(shown, d) },
		Show:       func(string) { t.Error("Show was called although ShowDevice is set") },
		DevicePoll: DevicePollOptions{Sleep: noWait},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(shown) != 1 || shown[0].UserCode == "" || !strings.HasPrefix(shown[0].VerificationURI, e.ts.URL) {
		t.Fatalf("shown %+v", shown)
	}
	tok := res.Token
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.IDToken == "" || tok.RefreshExpiresAt.IsZero() {
		t.Fatalf("token: access %t refresh %t id %t refresh expiry %v", tok.AccessToken != "", tok.RefreshToken != "", tok.IDToken != "", tok.RefreshExpiresAt)
	}
	if len(res.Exchanges) != 2 || !strings.HasSuffix(res.Exchanges[0].URL, "/oauth2/device/code") || !strings.HasSuffix(res.Exchanges[1].URL, "/oauth2/token") {
		t.Errorf("exchanges %+v", res.Exchanges)
	}
	first := tok.RefreshToken
	r2, err := c.Refresh(t.Context(), p, first, FetchOptions{})
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if r2.Token.RefreshToken == "" || r2.Token.RefreshToken == first || r2.Token.IDToken == "" {
		t.Errorf("refresh: refresh token rotated %t, ID token %t", r2.Token.RefreshToken != first, r2.Token.IDToken != "")
	}
	if _, err := c.Refresh(t.Context(), p, first, FetchOptions{}); !NeedsLogin(err) {
		t.Errorf("reusing the rotated-out refresh token: %v, want invalid_grant", err)
	}
	if n := e.sb.Refreshes(p.ClientID); n != 1 {
		t.Errorf("%d refreshes served, want 1", n)
	}
	e.sb.RevokeRefreshTokens(p.ClientID)
	if _, err := c.Refresh(t.Context(), p, r2.Token.RefreshToken, FetchOptions{}); !NeedsLogin(err) {
		t.Errorf("a revoked refresh token: %v, want invalid_grant", err)
	}
}

// TestLoginDeviceCodeShowsTheLinkWithoutShowDevice: a caller that knows
// only Show (a URL) is told the verification URI with the code in it.
func TestLoginDeviceCodeShowsTheLinkWithoutShowDevice(t *testing.T) {
	e := newLoginEnv(t)
	e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{DenyAfter: 1})
	var links []string
	res, err := (&Client{}).Login(t.Context(), e.ps["device-login"], LoginOptions{
		Show: func(link string) { links = append(links, link) }, DevicePoll: DevicePollOptions{Sleep: noWait},
	})
	if pe, ok := AsError(err); !ok || pe.Code != "access_denied" || res.Token != nil {
		t.Fatalf("err %v token %v", err, res.Token)
	}
	if len(links) != 1 || !strings.Contains(links[0], "/device?user_code=") {
		t.Errorf("links %v", links)
	}
	if len(res.Exchanges) != 2 || res.Exchanges[1].Error == "" {
		t.Errorf("the refusal's record: %+v", res.Exchanges)
	}
}
