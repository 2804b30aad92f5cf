package providers

import (
	"fmt"
	"strconv"
	"strings"
)

// The settings of the user grants' logins, in the field table [Fields].
// The form asks for authorize_url on its first page, next to the token
// URL, and for redirect_port with the request's settings.

func authorizeURLField() FieldSpec {
	f := urlField("authorize_url", func(p *Provider) *string { return &p.AuthorizeURL }).
		with("authorize-url", "the authorization endpoint a login opens in the browser (grant authorization_code)")
	f.Page, f.Label, f.Help = 1, "Authorize URL", "grant authorization_code: the login page; blank otherwise"
	inner := f.check
	f.check = func(v *validation) {
		inner(v)
		if v.p.Grant == GrantAuthorizationCode && strings.TrimSpace(v.p.AuthorizeURL) == "" {
			v.add("authorize_url", -1, "grant authorization_code needs authorize_url, the authorization endpoint the login opens")
		}
	}
	return f
}

func redirectPortField() FieldSpec {
	return FieldSpec{
		Key: "redirect_port", Flag: "redirect-port", FlagKind: FlagText,
		Usage: "the loopback port of a login's redirect URI (default: any free port)",
		Page:  4, Label: "Redirect port", Help: "grant authorization_code: the login's loopback port; blank for any free one",
		Get: func(p *Provider) string {
			if p.RedirectPort == 0 {
				return ""
			}
			return strconv.Itoa(p.RedirectPort)
		},
		Set: func(p *Provider, s string) error {
			if s == "" {
				p.RedirectPort = 0
				return nil
			}
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return fmt.Errorf("redirect_port %q: want a port number such as 8765", s)
			}
			p.RedirectPort = n
			return nil
		},
		check: func(v *validation) {
			if v.p.RedirectPort < 0 || v.p.RedirectPort > 65535 {
				v.add("redirect_port", -1, "redirect_port %d is not a port (1 to 65535, or 0 for any free one)", v.p.RedirectPort)
			}
		},
		describe: func(d *description) {
			if d.p.RedirectPort != 0 {
				d.add("redirect_port", strconv.Itoa(d.p.RedirectPort), fromConfig)
			}
		},
	}
}

// deviceAuthURLField is device_authorization_url: where a device login
// (grant device_code, RFC 8628) starts. Blank: the discovery document's
// device_authorization_endpoint.
func deviceAuthURLField() FieldSpec {
	f := urlField("device_authorization_url", func(p *Provider) *string { return &p.DeviceAuthURL }).
		with("device-authorization-url", "the RFC 8628 device authorization endpoint, for grant device_code (default: from discovery)")
	f.Page, f.Label, f.Help = 1, "Device authorization URL", "grant device_code: blank for discovery's"
	return f
}
