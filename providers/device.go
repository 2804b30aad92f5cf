package providers

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/safetext"
)

// DeviceGrantType is RFC 8628's grant_type at the token endpoint.
const DeviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// Bounds of a device login, whatever the server says (RFC 8628 §3.2
// leaves the figures to the server; these keep a hostile or broken one
// from making tokentop poll in a tight loop or wait for days).
const (
	// DefaultDeviceInterval is the polling interval when the server names
	// none (RFC 8628 §3.2).
	DefaultDeviceInterval = 5 * time.Second
	// MinDeviceInterval and MaxDeviceInterval bound the interval, a
	// slow_down's growth included.
	MinDeviceInterval = time.Second
	MaxDeviceInterval = time.Minute
	// MaxDeviceWait bounds the whole login: a longer expires_in is cut
	// to it.
	MaxDeviceWait = 30 * time.Minute
	// DeviceSlowDownStep is what each slow_down adds to the interval
	// (RFC 8628 §3.5).
	DeviceSlowDownStep = 5 * time.Second
	// maxDeviceCode bounds the device code sent back; maxUserCode the
	// user code shown (RFC 8628 §6.1 suggests 8 characters).
	maxDeviceCode = 4096
	maxUserCode   = 64
)

// DeviceAuthorization is a started device login (RFC 8628 §3.2): what the
// user is shown and how long tokentop polls. Every string is sanitised
// for a terminal; the device code itself is kept unexported, for the
// polls only.
type DeviceAuthorization struct {
	// UserCode is the code the user enters at VerificationURI.
	UserCode string
	// VerificationURI is where the user goes (http or https).
	VerificationURI string
	// VerificationURIComplete is the URI with the code in it, for a QR
	// code ("" when the server sent none or an unusable one).
	VerificationURIComplete string
	// ExpiresIn is how long the codes live (at most MaxDeviceWait);
	// Interval is the polling interval (within the bounds above).
	ExpiresIn, Interval time.Duration
	// Started is when the server answered, by the client's clock.
	Started time.Time
	// Exchange is the flight record of the device authorization request.
	Exchange Exchange

	deviceCode string
}

// Deadline is when the codes die and polling stops.
func (d *DeviceAuthorization) Deadline() time.Time { return d.Started.Add(d.ExpiresIn) }

// DeviceAuthURL is the device authorization endpoint of p: the
// device_authorization_url setting, else discovery's
// device_authorization_endpoint. p is the resolved provider.
func (c *Client) DeviceAuthURL(ctx context.Context, p Provider) (string, error) {
	raw := p.DeviceAuthURL
	if raw == "" {
		md, err := c.Discover(ctx, p)
		if err != nil {
			e, ok := AsError(err)
			if !ok {
				e = &Error{Kind: KindConfig, Provider: p.Name, Err: err}
			}
			e.Hint = "set device_authorization_url on the provider (the server's RFC 8628 device authorization endpoint), or check `issuer`"
			return "", e
		}
		raw = md.DeviceAuthorizationEndpoint
		if raw == "" {
			return "", &Error{Kind: KindConfig, Provider: p.Name,
				Description: "the server's discovery document names no device_authorization_endpoint",
				Hint:        "set device_authorization_url on the provider, or check that the server supports the device grant (RFC 8628)"}
		}
	}
	if problem := checkURL(raw, p.InsecureHTTP); problem != "" {
		return "", &Error{Kind: KindConfig, Provider: p.Name, Description: fmt.Sprintf("device_authorization_url %q %s", safetext.Line(raw), problem)}
	}
	return raw, nil
}

// StartDevice asks p's device authorization endpoint for a device code
// and a user code (RFC 8628 §3.1): a public client sends client_id alone,
// a client with a secret or key authenticates as at the token endpoint.
// The answer is read bounded, every string sanitised, the verification
// URI required to be http(s) and the figures kept within the bounds.
func (c *Client) StartDevice(ctx context.Context, p Provider) (*DeviceAuthorization, error) {
	p, err := c.resolveDevice(p)
	if err != nil {
		return nil, err
	}
	endpoint, err := c.DeviceAuthURL(ctx, p)
	if err != nil {
		return nil, err
	}
	form := url.Values{}
	if len(p.Scopes) > 0 {
		form.Set("scope", strings.Join(p.Scopes, p.Separator()))
	}
	if p.Audience != "" {
		form.Set("audience", p.Audience)
	}
	ans, ex, err := c.devicePost(ctx, p, target{url: endpoint, peer: "the device authorization endpoint", setting: "device_authorization_url"}, form)
	if err != nil {
		return &DeviceAuthorization{Exchange: ex}, err
	}
	da, err := readDeviceAuthorization(ans.body, p, c.now())
	if err != nil {
		return &DeviceAuthorization{Exchange: ex}, err
	}
	da.Exchange = ex
	return da, nil
}

// resolveDevice is p with its presets applied and its token URL checked.
func (c *Client) resolveDevice(p Provider) (Provider, error) {
	eff, err := p.Resolve()
	if err != nil {
		return p, &Error{Kind: KindConfig, Provider: p.Name, Description: "unusable settings", Err: err}
	}
	if err := CheckTokenURL(eff); err != nil {
		return eff, err
	}
	return eff, nil
}
