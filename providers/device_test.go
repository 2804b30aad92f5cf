package providers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// deviceEnv is a sandbox on a fake clock, its device client and a client
// on the same clock; sleep moves the clock instead of waiting and notes
// each wait asked for.
type deviceEnv struct {
	sb     *sandbox.Server
	clk    *testsupport.Clock
	p      Provider
	c      *Client
	waits  []time.Duration
	factor float64 // how much of each wait the clock moves (1: all)
}

func newDeviceEnv(t *testing.T) *deviceEnv {
	t.Helper()
	clk := testsupport.NewClock(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	sb := sandbox.New(sandbox.Options{Now: clk.Now, Key: testsupport.RSAKey(0)})
	// The answers' Date is the fake clock's, as a real server's is its own.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", clk.Now().UTC().Format(http.TimeFormat))
		sb.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return &deviceEnv{sb: sb, clk: clk, factor: 1, c: &Client{Now: clk.Now},
		p: Provider{Name: "device-login", Grant: GrantDeviceCode, TokenURL: ts.URL + "/oauth2/token", Issuer: ts.URL,
			ClientID: "sandbox-device-client", Scopes: []string{"openid", "api/read"}}}
}

func (e *deviceEnv) sleep(_ context.Context, d time.Duration) error {
	e.waits = append(e.waits, d)
	e.clk.Add(time.Duration(float64(d) * e.factor))
	return nil
}

// login starts a device login and polls it to the end.
func (e *deviceEnv) login(t *testing.T, ctx context.Context) (*DeviceAuthorization, *Result, error) {
	t.Helper()
	da, err := e.c.StartDevice(ctx, e.p)
	if err != nil {
		t.Fatalf("StartDevice: %v", err)
	}
	res, err := e.c.PollDevice(ctx, e.p, da, DevicePollOptions{Sleep: e.sleep})
	return da, res, err
}

func answers(polls []sandbox.DevicePoll) []string {
	out := make([]string, len(polls))
	for i, p := range polls {
		out[i] = p.Answer
	}
	return out
}

func TestDeviceLoginApprovedAfterPolls(t *testing.T) {
	e := newDeviceEnv(t)
	e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{ApproveAfter: 3})
	da, res, err := e.login(t, t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(da.UserCode) != 9 || da.UserCode[4] != '-' || !strings.HasSuffix(da.VerificationURI, "/device") ||
		!strings.Contains(da.VerificationURIComplete, "user_code="+da.UserCode) || da.Interval != 5*time.Second || da.ExpiresIn != 10*time.Minute {
		t.Errorf("device authorization %+v", da)
	}
	tok := res.Token
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.IDToken == "" || tok.Scope != "openid api/read" {
		t.Errorf("token: access %t refresh %t id %t scope %q", tok.AccessToken != "", tok.RefreshToken != "", tok.IDToken != "", tok.Scope)
	}
	if got := answers(e.sb.DevicePolls(da.UserCode)); !slices.Equal(got, []string{"authorization_pending", "authorization_pending", "token"}) {
		t.Errorf("the sandbox saw %v", got)
	}
	if !slices.Equal(e.waits, []time.Duration{5 * time.Second, 5 * time.Second, 5 * time.Second}) {
		t.Errorf("waits %v", e.waits)
	}
	// The records: the device authorization and the last poll, neither
	// holding the device code or a token.
	if len(res.Exchanges) != 2 || res.Exchanges[1].Status != http.StatusOK {
		t.Fatalf("exchanges %+v", res.Exchanges)
	}
	for _, ex := range res.Exchanges {
		for _, secret := range []string{da.deviceCode, tok.AccessToken, tok.RefreshToken, tok.IDToken} {
			if strings.Contains(ex.RequestBody+ex.ResponseBody, secret) {
				t.Errorf("a record holds a secret: %s %s", ex.RequestBody, ex.ResponseBody)
			}
		}
		if ex.RequestHeaders.Get("Authorization") != "" || !strings.Contains(ex.RequestBody, "client_id=sandbox-device-client") {
			t.Errorf("a public client sends its client_id alone: %v %s", ex.RequestHeaders, ex.RequestBody)
		}
	}
}

func TestDeviceLoginSlowDown(t *testing.T) {
	t.Run("the server asks", func(t *testing.T) {
		e := newDeviceEnv(t)
		e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{SlowDown: 2, ApproveAfter: 4})
		da, res, err := e.login(t, t.Context())
		if err != nil || res.Token == nil {
			t.Fatal(err)
		}
		polls := e.sb.DevicePolls(da.UserCode)
		if got := answers(polls); !slices.Equal(got, []string{"slow_down", "slow_down", "authorization_pending", "token"}) {
			t.Errorf("answers %v", got)
		}
		want := []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second, 15 * time.Second}
		if !slices.Equal(e.waits, want) {
			t.Errorf("waits %v, want %v", e.waits, want)
		}
		for i, p := range polls {
			if p.Interval != want[i] || (i > 0 && p.At.Sub(polls[i-1].At) != want[i]) {
				t.Errorf("poll %d at %v with interval %v", i, p.At, p.Interval)
			}
		}
	})
	t.Run("too fast a client", func(t *testing.T) {
		e := newDeviceEnv(t)
		e.factor = 0.5 // the clock moves half of each wait: every poll comes too soon
		e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{ExpiresIn: time.Minute})
		_, _, err := e.login(t, t.Context())
		if e, ok := AsError(err); !ok || e.Code != "expired_token" {
			t.Fatalf("err %v", err)
		}
		// Each slow_down made the next wait 5 s longer, up to the bound.
		for i := 1; i < len(e.waits); i++ {
			if e.waits[i] != min(e.waits[i-1]+DeviceSlowDownStep, MaxDeviceInterval) {
				t.Fatalf("waits %v", e.waits)
			}
		}
	})
}

func TestDeviceLoginEnds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		b        sandbox.DeviceBehaviour
		code     string
		words    string
		maxPolls int
	}{
		{"denied", sandbox.DeviceBehaviour{DenyAfter: 2}, "access_denied", "the login was denied at http", 2},
		{"expired by the server", sandbox.DeviceBehaviour{ExpireAfter: 3}, "expired_token", "expired before the login was finished", 3},
		// A user who never finishes: polling stops at the codes' end.
		{"never finished", sandbox.DeviceBehaviour{ExpiresIn: time.Minute}, "expired_token", "valid for 60 seconds", 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newDeviceEnv(t)
			e.sb.SetDeviceBehaviour(tc.b)
			da, res, err := e.login(t, t.Context())
			pe, ok := AsError(err)
			if !ok || pe.Code != tc.code || !strings.Contains(err.Error(), tc.words) || !strings.Contains(pe.Hint, "tokentop login device-login") {
				t.Fatalf("err %v (hint %q)", err, HintFor(err))
			}
			if n := len(e.sb.DevicePolls(da.UserCode)); n == 0 || n > tc.maxPolls {
				t.Errorf("%d polls", n)
			}
			if res == nil || res.Token != nil || len(res.Exchanges) == 0 {
				t.Errorf("result %+v", res)
			}
		})
	}
}

func TestDeviceLoginCancelled(t *testing.T) {
	e := newDeviceEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	da, err := e.c.StartDevice(ctx, e.p)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	_, err = e.c.PollDevice(ctx, e.p, da, DevicePollOptions{Sleep: func(ctx context.Context, d time.Duration) error {
		if calls++; calls == 3 {
			cancel() // the user gives up (Ctrl+C) during the third wait
		}
		e.clk.Add(d)
		return ctx.Err()
	}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "abandoned before code "+da.UserCode) {
		t.Fatalf("err %v", err)
	}
	if n := len(e.sb.DevicePolls(da.UserCode)); n != 2 {
		t.Errorf("%d polls, want 2", n)
	}
}

// hostileDevice serves a device authorization answer of its own and
// discovery pointing at it.
func hostileDevice(t *testing.T, body string) Provider {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(ts.Close)
	return Provider{Name: "hostile", Grant: GrantDeviceCode, TokenURL: ts.URL + "/token", DeviceAuthURL: ts.URL + "/device", ClientID: "c"}
}

func TestDeviceAuthorizationHostileAnswers(t *testing.T) {
	c := &Client{}
	da, err := c.StartDevice(t.Context(), hostileDevice(t,
		`{"device_code":"dc-123456789","user_code":"AB\u001b[2JCD\u0007","verification_uri":"https://evil.example/dev\u001b]0;pwned\u0007ice",
		  "verification_uri_complete":"javascript:alert(1)","expires_in":1e12,"interval":1e9}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{da.UserCode, da.VerificationURI} {
		if strings.ContainsAny(s, "\x1b\x07") {
			t.Errorf("unsanitised %q", s)
		}
	}
	if da.VerificationURIComplete != "" || da.ExpiresIn != MaxDeviceWait || da.Interval != MaxDeviceInterval {
		t.Errorf("complete %q expires %v interval %v", da.VerificationURIComplete, da.ExpiresIn, da.Interval)
	}
	if p := DevicePrompt(*da, 200); strings.ContainsAny(p, "\x1b\x07") {
		t.Errorf("the prompt holds control characters: %q", p)
	}

	for name, body := range map[string]string{
		"a file URI":           `{"device_code":"d","user_code":"U","verification_uri":"file:///etc/passwd","expires_in":600}`,
		"a javascript URI":     `{"device_code":"d","user_code":"U","verification_uri":"javascript:alert(1)","expires_in":600}`,
		"no expiry":            `{"device_code":"d","user_code":"U","verification_uri":"https://x.example/d"}`,
		"a huge user code":     `{"device_code":"d","user_code":"` + strings.Repeat("A", 500) + `","verification_uri":"https://x.example/d","expires_in":600}`,
		"a binary device code": `{"device_code":"d\u0000x","user_code":"U","verification_uri":"https://x.example/d","expires_in":600}`,
		"not JSON":             `<html>`,
	} {
		if _, err := c.StartDevice(t.Context(), hostileDevice(t, body)); err == nil || !strings.Contains(err.Error(), "unusable device authorization answer") {
			t.Errorf("%s: err %v", name, err)
		}
	}
	// A zero interval is raised to the minimum.
	da, err = c.StartDevice(t.Context(), hostileDevice(t, `{"device_code":"d","user_code":"U","verification_uri":"https://x.example/d","expires_in":600,"interval":0}`))
	if err != nil || da.Interval != MinDeviceInterval {
		t.Errorf("interval %v (%v)", da.Interval, err)
	}
}

func TestDevicePrompt(t *testing.T) {
	da := DeviceAuthorization{UserCode: "WDJB-MJHT", VerificationURI: "https://example.com/device",
		VerificationURIComplete: "https://example.com/device?user_code=WDJB-MJHT", ExpiresIn: 15 * time.Minute}
	wide := DevicePrompt(da, 80)
	for _, want := range []string{"https://example.com/device\n", "WDJB-MJHT", "scan this", "█", "valid for 15 minutes"} {
		if !strings.Contains(wide, want) {
			t.Errorf("80 wide: no %q in\n%s", want, wide)
		}
	}
	narrow := DevicePrompt(da, 20)
	if strings.Contains(narrow, "█") || strings.Contains(narrow, "scan") || !strings.Contains(narrow, "WDJB-MJHT") {
		t.Errorf("20 wide: the QR code should be left out whole:\n%s", narrow)
	}
	// Every line of the QR code fits the width it was drawn for.
	for _, line := range strings.Split(wide, "\n") {
		if strings.ContainsAny(line, "█▀▄") && len([]rune(line)) > 80 {
			t.Errorf("a QR line of %d cells", len([]rune(line)))
		}
	}
}
