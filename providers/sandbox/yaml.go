package sandbox

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ProvidersYAML returns a tokentop providers file with one entry per
// registered client (clients of an unknown style are left out), pointing at
// the sandbox served at baseURL (for example "http://127.0.0.1:8080"). The
// sandbox's fake secrets are written inline; a Broken client gets a wrong
// one.
func (s *Server) ProvidersYAML(baseURL string) string {
	return s.providersDoc(baseURL, false)
}

// DemoProvidersYAML is [Server.ProvidersYAML] with one provider of each
// kind of credential besides client credentials, for `tokentop demo` and
// `tokentop sandbox`: today an API key (grant api_key) due for rotation
// inside its warning.
func (s *Server) DemoProvidersYAML(baseURL string) string {
	return s.providersDoc(baseURL, true)
}

// providersDoc is the providers file, with the other kinds when kinds.
func (s *Server) providersDoc(baseURL string, kinds bool) string {
	base := strings.TrimRight(baseURL, "/")
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, c := range s.Clients() {
		if entry, ok := providerNode(c, s.clientBase(c, base)); ok {
			list.Content = append(list.Content, entry)
		}
	}
	if kinds && base != "" {
		list.Content = append(list.Content, s.apiKeyNode(base))
	}
	doc := &yaml.Node{
		Kind:        yaml.DocumentNode,
		HeadComment: "tokentop sandbox providers: fake credentials for the embedded sandbox server, not real secrets.",
		Content:     []*yaml.Node{mapping("providers", list)},
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		// Encoding a tree of plain strings cannot fail; say so if it does.
		return fmt.Sprintf("# sandbox: encode providers YAML: %v\n", err)
	}
	_ = enc.Close()
	return buf.String()
}

// providerNode is one client's providers entry, keys in the contract order.
func providerNode(c Client, base string) (*yaml.Node, bool) {
	info, ok := styleInfo(c.Style)
	if !ok {
		return nil, false
	}
	secret := c.ClientSecret
	if c.Broken {
		secret = staleSecret(secret)
	}
	auth := c.AuthStyle
	if auth == "" {
		auth = info.authStyle
	}
	scopes := c.RequestScopes
	if scopes == nil {
		scopes = c.Scopes
	}
	if base == "" || !keyFilesSet(c) {
		return nil, false
	}
	kv := []any{
		"name", str(c.Name),
		"env", str("sandbox"),
		"preset", str(info.preset),
		"token_url", str(base + info.path),
		"issuer", str(base + styleIssuerPath(c.Style)),
		"client_id", str(c.ClientID),
	}
	switch {
	case c.Style == StyleUser:
		kv = append(kv, userNodes(c, base)...)
	case c.Grant != "":
		kv = append(kv, "grant", str(c.Grant))
	}
	if !isKeyStyle(c.Style) && secret != "" {
		kv = append(kv, "client_secret", str(secret))
	}
	if secret != "" || c.Grant != GrantDevice {
		kv = append(kv, "auth_style", str(auth))
	}
	if c.RawBasic {
		kv = append(kv, "basic_encoding", str("raw"))
	}
	kv = append(kv, keyFileNodes(c)...)
	if len(scopes) > 0 {
		kv = append(kv, "scopes", flowSeq(scopes...))
	}
	switch c.Style {
	case StyleAuth0:
		kv = append(kv, "audience", str(c.Audience))
		if c.MonthlyQuota > 0 {
			q := mapping("limit", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(c.MonthlyQuota)},
				"per", str("month"))
			q.Style = yaml.FlowStyle
			kv = append(kv, "quota", q)
		}
	case StyleANTS:
		r := mapping("access_token", str("accessToken"), "expires_at", str("accessTokenExpiresAt"))
		r.Style = yaml.FlowStyle
		kv = append(kv, "scope_separator", str(","), "response", r)
	}
	ep := mapping("name", str("items"), "method", str("GET"), "url", str(base+"/api/v1/items"))
	ep.Style = yaml.FlowStyle
	kv = append(kv, "endpoints", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{ep}})
	return mapping(kv...), true
}

// str is a string scalar. The encoder quotes it when YAML 1.2 requires; it
// is double-quoted as well when a YAML 1.1 reader would take it for a bool,
// null, number, time or date ("yes", "off", "1_000", "1:20").
func str(v string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	if yaml11NonString(v) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// yaml11NonString reports whether a plain scalar v might not be read back as
// a string by a YAML 1.1 parser.
func yaml11NonString(v string) bool {
	switch strings.ToLower(v) {
	case "y", "yes", "n", "no", "on", "off", "true", "false", "null", "~", "":
		return true
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return true
	}
	return strings.Trim(v, "0123456789_:.+-eE") == ""
}

// flowSeq is a [a, b] sequence of strings.
func flowSeq(vs ...string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, v := range vs {
		n.Content = append(n.Content, str(v))
	}
	return n
}

// mapping builds a mapping from alternating keys (string) and values
// (*yaml.Node), keeping their order.
func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Content = append(n.Content, str(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return n
}

// staleSecret is a plausible but wrong secret derived from secret: its two
// halves swapped, or a suffix when that changes nothing.
func staleSecret(secret string) string {
	h := len(secret) / 2
	if stale := secret[h:] + secret[:h]; stale != secret {
		return stale
	}
	return secret + "-stale"
}
