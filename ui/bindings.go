package ui

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers/suggest"
	"github.com/tokentop/tokentop/ui/settings"
)

// The config file's keys: section rebinds actions by name. An action's
// name is the same in every component that has it (up, down, help, quit,
// refresh …), so one line rebinds it everywhere; its keys replace the
// defaults. ctrl+c always quits and cannot be rebound.

// keyMaps are every component's key map, built together so a config can
// rebind them and their conflicts can be checked.
type keyMaps struct {
	global  GlobalKeyMap
	table   TableKeyMap
	detail  DetailKeyMap
	filter  FilterKeyMap
	confirm ConfirmKeyMap
	picker  PickerKeyMap
	result  ResultKeyMap
	doctor  ResultKeyMap
	help    HelpKeyMap
	palette PaletteKeyMap
}

// named is a binding and its action's name in the config file.
type named struct {
	name string
	b    *key.Binding
}

// keySet is one component's bindings by name, for rebinding and for
// the conflict check; typed says its component takes typed text (a key
// that is a printable character cannot be bound there).
type keySet struct {
	where string
	keys  []named
	typed bool
	// yields are pairs of actions that share keys by design: the first
	// takes them while it is enabled (pgup pages the detail beside the
	// table, else the table), so their sharing is no conflict.
	yields [][2]string
}

// sharedByDesign reports whether the actions a and b of the set may
// share a key.
func (s keySet) sharedByDesign(a, b string) bool {
	return slices.Contains(s.yields, [2]string{a, b}) || slices.Contains(s.yields, [2]string{b, a})
}

func (a *ActionKeyMap) named() []named {
	return []named{
		{"refresh", &a.Refresh}, {"refresh_all", &a.RefreshAll}, {"copy", &a.Copy}, {"copy_curl", &a.CopyCurl},
		{"test_call", &a.TestCall}, {"add", &a.Add}, {"edit", &a.Edit}, {"delete", &a.Delete},
		{"auto_refresh", &a.AutoRefresh}, {"doctor", &a.Doctor}, {"login", &a.Login},
	}
}

// sets lists every component's bindings by name.
func (k *keyMaps) sets() []keySet {
	t, d, r, dr, h, p := &k.table, &k.detail, &k.result, &k.doctor, &k.help, &k.palette
	scroll := func(up, down, pgup, pgdn, top, bottom *key.Binding) []named {
		return []named{{"up", up}, {"down", down}, {"page_up", pgup}, {"page_down", pgdn}, {"top", top}, {"bottom", bottom}}
	}
	return []keySet{
		{where: "the table", keys: slices.Concat(scroll(&t.Up, &t.Down, &t.PageUp, &t.PageDown, &t.Top, &t.Bottom), []named{
			{"detail", &t.Detail}, {"focus_detail", &t.FocusDetail},
			{"detail_page_up", &t.DetailUp}, {"detail_page_down", &t.DetailDown},
			{"filter", &t.Filter}, {"clear_filter", &t.ClearFilter}, {"palette", &t.Palette},
			{"sort", &t.Sort}, {"reverse", &t.Reverse}, {"back", &t.Back}, {"help", &t.Help}, {"quit", &t.Quit},
		}, t.Actions.named()), yields: [][2]string{{"detail_page_up", "page_up"}, {"detail_page_down", "page_down"}}},
		{where: "the detail", keys: slices.Concat(scroll(&d.Up, &d.Down, &d.PageUp, &d.PageDown, &d.Top, &d.Bottom), []named{
			{"close", &d.Close}, {"focus_table", &d.Table}, {"palette", &d.Palette}, {"help", &d.Help}, {"quit", &d.Quit},
		}, d.Actions.named())},
		{where: "the filter input", typed: true, keys: []named{{"keep_filter", &k.filter.Apply}, {"clear_filter", &k.filter.Clear}}},
		{where: "the command palette", typed: true, keys: []named{
			{"palette_up", &p.Up}, {"palette_down", &p.Down}, {"palette_run", &p.Run}, {"palette_close", &p.Close},
		}},
		{where: "the delete confirmation", keys: []named{{"yes", &k.confirm.Yes}, {"skip", &k.confirm.Skip}, {"no", &k.confirm.No}}},
		{where: "the test-call picker", keys: []named{{"up", &k.picker.Up}, {"down", &k.picker.Down}, {"choose", &k.picker.Choose}, {"back", &k.picker.Back}}},
		{where: "the test-call result", keys: slices.Concat(scroll(&r.Up, &r.Down, &r.PageUp, &r.PageDown, &r.Top, &r.Bottom), []named{
			{"again", &r.Again}, {"back", &r.Back}, {"help", &r.Help},
		})},
		{where: "the doctor", keys: slices.Concat(scroll(&dr.Up, &dr.Down, &dr.PageUp, &dr.PageDown, &dr.Top, &dr.Bottom), []named{
			{"again", &dr.Again}, {"back", &dr.Back}, {"help", &dr.Help},
		})},
		{where: "the help", keys: slices.Concat(scroll(&h.Up, &h.Down, &h.PageUp, &h.PageDown, &h.Top, &h.Bottom), []named{
			{"close", &h.Close}, {"quit", &h.Quit},
		})},
	}
}

// actionNames lists every action a config may rebind.
func actionNames(sets []keySet) []string {
	var names []string
	for _, s := range sets {
		for _, n := range s.keys {
			if !slices.Contains(names, n.name) {
				names = append(names, n.name)
			}
		}
	}
	sort.Strings(names)
	return names
}

// newKeyMaps builds the key maps with f's bindings; a read-only session
// then turns off what it forbids, whatever key it is bound to. The
// problems are the config's, each with its place (the dashboard starts
// without them when CheckSettings was not asked first).
func newKeyMaps(f *settings.File, readOnly bool) (keyMaps, []error) {
	k := keyMaps{
		global: DefaultGlobalKeyMap(), table: DefaultTableKeyMap(), detail: DefaultDetailKeyMap(),
		filter: DefaultFilterKeyMap(), confirm: DefaultConfirmKeyMap(), picker: DefaultPickerKeyMap(),
		result: DefaultResultKeyMap(), doctor: DefaultDoctorKeyMap(), help: DefaultHelpKeyMap(),
		palette: DefaultPaletteKeyMap(),
	}
	var errs []error
	if f != nil && len(f.Keys) > 0 {
		errs = k.rebind(f)
	}
	if readOnly {
		k.table.Actions.readOnly()
		k.detail.Actions.readOnly()
	}
	return k, errs
}

// rebind applies f's keys: section and reports what is wrong in it: an
// unknown action, a key that is not one, or a key two actions share.
func (k *keyMaps) rebind(f *settings.File) []error {
	sets := k.sets()
	names := actionNames(sets)
	var errs []error
	bad := func(action, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: keys.%s: %s", f.At("keys."+action), action, fmt.Sprintf(format, args...)))
	}
	actions := make([]string, 0, len(f.Keys))
	for a := range f.Keys {
		actions = append(actions, a)
	}
	sort.Strings(actions)
	rebound := map[string]bool{}
	for _, action := range actions {
		keys := f.Keys[action]
		switch {
		case action == "force_quit":
			bad(action, "ctrl+c always quits; it cannot be rebound")
			continue
		case !slices.Contains(names, action):
			hint := ""
			if near := suggest.Closest(action, names); near != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", near)
			}
			bad(action, "no action named %q%s", action, hint)
			continue
		case len(keys) == 0:
			bad(action, "give at least one key")
			continue
		}
		norm := make([]string, 0, len(keys))
		for _, s := range keys {
			kn, problem := normalizeKey(s)
			if problem != "" {
				bad(action, "%s", problem)
				continue
			}
			norm = append(norm, kn)
		}
		if len(norm) < len(keys) {
			continue
		}
		rebound[action] = true
		for _, set := range sets {
			for _, n := range set.keys {
				if n.name == action {
					n.b.SetKeys(norm...)
					n.b.SetHelp(strings.Join(helpKeys(norm), "/"), n.b.Help().Desc)
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, set := range sets {
		errs = append(errs, k.conflicts(set, rebound, f, seen)...)
	}
	return errs
}

// conflicts reports a key bound to two actions of one component (or to
// one and ctrl+c) where the config rebound one of them, and a typed
// character bound in a text input, at the line of the action rebound;
// seen drops a clash already reported for another component.
func (k *keyMaps) conflicts(set keySet, rebound map[string]bool, f *settings.File, seen map[string]bool) []error {
	var errs []error
	owners := map[string][]string{}
	var order []string
	add := func(kk, name string) {
		if _, ok := owners[kk]; !ok {
			order = append(order, kk)
		}
		if !slices.Contains(owners[kk], name) {
			owners[kk] = append(owners[kk], name)
		}
	}
	for _, kk := range k.global.ForceQuit.Keys() {
		add(kk, "force_quit")
	}
	for _, n := range set.keys {
		for _, kk := range n.b.Keys() {
			if set.typed && rebound[n.name] && utf8.RuneCountInString(kk) == 1 {
				errs = append(errs, fmt.Errorf("%s: keys.%s: %q is typed into %s; bind a key such as ctrl+%s there", f.At("keys."+n.name), n.name, kk, set.where, kk))
				continue
			}
			add(kk, n.name)
		}
	}
	for _, kk := range order {
		names := owners[kk]
		if len(names) < 2 {
			continue
		}
		if len(names) == 2 && set.sharedByDesign(names[0], names[1]) {
			continue
		}
		at := slices.IndexFunc(names, func(n string) bool { return rebound[n] })
		if at < 0 {
			continue // the defaults' own sharing
		}
		action := names[at]
		others := slices.Delete(slices.Clone(names), at, at+1)
		id := kk + "\x00" + action + "\x00" + strings.Join(others, ",")
		if seen[id] {
			continue
		}
		seen[id] = true
		errs = append(errs, fmt.Errorf("%s: keys.%s: %q is also the key of %s in %s; give one of them another key", f.At("keys."+action), action, kk, strings.Join(others, " and "), set.where))
	}
	return errs
}

// keyNames are the names Bubble Tea gives the keys that are not
// characters ("enter", "ctrl+r", "pgdown", "f5" …).
func keyNames() map[string]bool {
	names := map[string]bool{}
	for t := tea.KeyType(-128); t < 128; t++ {
		if t == tea.KeyRunes {
			continue
		}
		if s := t.String(); s != "" && s != "runes" {
			names[s] = true
		}
	}
	return names
}

// normalizeKey reads a key as the config writes it: a character, a
// key's name (enter, ctrl+r, f5, pgdown), "space", and "alt+" before
// either. The problem is "" when it is one.
func normalizeKey(s string) (string, string) {
	k := strings.TrimSpace(s)
	alt := ""
	if rest, ok := strings.CutPrefix(k, "alt+"); ok && rest != "" {
		alt, k = "alt+", rest
	}
	switch strings.ToLower(k) {
	case "space":
		return alt + " ", ""
	case "pagedown", "pgdn":
		k = "pgdown"
	case "pageup":
		k = "pgup"
	case "escape":
		k = "esc"
	case "return":
		k = "enter"
	}
	if utf8.RuneCountInString(k) == 1 {
		r, _ := utf8.DecodeRuneInString(k)
		if r > ' ' && r != 0x7f && !(r >= 0x80 && r < 0xa0) {
			return alt + k, ""
		}
	}
	if keyNames()[strings.ToLower(k)] {
		return alt + strings.ToLower(k), ""
	}
	return "", fmt.Sprintf("%q is not a key: write a character (r, R, /), a key's name (enter, esc, tab, up, pgdown, f5, space) or ctrl+ or alt+ and one", s)
}

// helpKeys are keys as the help shows them.
func helpKeys(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		switch k {
		case " ":
			k = "space"
		case "up":
			k = "↑"
		case "down":
			k = "↓"
		}
		out[i] = k
	}
	return out
}
