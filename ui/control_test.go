package ui

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/theme"
	"github.com/tokentop/tokentop/ui/settings"
)

// Key-driven tests of what the config file changes (keys, columns, env
// colours, the default sort and filter), sorting by any column, the
// filter kept between runs, and the mouse.

// configFile parses a config file's text, as if read from c.yaml.
func configFile(t *testing.T, text string) *settings.File {
	t.Helper()
	f, err := settings.Parse("c.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// loaded is a dashboard (no program) at w×h with the store's rows read.
func (e *env) loaded(cfg Config, w, h int) *Model {
	e.t.Helper()
	m := New(cfg)
	m.resize(w, h)
	sums, err := e.st.Summaries(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	m.update(summariesMsg{seq: m.next(), sums: sums})
	return &m
}

func key1(s string) tea.KeyMsg {
	named := map[string]tea.KeyType{"ctrl+r": tea.KeyCtrlR, "ctrl+l": tea.KeyCtrlL, "esc": tea.KeyEscape, "enter": tea.KeyEnter, "f5": tea.KeyF5}
	if t, ok := named[s]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func TestReboundKeyWorksAndTheOldOneNoLonger(t *testing.T) {
	e := newEnv(t, true)
	cfg := e.config()
	cfg.Settings = configFile(t, "keys:\n  refresh: [ctrl+r, f5]\n  quit: Q\n")
	if err := CheckSettings(cfg.Settings); err != nil {
		t.Fatal(err)
	}
	m := e.loaded(cfg, 120, 40)
	m.update(key1("r"))
	if got := m.status.Text(); got != "" {
		t.Fatalf("r is no longer refresh, yet the status says %q", got)
	}
	m.update(key1("q"))
	if m.ctx.Err() != nil {
		t.Fatal("q is no longer quit")
	}
	m.update(key1("f5"))
	if got := m.status.Text(); !strings.HasPrefix(got, "refreshing ") {
		t.Fatalf("f5 should refresh, the status says %q", got)
	}
	m.status.ClearOnKey()
	m.update(key1("ctrl+r"))
	if got := m.status.Text(); !strings.HasPrefix(got, "refreshing ") {
		t.Fatalf("ctrl+r should refresh, the status says %q", got)
	}
	// The help lists the new keys, in the table and in the detail.
	if !strings.Contains(helpText(m.table.FullHelp()), "ctrl+r/f5 refresh") || !strings.Contains(helpText(m.detail.FullHelp()), "ctrl+r/f5 refresh") {
		t.Fatalf("the help should list the rebound keys: %s", helpText(m.table.FullHelp()))
	}
	m.update(key1("Q"))
	if m.ctx.Err() == nil {
		t.Fatal("Q should quit")
	}
}

// helpText is a key map's full help as "key desc" lines.
func helpText(groups [][]key.Binding) string {
	var b strings.Builder
	for _, g := range groups {
		for _, k := range g {
			b.WriteString(k.Help().Key + " " + k.Help().Desc + "\n")
		}
	}
	return b.String()
}

func TestKeyProblemsNameTheLine(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"# keys\nkeys:\n  refresh: q\n", `c.yaml:3: keys.refresh: "q" is also the key of quit in the table`},
		{"keys:\n  doctor: r\n  edit: r\n", `"r" is also the key of`},
		{"keys:\n  refresh: ctrl+c\n", `c.yaml:2: keys.refresh: "ctrl+c" is also the key of force_quit`},
		{"keys:\n  force_quit: x\n", `c.yaml:2: keys.force_quit: ctrl+c always quits`},
		{"keys:\n  refrsh: x\n", `c.yaml:2: keys.refrsh: no action named "refrsh" (did you mean "refresh"?)`},
		{"keys:\n  refresh: ctrl+\n", `c.yaml:2: keys.refresh: "ctrl+" is not a key`},
		{"keys:\n  refresh: []\n", `c.yaml:2: keys.refresh: give at least one key`},
		{"keys:\n  keep_filter: k\n", `c.yaml:2: keys.keep_filter: "k" is typed into the filter input`},
		{"keys:\n  palette_down: j\n", `c.yaml:2: keys.palette_down: "j" is typed into the command palette`},
		{"keys:\n  palette: s\n", `keys.palette: "s" is also the key of sort in the table`},
		{"keys:\n  page_up: tab\n", `keys.page_up: "tab" is also the key of focus_detail in the table`},
		{"columns: [name, stauts]\n", `c.yaml:1: columns: no column named "stauts" (did you mean "status"?)`},
		{"columns:\n  - name\n  - name\n", `c.yaml:3: columns: "name" is listed twice`},
		{"sort: {column: bogus}\n", `c.yaml:1: sort: no column named "bogus"`},
	} {
		err := CheckSettings(configFile(t, tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v\nwant %q", tc.text, err, tc.want)
		}
	}
	// pgup pages the detail beside the table, else the table: a shared
	// key by design, rebound or not.
	if err := CheckSettings(configFile(t, "keys:\n  page_up: [pgup, ctrl+b]\n  detail_page_down: [pgdown, f8]\n")); err != nil {
		t.Fatalf("page_up and detail_page_up share pgup by design: %v", err)
	}
	// Moving quit off q frees it for refresh: no conflict.
	if err := CheckSettings(configFile(t, "keys:\n  refresh: q\n  quit: [ctrl+q]\n")); err != nil {
		t.Fatalf("a swap is no conflict: %v", err)
	}
	if err := CheckSettings(nil); err != nil {
		t.Fatal(err)
	}
}

func TestReadOnlyKeepsAReboundCopyForbidden(t *testing.T) {
	e := newEnv(t, true)
	cfg := e.config()
	cfg.ReadOnly = true
	cfg.Settings = configFile(t, "keys:\n  copy: y\n")
	m := e.loaded(cfg, 120, 40)
	m.update(key1("c"))
	if got := m.status.Text(); got != "" {
		t.Fatalf("c is no longer copy, yet the status says %q", got)
	}
	m.update(key1("y"))
	if got := m.status.Text(); !strings.Contains(got, "read-only session: copy token is turned off") {
		t.Fatalf("y (copy, rebound) must stay forbidden in a read-only session, the status says %q", got)
	}
}

func TestColumnsFromTheConfig(t *testing.T) {
	e := newEnv(t, true)
	cfg := e.config()
	cfg.Settings = configFile(t, "columns: [status, name, quota]\n")
	m := e.loaded(cfg, 120, 40)
	titles := m.table.titles()
	si, ni, qi := strings.Index(titles, "STATUS"), strings.Index(titles, "NAME"), strings.Index(titles, "QUOTA")
	if si < 0 || ni < si || qi < ni || strings.Contains(titles, "ENV") || strings.Contains(titles, "LAST CALL") {
		t.Fatalf("want STATUS, NAME and QUOTA in that order and nothing else: %q", titles)
	}
	row := strings.Split(m.table.View(), "\n")[1]
	if first := string(m.rows.At(0).status); first == "" || !strings.HasPrefix(strings.TrimLeft(row, " ▸"), first) {
		t.Fatalf("the first cell should be the status: %q", row)
	}
}

// TestPaletteKeysFromTheConfig: the palette opens on its rebound key (no
// longer on :), and its own keys inside are rebound too.
func TestPaletteKeysFromTheConfig(t *testing.T) {
	e := newEnv(t, true)
	cfg := e.config()
	cfg.Settings = configFile(t, "keys:\n  palette: f5\n  palette_down: ctrl+j\n  palette_close: ctrl+l\n")
	if err := CheckSettings(cfg.Settings); err != nil {
		t.Fatal(err)
	}
	m := e.loaded(cfg, 120, 40)
	m.update(key1(":"))
	if m.focus == focusPalette {
		t.Fatal(": is no longer the palette's key")
	}
	m.update(key1("f5"))
	if m.focus != focusPalette {
		t.Fatal("f5 should open the palette")
	}
	m.update(tea.KeyMsg{Type: tea.KeyCtrlJ})
	if got := m.palette.list.Index(); got != 1 {
		t.Fatalf("ctrl+j should move the palette's cursor down: at %d", got)
	}
	m.update(key1("esc"))
	if m.focus != focusPalette {
		t.Fatal("esc is no longer the palette's close key")
	}
	m.update(key1("ctrl+l"))
	if m.focus == focusPalette {
		t.Fatal("ctrl+l should close the palette")
	}
	if !strings.Contains(helpText(m.table.FullHelp()), "f5 palette") {
		t.Fatalf("the help should list the palette's new key: %s", helpText(m.table.FullHelp()))
	}
}

// TestSparklineColumnFromTheConfig: the 14 days' sparkline is a column
// like the others: listed, it is drawn where the list puts it.
func TestSparklineColumnFromTheConfig(t *testing.T) {
	e := newEnv(t, true)
	cfg := e.config()
	cfg.Settings = configFile(t, "columns: [sparkline, name, status]\n")
	m := e.loaded(cfg, 80, 24)
	titles := m.table.titles()
	if si, ni := strings.Index(titles, "14 DAYS"), strings.Index(titles, "NAME"); si < 0 || ni < si || strings.Contains(titles, "EXPIRES") {
		t.Fatalf("want 14 DAYS, then NAME, and no EXPIRES: %q", titles)
	}
	if c := layoutColumns(80, defaultColumns()); c.shown(colSpark) {
		t.Fatal("by default an 80-cell table goes without the sparkline")
	}
}

// trueColorStyles are the default theme on a true-colour renderer.
func trueColorStyles() (*theme.Styles, *lipgloss.Renderer) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	p, _ := theme.Lookup("")
	return theme.New(r, p), r
}

func TestEnvColour(t *testing.T) {
	e := newEnv(t, true)
	f := configFile(t, "envs:\n  Sandbox: {color: red}\n")
	envs := newEnvColors(f)
	st, _ := trueColorStyles()
	sty, ok := envs.style(st.Row, "sandbox")
	if !ok || sty.GetForeground() != lipgloss.Color("1") {
		t.Fatalf("the sandbox env's rows should be red (ANSI 1), any case: %v %v", sty.GetForeground(), ok)
	}
	if _, ok := envs.style(st.Row, "dev"); ok {
		t.Fatal("an env without a colour keeps the row's")
	}

	cfg := e.config()
	cfg.Styles, cfg.Renderer = trueColorStyles()
	cfg.Settings = f
	m := e.loaded(cfg, 120, 40)
	rows := strings.Split(m.table.View(), "\n")
	if !strings.Contains(rows[2], "\x1b[31m") || !strings.Contains(rows[2], "a55") {
		t.Fatalf("a sandbox row should draw its name in red: %q", rows[2])
	}
	// The header names the selected row's env in its colour.
	if h := m.header(); !strings.Contains(h, "sandbox") || !strings.Contains(h, ";41m sandbox ") {
		t.Fatalf("the header should show the selected env on red: %q", h)
	}

	// In the plain (Ascii) frame the env's name is there all the same.
	cfg = e.config()
	cfg.Settings = f
	m = e.loaded(cfg, 120, 40)
	if h := m.header(); !strings.HasPrefix(h, "tokentop  sandbox  ") {
		t.Fatalf("plain header: %q", h)
	}
	cfg.Settings = nil
	if h := e.loaded(cfg, 120, 40).header(); strings.Contains(h, " sandbox ") {
		t.Fatalf("no env colours, no badge: %q", h)
	}
}

func TestDefaultSortAndFilterFromTheConfig(t *testing.T) {
	e := newEnv(t, true)
	cfg := e.config()
	cfg.Settings = configFile(t, "sort: {column: name, reverse: true}\nfilter: \"-\"\n")
	m := e.loaded(cfg, 120, 40)
	if s := m.rows.Sort(); s.col != colName || !s.reverse {
		t.Fatalf("sort %v", s)
	}
	if got := strings.Join(m.rows.Shown(), ","); got != "short-lived,cognito-dev,basic-only,auth0-prod" {
		t.Fatalf("filter -, names reversed: %s", got)
	}
	if !strings.Contains(m.table.titles(), "NAME↓") {
		t.Fatalf("the reversed column is marked ↓: %q", m.table.titles())
	}
}

func TestFilterAndSortKeptBetweenRuns(t *testing.T) {
	e := newEnv(t, true)
	path := filepath.Join(t.TempDir(), "tokentop", "state.yaml")
	cfg := e.config()
	cfg.State = settings.NewStateFile(path)
	tm := e.start(cfg, 120, 40)
	press(tm, "/", "ant", "enter")
	waitFor(t, tm, `filter "ant": 1 shown`)
	press(tm, "s")
	waitFor(t, tm, "sort: name")
	testsupport.Eventually(t, "the state file holds the filter and the sort", func() bool {
		b, _ := os.ReadFile(path)
		return strings.Contains(string(b), "filter: ant") && strings.Contains(string(b), "column: name")
	})
	final(t, tm)

	// The next run, with the same state file, starts where this one ended.
	cfg2 := e.config()
	cfg2.State = settings.NewStateFile(path)
	cfg2.Settings = configFile(t, "filter: zzz\n") // the last run's filter wins
	m := e.loaded(cfg2, 120, 40)
	if m.rows.Filter() != "ant" || m.rows.Sort().col != colName {
		t.Fatalf("filter %q, sort %v", m.rows.Filter(), m.rows.Sort())
	}
	view := m.View()
	if !strings.Contains(view, "/ ant") || !strings.Contains(view, "(ctrl+l clears)") {
		t.Fatalf("the kept filter and the key that clears it should show:\n%s", view)
	}
	if m.Init(); !strings.Contains(m.status.Text(), `filter "ant" from the last run: ctrl+l clears it`) {
		t.Fatalf("the status should say the filter is the last run's: %q", m.status.Text())
	}
	// ctrl+l clears it, and the cleared filter is kept too.
	cmd := m.update(key1("ctrl+l"))
	if m.rows.Filter() != "" || m.filter.Value() != "" {
		t.Fatalf("ctrl+l should clear the filter, have %q", m.rows.Filter())
	}
	runCmd(m, cmd)
	if st, _, _ := settings.NewStateFile(path).Load(); st.Filter != "" || st.Sort.Column != "name" {
		t.Fatalf("after ctrl+l the state file holds %+v", st)
	}
}

// runCmd runs cmd and the commands of a batch, and gives the model what
// the state file's save answered.
func runCmd(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			runCmd(m, c)
		}
	case stateSavedMsg:
		m.update(msg)
	}
}
