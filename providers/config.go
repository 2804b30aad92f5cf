package providers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"slices"

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
// written (presets are applied later, by [Provider.Resolve]).
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
	var keys []string
	for _, f := range Fields() {
		keys = append(keys, f.Key)
	}
	return keys
}
