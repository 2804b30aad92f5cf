package confyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse reads the one YAML document of a config and returns its root.
func Parse(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New(`the config is empty; it needs a providers: list`)
		}
		return nil, SyntaxError{err}
	}
	for {
		var more yaml.Node
		err := dec.Decode(&more)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, SyntaxError{err}
		}
		if r := Root(&more); !IsNull(r) {
			return nil, fmt.Errorf("line %d: the file holds a second YAML document (after ---); put every provider under one providers: list", r.Line)
		}
	}
	root := Root(&doc)
	switch {
	case IsNull(root):
		return nil, errors.New(`the config is empty; it needs a providers: list`)
	case root.Kind == yaml.SequenceNode:
		return nil, fmt.Errorf(`line %d: the config starts with a list; put "providers:" on the line before it`, root.Line)
	case root.Kind != yaml.MappingNode:
		return nil, fmt.Errorf(`line %d: the config must be a mapping that starts with "providers:"`, root.Line)
	}
	return root, nil
}

func Root(doc *yaml.Node) *yaml.Node {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return Deref(doc.Content[0])
	}
	return doc
}

// SyntaxError is a syntax error from the YAML parser, worded for a user.
type SyntaxError struct{ Err error }

func (e SyntaxError) Error() string {
	return "the config is not valid YAML: " + strings.TrimPrefix(e.Err.Error(), "yaml: ")
}

func (e SyntaxError) Unwrap() error { return e.Err }

// IsNull reports whether n is empty or an explicit null (~, null).
func IsNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Deref follows an alias to its anchor.
func Deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// KeyValue finds key in mapping n (following an alias).
func KeyValue(n *yaml.Node, key string) (k, v *yaml.Node) {
	n = Deref(n)
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

// Value is the value of key in mapping n, nil when absent.
func Value(n *yaml.Node, key string) *yaml.Node {
	_, v := KeyValue(n, key)
	return Deref(v)
}
