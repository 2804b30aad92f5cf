package ui

import (
	"fmt"
	"strings"

	"github.com/tokentop/tokentop/providers/suggest"
	"github.com/tokentop/tokentop/store"
)

// colID names a column of the provider table; the config file's columns:
// list and sort: use their keys.
type colID int

const (
	colName colID = iota
	colEnv
	colStatusCol
	colExpiresCol
	colLife
	colQuotaCol
	colQuotaBar
	colLastCall
	colSpark // tokens issued per day, the last store.RecentDays days
	numCols  // how many there are
)

// key is the column's name in the config file.
func (c colID) key() string {
	return [numCols]string{"name", "env", "status", "expires", "life", "quota", "quota_bar", "last_call", "sparkline"}[c]
}

// title is the column's title in the table.
func (c colID) title() string {
	return [numCols]string{"NAME", "ENV", "STATUS", "EXPIRES", "LIFE", "QUOTA", "", "LAST CALL", "14 DAYS"}[c]
}

// right says whether the column is aligned right.
func (c colID) right() bool { return c == colExpiresCol || c == colQuotaCol }

// sortCol is the column an order by c sorts on (the quota bar sorts as
// the quota).
func (c colID) sortCol() colID {
	if c == colQuotaBar {
		return colQuotaCol
	}
	return c
}

// columnKeys lists every column's name, in the default order.
func columnKeys() []string {
	keys := make([]string, numCols)
	for c := range numCols {
		keys[c] = c.key()
	}
	return keys
}

// parseColumn reads a column's name; the error suggests the closest one.
func parseColumn(s string) (colID, string) {
	for c := range numCols {
		if c.key() == s {
			return c, ""
		}
	}
	if s == "expiry" {
		return colExpiresCol, ""
	}
	hint := "the columns are " + strings.Join(columnKeys(), ", ")
	if near := suggest.Closest(s, columnKeys()); near != "" {
		hint = fmt.Sprintf("did you mean %q?", near)
	}
	return 0, fmt.Sprintf("no column named %q (%s)", s, hint)
}

// defaultColumns are the columns in their default order.
func defaultColumns() []colID {
	return []colID{colName, colEnv, colStatusCol, colExpiresCol, colLife, colQuotaCol, colQuotaBar, colLastCall, colSpark}
}

// columns are the table's columns on screen: the ones shown, in order,
// and the width of each (0 for one hidden or that did not fit).
type columns struct {
	order []colID
	width [numCols]int
}

// shown reports whether c is on screen.
func (c *columns) shown(id colID) bool { return c.width[id] > 0 }

const (
	colMark    = 3
	colStatus  = 8
	colExpires = 9
	colQuota   = 12
	colLast    = 9
	nameMin    = 12
	nameMax    = 40
)

// layoutColumns picks the columns of want that fit in width: the name,
// the status and the countdown always; then the quota, the lifetime bar,
// the last call, the env, the quota bar and the sparkline while the name
// keeps nameMin cells (the sparkline last: an 80-cell table goes without
// it). Columns are one space apart, after the marks.
func layoutColumns(width int, want []colID) columns {
	c := columns{}
	has := [numCols]bool{}
	for _, id := range want {
		has[id] = true
	}
	n := 0 // columns shown
	used := colMark
	add := func(id colID, w int) {
		c.width[id] = w
		used += w
		if n > 0 {
			used++
		}
		n++
	}
	if has[colName] {
		n++ // the name takes what is left
	}
	for _, f := range []struct {
		id colID
		w  int
	}{{colStatusCol, colStatus}, {colExpiresCol, colExpires}} {
		if has[f.id] {
			add(f.id, f.w)
		}
	}
	wide := width >= 110
	pick := func(narrow, wider int) int {
		if wide {
			return wider
		}
		return narrow
	}
	room := 0
	if has[colName] {
		room = nameMin
	}
	for _, f := range []struct {
		id colID
		w  int
	}{{colQuotaCol, colQuota}, {colLife, pick(10, 16)}, {colLastCall, colLast}, {colEnv, pick(8, 12)}, {colQuotaBar, pick(6, 10)},
		{colSpark, store.RecentDays}} {
		if has[f.id] && width-used-(f.w+1) >= room {
			add(f.id, f.w)
		}
	}
	if has[colName] {
		c.width[colName] = min(max(width-used, 1), max(nameMax, width/4))
	}
	for _, id := range want {
		if c.width[id] > 0 {
			c.order = append(c.order, id)
		}
	}
	return c
}

// at is the column drawn at x (counting from the table's left edge), the
// space after it counted as its own; ok is false left of the first.
func (c *columns) at(x int) (colID, bool) {
	pos := colMark
	for i, id := range c.order {
		start := pos
		if i > 0 {
			pos++ // the space before it
		}
		end := pos + c.width[id]
		if x >= start && x < end {
			return id, true
		}
		pos = end
	}
	return 0, false
}
