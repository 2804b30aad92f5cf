package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store"
)

// deviceLoginEnv imports the sandbox's providers and opens the store as
// the login command would, with device-login resolved.
func deviceLoginEnv(t *testing.T, b sandbox.DeviceBehaviour) (*env, *App, *store.Store, providers.Provider) {
	t.Helper()
	e := newEnv(t)
	e.sb.SetDeviceBehaviour(b)
	e.importSandbox()
	app := &App{Now: time.Now}
	st, err := store.Open(t.Context(), app.storeOptions(e.db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p, err := st.ProviderWithSecret(t.Context(), "device-login")
	if err != nil {
		t.Fatal(err)
	}
	return e, app, st, p
}

// noWait is a sleep that does not wait: the sandbox answers by poll
// count, not by time, under these behaviours.
func noWait(ctx context.Context, _ time.Duration) error { return ctx.Err() }

func TestLoginDeviceSavesTheToken(t *testing.T) {
	e, app, st, p := deviceLoginEnv(t, sandbox.DeviceBehaviour{ApproveAfter: 3})
	var out, errOut bytes.Buffer
	// Polls that come too soon are slowed down, then the third approved.
	tok, err := app.loginDevice(t.Context(), st, p, safetext.NewWriter(&out), safetext.NewWriter(&errOut), deviceLoginOptions{Width: 100, Sleep: noWait})
	if err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"Logging in to device-login", e.url + "/device", "scan this", "Logged in to device-login", "refresh token came with it"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "every 15s now") {
		t.Errorf("no slow_down note in\n%s", errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), tok.AccessToken) || strings.Contains(out.String(), tok.RefreshToken) {
		t.Error("a token was printed")
	}
	// The store hands the token out, refresh and ID tokens sealed with it.
	res, err := st.Token(t.Context(), "device-login", store.TokenOptions{})
	if err != nil || !res.Cached || res.Token.AccessToken != tok.AccessToken || res.Token.RefreshToken != tok.RefreshToken || res.Token.IDToken == "" {
		t.Fatalf("Token: %+v %v", res, err)
	}
	if u, err := st.Usage(t.Context(), "device-login"); err != nil || u.Month != 1 {
		t.Errorf("quota %+v %v", u, err)
	}
	// Neither the refresh token nor the ID token lies in the file in the
	// clear.
	st.Close()
	raw, err := os.ReadFile(e.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{tok.AccessToken, tok.RefreshToken, tok.IDToken} {
		if bytes.Contains(raw, []byte(s)) {
			t.Error("a token is stored in plaintext")
		}
	}
	// The flight recorder has the login.
	if hist := e.mustRun("", "history", "device-login", "-v"); !strings.Contains(hist, "/oauth2/device/code") || !strings.Contains(hist, "/oauth2/token") {
		t.Errorf("history:\n%s", hist)
	}
}

func TestLoginDeviceDeniedIsRecorded(t *testing.T) {
	e, app, st, p := deviceLoginEnv(t, sandbox.DeviceBehaviour{DenyAfter: 1})
	var out, errOut bytes.Buffer
	_, err := app.loginDevice(t.Context(), st, p, &out, &errOut, deviceLoginOptions{Sleep: noWait})
	if pe, ok := providers.AsError(err); !ok || pe.Code != "access_denied" {
		t.Fatalf("err %v", err)
	}
	if _, err := st.CachedToken(t.Context(), "device-login"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a denied login left a token: %v", err)
	}
	st.Close()
	if ls := e.mustRun("", "history", "device-login"); !strings.Contains(ls, "access_denied") {
		t.Errorf("history:\n%s", ls)
	}
}
