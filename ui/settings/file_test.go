package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// full is the README's example config.
const full = `# ~/.config/tokentop/config.yaml
theme: dracula            # a built-in theme, or a palette file: theme: ./mine.yaml
mouse: true               # false leaves the mouse to the terminal
auto_refresh: false
keys:                     # any action, one key or several
  refresh: [r, ctrl+r]
  copy: y
  quit: [q, Q]
columns: [name, env, status, expires, life, quota, last_call]
envs:
  prod: {color: red}
  staging: {color: "#d7af00"}
sort: {column: expires, reverse: false}
filter: ""
`

func write(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadFullExample(t *testing.T) {
	path := write(t, "config.yaml", full)
	f, err := Load(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if f.Palette.Name != "dracula" || f.Mouse == nil || !*f.Mouse || f.AutoRefresh == nil || *f.AutoRefresh {
		t.Fatalf("theme, mouse, auto_refresh: %+v", f)
	}
	if got := strings.Join(f.Keys["refresh"], ","); got != "r,ctrl+r" {
		t.Fatalf("refresh keys %q", got)
	}
	if got := strings.Join(f.Keys["copy"], ","); got != "y" {
		t.Fatalf("a single key should read as a list of one, got %q", got)
	}
	if len(f.Columns) != 7 || f.Columns[6] != "last_call" || f.Envs["prod"].Color != "red" || f.Sort.Column != "expires" {
		t.Fatalf("columns, envs, sort: %+v", f)
	}
	if got, want := f.At("keys.copy"), path+":7"; got != want {
		t.Fatalf("At(keys.copy) = %q, want %q", got, want)
	}
	if got, want := f.At("columns.1"), path+":9"; got != want {
		t.Fatalf("At(columns.1) = %q, want %q", got, want)
	}
	if !f.Loaded() || f.Path() != path {
		t.Fatal("the file should say it was read, and from where")
	}
}

func TestSortAsAName(t *testing.T) {
	f, err := Parse("c.yaml", []byte("sort: quota\n"))
	if err != nil || f.Sort.Column != "quota" || f.Sort.Reverse {
		t.Fatalf("sort: quota should read as the quota column, ascending: %+v %v", f.Sort, err)
	}
}

func TestMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	f, err := Load(missing, true)
	if err != nil || f.Loaded() || f.Keys != nil {
		t.Fatalf("a missing default config is no error and sets nothing: %+v %v", f, err)
	}
	if _, err := Load(missing, false); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("a missing --config file is an error naming it, got %v", err)
	}
}

func TestEmptyFileIsFine(t *testing.T) {
	for _, text := range []string{"", "# nothing yet\n", "---\n"} {
		if f, err := Parse("c.yaml", []byte(text)); err != nil || f.Keys != nil {
			t.Fatalf("%q: %+v %v", text, f, err)
		}
	}
}

func TestProblemsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"theme: charm\ncolums: [name]\n", `c.yaml:2: unknown key "colums" at the top level (did you mean "columns"?)`},
		{"envs:\n  prod: {colour: red}\n", `c.yaml:2: unknown key "colour" in an env`},
		{"envs:\n  prod:\n    color: blood\n", `c.yaml:2: envs.prod.color: "blood" is not a colour`},
		{"mouse: maybe\n", `c.yaml:1: mouse must be true or false`},
		{"keys:\n  refresh: {a: b}\n", `c.yaml:2: keys.refresh must be a list`},
		{"keys:\n  refresh: [[r]]\n", `c.yaml:2: an entry of keys.refresh must be a single value`},
		{"theme: nope\n", `c.yaml:1: theme: no theme named "nope"`},
		{"theme: charm\n  keys: [\n", `config c.yaml: not valid YAML: line 2`},
		{"- a\n- b\n", `config c.yaml: line 1: the file must be a mapping`},
		{"theme: charm\ntheme: dracula\n", `c.yaml:2: "theme" is set twice at the top level (first at line 1)`},
	} {
		_, err := Parse("c.yaml", []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.text, err, tc.want)
		}
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	_, err := Parse("c.yaml", []byte("colums: [a]\nmouse: 3\nfoo: 1\n"))
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"c.yaml:1:", "c.yaml:2:", "c.yaml:3:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("the problems should be on one line (the CLI prints one): %q", err)
	}
}

func TestHostileTextIsEscaped(t *testing.T) {
	_, err := Parse("c\x1b]52;c;x\x07.yaml", []byte("\"\\e[31mevil\": 1\n"))
	if err == nil {
		t.Fatal("an unknown key should be an error")
	}
	if strings.ContainsAny(err.Error(), "\x1b\x07") {
		t.Fatalf("escape codes reached the message: %q", err)
	}
}

func TestTooLargeFile(t *testing.T) {
	path := write(t, "big.yaml", "filter: "+strings.Repeat("x", maxFileSize)+"\n")
	if _, err := Load(path, false); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("a file over the bound should be refused, got %v", err)
	}
}

func TestParseColor(t *testing.T) {
	for in, want := range map[string]string{"red": "1", "Bright-Red": "9", "gray": "8", "196": "196", "#D7AF00": "#d7af00", "#abc": "#abc"} {
		if c, err := ParseColor(in); err != nil || string(c) != want {
			t.Errorf("%q: %q %v, want %q", in, c, err, want)
		}
	}
	for _, bad := range []string{"", "blood", "256", "-1", "#12345", "#gggggg"} {
		if _, err := ParseColor(bad); err == nil {
			t.Errorf("%q should not be a colour", bad)
		}
	}
}

func TestDefaultPaths(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	p, err := DefaultPath(env(map[string]string{"HOME": "/home/a"}))
	if err != nil || p != "/home/a/.config/tokentop/config.yaml" {
		t.Fatalf("%q %v", p, err)
	}
	p, _ = DefaultPath(env(map[string]string{"HOME": "/home/a", "XDG_CONFIG_HOME": "/x"}))
	if p != "/x/tokentop/config.yaml" {
		t.Fatalf("XDG_CONFIG_HOME: %q", p)
	}
	p, _ = DefaultPath(env(map[string]string{"HOME": "/home/a", "XDG_CONFIG_HOME": "rel"}))
	if p != "/home/a/.config/tokentop/config.yaml" {
		t.Fatalf("a relative XDG_CONFIG_HOME is ignored (the spec says so): %q", p)
	}
	p, _ = DefaultStatePath(env(map[string]string{"HOME": "/home/a"}))
	if p != "/home/a/.local/state/tokentop/state.yaml" {
		t.Fatalf("state: %q", p)
	}
	p, _ = DefaultStatePath(env(map[string]string{"XDG_STATE_HOME": "/s"}))
	if p != "/s/tokentop/state.yaml" {
		t.Fatalf("XDG_STATE_HOME: %q", p)
	}
	if _, err := DefaultPath(env(nil)); err == nil {
		t.Fatal("no HOME and no XDG_CONFIG_HOME should be an error")
	}
}
