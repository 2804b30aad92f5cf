package interop

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// userStore is a store on a bbolt file in a temporary directory, holding
// the fosite user provider p, on clock.
type userStore struct {
	path  string
	clock *testsupport.Clock
	p     providers.Provider
}

func newUserStore(t *testing.T, p providers.Provider) *userStore {
	t.Helper()
	u := &userStore{path: filepath.Join(t.TempDir(), "tokentop.db"), clock: testsupport.NewClock(time.Now()), p: p}
	if err := u.open(t).PutProvider(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	return u
}

// open opens another Store on the file, as another process would, with
// its own client on the shared clock.
func (u *userStore) open(t *testing.T) *store.Store {
	t.Helper()
	c := &providers.Client{Now: u.clock.Now}
	t.Cleanup(c.CloseIdleConnections)
	st, err := store.Open(t.Context(), store.Options{Path: u.path, Now: u.clock.Now, Client: c})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// login logs the user in through st, as a user who approves.
func (u *userStore) login(t *testing.T, st *store.Store) *providers.Token {
	t.Helper()
	res, err := st.Login(t.Context(), u.p.Name, browser(t, nil, nil))
	if err != nil {
		t.Fatalf("login through the store: %v (hint %q)", err, providers.HintFor(err))
	}
	return res.Token
}

// intoMargin moves the clock to 30 s before the access token's expiry:
// inside its refresh margin, still alive.
func (u *userStore) intoMargin(t *testing.T, tok *providers.Token) {
	t.Helper()
	u.clock.Set(tok.ExpiresAt.Add(-30 * time.Second))
}

// TestStoreLoginRefreshRotates: the store logs in against fosite, hands
// out the cached token, and inside the refresh margin refreshes it; the
// rotated refresh token is saved with the new access token (and the ID
// token kept), and fosite refuses the one rotated out.
func TestStoreLoginRefreshRotates(t *testing.T) {
	t.Parallel()
	s := newUserServer(t, userOptions{})
	u := newUserStore(t, s.ProviderFor(t, userApp))
	st := u.open(t)
	name := u.p.Name
	first := u.login(t, st)

	got, err := st.Token(t.Context(), name, store.TokenOptions{})
	if err != nil || !got.Cached || got.Token.AccessToken != first.AccessToken {
		t.Fatalf("the token after login: %v (cached %v)", err, got != nil && got.Cached)
	}
	u.intoMargin(t, first)
	res, err := st.Token(t.Context(), name, store.TokenOptions{})
	if err != nil {
		t.Fatalf("refresh through the store: %v (hint %q)", err, providers.HintFor(err))
	}
	if res.Cached || res.Token.AccessToken == first.AccessToken || s.Requests("refresh_token") != 1 {
		t.Fatalf("inside the margin: cached %v, new %v, %d refreshes", res.Cached, res.Token.AccessToken != first.AccessToken, s.Requests("refresh_token"))
	}
	kept, err := st.CachedToken(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	if kept.AccessToken != res.Token.AccessToken || kept.RefreshToken == "" || kept.RefreshToken == first.RefreshToken || kept.IDToken == "" {
		t.Fatal("the store does not hold the new access token with the rotated refresh token and an ID token")
	}
	if got := s.Introspect(t, kept.AccessToken); got["active"] != true || got["sub"] != userSubject {
		t.Fatalf("fosite's introspection of the refreshed token: %v", got)
	}
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	_, err = c.Refresh(t.Context(), u.p, first.RefreshToken, providers.FetchOptions{})
	wantLoginAgain(t, err, name)

	hist, err := st.History(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	wantNoSecrets(t, hist, first.AccessToken, first.RefreshToken, first.IDToken, kept.AccessToken, kept.RefreshToken, u.p.ClientSecret)
}

// TestStoreRevokedRefreshTokenNeedsLogin: a refresh token revoked at
// fosite (RFC 7009, by tokentop's own revoke) is refused at the next
// refresh with invalid_grant; the store says "log in again", marks the
// session as needing a login, forgets the refresh token (the next call
// says so without asking fosite), and a new login restores it.
func TestStoreRevokedRefreshTokenNeedsLogin(t *testing.T) {
	t.Parallel()
	s := newUserServer(t, userOptions{})
	u := newUserStore(t, s.ProviderFor(t, userApp))
	st := u.open(t)
	name := u.p.Name
	first := u.login(t, st)

	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	if _, err := c.Revoke(t.Context(), u.p, first.RefreshToken, providers.EndpointOptions{TokenTypeHint: "refresh_token"}); err != nil {
		t.Fatalf("tokentop's revoke at fosite: %v", err)
	}
	if got := s.Introspect(t, first.RefreshToken); got["active"] != false {
		t.Fatalf("fosite after the revocation: %v", got)
	}
	u.clock.Set(first.ExpiresAt.Add(time.Minute))
	_, err := st.Token(t.Context(), name, store.TokenOptions{})
	wantLoginAgain(t, err, name)
	sm, err := st.Summary(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	if !sm.NeedsLogin || sm.LastError == nil || !strings.Contains(sm.LastError.Hint, "tokentop login "+name) {
		t.Fatalf("summary: needs login %v, last error %+v", sm.NeedsLogin, sm.LastError)
	}
	refreshes := s.Requests("refresh_token")
	_, err = st.Token(t.Context(), name, store.TokenOptions{})
	if !providers.NeedsLogin(err) || !strings.Contains(err.Error(), "log in again: tokentop login "+name) || s.Requests("refresh_token") != refreshes {
		t.Fatalf("the call after the refusal: %v (%d more refreshes)", err, s.Requests("refresh_token")-refreshes)
	}

	again := u.login(t, st)
	res, err := st.Token(t.Context(), name, store.TokenOptions{})
	if err != nil || res.Token.AccessToken != again.AccessToken {
		t.Fatalf("after a new login: %v", err)
	}
	if sm, err = st.Summary(t.Context(), name); err != nil || sm.NeedsLogin || sm.LastError != nil {
		t.Fatalf("summary after a new login: %v, needs login %v, last error %+v", err, sm.NeedsLogin, sm.LastError)
	}
}

// TestConcurrentRefreshesRotateOnce: several Stores on one bbolt file (as
// processes share it), each with several callers, all ask at once for the
// token inside its refresh margin. One refresh reaches fosite (which
// rotates, and would revoke the whole family on a reuse), every caller
// gets its access token, and the file keeps the rotated refresh token.
func TestConcurrentRefreshesRotateOnce(t *testing.T) {
	t.Parallel()
	s := newUserServer(t, userOptions{})
	u := newUserStore(t, s.ProviderFor(t, userApp))
	name := u.p.Name
	first := u.login(t, u.open(t))
	u.intoMargin(t, first)
	s.SetRefreshDelay(100 * time.Millisecond) // so the callers overlap

	const stores, callers = 3, 4
	var wg sync.WaitGroup
	tokens := make([]string, stores*callers)
	errs := make([]error, stores*callers)
	for i := range stores {
		st := u.open(t)
		for j := range callers {
			k := i*callers + j
			wg.Go(func() {
				res, err := st.Token(t.Context(), name, store.TokenOptions{})
				if err == nil {
					tokens[k] = res.Token.AccessToken
				}
				errs[k] = err
			})
		}
	}
	wg.Wait()
	for k := range tokens {
		if errs[k] != nil || tokens[k] != tokens[0] {
			t.Fatalf("caller %d: %v, same token as caller 0: %v", k, errs[k], tokens[k] == tokens[0])
		}
	}
	if n := s.Requests("refresh_token"); n != 1 {
		t.Fatalf("%d refreshes reached fosite from %d callers, want 1", n, stores*callers)
	}
	if errs, desc := s.TokenErrors(); len(errs) != 0 {
		t.Fatalf("fosite refused %v: %s", errs, desc)
	}
	kept, err := u.open(t).CachedToken(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	if tokens[0] == first.AccessToken || kept.AccessToken != tokens[0] || kept.RefreshToken == first.RefreshToken {
		t.Fatal("the file does not hold the one refresh's access token with its rotated refresh token")
	}
	// The rotated one is the live one at fosite: it refreshes again.
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	if _, err := c.Refresh(t.Context(), u.p, kept.RefreshToken, providers.FetchOptions{}); err != nil {
		t.Fatalf("the saved refresh token at fosite: %v", err)
	}
}
