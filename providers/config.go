package providers

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	root, err := cfgParse(data)
	if err != nil {
		return nil, err
	}
	if err := cfgExpandEnv(root, lookupEnv); err != nil {
		return nil, err
	}
	shape := cfgShape{seen: map[cfgVisit]bool{}}
	shape.check(root, reflect.TypeFor[Config](), "the config")
	if len(shape.errs) > 0 {
		return nil, errors.Join(shape.errs...)
	}
	key, list := cfgKeyValue(root, "providers")
	if key == nil {
		return nil, errors.New(`the config has no providers: list; start the file with "providers:" and one "- name: ..." entry per provider`)
	}
	if list = cfgDeref(list); cfgIsNull(list) {
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
	items := cfgDeref(list).Content
	if len(items) != len(cfg.Providers) { // cannot happen after the shape check
		items = nil
	}
	var errs []error
	firstLine := map[string]int{}
	for i := range cfg.Providers {
		p := &cfg.Providers[i]
		cfgNormalize(p)
		node, line := list, list.Line
		if items != nil {
			node, line = cfgDeref(items[i]), items[i].Line
		}
		if sep := cfgValue(node, "scope_separator"); sep != nil && sep.Value == "" && !cfgIsNull(sep) {
			errs = append(errs, fmt.Errorf("line %d: %s: scope_separator is empty; leave it out for the default (a space)", sep.Line, cfgProviderLabel(p.Name)))
		}
		if err := p.Validate(); err != nil {
			for _, e := range cfgUnjoin(err) {
				errs = append(errs, fmt.Errorf("line %d: %w", cfgProblemLine(node, e), e))
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
		c := p.cfgClone()
		if !withSecrets {
			c.ClientSecret = ""
		}
		cfg.Providers[i] = c
	}
	// The node tree is built here rather than by yaml.Node.Encode, which
	// emits and re-parses text and fails on strings such as "\ta\nb".
	root := cfgToNode(reflect.ValueOf(cfg))
	cfgFlowStyle(root, 0)
	if !withSecrets {
		cfgNoteDroppedSecrets(root, ps)
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
		errs = append(errs, &cfgProblem{provider: p.Name, field: field, index: index, msg: fmt.Sprintf(format, args...)})
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
		add("token_url", -1, "token_url is not set; add it, or a preset that derives it from issuer (%s)", cfgDerivingPresets())
	case eff.TokenURL == "":
		add("token_url", -1, "token_url is not set")
	case p.TokenURL == "":
		if problem := cfgCheckURL(eff.TokenURL, eff.InsecureHTTP); problem != "" {
			add("issuer", -1, "the token URL %q (issuer + the %s preset's path) %s", eff.TokenURL, pre.Name, problem)
		}
	default:
		if problem := cfgCheckURL(eff.TokenURL, eff.InsecureHTTP); problem != "" {
			add("token_url", -1, "token_url %q %s", eff.TokenURL, problem)
		}
	}
	if p.Issuer != "" && !cfgAbsoluteHTTP(p.Issuer) {
		add("issuer", -1, "issuer %q is not an absolute http(s) URL", p.Issuer)
	}

	for _, u := range []struct{ key, value string }{
		{"jwks_uri", p.JWKSURI}, {"introspection_url", p.IntrospectURL}, {"revocation_url", p.RevokeURL},
	} {
		if u.value == "" {
			continue
		}
		if problem := cfgCheckURL(u.value, p.InsecureHTTP); problem != "" {
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
		errs = append(errs, p.cfgKeyProblems(eff)...)
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
	errs = append(errs, p.cfgEndpointProblems()...)
	errs = append(errs, p.cfgTextProblems()...)
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

// cfgEndpointProblems checks the saved test-call endpoints.
func (p Provider) cfgEndpointProblems() []error {
	var errs []error
	first := map[string]int{}
	for i, e := range p.Endpoints {
		add := func(format string, args ...any) {
			errs = append(errs, &cfgProblem{provider: p.Name, field: "endpoints", index: i, msg: fmt.Sprintf(format, args...)})
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
		case !cfgAbsoluteHTTP(e.URL):
			add("%s: url %q is not an absolute http(s) URL", label, e.URL)
		default:
			// A test-call carries the bearer token: token_url's rule.
			if problem := cfgCheckURL(e.URL, p.InsecureHTTP); problem != "" {
				add("%s: url %q %s", label, e.URL, problem)
			}
		}
		if e.Method != "" && !cfgIsToken(e.Method) {
			add("%s: method %q is not a valid HTTP method", label, e.Method)
		}
		for _, k := range slices.Sorted(maps.Keys(e.Headers)) {
			// A line break or NUL in a value is refused with every other
			// control character, by cfgTextProblems.
			if !cfgIsToken(k) {
				add("%s: header name %q is not valid", label, k)
			}
		}
	}
	return errs
}

// cfgProblem is one thing wrong with a provider. field (and index, for an
// entry of a list, or key, for an entry of a mapping) lets LoadConfig
// point at the line it came from.
type cfgProblem struct {
	provider string
	field    string
	index    int
	key      string
	msg      string
	err      error
}

func (e *cfgProblem) Error() string {
	s := cfgProviderLabel(e.provider) + ": " + e.msg
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

func (e *cfgProblem) Unwrap() error { return e.err }

// cfgProviderLabel names a provider in a message.
func cfgProviderLabel(name string) string {
	if name == "" {
		return "provider (no name)"
	}
	return fmt.Sprintf("provider %q", name)
}

// cfgProblemLine is the line of the key a problem is about, else the
// provider's own line.
func cfgProblemLine(provider *yaml.Node, err error) int {
	var pr *cfgProblem
	if errors.As(err, &pr) && pr.field != "" {
		if k, v := cfgKeyValue(provider, pr.field); k != nil {
			if v = cfgDeref(v); pr.index >= 0 && v.Kind == yaml.SequenceNode && pr.index < len(v.Content) {
				return v.Content[pr.index].Line
			}
			if ek, _ := cfgKeyValue(v, pr.key); pr.key != "" && ek != nil {
				return ek.Line
			}
			return k.Line
		}
	}
	return provider.Line
}

func cfgUnjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// cfgCheckURL describes what is wrong with a token URL ("" when nothing).
func cfgCheckURL(raw string, insecureHTTP bool) string {
	if !cfgAbsoluteHTTP(raw) {
		return "is not an absolute http(s) URL"
	}
	u, _ := url.Parse(raw)
	if u.Scheme == "http" && !insecureHTTP && !IsLoopback(u.Hostname()) {
		return "uses plain http to a host that is not loopback; use https, or set insecure_http: true"
	}
	return ""
}

func cfgAbsoluteHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http")
}

// cfgIsToken reports whether s is an RFC 9110 token (a method or header name).
func cfgIsToken(s string) bool {
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

// cfgNormalize turns empty lists, maps and mappings into nil, so a provider
// compares equal to itself after a round trip through the file.
func cfgNormalize(p *Provider) {
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

// cfgClone is a deep copy of p.
func (p Provider) cfgClone() Provider {
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

// cfgParse reads the one YAML document of a config and returns its root.
func cfgParse(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New(`the config is empty; it needs a providers: list`)
		}
		return nil, cfgYAMLError{err}
	}
	for {
		var more yaml.Node
		err := dec.Decode(&more)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, cfgYAMLError{err}
		}
		if r := cfgRoot(&more); !cfgIsNull(r) {
			return nil, fmt.Errorf("line %d: the file holds a second YAML document (after ---); put every provider under one providers: list", r.Line)
		}
	}
	root := cfgRoot(&doc)
	switch {
	case cfgIsNull(root):
		return nil, errors.New(`the config is empty; it needs a providers: list`)
	case root.Kind == yaml.SequenceNode:
		return nil, fmt.Errorf(`line %d: the config starts with a list; put "providers:" on the line before it`, root.Line)
	case root.Kind != yaml.MappingNode:
		return nil, fmt.Errorf(`line %d: the config must be a mapping that starts with "providers:"`, root.Line)
	}
	return root, nil
}

func cfgRoot(doc *yaml.Node) *yaml.Node {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return cfgDeref(doc.Content[0])
	}
	return doc
}

// cfgYAMLError is a syntax error from the YAML parser, worded for a user.
type cfgYAMLError struct{ err error }

func (e cfgYAMLError) Error() string {
	return "the config is not valid YAML: " + strings.TrimPrefix(e.err.Error(), "yaml: ")
}

func (e cfgYAMLError) Unwrap() error { return e.err }

// cfgIsNull reports whether n is empty or an explicit null (~, null).
func cfgIsNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// cfgDeref follows an alias to its anchor.
func cfgDeref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// cfgKeyValue finds key in mapping n (following an alias).
func cfgKeyValue(n *yaml.Node, key string) (k, v *yaml.Node) {
	n = cfgDeref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

// cfgValue is the value of key in mapping n, nil when absent.
func cfgValue(n *yaml.Node, key string) *yaml.Node {
	_, v := cfgKeyValue(n, key)
	return cfgDeref(v)
}

// cfgExpandEnv replaces ${VAR} in every string value (never in keys).
func cfgExpandEnv(root *yaml.Node, lookupEnv func(string) (string, bool)) error {
	var errs []error
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c)
			}
		case yaml.MappingNode:
			for i := 1; i < len(n.Content); i += 2 {
				walk(n.Content[i])
			}
		case yaml.ScalarNode:
			if n.ShortTag() != "!!str" || !strings.Contains(n.Value, "${") {
				return
			}
			v, missing, substituted := cfgExpand(n.Value, lookupEnv)
			for _, name := range missing {
				errs = append(errs, fmt.Errorf("line %d: ${%s} is not set", n.Line, name))
			}
			n.Value = v
			// A value with a variable in it takes the type of what it
			// expands to, so limit: "${LIMIT}" can be a number (a string
			// field keeps the text either way). An explicit tag stays, and
			// so does !!str for an empty value, lest it read as null.
			if substituted && n.Style&yaml.TaggedStyle == 0 && !cfgIsNull(&yaml.Node{Kind: yaml.ScalarNode, Value: v}) {
				n.Tag, n.Style = "", 0
			}
		}
	}
	walk(root)
	return errors.Join(errs...)
}

// cfgExpand expands ${NAME} in s and turns $${ into ${. Anything else,
// including a lone $, $$ and ${ not closed by a valid name and }, stays.
func cfgExpand(s string, lookupEnv func(string) (string, bool)) (out string, missing []string, substituted bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "$${"):
			b.WriteString("${")
			i += 3
			continue
		case strings.HasPrefix(rest, "${"):
			if end := strings.IndexByte(rest, '}'); end > 2 && cfgEnvName(rest[2:end]) {
				name := rest[2:end]
				if v, ok := lookupEnv(name); ok {
					b.WriteString(v)
				} else if !slices.Contains(missing, name) {
					missing = append(missing, name)
				}
				substituted = true
				i += end + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), missing, substituted
}

func cfgEnvName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return s != ""
}

// cfgToNode builds the YAML node of a config value as yaml.v3 would
// (yaml tags, omitempty, TextMarshaler), choosing styles that read back
// exactly: ${ in a string value is written $${ (the inverse of the
// expansion), invalid UTF-8 goes as !!binary, and a multi-line string that
// starts with white space is double-quoted (yaml.v3 mangles it as a block).
func cfgToNode(v reflect.Value) *yaml.Node {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
		}
		v = v.Elem()
	}
	if tm, ok := v.Interface().(encoding.TextMarshaler); ok {
		if text, err := tm.MarshalText(); err == nil {
			return cfgStringNode(string(text), false)
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			if strings.Contains(opts, "omitempty") && cfgEmpty(v.Field(i)) {
				continue
			}
			n.Content = append(n.Content, cfgStringNode(name, true), cfgToNode(v.Field(i)))
		}
		return n
	case reflect.Map:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			n.Content = append(n.Content, cfgStringNode(k.String(), true), cfgToNode(v.MapIndex(k)))
		}
		return n
	case reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for i := range v.Len() {
			n.Content = append(n.Content, cfgToNode(v.Index(i)))
		}
		return n
	case reflect.String:
		return cfgStringNode(v.String(), false)
	case reflect.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v.Bool())}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int(), 10)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprint(v.Interface())}
}

// cfgStringNode is a string scalar; a key is written as it is, a value
// with ${ escaped.
func cfgStringNode(s string, key bool) *yaml.Node {
	if !utf8.ValidString(s) {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!binary", Value: base64.StdEncoding.EncodeToString([]byte(s))}
	}
	if !key {
		s = strings.ReplaceAll(s, "${", "$${")
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case strings.Contains(s, "\n") && strings.ContainsAny(s[:1], " \t\r\n"):
		n.Style = yaml.DoubleQuotedStyle
	case slices.Contains([]string{"y", "yes", "on", "n", "no", "off"}, strings.ToLower(s)):
		n.Style = yaml.DoubleQuotedStyle // a YAML 1.1 boolean to other readers
	}
	return n
}

// cfgEmpty is yaml.v3's idea of an empty value, for omitempty.
func cfgEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.String:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return true
		}
	}
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		return z.IsZero()
	}
	return v.IsZero()
}

// cfgFlowStyle writes short lists and mappings inside a provider on one
// line ({limit: 1000, per: month}); depth 3 is a provider's field values.
func cfgFlowStyle(n *yaml.Node, depth int) (width int, flat bool) {
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			cfgFlowStyle(c, depth)
		}
		return 0, false
	}
	if n.Kind == yaml.ScalarNode {
		return len(n.Value) + 2, !strings.ContainsAny(n.Value, "\n\r") && len(n.Value) < 60
	}
	width, flat = 2, true
	for _, c := range n.Content {
		w, f := cfgFlowStyle(c, depth+1)
		width += w + 2
		flat = flat && f
	}
	if flat && depth >= 3 && width <= 80 {
		n.Style = yaml.FlowStyle
		return width, true
	}
	return width, false
}

// cfgNoteDroppedSecrets comments the providers whose secret was left out.
func cfgNoteDroppedSecrets(root *yaml.Node, ps []Provider) {
	list := cfgValue(cfgRoot(root), "providers")
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) != len(ps) {
		return
	}
	for i, p := range ps {
		if p.ClientSecret == "" {
			continue
		}
		if _, v := cfgKeyValue(list.Content[i], "client_id"); v != nil {
			v.LineComment = "# client_secret left out; add it, or client_secret_ref"
		}
	}
}

// cfgShape checks the node tree against the Go types it will decode into:
// known keys (from the yaml tags), no key twice, the right kind of value,
// valid durations and whole numbers. Every problem names its line.
type cfgShape struct {
	errs []error
	seen map[cfgVisit]bool
}

type cfgVisit struct {
	n *yaml.Node
	t reflect.Type
}

func (c *cfgShape) fail(line int, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("line %d: "+format, append([]any{line}, args...)...))
}

func (c *cfgShape) check(n *yaml.Node, t reflect.Type, label string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		if n = n.Alias; n == nil {
			return
		}
	}
	if n.Anchor != "" { // check an anchored node once, however often it is used
		if c.seen[cfgVisit{n, t}] {
			return
		}
		c.seen[cfgVisit{n, t}] = true
	}
	if cfgIsNull(n) {
		return
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		if n.Kind != yaml.ScalarNode {
			c.fail(n.Line, "%s must be a single value, not a %s", label, cfgKindName(n))
			return
		}
		v := reflect.New(t).Interface().(encoding.TextUnmarshaler)
		if err := v.UnmarshalText([]byte(n.Value)); err != nil {
			c.errs = append(c.errs, fmt.Errorf("line %d: %s: %w", n.Line, label, err))
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		c.mapping(n, t, label)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			c.fail(n.Line, "%s must be a mapping (key: value), not a %s", label, cfgKindName(n))
			return
		}
		first := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				c.fail(k.Line, "a key in %s must be a plain name", label)
				continue
			}
			if line, dup := first[k.Value]; dup {
				c.fail(k.Line, "%q is set twice in %s (first at line %d)", k.Value, label, line)
				continue
			}
			first[k.Value] = k.Line
			c.check(v, t.Elem(), label+"."+k.Value)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			c.fail(n.Line, "%s must be a list (- item, or [a, b]), not a %s", label, cfgKindName(n))
			return
		}
		elem := t.Elem()
		for elem.Kind() == reflect.Pointer {
			elem = elem.Elem()
		}
		for _, item := range n.Content {
			if elem.Kind() == reflect.Struct && cfgIsNull(cfgDeref(item)) {
				c.fail(item.Line, "an entry of %s is empty", label)
				continue
			}
			c.check(item, t.Elem(), "an entry of "+label)
		}
	default:
		if n.Kind != yaml.ScalarNode {
			c.fail(n.Line, "%s must be a single value, not a %s", label, cfgKindName(n))
			return
		}
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			v := reflect.New(t)
			if n.ShortTag() != "!!int" || n.Decode(v.Interface()) != nil {
				c.fail(n.Line, "%s must be a whole number, not %q", label, n.Value)
			}
		case reflect.Bool:
			v := reflect.New(t)
			if n.Decode(v.Interface()) != nil {
				c.fail(n.Line, "%s must be true or false, not %q", label, n.Value)
			}
		}
	}
}

func (c *cfgShape) mapping(n *yaml.Node, t reflect.Type, label string) {
	if n.Kind != yaml.MappingNode {
		c.fail(n.Line, "%s must be a mapping (key: value), not a %s", label, cfgKindName(n))
		return
	}
	names, fields := cfgFields(t)
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			c.fail(k.Line, "a key %s must be a plain name", cfgWhere(t))
			continue
		}
		if k.Value == "<<" && k.ShortTag() == "!!merge" {
			c.merge(v, t, label)
			continue
		}
		if line, dup := first[k.Value]; dup {
			c.fail(k.Line, "%q is set twice %s (first at line %d)", k.Value, cfgWhere(t), line)
			continue
		}
		first[k.Value] = k.Line
		f, ok := fields[k.Value]
		if !ok {
			msg := fmt.Sprintf("unknown key %q %s", k.Value, cfgWhere(t))
			if s := cfgSuggest(k.Value, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else if len(names) <= 6 {
				msg += " (known keys: " + strings.Join(names, ", ") + ")"
			}
			c.fail(k.Line, "%s", msg)
			continue
		}
		c.check(v, f.Type, k.Value)
	}
}

// merge checks the value of a << merge key: a mapping, or a list of them.
func (c *cfgShape) merge(v *yaml.Node, t reflect.Type, label string) {
	if d := cfgDeref(v); d != nil && d.Kind == yaml.SequenceNode {
		for _, item := range d.Content {
			c.check(item, t, label)
		}
		return
	}
	c.check(v, t, label)
}

// cfgWhere says where a key of type t sits, for messages.
func cfgWhere(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[Config]():
		return "at the top level"
	case reflect.TypeFor[ResponseMapping]():
		return "in response"
	}
	return "in " + strings.ToLower(t.Name())
}

// cfgFields lists the YAML keys of struct type t in field order.
func cfgFields(t reflect.Type) ([]string, map[string]reflect.StructField) {
	var names []string
	fields := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		names = append(names, name)
		fields[name] = f
	}
	return names, fields
}

func cfgKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return "single value"
}

// cfgSuggest picks the known key a mistyped one most likely meant, or "".
// Case, "_" and "-" are ignored ("clientId" suggests "client_id").
func cfgSuggest(got string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
	}
	g := norm(got)
	if g == "" || len(g) > 64 {
		return ""
	}
	best, bestDist := "", 0
	for _, k := range known {
		nk := norm(k)
		d := cfgEditDistance(g, nk)
		if d > max(1, len(nk)/3) {
			continue
		}
		if best == "" || d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" || len(g) < 3 {
		return best
	}
	for _, k := range known { // "secret" → "client_secret"
		if strings.Contains(norm(k), g) && (best == "" || len(k) < len(best)) {
			best = k
		}
	}
	return best
}

// cfgEditDistance is the optimal string alignment distance between a and
// b: insertions, deletions, substitutions and swaps of neighbours each cost 1.
func cfgEditDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
