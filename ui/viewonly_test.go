package ui

import (
	"strings"
	"testing"

	"github.com/tokentop/tokentop/store"
)

// TestViewOnlyTurnsOffTheNetwork: a view-only dashboard (an open SSH
// server over a real database) refuses every action that fetches a token
// or calls an API, however it is asked (a key, an intent as the palette
// sends it, auto-refresh), lists none of them in the palette, and is
// read-only as well.
func TestViewOnlyTurnsOffTheNetwork(t *testing.T) {
	e := newEnv(t, true)
	cfg := e.config()
	cfg.ViewOnly, cfg.AutoRefresh = true, true
	m := e.loaded(cfg, 120, 40)
	if !m.cfg.ReadOnly {
		t.Fatal("a view-only dashboard must be read-only too")
	}
	for _, k := range []struct{ key, what string }{
		{"r", "refresh"}, {"R", "refresh all"}, {"t", "test-call"}, {"x", "auto-refresh"}, {"D", "doctor"}, {"c", "copy token"}, {"a", "add"},
	} {
		m.update(key1(k.key))
		if got := m.status.Text(); !strings.Contains(got, "view-only session: "+k.what+" is turned off") {
			t.Errorf("%s: the status says %q", k.key, got)
		}
	}
	name := m.table.Selected()
	for _, in := range []intent{refreshIntent{name}, refreshAllIntent{}, testCallIntent{name}, doctorIntent{name: name}, autoToggleIntent{name}} {
		m.onActionIntent(in)
		if got := m.status.Text(); !strings.Contains(got, "view-only session") {
			t.Errorf("%T: the status says %q", in, got)
		}
	}
	if cmd := m.startRefresh(name, store.TokenOptions{}, true, nil); cmd != nil {
		t.Error("auto-refresh started a fetch in a view-only dashboard")
	}
	m.update(key1(":"))
	offered := map[string]bool{}
	for _, it := range m.palette.list.Items() {
		title := it.(paletteItem).title
		offered[title] = true
		switch title {
		case "refresh", "refresh all", "test-call", "auto-refresh", "doctor", "copy token", "edit", "delete", "add":
			t.Errorf("the palette offers %q", title)
		}
	}
	if !offered["detail"] {
		t.Errorf("the palette should still offer what a viewer may do (detail): %v", offered)
	}
}
