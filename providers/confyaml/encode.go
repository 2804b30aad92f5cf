package confyaml

import (
	"encoding"
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// ToNode builds the YAML node of a config value as yaml.v3 would
// (yaml tags, omitempty, TextMarshaler), choosing styles that read back
// exactly: ${ in a string value is written $${ (the inverse of the
// expansion), invalid UTF-8 goes as !!binary, and a multi-line string that
// starts with white space is double-quoted (yaml.v3 mangles it as a block).
func ToNode(v reflect.Value) *yaml.Node {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
		}
		v = v.Elem()
	}
	if tm, ok := v.Interface().(encoding.TextMarshaler); ok {
		if text, err := tm.MarshalText(); err == nil {
			return stringNode(string(text), false)
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
			if strings.Contains(opts, "omitempty") && empty(v.Field(i)) {
				continue
			}
			n.Content = append(n.Content, stringNode(name, true), ToNode(v.Field(i)))
		}
		return n
	case reflect.Map:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			n.Content = append(n.Content, stringNode(k.String(), true), ToNode(v.MapIndex(k)))
		}
		return n
	case reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for i := range v.Len() {
			n.Content = append(n.Content, ToNode(v.Index(i)))
		}
		return n
	case reflect.String:
		return stringNode(v.String(), false)
	case reflect.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v.Bool())}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int(), 10)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprint(v.Interface())}
}

// stringNode is a string scalar; a key is written as it is, a value
// with ${ escaped.
func stringNode(s string, key bool) *yaml.Node {
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

// empty is yaml.v3's idea of an empty value, for omitempty.
func empty(v reflect.Value) bool {
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

// FlowStyle writes short lists and mappings inside a provider on one
// line ({limit: 1000, per: month}); depth 3 is a provider's field values.
func FlowStyle(n *yaml.Node, depth int) (width int, flat bool) {
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			FlowStyle(c, depth)
		}
		return 0, false
	}
	if n.Kind == yaml.ScalarNode {
		return len(n.Value) + 2, !strings.ContainsAny(n.Value, "\n\r") && len(n.Value) < 60
	}
	width, flat = 2, true
	for _, c := range n.Content {
		w, f := FlowStyle(c, depth+1)
		width += w + 2
		flat = flat && f
	}
	if flat && depth >= 3 && width <= 80 {
		n.Style = yaml.FlowStyle
		return width, true
	}
	return width, false
}
