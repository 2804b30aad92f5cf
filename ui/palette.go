package ui

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokentop/tokentop/theme"
)

// The command palette (: or ctrl+k): every action, with its key, and every
// provider, found by typing part of a name (bubbles' list, fuzzy
// filtering). enter runs an action on the selected provider, or jumps to a
// provider. A read-only session lists only the actions it allows.

// paletteItem is one entry: an action (with the intent it emits and its
// key) or a provider (jumped to).
type paletteItem struct {
	title string // the action's name, or the provider's
	keys  string // the action's key ("" for a provider)
	desc  string
	in    intent
}

// FilterValue implements list.Item: the title and the words beside it.
func (i paletteItem) FilterValue() string { return i.title + " " + i.desc }

// commandPalette is the palette's component.
type commandPalette struct {
	bus  *bus
	keys PaletteKeyMap
	st   *theme.Styles
	list list.Model

	width, height int
}

var _ Component = (*commandPalette)(nil)

func newCommandPalette(st *theme.Styles, keys PaletteKeyMap) *commandPalette {
	l := list.New(nil, paletteDelegate{st: st}, 0, 0)
	l.Title = "Command palette"
	l.SetShowTitle(false)
	l.Styles = paletteStyles(st)
	l.FilterInput.Prompt = "> "
	l.FilterInput.Placeholder = "type an action or a provider"
	l.FilterInput.PromptStyle, l.FilterInput.TextStyle = st.Accent, st.Row
	l.FilterInput.PlaceholderStyle, l.FilterInput.Cursor.Style = st.Muted, st.Accent
	l.FilterInput.CharLimit = 64
	l.Paginator.ActiveDot, l.Paginator.InactiveDot = st.Accent.Render("•"), st.Muted.Render("•")
	l.SetShowStatusBar(false)
	l.SetShowHelp(false)
	l.SetShowPagination(false)
	l.DisableQuitKeybindings()
	return &commandPalette{keys: keys, st: st, list: l}
}

// paletteStyles are the list's styles in this session's theme (bubbles'
// own are built on lipgloss's default renderer, which over SSH is the
// server's terminal).
func paletteStyles(st *theme.Styles) list.Styles {
	return list.Styles{
		TitleBar: st.Row, Title: st.PanelTitle, Spinner: st.Accent,
		FilterPrompt: st.Accent, FilterCursor: st.Accent, DefaultFilterCharacterMatch: st.Accent,
		StatusBar: st.Muted, StatusEmpty: st.Muted, StatusBarActiveFilter: st.Muted, StatusBarFilterCount: st.Muted,
		NoItems: st.Muted, PaginationStyle: st.Muted, HelpStyle: st.Muted,
		ActivePaginationDot: st.Accent, InactivePaginationDot: st.Muted, ArabicPagination: st.Muted, DividerDot: st.Muted,
	}
}

// Open fills the palette: the actions of a (the enabled ones), each on the
// provider selected (sel, "" for none), the table's own, then every
// provider of rows; the filter starts empty with the cursor in it.
func (p *commandPalette) Open(k TableKeyMap, sel string, rows []row) tea.Cmd {
	a := k.Actions
	on := ""
	if sel != "" {
		on = " " + clean(sel)
	}
	var items []list.Item
	add := func(b key.Binding, title, desc string, in intent) {
		if b.Enabled() {
			items = append(items, paletteItem{title: title, keys: b.Help().Key, desc: desc, in: in})
		}
	}
	if sel != "" {
		add(a.Refresh, "refresh", "fetch a new token for"+on, refreshIntent{sel})
		add(a.Copy, "copy token", "copy the access token of"+on, copyIntent{sel})
		add(a.CopyCurl, "copy curl", "copy a curl command calling"+on, copyCurlIntent{sel})
		add(a.TestCall, "test-call", "call an API endpoint with"+on, testCallIntent{sel})
		add(a.AutoRefresh, "auto-refresh", "toggle auto-refresh of"+on, autoToggleIntent{sel})
		add(a.Doctor, "doctor", "diagnose"+on+" step by step", doctorIntent{name: sel})
		add(a.Login, "log in", "log the user of"+on+" in", loginIntent{sel})
		add(a.Edit, "edit", "edit the settings of"+on, editIntent{sel})
		add(a.Delete, "delete", "delete"+on, deleteIntent{sel})
		add(k.Detail, "detail", "open or close the detail of"+on, toggleDetailIntent{})
	}
	add(a.RefreshAll, "refresh all", "fetch a new token for every provider shown", refreshAllIntent{})
	add(a.Add, "add", "add a provider", addIntent{})
	add(k.Filter, "filter", "show only the providers matching words", filterIntent{})
	add(k.ClearFilter, "clear filter", "show every provider again", filterChangedIntent{text: "", done: true})
	add(k.Sort, "sort", "order by the next column", sortIntent{})
	add(k.Reverse, "reverse sort", "reverse the order", reverseSortIntent{})
	add(k.Help, "help", "every key, the marks and the colours", helpIntent{})
	add(k.Quit, "quit", "leave tokentop", quitIntent{})
	for i := range rows {
		r := &rows[i]
		desc := strings.TrimSpace(r.env + " " + string(r.status))
		items = append(items, paletteItem{title: r.name, desc: desc, in: selectIntent{name: r.sum.Provider.Name}})
	}
	cmd := p.list.SetItems(items)
	p.list.SetFilterText("")
	p.list.SetFilterState(list.Filtering)
	return tea.Batch(cmd, p.list.FilterInput.Focus())
}

// SetSize implements Component.
func (p *commandPalette) SetSize(width, height int) {
	p.width, p.height = width, height
	p.list.SetSize(max(width-p.st.Overlay.GetHorizontalFrameSize(), 10), max(height-p.st.Overlay.GetVerticalFrameSize()-1, 3))
}

// Update implements Component: the arrows move, enter runs, esc closes;
// the rest is typed into the filter.
func (p *commandPalette) Update(msg tea.Msg) tea.Cmd {
	if km, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(km, p.keys.Close):
			return p.bus.emit(closeIntent{})
		case key.Matches(km, p.keys.Up):
			p.list.CursorUp()
			return nil
		case key.Matches(km, p.keys.Down):
			p.list.CursorDown()
			return nil
		case key.Matches(km, p.keys.Run):
			it, ok := p.list.SelectedItem().(paletteItem)
			if !ok {
				return nil
			}
			return tea.Batch(p.bus.emit(closeIntent{}), p.bus.emit(it.in))
		}
	}
	if _, ok := msg.(list.FilterMatchesMsg); ok {
		// The list filters in a command per key typed, and their answers
		// can come back out of order (an older, longer list last): the
		// palette filters in place instead, below, and drops them.
		return nil
	}
	before := p.list.FilterValue()
	var cmd tea.Cmd
	p.list, cmd = p.list.Update(msg)
	if v := p.list.FilterValue(); v != before {
		p.list.SetFilterText(v)
		p.list.SetFilterState(list.Filtering)
	}
	return cmd
}

// View implements Component.
func (p *commandPalette) View() string {
	head := p.st.PanelTitle.Render("Command palette") + p.st.Muted.Render(" · an action runs on the selected provider")
	return p.st.Overlay.Render(ansi.Truncate(head, p.list.Width(), "…") + "\n" + p.list.View())
}

// ShortHelp implements help.KeyMap.
func (p *commandPalette) ShortHelp() []key.Binding { return p.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (p *commandPalette) FullHelp() [][]key.Binding { return p.keys.FullHelp() }

// paletteDelegate draws one entry a line: the cursor, the name, the key
// and what it does.
type paletteDelegate struct{ st *theme.Styles }

// Height implements list.ItemDelegate.
func (paletteDelegate) Height() int { return 1 }

// Spacing implements list.ItemDelegate.
func (paletteDelegate) Spacing() int { return 0 }

// Update implements list.ItemDelegate.
func (paletteDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }

// Render implements list.ItemDelegate.
func (d paletteDelegate) Render(w io.Writer, m list.Model, index int, li list.Item) {
	it, ok := li.(paletteItem)
	if !ok {
		return
	}
	st, width := d.st, m.Width()
	cursor, name, keySty := "  ", st.Row, st.Accent
	if index == m.Index() {
		cursor = "▸ "
		hl := st.Palette.Highlight
		name, keySty = name.Background(hl).Bold(true), keySty.Background(hl).Bold(true)
	}
	keys := it.keys
	if keys == "" {
		keys = "→"
	}
	const titleW, keyW = 22, 8
	line := name.Render(fit(cursor+it.title, titleW, false)) + keySty.Render(fit(keys, keyW, false))
	rest := max(width-titleW-keyW, 0)
	fmt.Fprint(w, line+st.Muted.Render(fit(it.desc, rest, false)))
}
