package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"

	"gopkg.in/yaml.v3"

	"github.com/tokentop/tokentop/providers/confyaml"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/theme"
)

// maxFileSize bounds a config, theme or state file read.
const maxFileSize = 1 << 20

// File is the dashboard's config file as read. A field not set in the
// file is its zero value (nil for the switches), so the dashboard keeps
// its default.
type File struct {
	// Theme is a built-in theme's name, or a palette file's path (relative
	// to the config file's directory).
	Theme string `yaml:"theme"`
	// Mouse turns the mouse on or off (on by default).
	Mouse *bool `yaml:"mouse"`
	// AutoRefresh is the auto-refresh default for every provider.
	AutoRefresh *bool `yaml:"auto_refresh"`
	// Keys rebinds actions: an action's name and its keys (one, or a
	// list), which replace its default keys.
	Keys map[string][]string `yaml:"keys"`
	// Columns are the table's columns, in order.
	Columns []string `yaml:"columns"`
	// Envs style the rows of an environment.
	Envs map[string]Env `yaml:"envs"`
	// Sort is the order the table starts in (the state file's, when
	// there is one, wins).
	Sort Sort `yaml:"sort"`
	// Filter is the filter the table starts with (the state file's, when
	// there is one, wins).
	Filter string `yaml:"filter"`

	// Palette is Theme resolved: a built-in or the file's palette; its
	// Name is empty when the file names no theme.
	Palette theme.Palette `yaml:"-"`

	path   string
	lines  map[string]int
	loaded bool
}

// Env is how the rows of one environment look.
type Env struct {
	// Color is the rows' colour: a name (red, bright-red …), a number
	// from 0 to 255, or #RRGGBB.
	Color string `yaml:"color"`
}

// Sort is an order: a column's name and its direction.
type Sort struct {
	Column  string `yaml:"column"`
	Reverse bool   `yaml:"reverse"`
}

// Path is the file read ("" for none).
func (f *File) Path() string {
	if f == nil {
		return ""
	}
	return f.path
}

// At names where a setting sits, for a message: "FILE:LINE" (or FILE
// alone when the line is unknown). where is a dotted path: "theme",
// "keys.refresh", "columns.2", "envs.prod", "sort".
func (f *File) At(where string) string {
	if f == nil {
		return "the config"
	}
	if n := f.lines[where]; n > 0 {
		return fmt.Sprintf("%s:%d", f.path, n)
	}
	return f.path
}

// Load reads the config file at path. A missing file is no error when
// optional (the default place): the result is an empty File. Every
// problem found is reported, each as FILE:LINE: what is wrong.
func Load(path string, optional bool) (*File, error) {
	data, err := readBounded(path)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return &File{path: path, lines: map[string]int{}}, nil
		}
		return nil, fmt.Errorf("config %s: %w", safetext.Line(path), err)
	}
	f, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Parse reads a config file's contents; path names it in messages and
// is where a theme file's relative path starts from.
func Parse(path string, data []byte) (*File, error) {
	path = safetext.Line(path)
	f := &File{path: path, lines: map[string]int{}, loaded: true}
	root, err := parseMapping(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if root == nil {
		return f, nil
	}
	scalarToList(confyaml.Value(root, "keys"))
	if _, v := confyaml.KeyValue(root, "sort"); v != nil && v.Kind == yaml.ScalarNode && !confyaml.IsNull(v) {
		val := *v
		*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: v.Line, Column: v.Column, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "column", Line: v.Line}, &val,
		}}
	}
	shape := confyaml.Shape{Where: func(t reflect.Type) string {
		switch t {
		case reflect.TypeFor[File]():
			return "at the top level"
		case reflect.TypeFor[Env]():
			return "in an env"
		}
		return ""
	}}
	if errs := shape.Check(root, reflect.TypeFor[File](), "the config"); len(errs) > 0 {
		return nil, fileErrors(path, errs)
	}
	if err := root.Decode(f); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	f.record(root)
	var errs []error
	for name, e := range f.Envs {
		if _, err := ParseColor(e.Color); err != nil {
			errs = append(errs, fmt.Errorf("%s: envs.%s.color: %w", f.At("envs."+name), safetext.Line(name), err))
		}
	}
	if f.Theme != "" {
		p, err := resolveTheme(f.Theme, filepath.Dir(path))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: theme: %w", f.At("theme"), err))
		}
		f.Palette = p
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return f, nil
}

// Loaded reports whether a file was read (false for a default place with
// no file).
func (f *File) Loaded() bool { return f != nil && f.loaded }
