package ui

import (
	"time"

	"github.com/tokentop/tokentop/store"
)

// A row of a user grant says when its user must log in: "log in" before
// the first login, "log in again" once the session is over (the refresh
// token was refused, or none is left and the access token is spent). The
// words take the status and the countdown cells together, with the key
// that logs in. The lifetime bar of a session with a refresh token whose
// expiry is known ends with that expiry, coarse ("rt 6d"): the countdown
// stays the access token's, and the detail has both in full.

// loginState is what a row asks of its user: "", "log in" or "log in
// again".
func loginState(sm *store.Summary) string {
	if !sm.Provider.Grant.UserLogin() {
		return ""
	}
	switch {
	case sm.Token == nil:
		return "log in"
	case sm.NeedsLogin:
		return "log in again"
	}
	return ""
}

// loginCell draws a row's login words in the status cell, spanning the
// countdown's when it comes right after; it reports whether the column
// at position i of the order is done (drawn, or spanned).
func (t *providerTable) loginCell(rw *rowWriter, r *row, login string, i int) bool {
	c := rw.c
	id := c.order[i]
	if id == colExpiresCol {
		// Spanned when the status came right before it.
		return i > 0 && c.order[i-1] == colStatusCol
	}
	w := c.width[colStatusCol]
	if i+1 < len(c.order) && c.order[i+1] == colExpiresCol {
		w += 1 + c.width[colExpiresCol]
	}
	text := login
	if k := t.keys.Actions.Login; k.Enabled() {
		text += " (" + k.Help().Key + ")"
	}
	sty := rw.cs.warn
	if r.sum.Token != nil {
		sty = rw.cs.bad
	}
	rw.put(sty, fit(text, w, false))
	return true
}

// refreshFigureW is the room the refresh token's figure takes at the end
// of the lifetime bar: "rt 23h" and a space before it.
const refreshFigureW = 7

// lifeAndRefresh is the lifetime bar, ending with the refresh token's
// expiry when it is known and the bar keeps three cells.
func (rw *rowWriter) lifeAndRefresh(sm *store.Summary, now time.Time, w int) {
	tok := sm.Token
	if tok == nil || tok.RefreshExpiresAt.IsZero() || !sm.Refreshable || w < refreshFigureW+3 {
		rw.life(tok, now, w)
		return
	}
	left := tok.RefreshExpiresAt.Sub(now)
	fig := "rt " + coarse(left)
	rw.life(tok, now, w-len(fig)-1)
	sty := rw.cs.muted
	if left <= 0 {
		sty = rw.cs.bad
	}
	rw.put(sty, " "+fig)
}
