package ui

import (
	"cmp"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// sortSpec is the rows' order: a column and its direction. s moves to the
// next column (ascending), S (or choosing the same column again, by key
// or by a click on its title) reverses it. Rows without a value in the
// column (no token, no env, no quota, no call yet) come last either way;
// ties go by name.
type sortSpec struct {
	col     colID
	reverse bool
}

// String is the order for the status line: "expiry", "name, reversed".
func (s sortSpec) String() string {
	name := s.col.sortCol().key()
	switch s.col.sortCol() {
	case colExpiresCol:
		name = "expiry"
	case colLastCall:
		name = "last call"
	case colSpark:
		name = "tokens in 14 days"
	}
	if s.reverse {
		name += ", reversed"
	}
	return name
}

// sortCycle is the order s goes through the columns: expiry, name and env
// first, as before there were more.
func sortCycle() []colID {
	return []colID{colExpiresCol, colName, colEnv, colStatusCol, colLife, colQuotaCol, colLastCall, colSpark}
}

// nextSort is the order after s when s is pressed: the next column of the
// cycle among those configured (want), ascending.
func nextSort(s sortSpec, want []colID) sortSpec {
	has := map[colID]bool{}
	for _, c := range want {
		has[c.sortCol()] = true
	}
	cycle := sortCycle()
	start := 0
	for i, c := range cycle {
		if c == s.col.sortCol() {
			start = i
		}
	}
	for i := 1; i <= len(cycle); i++ {
		if c := cycle[(start+i)%len(cycle)]; has[c] || c == colExpiresCol {
			return sortSpec{col: c}
		}
	}
	return sortSpec{col: colExpiresCol}
}

// chooseSort is the order after a column is chosen (its title clicked):
// the same column again reverses it, another starts ascending.
func chooseSort(s sortSpec, c colID) sortSpec {
	if c.sortCol() == s.col.sortCol() {
		return sortSpec{col: s.col, reverse: !s.reverse}
	}
	return sortSpec{col: c.sortCol()}
}

// statusRank orders statuses worst first.
func statusRank(s providers.Status) int {
	switch s {
	case providers.StatusError:
		return 0
	case providers.StatusExpired:
		return 1
	case providers.StatusExpiring:
		return 2
	case providers.StatusValid:
		return 3
	}
	return 4
}

// compareRows orders two rows by s at now: rows without a value last,
// then by the column (reversed when asked), then by name.
func compareRows(s sortSpec, a, b *row, now time.Time) int {
	byName := cmp.Compare(a.sum.Provider.Name, b.sum.Provider.Name)
	c, hasA, hasB := compareBy(s.col.sortCol(), a, b, now)
	switch {
	case hasA != hasB:
		if hasA {
			return -1
		}
		return 1
	case !hasA:
		return byName
	}
	if s.reverse {
		c = -c
	}
	return cmp.Or(c, byName)
}

// compareBy compares two rows on one column; has says whether each row
// has a value there.
func compareBy(col colID, a, b *row, now time.Time) (c int, hasA, hasB bool) {
	sa, sb := &a.sum, &b.sum
	switch col {
	case colName:
		return cmp.Compare(sa.Provider.Name, sb.Provider.Name), true, true
	case colEnv:
		return cmp.Compare(sa.Provider.Env, sb.Provider.Env), sa.Provider.Env != "", sb.Provider.Env != ""
	case colStatusCol:
		return cmp.Compare(statusRank(a.status), statusRank(b.status)), true, true
	case colLife:
		fa, okA := lifeLeft(sa.Token, now)
		fb, okB := lifeLeft(sb.Token, now)
		return cmp.Compare(fa, fb), okA, okB
	case colQuotaCol:
		_, fa, okA := quotaCell(sa)
		_, fb, okB := quotaCell(sb)
		return cmp.Compare(fa, fb), okA, okB
	case colLastCall:
		la, lb := sa.LastCall, sb.LastCall
		if la == nil || lb == nil {
			return 0, la != nil, lb != nil
		}
		return cmp.Or(cmp.Compare(la.Status, lb.Status), cmp.Compare(la.Latency, lb.Latency)), true, true
	case colSpark:
		return cmp.Compare(recentTotal(sa), recentTotal(sb)), true, true
	}
	ta, tb := sa.Token, sb.Token
	if ta == nil || tb == nil {
		return 0, ta != nil, tb != nil
	}
	return ta.ExpiresAt.Compare(tb.ExpiresAt), true, true
}

// recentTotal is the tokens issued over the sparkline's days.
func recentTotal(s *store.Summary) int {
	n := 0
	for _, c := range s.Recent {
		n += c
	}
	return n
}

// lifeLeft is the share of a token's lifetime left at now.
func lifeLeft(t *providers.Token, now time.Time) (float64, bool) {
	if t == nil || t.ExpiresAt.IsZero() {
		return 0, false
	}
	life := t.Lifetime()
	if life <= 0 {
		return 0, false
	}
	return float64(t.ExpiresAt.Sub(now)) / float64(life), true
}

// parseSort reads the config's sort column; the problem is "" when it
// is a column's name.
func parseSort(col string, reverse bool) (sortSpec, string) {
	if col == "" {
		return sortSpec{col: colExpiresCol, reverse: reverse}, ""
	}
	c, problem := parseColumn(col)
	return sortSpec{col: c.sortCol(), reverse: reverse}, problem
}
