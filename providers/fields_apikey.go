package providers

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The settings of an API key (grant: api_key) in the field table
// [Fields]: where the key goes (key_header, key_prefix, key_query), its
// dates (expires, rotate_by) and the warning's lead time (warn_before).
// The key itself is the client secret (client_secret, client_secret_ref
// or --client-secret-stdin), so it is sealed, referenced, read from stdin
// and exported as every secret is.

// LeadTime is a duration written as "14d" or as Go writes durations
// ("36h"); a bare number is days.
type LeadTime time.Duration

// maxLeadTime bounds warn_before: ten years, as every expiry is.
const maxLeadTime = MaxLifetime

// ParseLeadTime reads "14d", "36h", "1h30m" or a bare number of days.
func ParseLeadTime(s string) (LeadTime, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	days := strings.TrimSuffix(s, "d")
	if n, err := strconv.ParseFloat(days, 64); err == nil && strings.Trim(days, "0123456789.") == "" {
		if n*float64(24*time.Hour) > float64(maxLeadTime) || math.IsNaN(n) {
			return 0, fmt.Errorf("warn_before %q: more than tokentop's limit of 10 years", s)
		}
		return LeadTime(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("warn_before %q: want days such as 14d, or a duration such as 36h", s)
	case d < 0:
		return 0, fmt.Errorf("warn_before %q: must not be negative", s)
	case d > maxLeadTime:
		return 0, fmt.Errorf("warn_before %q: more than tokentop's limit of 10 years", s)
	}
	return LeadTime(d), nil
}

// String writes whole days as "14d", anything else as Go does.
func (l LeadTime) String() string {
	d := time.Duration(l)
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// MarshalText implements encoding.TextMarshaler.
func (l LeadTime) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *LeadTime) UnmarshalText(b []byte) error {
	v, err := ParseLeadTime(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// apiKeyFields are the api_key settings, in the order `show` prints them.
func apiKeyFields() []FieldSpec {
	return []FieldSpec{
		keySetting("key_header", func(p *Provider) *string { return &p.KeyHeader }).
			with("key-header", "api_key: the header the key goes in (default Authorization, with \"Bearer \")").
			form(3, "Key header", "api_key: blank for Authorization"),
		keySetting("key_prefix", func(p *Provider) *string { return &p.KeyPrefix }).
			with("key-prefix", "api_key: sent before the key in its header (default \"Bearer \" in Authorization; none for nothing)").
			form(3, "Key prefix", "api_key: before the key in its header; none for nothing"),
		keySetting("key_query", func(p *Provider) *string { return &p.KeyQuery }).
			with("key-query", "api_key: send the key as this query parameter instead of a header").
			form(3, "Key query parameter", "api_key: instead of a header; blank for none"),
		keySetting("expires", func(p *Provider) *string { return &p.Expires }).
			with("expires", "api_key: when the key stops working (YYYY-MM-DD or RFC 3339)").
			form(3, "Key expires", "api_key: YYYY-MM-DD; blank if it does not"),
		keySetting("rotate_by", func(p *Provider) *string { return &p.RotateBy }).
			with("rotate-by", "api_key: when the key is due for rotation (YYYY-MM-DD or RFC 3339)").
			form(3, "Rotate key by", "api_key: YYYY-MM-DD; blank for none"),
		warnBeforeField(),
	}
}

// keySetting is a text setting of api_key, checked with the others by
// checkAPIKey.
func keySetting(key string, at func(p *Provider) *string) FieldSpec {
	f := text(key, at)
	f.describe = func(d *description) {
		if d.p.IsAPIKey() {
			d.addIf(key, *at(&d.p))
		} else if v := *at(&d.p); v != "" {
			d.add(key, v+" (not used: grant is not api_key)", fromConfig)
		}
	}
	if key == "key_header" {
		f.check = checkAPIKey
		f.describe = describePlacement
	}
	return f
}

// describePlacement prints where the key goes, once, under key_header.
func describePlacement(d *description) {
	switch {
	case d.p.IsAPIKey() && d.p.KeyQuery == "":
		d.add("key_header", d.p.Placement().String(), originOf(d.p.KeyHeader != "" || d.p.KeyPrefix != ""))
	case !d.p.IsAPIKey() && d.p.KeyHeader != "":
		d.add("key_header", d.p.KeyHeader+" (not used: grant is not api_key)", fromConfig)
	}
}

func warnBeforeField() FieldSpec {
	return FieldSpec{
		Key: "warn_before", Flag: "warn-before", FlagKind: FlagText,
		Usage: "api_key: warn this long before expires/rotate_by (default 14d)",
		Page:  3, Label: "Warn before", Help: "api_key: lead time of the warning (14d when blank)",
		Get: func(p *Provider) string {
			if p.WarnBefore == 0 {
				return ""
			}
			return p.WarnBefore.String()
		},
		Set: func(p *Provider, s string) error {
			v, err := ParseLeadTime(s)
			if err != nil {
				return err
			}
			p.WarnBefore = v
			return nil
		},
		describe: func(d *description) {
			if d.p.IsAPIKey() {
				d.add("warn_before", LeadTime(d.p.EffectiveWarnBefore()).String(), originOf(d.p.WarnBefore > 0))
			}
		},
	}
}

// checkAPIKey checks the api_key settings together: where the key goes,
// its dates, and the settings that mean nothing without a token exchange.
func checkAPIKey(v *validation) {
	p := v.p
	if !p.IsAPIKey() {
		for _, k := range []struct{ key, v string }{{"key_header", p.KeyHeader}, {"key_prefix", p.KeyPrefix}, {"key_query", p.KeyQuery}, {"expires", p.Expires}, {"rotate_by", p.RotateBy}} {
			if k.v != "" {
				v.add(k.key, -1, "%s is a setting of API keys: set `grant: api_key`, or remove it", k.key)
			}
		}
		if p.WarnBefore != 0 {
			v.add("warn_before", -1, "warn_before is a setting of API keys: set `grant: api_key`, or remove it")
		}
		return
	}
	switch {
	case p.KeyQuery != "" && (p.KeyHeader != "" || p.KeyPrefix != ""):
		v.add("key_query", -1, "key_query sends the key as a query parameter: leave key_header and key_prefix unset with it")
	case p.KeyHeader != "" && !isToken(p.KeyHeader):
		v.add("key_header", -1, "key_header %q is not a valid HTTP header name", p.KeyHeader)
	case strings.EqualFold(p.KeyHeader, "host") || strings.EqualFold(p.KeyHeader, "content-length"):
		v.add("key_header", -1, "key_header %q would break the request: name the header the API reads the key from", p.KeyHeader)
	case p.KeyQuery != "" && strings.ContainsAny(p.KeyQuery, "&=#? "):
		v.add("key_query", -1, "key_query %q is not a plain query parameter name", p.KeyQuery)
	}
	for _, d := range []struct{ key, v string }{{"expires", p.Expires}, {"rotate_by", p.RotateBy}} {
		if d.v == "" {
			continue
		}
		if _, err := ParseKeyDate(d.v); err != nil {
			v.add(d.key, -1, "%s %v", d.key, err)
		}
	}
	if p.WarnBefore < 0 || time.Duration(p.WarnBefore) > maxLeadTime {
		v.add("warn_before", -1, "warn_before must be between 0 and 10 years")
	}
	if p.Quota != nil {
		v.add("quota", -1, "quota counts the tokens tokentop fetches, and an API key is never fetched: remove it (the API's own rate limit shows in `tokentop doctor` and test-calls)")
	}
}

// keyDescription drops from an API key's description the defaults of
// the settings only a token exchange uses (and an empty client_id): what
// is left says what the key does.
func keyDescription(s []Setting) []Setting {
	out := s[:0]
	for _, st := range s {
		switch {
		case st.Key == "client_id" && st.Value == "":
		case st.Source == SourceDefault && strings.Contains(" auth_style basic_encoding scopes scope_separator default_lifetime ", " "+st.Key+" "):
		default:
			out = append(out, st)
		}
	}
	return out
}
