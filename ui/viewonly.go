package ui

import "github.com/charmbracelet/bubbles/key"

// viewOnly turns off, besides what readOnly does, every action that
// reaches the network (refresh, refresh all, test-call, auto-refresh,
// doctor): a view-only session spends no token and calls no API.
func (k *ActionKeyMap) viewOnly() {
	k.readOnly()
	for _, b := range []*key.Binding{&k.Refresh, &k.RefreshAll, &k.TestCall, &k.AutoRefresh, &k.Doctor} {
		b.SetEnabled(false)
		k.locked = append(k.locked, *b)
	}
}

// reachesNetwork reports whether an intent would fetch a token or call
// an endpoint: a view-only session refuses it, whichever way it came
// (a key, the palette, auto-refresh).
func reachesNetwork(in intent) bool {
	switch in.(type) {
	case refreshIntent, refreshAllIntent, autoToggleIntent, testCallIntent, callIntent, doctorIntent, loginIntent, loginRefreshIntent:
		return true
	}
	return false
}

// lockedStatus is what the status line says of a key turned off.
func (m *Model) lockedStatus(what string) string {
	if m.cfg.ViewOnly {
		return "view-only session: " + what + " is turned off (nothing here fetches a token or calls an API)"
	}
	return "read-only session: " + what + " is turned off (no add, edit, delete, copy or login here)"
}
