package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tokentop/tokentop/providers/confyaml"
)

// readBounded reads a file of at most maxFileSize bytes.
func readBounded(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("the file is larger than %d KiB", maxFileSize>>10)
	}
	return data, nil
}

// parseMapping reads one YAML document whose root is a mapping; an empty
// document is nil.
func parseMapping(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxError(err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		if r := confyaml.Root(&more); !confyaml.IsNull(r) {
			return nil, fmt.Errorf("line %d: the file holds a second YAML document (after ---)", r.Line)
		}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(err)
	}
	root := confyaml.Root(&doc)
	switch {
	case confyaml.IsNull(root):
		return nil, nil
	case root.Kind != yaml.MappingNode:
		return nil, fmt.Errorf("line %d: the file must be a mapping (key: value), not a list or a single value", root.Line)
	}
	return root, nil
}

// syntaxError words a YAML parser's error ("yaml: line 3: …").
func syntaxError(err error) error {
	return fmt.Errorf("not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
}

// scalarToList turns each single value of mapping n into a list of one,
// so "refresh: r" reads as "refresh: [r]".
func scalarToList(n *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 1; i < len(n.Content); i += 2 {
		v := n.Content[i]
		if v.Kind == yaml.ScalarNode && !confyaml.IsNull(v) {
			item := *v
			*v = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: v.Line, Column: v.Column, Content: []*yaml.Node{&item}}
		}
	}
}

// record keeps the line of every setting the dashboard checks.
func (f *File) record(root *yaml.Node) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], confyaml.Deref(root.Content[i+1])
		f.lines[k.Value] = k.Line
		switch {
		case v.Kind == yaml.MappingNode:
			for j := 0; j+1 < len(v.Content); j += 2 {
				f.lines[k.Value+"."+v.Content[j].Value] = v.Content[j].Line
			}
		case v.Kind == yaml.SequenceNode:
			for j, item := range v.Content {
				f.lines[k.Value+"."+strconv.Itoa(j)] = item.Line
			}
		}
	}
}

// fileErrors turns the shape check's "line N: …" into "FILE:N: …".
func fileErrors(path string, errs []error) error {
	out := make([]error, len(errs))
	for i, err := range errs {
		msg := err.Error()
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if n, tail, ok := strings.Cut(rest, ": "); ok {
				if _, e := strconv.Atoi(n); e == nil {
					out[i] = fmt.Errorf("%s:%s: %s", path, n, tail)
					continue
				}
			}
		}
		out[i] = fmt.Errorf("%s: %w", path, err)
	}
	return joinErrors(out)
}

// joinErrors joins problems on one line each; the CLI prints errors on
// one line, so they are separated by "; " as well.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}
