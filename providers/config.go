package providers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/confyaml"
	"gopkg.in/yaml.v3"
)

// Config is the providers YAML file read by `tokentop import`:
//
//	providers:
//	  - name: cognito-dev
//	    token_url: https://auth.example.com/oauth2/token
//	    client_id: my-client
//	    client_secret: ${COGNITO_SECRET}
type Config struct {
	Providers []Provider `yaml:"providers"`
}

// LoadConfig reads a providers YAML file and returns its providers as
// written (presets are applied later, by [Provider.Effective]).
//
// ${VAR} in a value is replaced by the environment variable VAR, looked up
// with lookupEnv (nil means os.LookupEnv); an unset variable is an error
// naming its line. Only the braced form is expanded: a lone $ and $$ stay as
// they are, so secrets containing $ survive, and $${ writes a literal ${.
// An unknown key, a duplicate key, a value of the wrong kind, an invalid
// provider (see [Provider.Validate]) and a provider name used twice are
// errors; every problem found is reported, each with its line.
func LoadConfig(r io.Reader, lookupEnv func(string) (string, bool)) ([]Provider, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading the config: %w", err)
	}
	root, err := confyaml.Parse(data)
	if err != nil {
		return nil, err
	}
	if err := confyaml.ExpandEnv(root, lookupEnv); err != nil {
		return nil, err
	}
	shape := confyaml.Shape{Where: keyPlace, Known: knownKeys}
	if errs := shape.Check(root, reflect.TypeFor[Config](), "the config"); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	key, list := confyaml.KeyValue(root, "providers")
	if key == nil {
		return nil, errors.New(`the config has no providers: list; start the file with "providers:" and one "- name: ..." entry per provider`)
	}
	if list = confyaml.Deref(list); confyaml.IsNull(list) {
		return nil, fmt.Errorf("line %d: providers: is empty; add at least one provider", key.Line)
	}
	// The shape check stands in for yaml.Decoder.KnownFields, which a
	// yaml.Node cannot use: it knows the same keys (the yaml tags) and also
	// gives lines, suggestions and friendlier words.
	var cfg Config
	if err := root.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("the config does not have the expected shape: %w", err)
	}
	if len(cfg.Providers) == 0 {
		return nil, fmt.Errorf("line %d: providers: is empty; add at least one provider", list.Line)
	}
	items := confyaml.Deref(list).Content
	if len(items) != len(cfg.Providers) { // cannot happen after the shape check
		items = nil
	}
	var errs []error
	firstLine := map[string]int{}
	for i := range cfg.Providers {
		p := &cfg.Providers[i]
		normalize(p)
		node, line := list, list.Line
		if items != nil {
			node, line = confyaml.Deref(items[i]), items[i].Line
		}
		if sep := confyaml.Value(node, "scope_separator"); sep != nil && sep.Value == "" && !confyaml.IsNull(sep) {
			errs = append(errs, fmt.Errorf("line %d: %s: scope_separator is empty; leave it out for the default (a space)", sep.Line, providerLabel(p.Name)))
		}
		if err := p.Validate(); err != nil {
			for _, e := range unjoin(err) {
				errs = append(errs, fmt.Errorf("line %d: %w", problemLine(node, e), e))
			}
		}
		if p.Name == "" {
			continue
		}
		if first, dup := firstLine[p.Name]; dup {
			errs = append(errs, fmt.Errorf("line %d: provider %q is defined twice (first at line %d)", line, p.Name, first))
		} else {
			firstLine[p.Name] = line
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cfg.Providers, nil
}

// MarshalConfig writes providers in the format [LoadConfig] reads, fields
// in the order of [Provider]. Without withSecrets each client_secret is
// left out (and a comment says so); client_secret_ref is kept, it names
// where the secret lives rather than holding it. A value containing ${ is
// written as $${ so that loading it back does not expand it.
func MarshalConfig(ps []Provider, withSecrets bool) ([]byte, error) {
	cfg := Config{Providers: make([]Provider, len(ps))}
	for i, p := range ps {
		c := p.clone()
		if !withSecrets {
			c.ClientSecret = ""
		}
		cfg.Providers[i] = c
	}
	// The node tree is built here rather than by yaml.Node.Encode, which
	// emits and re-parses text and fails on strings such as "\ta\nb".
	root := confyaml.ToNode(reflect.ValueOf(cfg))
	confyaml.FlowStyle(root, 0)
	if !withSecrets {
		noteDroppedSecrets(root, ps)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("writing the config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("writing the config: %w", err)
	}
	return b.Bytes(), nil
}

// Validate checks a provider as [Provider.Effective] would use it, so a
// token URL derived from issuer and a preset counts. It returns every
// problem found, joined with errors.Join; each names the provider.
func (p Provider) Validate() error {
	var errs []error
	add := func(field string, index int, format string, args ...any) {
		errs = append(errs, &Problem{Provider: p.Name, Field: field, Index: index, Msg: fmt.Sprintf(format, args...)})
	}
	eff, _, err := p.Effective()
	if err != nil {
		errs = append(errs, err)
	}
	pre, _ := LookupPreset(p.Preset)

	switch {
	case p.Name == "":
		add("name", -1, "name is not set")
	case p.Name == "." || p.Name == "..":
		add("name", -1, `name %q is not allowed: "." and ".." name directories`, p.Name)
	case !ValidName(p.Name):
		add("name", -1, `name may use only a-z, 0-9, ".", "_" and "-"`)
	}
	if strings.TrimSpace(p.ClientID) == "" {
		add("client_id", -1, "client_id is not set")
	}

	switch {
	case eff.TokenURL == "" && p.Issuer != "" && pre.Name != "" && pre.TokenPath == "":
		add("token_url", -1, "token_url is not set, and the %s preset cannot derive it from issuer", pre.Name)
	case eff.TokenURL == "" && p.Issuer != "" && pre.Name == "":
		add("token_url", -1, "token_url is not set; add it, or a preset that derives it from issuer (%s)", derivingPresets())
	case eff.TokenURL == "":
		add("token_url", -1, "token_url is not set")
	case p.TokenURL == "":
		if problem := checkURL(eff.TokenURL, eff.InsecureHTTP); problem != "" {
			add("issuer", -1, "the token URL %q (issuer + the %s preset's path) %s", eff.TokenURL, pre.Name, problem)
		}
	default:
		if problem := checkURL(eff.TokenURL, eff.InsecureHTTP); problem != "" {
			add("token_url", -1, "token_url %q %s", eff.TokenURL, problem)
		}
	}
	if p.Issuer != "" && !absoluteHTTP(p.Issuer) {
		add("issuer", -1, "issuer %q is not an absolute http(s) URL", p.Issuer)
	}

	for _, u := range []struct{ key, value string }{
		{"jwks_uri", p.JWKSURI}, {"introspection_url", p.IntrospectURL}, {"revocation_url", p.RevokeURL},
	} {
		if u.value == "" {
			continue
		}
		if problem := checkURL(u.value, p.InsecureHTTP); problem != "" {
			add(u.key, -1, "%s %q %s", u.key, u.value, problem)
		}
	}

	if p.ClientSecret != "" && p.ClientSecretRef != "" {
		add("client_secret_ref", -1, "set client_secret or client_secret_ref, not both")
	}
	if ref := strings.TrimSpace(p.ClientSecretRef); ref != "" {
		kind, arg, _ := strings.Cut(ref, ":")
		switch {
		case kind != "env" && kind != "file" && kind != "cmd":
			// The value is not echoed: it may be a secret typed in the wrong place.
			add("client_secret_ref", -1, "client_secret_ref must start with env:, file: or cmd: (a secret itself belongs in client_secret)")
		case strings.TrimSpace(arg) == "":
			add("client_secret_ref", -1, "client_secret_ref %q names nothing after %q", ref, kind+":")
		}
	}

	if !p.AuthStyle.Valid() {
		add("auth_style", -1, "auth_style %q is not one of basic, post, auto, private_key_jwt, tls_client_auth", p.AuthStyle)
	} else {
		errs = append(errs, p.keyProblems(eff)...)
	}
	if !p.BasicEncoding.Valid() {
		add("basic_encoding", -1, "basic_encoding %q is not one of form (RFC 6749, the default) or raw", p.BasicEncoding)
	}
	for i, s := range p.Scopes {
		if strings.TrimSpace(s) == "" {
			add("scopes", i, "scopes entry %d is empty", i+1)
		}
	}
	if eff.Preset == "auth0" && eff.Audience == "" {
		add("preset", -1, "auth0 needs an audience (the API identifier, such as https://api.example.com)")
	}
	if _, ok := p.Params[""]; ok {
		add("params", -1, "params has an empty key")
	}
	if q := p.Quota; q != nil {
		if q.Limit <= 0 {
			add("quota", -1, "quota limit must be a whole number greater than 0")
		}
		switch q.Per {
		case PerHour, PerDay, PerMonth:
		case "":
			add("quota", -1, "quota per is not set; use hour, day or month")
		default:
			add("quota", -1, "quota per %q is not one of hour, day, month", q.Per)
		}
	}
	errs = append(errs, p.endpointProblems()...)
	errs = append(errs, p.textProblems()...)
	if p.Timeout < 0 {
		add("timeout", -1, "timeout must not be negative")
	}
	if p.DefaultLifetime < 0 {
		add("default_lifetime", -1, "default_lifetime must not be negative")
	}
	if time.Duration(p.DefaultLifetime) > MaxLifetime {
		add("default_lifetime", -1, "default_lifetime %s is more than tokentop's limit of 10 years (87600h)", time.Duration(p.DefaultLifetime))
	}
	return errors.Join(errs...)
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

// problemLine is the line of the key a problem is about, else the
// provider's own line.
func problemLine(provider *yaml.Node, err error) int {
	var pr *Problem
	if errors.As(err, &pr) && pr.Field != "" {
		if k, v := confyaml.KeyValue(provider, pr.Field); k != nil {
			if v = confyaml.Deref(v); pr.Index >= 0 && v.Kind == yaml.SequenceNode && pr.Index < len(v.Content) {
				return v.Content[pr.Index].Line
			}
			if ek, _ := confyaml.KeyValue(v, pr.Key); pr.Key != "" && ek != nil {
				return ek.Line
			}
			return k.Line
		}
	}
	return provider.Line
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

// normalize turns empty lists, maps and mappings into nil, so a provider
// compares equal to itself after a round trip through the file.
func normalize(p *Provider) {
	if len(p.Scopes) == 0 {
		p.Scopes = nil
	}
	if len(p.Params) == 0 {
		p.Params = nil
	}
	if p.Response.IsZero() {
		p.Response = nil
	}
	if len(p.Endpoints) == 0 {
		p.Endpoints = nil
	}
	for i := range p.Endpoints {
		if len(p.Endpoints[i].Headers) == 0 {
			p.Endpoints[i].Headers = nil
		}
	}
}

// clone is a deep copy of p.
func (p Provider) clone() Provider {
	c := p
	c.Scopes = slices.Clone(p.Scopes)
	c.Params = maps.Clone(p.Params)
	if p.Response != nil {
		r := *p.Response
		c.Response = &r
	}
	if p.Quota != nil {
		q := *p.Quota
		c.Quota = &q
	}
	if p.Endpoints != nil {
		c.Endpoints = make([]Endpoint, len(p.Endpoints))
		for i, e := range p.Endpoints {
			e.Headers = maps.Clone(e.Headers)
			c.Endpoints[i] = e
		}
	}
	return c
}

// noteDroppedSecrets comments the providers whose secret was left out.
func noteDroppedSecrets(root *yaml.Node, ps []Provider) {
	list := confyaml.Value(confyaml.Root(root), "providers")
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) != len(ps) {
		return
	}
	for i, p := range ps {
		if p.ClientSecret == "" {
			continue
		}
		if _, v := confyaml.KeyValue(list.Content[i], "client_id"); v != nil {
			v.LineComment = "# client_secret left out; add it, or client_secret_ref"
		}
	}
}

// keyPlace says where a key of type t sits, for the file's messages.
func keyPlace(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[Config]():
		return "at the top level"
	case reflect.TypeFor[ResponseMapping]():
		return "in response"
	}
	return ""
}

// knownKeys are the keys of a provider in the file: those of [Fields].
// Other types keep their yaml tags.
func knownKeys(t reflect.Type) []string {
	if t != reflect.TypeFor[Provider]() {
		return nil
	}
	return nil
}
