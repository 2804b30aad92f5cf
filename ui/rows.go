package ui

import (
	"slices"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// rowFlags are the root's per-provider state shown in a row.
type rowFlags struct {
	refreshing bool
	auto       bool
	paused     bool
}

// row is one provider as the dashboard holds it.
type row struct {
	sum    store.Summary
	name   string // sanitised for the screen (env comes from a config file)
	env    string
	status providers.Status
	search string // lower-cased name, env and preset, for the filter
	spark  string // tokens issued per day, the last store.RecentDays days
	rowFlags
}

// counts are the header's figures, computed once per tick (not per frame).
type counts struct {
	total, valid, expiring, expired, failing, none int
}

// rowSet is every provider the dashboard knows, owned by the root: the
// rows, the filter and the order they are shown in, their statuses at the
// root's clock and the header's counts. The table draws it as a rowSource.
type rowSet struct {
	rows   []row
	index  map[string]int // name → position in rows
	view   []int          // filtered and sorted positions in rows
	sortBy sortSpec
	filter string
	now    time.Time
	loaded bool
	counts counts
}

var _ rowSource = (*rowSet)(nil)

func newRowSet() *rowSet {
	return &rowSet{index: map[string]int{}, sortBy: sortSpec{col: colExpiresCol}}
}

// Set replaces the rows with the summaries read, each with the root's
// flags for it.
func (s *rowSet) Set(sums []store.Summary, flags func(string) rowFlags) {
	s.loaded = true
	s.rows = make([]row, len(sums))
	clear(s.index)
	for i, sm := range sums {
		s.rows[i] = row{
			sum:      sm,
			name:     clean(sm.Provider.Name),
			env:      clean(sm.Provider.Env),
			search:   strings.ToLower(sm.Provider.Name + " " + sm.Provider.Env + " " + sm.Provider.Preset),
			spark:    sparkline(sm.Recent[:]),
			rowFlags: flags(sm.Provider.Name),
		}
		s.index[sm.Provider.Name] = i
	}
	s.restatus()
	s.rebuild()
}

// SetFlags updates one row's root state (spinner, auto-refresh, pause).
func (s *rowSet) SetFlags(name string, f rowFlags) {
	if i, ok := s.index[name]; ok {
		s.rows[i].rowFlags = f
	}
}

// SetNow moves the clock: statuses and counts follow, once per tick.
func (s *rowSet) SetNow(now time.Time) {
	s.now = now
	s.restatus()
}

func (s *rowSet) restatus() {
	var c counts
	for i := range s.rows {
		r := &s.rows[i]
		r.status = r.sum.Status(s.now)
		c.total++
		switch r.status {
		case providers.StatusValid:
			c.valid++
		case providers.StatusExpiring:
			c.expiring++
		case providers.StatusExpired:
			c.expired++
		case providers.StatusError:
			c.failing++
		default:
			c.none++
		}
	}
	s.counts = c
}

// SetFilter keeps the rows whose name, env or preset hold every word.
func (s *rowSet) SetFilter(f string) {
	if f == s.filter {
		return
	}
	s.filter = f
	s.rebuild()
}

// SetSort changes the order.
func (s *rowSet) SetSort(m sortSpec) {
	s.sortBy = m
	s.rebuild()
}

// rebuild recomputes the view: filter, then sort.
func (s *rowSet) rebuild() {
	words := strings.Fields(strings.ToLower(s.filter))
	s.view = s.view[:0]
	for i := range s.rows {
		ok := true
		for _, w := range words {
			if !strings.Contains(s.rows[i].search, w) {
				ok = false
				break
			}
		}
		if ok {
			s.view = append(s.view, i)
		}
	}
	slices.SortStableFunc(s.view, s.compare)
}

func (s *rowSet) compare(a, b int) int {
	return compareRows(s.sortBy, &s.rows[a], &s.rows[b], s.now)
}

// Row returns the row of the named provider, shown or not.
func (s *rowSet) Row(name string) (*row, bool) {
	i, ok := s.index[name]
	if !ok {
		return nil, false
	}
	return &s.rows[i], true
}

// All is every row, in the order read.
func (s *rowSet) All() []row { return s.rows }

// Shown is the names of the rows in view, in order.
func (s *rowSet) Shown() []string {
	names := make([]string, len(s.view))
	for i, j := range s.view {
		names[i] = s.rows[j].sum.Provider.Name
	}
	return names
}

// Counts are the header's figures.
func (s *rowSet) Counts() counts { return s.counts }

// Len implements rowSource.
func (s *rowSet) Len() int { return len(s.view) }

// At implements rowSource.
func (s *rowSet) At(i int) *row { return &s.rows[s.view[i]] }

// Position implements rowSource.
func (s *rowSet) Position(name string) int {
	if i, ok := s.index[name]; ok {
		return slices.Index(s.view, i)
	}
	return -1
}

// Total implements rowSource.
func (s *rowSet) Total() int { return len(s.rows) }

// Loaded implements rowSource.
func (s *rowSet) Loaded() bool { return s.loaded }

// Filter implements rowSource.
func (s *rowSet) Filter() string { return s.filter }

// Sort implements rowSource.
func (s *rowSet) Sort() sortSpec { return s.sortBy }

// Now implements rowSource.
func (s *rowSet) Now() time.Time { return s.now }
