package settings

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"gopkg.in/yaml.v3"

	"github.com/tokentop/tokentop/providers/confyaml"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/theme"
)

// themeFile is a palette file: a base theme and the colours it changes.
// Each colour is one value for every terminal, or {light: …, dark: …}.
type themeFile struct {
	Base      string     `yaml:"base"`
	Text      themeColor `yaml:"text"`
	Muted     themeColor `yaml:"muted"`
	Accent    themeColor `yaml:"accent"`
	Highlight themeColor `yaml:"highlight"`
	OK        themeColor `yaml:"ok"`
	Warn      themeColor `yaml:"warn"`
	Bad       themeColor `yaml:"bad"`
	Info      themeColor `yaml:"info"`
	Border    themeColor `yaml:"border"`
}

type themeColor struct {
	Light string `yaml:"light"`
	Dark  string `yaml:"dark"`
}

// isThemeFile says whether a theme setting is a file's path rather than
// a built-in theme's name.
func isThemeFile(s string) bool {
	return strings.ContainsAny(s, `/\`) || strings.HasSuffix(s, ".yaml") || strings.HasSuffix(s, ".yml")
}

// ResolveTheme is the palette a --theme flag or theme: setting names: a
// built-in theme, or a palette file (relative to dir).
func ResolveTheme(s, dir string) (theme.Palette, error) { return resolveTheme(s, dir) }

func resolveTheme(s, dir string) (theme.Palette, error) {
	if !isThemeFile(s) {
		return theme.Lookup(s)
	}
	path := s
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	return LoadTheme(path)
}

// LoadTheme reads a palette file: base (a built-in theme, the default
// one when absent) and any of text, muted, accent, highlight, ok, warn,
// bad, info and border. Its name is the file's name without .yaml.
func LoadTheme(path string) (theme.Palette, error) {
	data, err := readBounded(path)
	if err != nil {
		return theme.Palette{}, fmt.Errorf("theme file %s: %w", safetext.Line(path), err)
	}
	return parseTheme(safetext.Line(path), data)
}

func parseTheme(path string, data []byte) (theme.Palette, error) {
	root, err := parseMapping(data)
	if err != nil {
		return theme.Palette{}, fmt.Errorf("theme file %s: %w", path, err)
	}
	var tf themeFile
	if root != nil {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "base" {
				sameEverywhere(root.Content[i+1])
			}
		}
		shape := confyaml.Shape{Where: func(t reflect.Type) string {
			if t == reflect.TypeFor[themeFile]() {
				return "in a theme file"
			}
			return "in a colour"
		}}
		if errs := shape.Check(root, reflect.TypeFor[themeFile](), "the theme"); len(errs) > 0 {
			return theme.Palette{}, fileErrors(path, errs)
		}
		if err := root.Decode(&tf); err != nil {
			return theme.Palette{}, fmt.Errorf("theme file %s: %w", path, err)
		}
	}
	p, err := theme.Lookup(tf.Base)
	if err != nil {
		return p, fmt.Errorf("theme file %s: base: %w", path, err)
	}
	p.Name = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".yaml"), ".yml")
	var errs []error
	set := func(dst *lipgloss.AdaptiveColor, c themeColor, name string) {
		for _, v := range []struct {
			s   string
			dst *string
		}{{c.Light, &dst.Light}, {c.Dark, &dst.Dark}} {
			if v.s == "" {
				continue
			}
			col, err := ParseColor(v.s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: %s: %w", path, lineOf(root, name), name, err))
				continue
			}
			*v.dst = string(col)
		}
	}
	set(&p.Text, tf.Text, "text")
	set(&p.Muted, tf.Muted, "muted")
	set(&p.Accent, tf.Accent, "accent")
	set(&p.Highlight, tf.Highlight, "highlight")
	set(&p.OK, tf.OK, "ok")
	set(&p.Warn, tf.Warn, "warn")
	set(&p.Bad, tf.Bad, "bad")
	set(&p.Info, tf.Info, "info")
	set(&p.Border, tf.Border, "border")
	if len(errs) > 0 {
		return p, joinErrors(errs)
	}
	return p, nil
}

// sameEverywhere turns a colour given as one value into {light: v, dark: v}.
func sameEverywhere(v *yaml.Node) {
	if v.Kind != yaml.ScalarNode || confyaml.IsNull(v) {
		return
	}
	if v.Tag == "!!str" || v.Tag == "!!int" || v.Tag == "" {
		light, dark := *v, *v
		light.Tag, dark.Tag = "!!str", "!!str"
		*v = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: v.Line, Column: v.Column, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "light", Line: v.Line}, &light,
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "dark", Line: v.Line}, &dark,
		}}
	}
}

// lineOf is the line of key in mapping root (0 when absent).
func lineOf(root *yaml.Node, key string) int {
	if k, _ := confyaml.KeyValue(root, key); k != nil {
		return k.Line
	}
	return 0
}
