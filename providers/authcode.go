package providers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/safetext"
)

// The authorization code grant with PKCE for a native app (RFC 6749 §4.1,
// RFC 7636, RFC 8252): the browser logs the user in at the authorization
// endpoint and comes back to a loopback listener with a code, which the
// client exchanges with its verifier.

// DefaultLoginTimeout is how long a login waits for the browser.
const DefaultLoginTimeout = 5 * time.Minute

// LoginOptions tune one login.
type LoginOptions struct {
	// Timeout is how long to wait for the browser to come back
	// (DefaultLoginTimeout when zero). A device login waits as long as
	// its code lives instead (at most MaxDeviceWait).
	Timeout time.Duration
	// Show is told the URL to open, always, before the browser is
	// opened: the user can open it by hand. For grant device_code
	// without ShowDevice it is told the verification URI (with the
	// code in it when the server gave one).
	Show func(authorizeURL string)
	// ShowDevice is told, for grant device_code, the started login
	// before the polling begins: where to go and the code to enter
	// (DevicePrompt draws them, with a QR code, at a width). It is
	// called once, on the goroutine that called Login.
	ShowDevice func(DeviceAuthorization)
	// DevicePoll tunes a device login's polling: its Sleep (tests move
	// a fake clock) and OnAnswer (told of each slow_down).
	DevicePoll DevicePollOptions
	// Open opens the URL in a browser; nil opens none. Its error only
	// means the user opens the URL by hand.
	Open func(authorizeURL string) error
	// RefreshToken is, for grant refresh_token, the refresh token the
	// user was given: the login is its first refresh.
	RefreshToken string
}

// AuthRequest is one login's request: what the authorization URL carries
// and what the exchange must prove.
type AuthRequest struct {
	RedirectURI string
	State       string
	// Nonce is sent when the scopes ask for openid, and the ID token must
	// carry it back ("" otherwise).
	Nonce    string
	Verifier string
}

// NewAuthRequest is a fresh state, verifier and (for openid) nonce for a
// login whose redirect URI is redirectURI.
func NewAuthRequest(p Provider, redirectURI string) AuthRequest {
	r := AuthRequest{RedirectURI: redirectURI, State: randomURLString(24), Verifier: NewVerifier()}
	if slices.Contains(p.Scopes, "openid") {
		r.Nonce = randomURLString(24)
	}
	return r
}

// AuthorizeURL is the URL the browser opens: p's authorize_url with the
// code request of RFC 6749 §4.1.1 and the S256 challenge of RFC 7636 §4.3
// (and the nonce of OIDC Core §3.1.2.1).
func AuthorizeURL(p Provider, r AuthRequest) (string, error) {
	u, err := url.Parse(p.AuthorizeURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", &Error{Kind: KindConfig, Provider: p.Name, Description: fmt.Sprintf("authorize_url %q is not an absolute http(s) URL", safetext.Line(p.AuthorizeURL)),
			Hint: "set authorize_url to the server's authorization endpoint"}
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) && !p.InsecureHTTP {
		return "", &Error{Kind: KindConfig, Provider: p.Name, Description: fmt.Sprintf("refusing a login over plain http to %s", u.Host),
			Hint: "use https, or set `insecure_http: true` on the provider if you really mean it"}
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", p.ClientID)
	q.Set("redirect_uri", r.RedirectURI)
	if len(p.Scopes) > 0 {
		q.Set("scope", strings.Join(p.Scopes, p.Separator()))
	}
	q.Set("state", r.State)
	q.Set("code_challenge", Challenge(r.Verifier))
	q.Set("code_challenge_method", PKCEMethod)
	if r.Nonce != "" {
		q.Set("nonce", r.Nonce)
	}
	if p.Audience != "" {
		q.Set("audience", p.Audience)
	}
	if p.Resource != "" {
		q.Set("resource", p.Resource)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Login logs the user of p in, by p's grant. For device_code: see
// loginWithDevice. For authorization_code: a loopback
// listener, the URL shown (and opened when o.Open is set), the redirect
// with the login's state waited for until o.Timeout, the code exchanged
// with its verifier, and any ID token verified. The listener is closed
// when Login returns. Like Fetch it never returns a nil *Result.
func (c *Client) Login(ctx context.Context, p Provider, o LoginOptions) (*Result, error) {
	res := &Result{}
	eff, err := p.Resolve()
	if err != nil {
		return res, &Error{Kind: KindConfig, Provider: p.Name, Description: "unusable settings", Err: err}
	}
	p = eff
	// The one place a login picks its flow by grant.
	switch p.Grant.Of() {
	case GrantAuthorizationCode:
		return c.loginWithCode(ctx, p, o)
	case GrantRefreshToken:
		return c.loginWithRefreshToken(ctx, p, o.RefreshToken)
	case GrantDeviceCode:
		return c.loginWithDevice(ctx, p, o)
	}
	return res, &Error{Kind: KindConfig, Provider: p.Name, Description: fmt.Sprintf("grant %s has no login: tokentop token %s fetches its token", p.Grant.Of(), p.Name)}
}

// loginWithCode is Login for the authorization code grant.
func (c *Client) loginWithCode(ctx context.Context, p Provider, o LoginOptions) (*Result, error) {
	code, req, err := c.authorize(ctx, p, o)
	if err != nil {
		return &Result{}, withProvider(err, p.Name)
	}
	res, err := c.fetchGrant(ctx, p, FetchOptions{}, grantRequest{form: codeForm(p, code, req), secret: []string{code, req.Verifier}})
	if e, ok := AsError(err); ok && e.Code == "invalid_grant" {
		e.Hint = codeRefusedHint(p.Name)
		if n := len(res.Exchanges); n > 0 {
			res.Exchanges[n-1].Hint = e.Hint
		}
	}
	if err != nil {
		return res, err
	}
	if err := c.checkIDToken(ctx, p, res.Token.IDToken, req.Nonce); err != nil {
		res.Token = nil
		return res, err
	}
	return res, nil
}

// authorize runs the browser half of a login: it returns the code the
// redirect brought and the request it answers.
func (c *Client) authorize(ctx context.Context, p Provider, o LoginOptions) (string, AuthRequest, error) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
	}
	probe := NewAuthRequest(p, "")
	rd, err := ListenRedirect(p.RedirectPort, probe.State)
	if err != nil {
		return "", probe, &Error{Kind: KindConfig, Description: "no redirect listener", Err: err}
	}
	defer rd.Close()
	req := probe
	req.RedirectURI = rd.URI()
	link, err := AuthorizeURL(p, req)
	if err != nil {
		return "", req, err
	}
	if o.Show != nil {
		o.Show(link)
	}
	if o.Open != nil {
		_ = o.Open(link) // the URL is shown: the user opens it by hand
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	code, err := rd.Wait(wctx)
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return "", req, &Error{Kind: KindConfig, Code: "timeout",
			Description: fmt.Sprintf("no login came back within %s; the listener on 127.0.0.1:%d is closed", timeout, rd.Port()),
			Hint:        "run tokentop login again and finish the login in the browser (--timeout gives more time)"}
	case err != nil && ctx.Err() != nil:
		return "", req, fmt.Errorf("the login was abandoned; the listener on 127.0.0.1:%d is closed: %w", rd.Port(), ctx.Err())
	}
	return code, req, err
}

// codeForm is the code exchange's form (RFC 6749 §4.1.3, RFC 7636 §4.5).
func codeForm(p Provider, code string, r AuthRequest) url.Values {
	form := url.Values{}
	for k, v := range p.Params {
		form.Set(k, v)
	}
	form.Set("grant_type", "authorization_code")
	form.Set("code", code)
	form.Set("redirect_uri", r.RedirectURI)
	form.Set("code_verifier", r.Verifier)
	form.Set("client_id", p.ClientID)
	if p.Resource != "" {
		form.Set("resource", p.Resource)
	}
	return form
}

// codeRefusedHint is the hint of a code exchange the server refused with
// invalid_grant: the code is spent, stale, or not bound to the verifier
// sent (PKCE), and only a new login brings another.
func codeRefusedHint(name string) string {
	return "the server refused the authorization code: it was already used, expired, sent with another redirect_uri, or its code_verifier does not match the login's code_challenge (PKCE; something between the browser and the server changed it): " + LoginAgain(name)
}
