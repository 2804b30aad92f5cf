package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startDevice asks the device authorization endpoint for a login of the
// device-login client.
func (e *env) startDevice(t *testing.T) deviceAuthorization {
	t.Helper()
	r := e.token(t, tokenCall{path: pathDeviceCode, form: form("client_id", "sandbox-device-client", "scope", "openid api/read")})
	if r.status != http.StatusOK {
		t.Fatalf("device code: %d %s", r.status, r.body)
	}
	var da deviceAuthorization
	if err := json.Unmarshal(r.body, &da); err != nil {
		t.Fatal(err)
	}
	return da
}

func TestDeviceVerificationPage(t *testing.T) {
	e := newEnv(t)
	da := e.startDevice(t)
	if !regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`).MatchString(da.UserCode) || da.Interval != 5 || da.ExpiresIn != 600 {
		t.Errorf("device authorization %+v", da)
	}
	poll := func() reply {
		return e.token(t, tokenCall{path: pathCognito, form: form("grant_type", DeviceGrantType, "device_code", da.DeviceCode, "client_id", "sandbox-device-client")})
	}
	e.clk.Add(5 * time.Second)
	poll().wantJSON(t, http.StatusBadRequest, `{"error":"authorization_pending","error_description":"the user has not finished at the verification page yet"}`)

	// The page shows the code; a lower-case code without its dash finds it.
	page := e.get(t, pathDeviceVerify+"?user_code="+url.QueryEscape(strings.ToLower(strings.ReplaceAll(da.UserCode, "-", ""))), "")
	if page.status != http.StatusOK || !strings.Contains(string(page.body), da.UserCode) || !strings.Contains(string(page.body), "device-login") {
		t.Fatalf("page %d %s", page.status, page.body)
	}
	resp, err := http.PostForm(e.ts.URL+pathDeviceVerify, url.Values{"user_code": {da.UserCode}, "action": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
	e.clk.Add(5 * time.Second)
	if r := poll(); r.status != http.StatusOK || r.object(t)["refresh_token"] == nil || r.object(t)["id_token"] == nil {
		t.Fatalf("after approval: %d %s", r.status, r.body)
	}
	// A device code is used once.
	e.clk.Add(5 * time.Second)
	if r := poll(); r.status != http.StatusBadRequest || r.object(t)["error"] != "invalid_grant" {
		t.Errorf("second use: %d %s", r.status, r.body)
	}
	if polls := e.s.DevicePolls(da.UserCode); len(polls) != 3 {
		t.Errorf("polls %+v", polls)
	}
}

func TestDeviceClientLimits(t *testing.T) {
	e := newEnv(t)
	// The public client gets no client-credentials token with no secret.
	r := e.token(t, tokenCall{path: pathCognito, form: form("grant_type", "client_credentials", "client_id", "sandbox-device-client")})
	if r.status != http.StatusBadRequest || r.object(t)["error"] != errInvalidClient {
		t.Errorf("client credentials for the device client: %d %s", r.status, r.body)
	}
	// A client of another grant starts no device login.
	dev := e.client(t, "cognito-dev")
	r = e.token(t, tokenCall{path: pathDeviceCode, form: form("client_id", dev.ClientID, "client_secret", dev.ClientSecret)})
	if r.status != http.StatusUnauthorized {
		t.Errorf("device code for cognito-dev: %d %s", r.status, r.body)
	}
	// A hostile code on the page is escaped, not drawn.
	page := e.get(t, pathDeviceVerify+"?user_code="+url.QueryEscape("<script>x</script>"), "")
	if strings.Contains(string(page.body), "<script>") {
		t.Errorf("page %s", page.body)
	}
}

// TestDeviceRefreshAtTheTokenEndpoint: a device login's refresh token is
// the user style's: redeemed once at the root token endpoint by its own
// client (rotation), refused to another, and a client-credentials
// client's refresh_token grant still reaches its own handler.
func TestDeviceRefreshAtTheTokenEndpoint(t *testing.T) {
	e := newEnv(t)
	e.s.SetDeviceBehaviour(DeviceBehaviour{ApproveAfter: 1})
	da := e.startDevice(t)
	r := e.token(t, tokenCall{path: pathCognito, form: form("grant_type", DeviceGrantType, "device_code", da.DeviceCode, "client_id", "sandbox-device-client")})
	first, _ := r.object(t)["refresh_token"].(string)
	if r.status != http.StatusOK || first == "" {
		t.Fatalf("device token: %d %s", r.status, r.body)
	}
	refresh := func(rt, id string) reply {
		return e.token(t, tokenCall{path: pathCognito, form: form("grant_type", "refresh_token", "refresh_token", rt, "client_id", id)})
	}
	r = refresh(first, "sandbox-device-client")
	second, _ := r.object(t)["refresh_token"].(string)
	if r.status != http.StatusOK || second == "" || second == first || r.object(t)["id_token"] == nil {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	if r := refresh(first, "sandbox-device-client"); r.status != http.StatusBadRequest || r.object(t)["error"] != errInvalidGrant {
		t.Errorf("reuse of a rotated refresh token: %d %s", r.status, r.body)
	}
	if n := e.s.Refreshes("sandbox-device-client"); n != 1 {
		t.Errorf("%d refreshes served, want 1", n)
	}
	dev := e.client(t, "cognito-dev")
	r = e.token(t, tokenCall{path: pathCognito, form: form("grant_type", "refresh_token", "refresh_token", second, "client_id", dev.ClientID, "client_secret", dev.ClientSecret)})
	if r.status == http.StatusOK || r.object(t)["access_token"] != nil {
		t.Errorf("another client redeemed the device login's refresh token: %d %s", r.status, r.body)
	}
}
