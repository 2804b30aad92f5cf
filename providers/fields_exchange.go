package providers

import (
	"fmt"
	"strconv"
	"time"
)

// The settings of how one exchange runs, in the field table [Fields]: its
// timeout, the lifetime assumed when the answer gives none, and plain
// http to a host that is not loopback. Blank in the form (Set "") means
// the default.

func defaultLifetimeField() FieldSpec {
	return FieldSpec{
		Key: "default_lifetime", Flag: "default-lifetime", FlagKind: FlagDuration,
		Usage: "the lifetime assumed when the answer gives no expiry and the token is no JWT (default 1h)",
		check: checkLifetime,
		Get: func(p *Provider) string {
			if p.DefaultLifetime == 0 {
				return ""
			}
			return time.Duration(p.DefaultLifetime).String()
		},
		Set: func(p *Provider, s string) error {
			if s == "" {
				p.DefaultLifetime = 0
				return nil
			}
			d, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("default_lifetime %q: want a value such as 1h or 30m", s)
			}
			p.DefaultLifetime = Duration(d)
			return nil
		},
		describe: func(d *description) {
			d.add("default_lifetime", shortDuration(d.p.EffectiveLifetime()), originOf(d.p.DefaultLifetime > 0))
		},
	}
}

func insecureHTTPField() FieldSpec {
	return FieldSpec{
		Key: "insecure_http", Flag: "insecure-http", FlagKind: FlagBool,
		Usage:   "allow plain http:// to hosts other than loopback (the secret and the token cross the network unencrypted)",
		Choices: []Choice{{"no", "false"}, {"yes", "true"}},
		Get:     func(p *Provider) string { return strconv.FormatBool(p.InsecureHTTP) },
		Set: func(p *Provider, s string) error {
			if s == "" {
				p.InsecureHTTP = false
				return nil
			}
			b, err := strconv.ParseBool(s)
			if err != nil {
				return fmt.Errorf("insecure_http %q: want true or false", s)
			}
			p.InsecureHTTP = b
			return nil
		},
		describe: func(d *description) {
			if d.p.InsecureHTTP {
				d.add("insecure_http", "true", fromConfig)
			}
		},
	}
}

func timeoutField() FieldSpec {
	return FieldSpec{
		Key: "timeout", Flag: "timeout", FlagKind: FlagDuration, Usage: "timeout of one exchange (default 15s)",
		Get: func(p *Provider) string {
			if p.Timeout == 0 {
				return ""
			}
			return time.Duration(p.Timeout).String()
		},
		Set: func(p *Provider, s string) error {
			if s == "" {
				p.Timeout = 0
				return nil
			}
			d, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("timeout %q: want a value such as 15s or 1m30s", s)
			}
			p.Timeout = Duration(d)
			return nil
		},
		check: func(v *validation) {
			if v.p.Timeout < 0 {
				v.add("timeout", -1, "timeout must not be negative")
			}
		},
		describe: func(d *description) {
			d.add("timeout", shortDuration(d.p.EffectiveTimeout()), originOf(d.p.Timeout > 0))
		},
	}
}
