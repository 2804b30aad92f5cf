package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// deviceUser is a device login's options whose polls move the env's
// clock instead of waiting, and which count the prompts shown.
func (e *loginEnv) deviceUser(shown *int) providers.LoginOptions {
	return providers.LoginOptions{
		ShowDevice: func(providers.DeviceAuthorization) { *shown++ },
		DevicePoll: providers.DevicePollOptions{Sleep: func(ctx context.Context, d time.Duration) error {
			e.clock.Add(d)
			return ctx.Err()
		}},
	}
}

// TestDeviceLoginThenRefreshRotates: a device login goes through
// Store.Login like a browser's; once its access token has expired,
// Token refreshes it once, and the rotated refresh token is saved with
// the new access token.
func TestDeviceLoginThenRefreshRotates(t *testing.T) {
	e := newLoginEnv(t)
	ctx := t.Context()
	e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{ApproveAfter: 2})
	shown := 0
	res, err := e.s.Login(ctx, "device-login", e.deviceUser(&shown))
	must(t, err)
	first := res.Token
	if shown != 1 || first.RefreshToken == "" || first.IDToken == "" {
		t.Fatalf("prompts %d, refresh token %t, ID token %t", shown, first.RefreshToken != "", first.IDToken != "")
	}
	got, err := e.s.Token(ctx, "device-login", TokenOptions{})
	must(t, err)
	if !got.Cached || got.Token.AccessToken != first.AccessToken || got.Token.RefreshToken != first.RefreshToken {
		t.Fatal("the device login's session was not saved as logged in")
	}
	e.clock.Add(first.ExpiresAt.Sub(e.clock.Now()) + time.Second) // expired
	got, err = e.s.Token(ctx, "device-login", TokenOptions{})
	must(t, err)
	if got.Cached || got.Token.AccessToken == first.AccessToken {
		t.Fatal("the expired token was not refreshed")
	}
	if n := e.sb.Refreshes(e.ps["device-login"].ClientID); n != 1 {
		t.Errorf("%d refreshes at the server, want 1", n)
	}
	kept, err := e.s.CachedToken(ctx, "device-login")
	must(t, err)
	if kept.RefreshToken == "" || kept.RefreshToken == first.RefreshToken || kept.AccessToken != got.Token.AccessToken || kept.IDToken == "" {
		t.Errorf("the rotated refresh token (and the ID token) were not saved with the new access token")
	}
	// A second call finds the refreshed token: no second refresh.
	again, err := e.s.Token(ctx, "device-login", TokenOptions{})
	must(t, err)
	if !again.Cached || e.sb.Refreshes(e.ps["device-login"].ClientID) != 1 {
		t.Error("the refreshed token was refreshed again")
	}
}

// TestDeviceLoginRevokedNeedsLogin: the server revokes the device
// login's refresh tokens; at expiry the provider needs a login, as a
// browser login's does.
func TestDeviceLoginRevokedNeedsLogin(t *testing.T) {
	e := newLoginEnv(t)
	ctx := t.Context()
	e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{ApproveAfter: 1})
	shown := 0
	res, err := e.s.Login(ctx, "device-login", e.deviceUser(&shown))
	must(t, err)
	e.sb.RevokeRefreshTokens(e.ps["device-login"].ClientID)
	e.clock.Add(res.Token.ExpiresAt.Sub(e.clock.Now()) + time.Second)
	if _, err := e.s.Token(ctx, "device-login", TokenOptions{}); !providers.NeedsLogin(err) {
		t.Fatalf("err %v, want: log in again", err)
	}
	sm, err := e.s.Summary(ctx, "device-login")
	must(t, err)
	if !sm.NeedsLogin || sm.LastError == nil || !strings.Contains(sm.LastError.Hint, "tokentop login device-login") {
		t.Errorf("summary: needs login %v, last error %+v", sm.NeedsLogin, sm.LastError)
	}
}

// TestDeviceLoginDeniedIsRecorded: a denied device login leaves no
// token, its records, and its refusal as the provider's last error.
func TestDeviceLoginDeniedIsRecorded(t *testing.T) {
	e := newLoginEnv(t)
	ctx := t.Context()
	e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{DenyAfter: 1})
	shown := 0
	if _, err := e.s.Login(ctx, "device-login", e.deviceUser(&shown)); err == nil || !strings.Contains(err.Error(), "denied") {
		t.Fatalf("err %v", err)
	}
	sm, err := e.s.Summary(ctx, "device-login")
	must(t, err)
	if sm.Token != nil || sm.LastError == nil || !strings.Contains(sm.LastError.Message, "access_denied") {
		t.Errorf("summary after a denied login: token %v, last error %+v", sm.Token, sm.LastError)
	}
	hist, err := e.s.History(ctx, "device-login")
	must(t, err)
	if len(hist) != 2 {
		t.Errorf("%d records, want the device authorization and the refused poll", len(hist))
	}
}
