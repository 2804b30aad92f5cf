package store

import (
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/doctor"
)

func stepOf(t *testing.T, d *doctor.Diagnosis, name string) check.Check {
	t.Helper()
	for _, c := range d.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %q step in %+v", name, d.Checks)
	return check.Check{}
}

func wantStep(t *testing.T, d *doctor.Diagnosis, name string, status check.Status, detail string) check.Check {
	t.Helper()
	c := stepOf(t, d, name)
	got := c.Status
	if got == check.Warn && status == check.Pass && strings.HasPrefix(c.Hint, "clock skew") {
		// The sandbox runs on the test's clock, its Date header on the
		// wall clock's: a pass with that warning is a pass.
		got = check.Pass
	}
	if got != status || !strings.Contains(c.Detail, detail) {
		t.Fatalf("%s: %s %q (hint %q), want %s containing %q", name, c.Status, c.Detail, c.Hint, status, detail)
	}
	return c
}

// TestDiagnoseUserSession follows a session through the store: never
// logged in; logged in (nothing spent); inside the margin (a refresh,
// rotated and saved); --fetch; the refresh token revoked; needs login.
func TestDiagnoseUserSession(t *testing.T) {
	e := newLoginEnv(t)
	ctx := t.Context()
	clientID := e.ps["user-login"].ClientID
	d, err := e.s.Diagnose(ctx, "user-login", DiagnoseOptions{})
	must(t, err)
	c := wantStep(t, d, doctor.StepSession, check.Fail, "nobody has logged in to user-login yet")
	if c.Hint != "run tokentop login user-login" {
		t.Errorf("hint %q", c.Hint)
	}

	first := e.login(t, "user-login").Token
	d, err = e.s.Diagnose(ctx, "user-login", DiagnoseOptions{})
	must(t, err)
	wantStep(t, d, doctor.StepSession, check.Pass, "logged in · the access token expires in 10m0s")
	wantStep(t, d, doctor.StepRefresh, check.Skip, "not needed: the access token is good for 10m0s; --fetch refreshes now")
	wantStep(t, d, doctor.StepIDToken, check.Pass, "verified")
	if n := e.sb.Refreshes(clientID); n != 0 || !d.TokenCached {
		t.Fatalf("the doctor spent %d refreshes on a good token (cached %v)", n, d.TokenCached)
	}

	e.clock.Add(9*time.Minute + 30*time.Second) // inside the margin: `token` would refresh
	d, err = e.s.Diagnose(ctx, "user-login", DiagnoseOptions{})
	must(t, err)
	wantStep(t, d, doctor.StepSession, check.Pass, "the access token expires in 30s")
	wantStep(t, d, doctor.StepRefresh, check.Pass, "the refresh token rotated")
	kept, err := e.s.CachedToken(ctx, "user-login")
	must(t, err)
	if kept.RefreshToken == first.RefreshToken || kept.AccessToken != d.Token.AccessToken {
		t.Fatal("the doctor's refresh was not saved, rotated refresh token and all")
	}

	d, err = e.s.Diagnose(ctx, "user-login", DiagnoseOptions{Fetch: true})
	must(t, err)
	wantStep(t, d, doctor.StepRefresh, check.Pass, "refreshed: 200 from")
	if n := e.sb.Refreshes(clientID); n != 2 {
		t.Errorf("%d refreshes at the server, want 2 (the margin's and --fetch's)", n)
	}
	for _, c := range d.Checks {
		for _, s := range d.Secrets {
			if strings.Contains(c.Detail+c.Hint, s) {
				t.Fatalf("%s shows a refresh or ID token", c.Name)
			}
		}
	}

	e.sb.RevokeRefreshTokens(clientID)
	d, err = e.s.Diagnose(ctx, "user-login", DiagnoseOptions{Fetch: true})
	must(t, err)
	c = wantStep(t, d, doctor.StepRefresh, check.Fail, "invalid_grant")
	if c.Hint != doctor.RefreshRefusedHint("user-login") {
		t.Errorf("refresh hint %q", c.Hint)
	}
	d, err = e.s.Diagnose(ctx, "user-login", DiagnoseOptions{})
	must(t, err)
	c = wantStep(t, d, doctor.StepSession, check.Fail, "the session needs a login")
	if !strings.Contains(c.Detail, "invalid_grant") || c.Hint != doctor.RefreshRefusedHint("user-login") {
		t.Errorf("session after the refusal: %q, hint %q", c.Detail, c.Hint)
	}
	wantStep(t, d, doctor.StepRefresh, check.Skip, "no refresh token to try")
	// The access token still lives: it is checked all the same.
	wantStep(t, d, doctor.StepIDToken, check.Pass, "verified")
}

// TestDiagnoseUserWithoutRefreshToken: the session ends at the access
// token's expiry, and the doctor says so, then that only a login helps.
func TestDiagnoseUserWithoutRefreshToken(t *testing.T) {
	e := newLoginEnv(t)
	ctx := t.Context()
	e.login(t, "user-norefresh")
	d, err := e.s.Diagnose(ctx, "user-norefresh", DiagnoseOptions{})
	must(t, err)
	c := wantStep(t, d, doctor.StepSession, check.Warn, "no refresh token: the session ends then")
	if !strings.Contains(c.Hint, "log in again: tokentop login user-norefresh") {
		t.Errorf("hint %q", c.Hint)
	}
	wantStep(t, d, doctor.StepRefresh, check.Skip, "no refresh token to try")
	wantStep(t, d, doctor.StepIDToken, check.Skip, "the scopes do not ask for openid")
	e.clock.Add(2 * time.Hour)
	d, err = e.s.Diagnose(ctx, "user-norefresh", DiagnoseOptions{})
	must(t, err)
	c = wantStep(t, d, doctor.StepSession, check.Fail, "the access token expired 1h0m0s ago")
	if c.Hint != "log in again: tokentop login user-norefresh" {
		t.Errorf("hint %q", c.Hint)
	}
}
