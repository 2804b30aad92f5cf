package confyaml

import (
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/tokentop/tokentop/providers/suggest"
	"gopkg.in/yaml.v3"
)

// Shape checks a node tree against the Go types it will decode into:
// known keys (from the yaml tags), no key twice, the right kind of value,
// valid durations and whole numbers. Every problem names its line.
type Shape struct {
	// Where says where a key of struct type t sits, for messages ("at the
	// top level", "in provider"); nil means "in " and the type's name in
	// lower case.
	Where func(t reflect.Type) string
	// Known lists the keys a mapping of struct type t may hold; nil, or a
	// nil answer, means every yaml tag of t. A key must also be a yaml tag
	// of t, for its value's type.
	Known func(t reflect.Type) []string

	errs []error
	seen map[visit]bool
}

// Check checks the node n against type t (label names it in messages)
// and returns every problem found, each with its line.
func (c *Shape) Check(n *yaml.Node, t reflect.Type, label string) []error {
	c.errs, c.seen = nil, map[visit]bool{}
	c.check(n, t, label)
	return c.errs
}

type visit struct {
	n *yaml.Node
	t reflect.Type
}

func (c *Shape) fail(line int, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("line %d: "+format, append([]any{line}, args...)...))
}

func (c *Shape) check(n *yaml.Node, t reflect.Type, label string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		if n = n.Alias; n == nil {
			return
		}
	}
	if n.Anchor != "" { // check an anchored node once, however often it is used
		if c.seen[visit{n, t}] {
			return
		}
		c.seen[visit{n, t}] = true
	}
	if IsNull(n) {
		return
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		if n.Kind != yaml.ScalarNode {
			c.fail(n.Line, "%s must be a single value, not a %s", label, kindName(n))
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
		c.mapOf(n, t, label)
	case reflect.Slice:
		c.list(n, t, label)
	default:
		if n.Kind != yaml.ScalarNode {
			c.fail(n.Line, "%s must be a single value, not a %s", label, kindName(n))
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

func (c *Shape) mapping(n *yaml.Node, t reflect.Type, label string) {
	if n.Kind != yaml.MappingNode {
		c.fail(n.Line, "%s must be a mapping (key: value), not a %s", label, kindName(n))
		return
	}
	names, fields := c.fields(t)
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			c.fail(k.Line, "a key %s must be a plain name", c.where(t))
			continue
		}
		if k.Value == "<<" && k.ShortTag() == "!!merge" {
			c.merge(v, t, label)
			continue
		}
		if line, dup := first[k.Value]; dup {
			c.fail(k.Line, "%q is set twice %s (first at line %d)", k.Value, c.where(t), line)
			continue
		}
		first[k.Value] = k.Line
		f, ok := fields[k.Value]
		if !ok {
			msg := fmt.Sprintf("unknown key %q %s", k.Value, c.where(t))
			if s := suggest.Closest(k.Value, names); s != "" {
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
func (c *Shape) merge(v *yaml.Node, t reflect.Type, label string) {
	if d := Deref(v); d != nil && d.Kind == yaml.SequenceNode {
		for _, item := range d.Content {
			c.check(item, t, label)
		}
		return
	}
	c.check(v, t, label)
}

// where says where a key of type t sits, for messages.
func (c *Shape) where(t reflect.Type) string {
	if c.Where != nil {
		if w := c.Where(t); w != "" {
			return w
		}
	}
	return "in " + strings.ToLower(t.Name())
}

// fields lists the YAML keys of struct type t in field order, those that
// Known allows.
func (c *Shape) fields(t reflect.Type) ([]string, map[string]reflect.StructField) {
	names, fields := tagFields(t)
	if c.Known == nil {
		return names, fields
	}
	known := c.Known(t)
	if known == nil {
		return names, fields
	}
	var kept []string
	for _, n := range names {
		if slices.Contains(known, n) {
			kept = append(kept, n)
		} else {
			delete(fields, n)
		}
	}
	return kept, fields
}

// tagFields lists the YAML keys of struct type t in field order.
func tagFields(t reflect.Type) ([]string, map[string]reflect.StructField) {
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

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return "single value"
}

// mapOf checks a mapping of any keys (a Go map).
func (c *Shape) mapOf(n *yaml.Node, t reflect.Type, label string) {
	if n.Kind != yaml.MappingNode {
		c.fail(n.Line, "%s must be a mapping (key: value), not a %s", label, kindName(n))
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
}

// list checks a sequence (a Go slice).
func (c *Shape) list(n *yaml.Node, t reflect.Type, label string) {
	if n.Kind != yaml.SequenceNode {
		c.fail(n.Line, "%s must be a list (- item, or [a, b]), not a %s", label, kindName(n))
		return
	}
	elem := t.Elem()
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	for _, item := range n.Content {
		if elem.Kind() == reflect.Struct && IsNull(Deref(item)) {
			c.fail(item.Line, "an entry of %s is empty", label)
			continue
		}
		c.check(item, t.Elem(), "an entry of "+label)
	}
}
