package ui

import (
	"slices"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// The key maps: one per component, each built by its DefaultXKeyMap
// constructor (nothing global, so two sessions never share one). A
// component gets only the keys of its own map; the root handles ctrl+c
// alone. The help bar shows the focused component's map.

// GlobalKeyMap holds the keys the root itself handles: ctrl+c, and F in
// an SSH session of a server with follow mode (start or stop presenting;
// follow the presenter or look around on your own).
type GlobalKeyMap struct {
	ForceQuit key.Binding
	Follow    key.Binding
}

// DefaultGlobalKeyMap returns the root's key map.
func DefaultGlobalKeyMap() GlobalKeyMap {
	return GlobalKeyMap{
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Follow:    key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "present / follow")),
	}
}

// ActionKeyMap holds the keys that act on the selected provider; the table
// and the detail share them.
type ActionKeyMap struct {
	Refresh     key.Binding
	RefreshAll  key.Binding
	Copy        key.Binding
	CopyCurl    key.Binding
	TestCall    key.Binding
	Add         key.Binding
	Edit        key.Binding
	Delete      key.Binding
	AutoRefresh key.Binding
	Doctor      key.Binding
	// Login logs the user of a user-grant provider in (authorization
	// code, device code).
	Login key.Binding

	// locked are the bindings readOnly turned off: their keys still get an
	// answer (the status line says why nothing happens).
	locked []key.Binding
}

// DefaultActionKeyMap returns the action keys.
func DefaultActionKeyMap() ActionKeyMap {
	return ActionKeyMap{
		Refresh:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		RefreshAll:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "refresh all")),
		Copy:        key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy token")),
		CopyCurl:    key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "copy curl")),
		TestCall:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "test-call")),
		Add:         key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add")),
		Edit:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Delete:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
		AutoRefresh: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "auto-refresh")),
		Doctor:      key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "doctor")),
		Login:       key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "log in")),
	}
}

// readOnly disables what changes the store or copies anything (a login
// saves a session); the help no longer lists those keys.
func (k *ActionKeyMap) readOnly() {
	k.locked = nil
	for _, b := range []*key.Binding{&k.Copy, &k.CopyCurl, &k.Add, &k.Edit, &k.Delete, &k.Login} {
		b.SetEnabled(false)
		k.locked = append(k.locked, *b)
	}
}

// lockedAction names the action of a key that readOnly turned off.
func (k ActionKeyMap) lockedAction(km tea.KeyMsg) (string, bool) {
	for _, b := range k.locked {
		if slices.Contains(b.Keys(), km.String()) {
			return b.Help().Desc, true
		}
	}
	return "", false
}

// TableKeyMap is the provider table's key map.
type TableKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Detail      key.Binding
	FocusDetail key.Binding
	// DetailUp and DetailDown page the detail while it sits beside or
	// under the table (ctrl+u and ctrl+d still page the table).
	DetailUp, DetailDown key.Binding
	Filter               key.Binding
	ClearFilter          key.Binding
	Palette              key.Binding
	Sort                 key.Binding
	Reverse              key.Binding
	Back                 key.Binding
	Help                 key.Binding
	Quit                 key.Binding

	Actions ActionKeyMap
}

// DefaultTableKeyMap returns the table's keys.
func DefaultTableKeyMap() TableKeyMap {
	return TableKeyMap{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:         key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		Bottom:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		Detail:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "detail")),
		FocusDetail: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "scroll detail"), key.WithDisabled()),
		DetailUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "detail up"), key.WithDisabled()),
		DetailDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgup/pgdn", "scroll detail"), key.WithDisabled()),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ClearFilter: key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "clear filter")),
		Palette:     key.NewBinding(key.WithKeys(":", "ctrl+k"), key.WithHelp(":", "palette")),
		Sort:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Reverse:     key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Actions:     DefaultActionKeyMap(),
	}
}

// ShortHelp implements help.KeyMap.
func (k TableKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Detail, k.DetailDown, k.Actions.Refresh, k.Actions.Copy, k.Actions.TestCall, k.Filter, k.Sort, k.Palette, k.Back, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k TableKeyMap) FullHelp() [][]key.Binding {
	a := k.Actions
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Detail, k.FocusDetail, k.DetailUp, k.DetailDown, k.Filter, k.ClearFilter, k.Sort, k.Reverse},
		{a.Refresh, a.RefreshAll, a.AutoRefresh, a.Copy, a.CopyCurl, a.TestCall, k.Palette},
		{a.Doctor, a.Login, a.Add, a.Edit, a.Delete, k.Back, k.Help, k.Quit},
	}
}

// DetailKeyMap is the detail's key map when it has the focus (as an
// overlay on a small terminal, or after tab).
type DetailKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Close   key.Binding
	Table   key.Binding
	Palette key.Binding
	Help    key.Binding
	Quit    key.Binding

	Actions ActionKeyMap
}

// DefaultDetailKeyMap returns the detail's keys.
func DefaultDetailKeyMap() DetailKeyMap {
	a := DefaultActionKeyMap()
	a.Add.SetEnabled(false)
	a.RefreshAll.SetEnabled(false)
	return DetailKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d", " "), key.WithHelp("pgup/pgdn", "scroll")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Close:    key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc", "close")),
		Table:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "back to table"), key.WithDisabled()),
		Palette:  key.NewBinding(key.WithKeys(":", "ctrl+k"), key.WithHelp(":", "palette")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:     key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Actions:  a,
	}
}

// ShortHelp implements help.KeyMap.
func (k DetailKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageDown, k.Close, k.Actions.Refresh, k.Actions.Copy, k.Actions.TestCall, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k DetailKeyMap) FullHelp() [][]key.Binding {
	a := k.Actions
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Close, k.Table, k.Palette, k.Help, k.Quit},
		{a.Refresh, a.AutoRefresh, a.Copy, a.CopyCurl, a.TestCall, a.Doctor, a.Login, a.Edit, a.Delete},
	}
}

// FilterKeyMap is the filter input's key map (the input takes the rest).
type FilterKeyMap struct {
	Apply key.Binding
	Clear key.Binding
}

// DefaultFilterKeyMap returns the filter's keys.
func DefaultFilterKeyMap() FilterKeyMap {
	return FilterKeyMap{
		Apply: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		Clear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
	}
}

// ShortHelp implements help.KeyMap.
func (k FilterKeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Apply, k.Clear} }

// FullHelp implements help.KeyMap.
func (k FilterKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// ConfirmKeyMap is the delete confirmation's key map.
type ConfirmKeyMap struct {
	Yes  key.Binding
	Skip key.Binding
	No   key.Binding
}

// DefaultConfirmKeyMap returns the confirmation's keys.
func DefaultConfirmKeyMap() ConfirmKeyMap {
	return ConfirmKeyMap{
		Yes:  key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		Skip: key.NewBinding(key.WithKeys("s", "S"), key.WithHelp("s", "skip those"), key.WithDisabled()),
		No:   key.NewBinding(key.WithKeys("n", "N", "esc", "q"), key.WithHelp("n/esc", "no")),
	}
}

// ShortHelp implements help.KeyMap.
func (k ConfirmKeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Yes, k.Skip, k.No} }

// FullHelp implements help.KeyMap.
func (k ConfirmKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// PickerKeyMap is the test-call endpoint picker's key map.
type PickerKeyMap struct {
	Up, Down key.Binding
	Choose   key.Binding
	Back     key.Binding
}

// DefaultPickerKeyMap returns the picker's keys.
func DefaultPickerKeyMap() PickerKeyMap {
	return PickerKeyMap{
		Up:     key.NewBinding(key.WithKeys("up", "k", "shift+tab"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j", "tab"), key.WithHelp("↓/j", "down")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "call")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// ShortHelp implements help.KeyMap.
func (k PickerKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Choose, k.Back}
}

// FullHelp implements help.KeyMap.
func (k PickerKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// ResultKeyMap is the test-call result view's key map.
type ResultKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Again key.Binding
	Back  key.Binding
	Help  key.Binding
}

// DefaultResultKeyMap returns the result view's keys.
func DefaultResultKeyMap() ResultKeyMap {
	return ResultKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u", "b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d", " ", "f"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Again:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "call again")),
		Back:     key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
	}
}

// ShortHelp implements help.KeyMap.
func (k ResultKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageDown, k.Again, k.Back}
}

// FullHelp implements help.KeyMap.
func (k ResultKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Again, k.Back, k.Help}}
}

// FormKeyMap lists the add/edit form's keys (huh handles the fields).
type FormKeyMap struct {
	Next, Prev, Submit, Cancel key.Binding
}

// DefaultFormKeyMap returns the form's keys.
func DefaultFormKeyMap() FormKeyMap {
	return FormKeyMap{
		Next:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/enter", "next")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous")),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// ShortHelp implements help.KeyMap.
func (k FormKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.Prev, k.Submit, k.Cancel}
}

// FullHelp implements help.KeyMap.
func (k FormKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// PaletteKeyMap is the command palette's key map (the filter input takes
// the rest).
type PaletteKeyMap struct {
	Up, Down key.Binding
	Run      key.Binding
	Close    key.Binding
}

// DefaultPaletteKeyMap returns the palette's keys.
func DefaultPaletteKeyMap() PaletteKeyMap {
	return PaletteKeyMap{
		Up:    key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		Down:  key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		Run:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run / jump")),
		Close: key.NewBinding(key.WithKeys("esc", "ctrl+k"), key.WithHelp("esc", "close")),
	}
}

// ShortHelp implements help.KeyMap.
func (k PaletteKeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Run, k.Close} }

// FullHelp implements help.KeyMap.
func (k PaletteKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// HelpKeyMap is the full help screen's key map.
type HelpKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Close key.Binding
	Quit  key.Binding
}

// DefaultHelpKeyMap returns the help screen's keys.
func DefaultHelpKeyMap() HelpKeyMap {
	return HelpKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d", " "), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Close:    key.NewBinding(key.WithKeys("esc", "?"), key.WithHelp("esc/?", "close help")),
		Quit:     key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp implements help.KeyMap.
func (k HelpKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageDown, k.Close, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k HelpKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Close, k.Quit}}
}
