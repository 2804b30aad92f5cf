package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// TestDemoHasOneProviderOfEachKind: tokentop demo's database holds a
// provider of every grant the sandbox serves; the refresh_token one
// starts logged in (its row shows a session), the browser one waits for
// l, and the demo's auto-approve logs it in when no browser opens.
func TestDemoHasOneProviderOfEachKind(t *testing.T) {
	a := &App{Stdin: strings.NewReader(""), Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, LookupEnv: func(string) (string, bool) { return "", false }, Now: time.Now}
	ctx := context.Background()
	d, err := a.startDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	sums, err := d.st.Summaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byGrant := map[providers.Grant]store.Summary{}
	for _, sm := range sums {
		if _, ok := byGrant[sm.Provider.Grant.Of()]; !ok {
			byGrant[sm.Provider.Grant.Of()] = sm
		}
	}
	for _, g := range demoGrants() {
		if _, ok := byGrant[g]; !ok {
			t.Errorf("the demo has no provider of grant %s", g)
		}
	}
	if rt := byGrant[providers.GrantRefreshToken]; rt.Token == nil || !rt.Refreshable || rt.NeedsLogin {
		t.Errorf("the demo's refresh_token provider %s is not logged in: %+v", rt.Provider.Name, rt)
	}
	code := byGrant[providers.GrantAuthorizationCode]
	if code.Token != nil {
		t.Fatalf("%s is logged in before anyone pressed l", code.Provider.Name)
	}
	follow := demoFollower(true)
	if err := follow("http://example.com/authorize"); err == nil {
		t.Error("demo auto-approve followed a URL off loopback")
	}
	if demoFollower(false) != nil {
		t.Error("auto-approve outside the demo")
	}
	res, err := d.st.Login(ctx, code.Provider.Name, providers.LoginOptions{Timeout: time.Minute, Open: follow})
	if err != nil {
		t.Fatalf("the demo's auto-approve did not log %s in: %v", code.Provider.Name, err)
	}
	if res.Token.IDToken == "" || res.Token.RefreshToken == "" {
		t.Errorf("the demo login brought no ID or refresh token")
	}
	// The device login approves itself after a few polls (the sleeps
	// between them skipped here).
	dev := byGrant[providers.GrantDeviceCode].Provider.Name
	polls := 0
	skip := func(context.Context, time.Duration) error { polls++; return nil }
	if _, err := d.st.Login(ctx, dev, providers.LoginOptions{DevicePoll: providers.DevicePollOptions{Sleep: skip}}); err != nil {
		t.Fatalf("the demo's device login of %s did not approve itself: %v", dev, err)
	}
	if polls < 2 {
		t.Errorf("the demo's device login approved at poll %d: the user never sees the overlay", polls)
	}
}

// demoGrants are the kinds of provider tokentop demo shows, one at least
// of each.
func demoGrants() []providers.Grant {
	return []providers.Grant{providers.GrantClientCredentials, providers.GrantAuthorizationCode, providers.GrantDeviceCode, providers.GrantRefreshToken, providers.GrantAPIKey}
}
