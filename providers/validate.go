package providers

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Validate checks a provider as [Provider.Resolve] resolves it, so a token
// URL derived from issuer and a preset counts. It runs the checks of
// [Fields]: the required settings first, then every setting in the
// table's order, each followed by the check of its text ([CheckText]). It
// returns every problem found, each a *[Problem], joined with errors.Join;
// each names the provider.
func (p Provider) Validate() error {
	return errors.Join(p.problems()...)
}

// FieldProblem is the first problem [Provider.Validate] finds with the
// setting key, worded as the providers file words it but without the
// provider's name (for a form field), or nil.
func (p Provider) FieldProblem(key string) error {
	for _, err := range p.problems() {
		var pr *Problem
		if errors.As(err, &pr) && pr.Field == key {
			return errors.New(pr.Msg)
		}
	}
	return nil
}

func (p Provider) problems() []error {
	r, err := p.resolve()
	v := validation{p: p, e: r.e, pre: r.pre}
	if err != nil {
		v.errs = append(v.errs, err)
	}
	fields := Fields()
	for _, f := range fields {
		if f.Required && f.check != nil {
			f.check(&v)
		}
	}
	for _, f := range fields {
		if !f.Required && f.check != nil {
			f.check(&v)
		}
		if !f.Secret {
			v.errs = append(v.errs, p.textProblems(f.Key)...)
		}
	}
	return v.errs
}

// validation gathers the problems of a provider as configured (p), as
// resolved (e), with its preset.
type validation struct {
	p, e Provider
	pre  Preset
	errs []error
}

// add records a problem with field (index: its entry, -1 for none).
func (v *validation) add(field string, index int, format string, args ...any) {
	v.errs = append(v.errs, &Problem{Provider: v.p.Name, Field: field, Index: index, Msg: fmt.Sprintf(format, args...)})
}

func checkName(v *validation) {
	switch p := v.p; {
	case p.Name == "":
		v.add("name", -1, "name is not set")
	case p.Name == "." || p.Name == "..":
		v.add("name", -1, `name %q is not allowed: "." and ".." name directories`, p.Name)
	case !ValidName(p.Name):
		v.add("name", -1, `name may use only a-z, 0-9, ".", "_" and "-"`)
	}
}

// checkTokenURL checks the token URL as resolved; one derived from a bad
// issuer is the issuer's problem.
func checkTokenURL(v *validation) {
	p, eff, pre := v.p, v.e, v.pre
	switch {
	case eff.TokenURL == "" && p.IsAPIKey():
		// An API key is never exchanged: no token endpoint.
	case eff.TokenURL == "" && p.Issuer != "" && pre.Name != "" && pre.TokenPath == "":
		v.add("token_url", -1, "token_url is not set, and the %s preset cannot derive it from issuer", pre.Name)
	case eff.TokenURL == "" && p.Issuer != "" && pre.Name == "":
		v.add("token_url", -1, "token_url is not set; add it, or a preset that derives it from issuer (%s)", derivingPresets())
	case eff.TokenURL == "":
		v.add("token_url", -1, "token_url is not set")
	case p.TokenURL == "":
		if problem := checkURL(eff.TokenURL, eff.InsecureHTTP); problem != "" {
			v.add("issuer", -1, "the token URL %q (issuer + the %s preset's path) %s", eff.TokenURL, pre.Name, problem)
		}
	default:
		if problem := checkURL(eff.TokenURL, eff.InsecureHTTP); problem != "" {
			v.add("token_url", -1, "token_url %q %s", eff.TokenURL, problem)
		}
	}
}

func checkIssuerURL(v *validation) {
	if v.p.Issuer != "" && !absoluteHTTP(v.p.Issuer) {
		v.add("issuer", -1, "issuer %q is not an absolute http(s) URL", v.p.Issuer)
	}
}

func checkSecretRef(v *validation) {
	ref := strings.TrimSpace(v.p.ClientSecretRef)
	if ref == "" {
		return
	}
	kind, arg, _ := strings.Cut(ref, ":")
	switch {
	case kind != "env" && kind != "file" && kind != "cmd":
		// The value is not echoed: it may be a secret typed in the wrong place.
		v.add("client_secret_ref", -1, "client_secret_ref must start with env:, file: or cmd: (a secret itself belongs in client_secret)")
	case strings.TrimSpace(arg) == "":
		v.add("client_secret_ref", -1, "client_secret_ref %q names nothing after %q", ref, kind+":")
	}
}

func checkQuota(v *validation) {
	q := v.p.Quota
	if q == nil {
		return
	}
	if q.Limit <= 0 {
		v.add("quota", -1, "quota limit must be a whole number greater than 0")
	}
	switch q.Per {
	case PerHour, PerDay, PerMonth:
	case "":
		v.add("quota", -1, "quota per is not set; use hour, day or month")
	default:
		v.add("quota", -1, "quota per %q is not one of hour, day, month", q.Per)
	}
}

func checkLifetime(v *validation) {
	if v.p.DefaultLifetime < 0 {
		v.add("default_lifetime", -1, "default_lifetime must not be negative")
	}
	if time.Duration(v.p.DefaultLifetime) > MaxLifetime {
		v.add("default_lifetime", -1, "default_lifetime %s is more than tokentop's limit of 10 years (87600h)", time.Duration(v.p.DefaultLifetime))
	}
}

// endpointProblems checks the saved test-call endpoints.
func (p Provider) endpointProblems() []error {
	var errs []error
	first := map[string]int{}
	for i, e := range p.Endpoints {
		add := func(format string, args ...any) {
			errs = append(errs, &Problem{Provider: p.Name, Field: "endpoints", Index: i, Msg: fmt.Sprintf(format, args...)})
		}
		label := fmt.Sprintf("endpoint %q", e.Name)
		if e.Name == "" {
			label = fmt.Sprintf("endpoint %d", i+1)
			add("endpoint %d has no name", i+1)
		} else if j, dup := first[e.Name]; dup {
			add("endpoint %q is listed twice (entries %d and %d)", e.Name, j+1, i+1)
		} else {
			first[e.Name] = i
		}
		switch {
		case e.URL == "":
			add("%s has no url", label)
		case !absoluteHTTP(e.URL):
			add("%s: url %q is not an absolute http(s) URL", label, e.URL)
		default:
			// A test-call carries the bearer token: token_url's rule.
			if problem := checkURL(e.URL, p.InsecureHTTP); problem != "" {
				add("%s: url %q %s", label, e.URL, problem)
			}
		}
		if e.Method != "" && !isToken(e.Method) {
			add("%s: method %q is not a valid HTTP method", label, e.Method)
		}
		for _, k := range slices.Sorted(maps.Keys(e.Headers)) {
			// A line break or NUL in a value is refused with every other
			// control character, by textProblems.
			if !isToken(k) {
				add("%s: header name %q is not valid", label, k)
			}
		}
	}
	return errs
}

// Problem is one thing wrong with a provider. field (and index, for an
// entry of a list, or key, for an entry of a mapping) lets LoadConfig
// point at the line it came from.
type Problem struct {
	Provider string // the provider's name
	Field    string // the setting's YAML key
	Index    int    // the entry of a list, -1 for none
	Key      string // the key of a mapping's entry, "" for none
	Msg      string // what is wrong, worded for the user
	Err      error  // the cause, if any
}

func (e *Problem) Error() string {
	s := providerLabel(e.Provider) + ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Problem) Unwrap() error { return e.Err }

// providerLabel names a provider in a message.
func providerLabel(name string) string {
	if name == "" {
		return "provider (no name)"
	}
	return fmt.Sprintf("provider %q", name)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// checkURL describes what is wrong with a token URL ("" when nothing).
func checkURL(raw string, insecureHTTP bool) string {
	if !absoluteHTTP(raw) {
		return "is not an absolute http(s) URL"
	}
	u, _ := url.Parse(raw)
	if u.Scheme == "http" && !insecureHTTP && !IsLoopback(u.Hostname()) {
		return "uses plain http to a host that is not loopback; use https, or set insecure_http: true"
	}
	return ""
}

func absoluteHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http")
}

// isToken reports whether s is an RFC 9110 token (a method or header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
