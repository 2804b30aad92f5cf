package confyaml

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ExpandEnv replaces ${VAR} in every string value (never in keys).
func ExpandEnv(root *yaml.Node, lookupEnv func(string) (string, bool)) error {
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
			v, missing, substituted := expand(n.Value, lookupEnv)
			for _, name := range missing {
				errs = append(errs, fmt.Errorf("line %d: ${%s} is not set", n.Line, name))
			}
			n.Value = v
			// A value with a variable in it takes the type of what it
			// expands to, so limit: "${LIMIT}" can be a number (a string
			// field keeps the text either way). An explicit tag stays, and
			// so does !!str for an empty value, lest it read as null.
			if substituted && n.Style&yaml.TaggedStyle == 0 && !IsNull(&yaml.Node{Kind: yaml.ScalarNode, Value: v}) {
				n.Tag, n.Style = "", 0
			}
		}
	}
	walk(root)
	return errors.Join(errs...)
}

// expand expands ${NAME} in s and turns $${ into ${. Anything else,
// including a lone $, $$ and ${ not closed by a valid name and }, stays.
func expand(s string, lookupEnv func(string) (string, bool)) (out string, missing []string, substituted bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "$${"):
			b.WriteString("${")
			i += 3
			continue
		case strings.HasPrefix(rest, "${"):
			if end := strings.IndexByte(rest, '}'); end > 2 && envName(rest[2:end]) {
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

func envName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return s != ""
}
