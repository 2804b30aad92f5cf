package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tokentop/tokentop/ui/settings"
)

// CheckSettings checks what a config file asks of the dashboard: the
// actions and keys of keys: (no action unknown, no key two actions
// share), the columns: and the sort: column. Every problem is reported,
// each with the file and line. A missing file (nil) is fine.
func CheckSettings(f *settings.File) error {
	if f == nil {
		return nil
	}
	_, errs := newKeyMaps(f, false)
	errs = append(errs, checkColumns(f)...)
	if _, problem := parseSort(f.Sort.Column, f.Sort.Reverse); problem != "" {
		errs = append(errs, fmt.Errorf("%s: sort: %s", f.At("sort"), problem))
	}
	if n := len([]rune(f.Filter)); n > settings.MaxFilter {
		errs = append(errs, fmt.Errorf("%s: filter: %d characters; the filter takes at most %d", f.At("filter"), n, settings.MaxFilter))
	}
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}

// checkColumns reports an unknown column, one listed twice, and an empty
// list.
func checkColumns(f *settings.File) []error {
	if f.Columns == nil {
		return nil
	}
	if len(f.Columns) == 0 {
		return []error{fmt.Errorf("%s: columns: list at least one column (%s)", f.At("columns"), strings.Join(columnKeys(), ", "))}
	}
	var errs []error
	seen := map[colID]int{}
	for i, name := range f.Columns {
		at := f.At("columns." + strconv.Itoa(i))
		id, problem := parseColumn(name)
		switch {
		case problem != "":
			errs = append(errs, fmt.Errorf("%s: columns: %s", at, problem))
		case seen[id] > 0:
			errs = append(errs, fmt.Errorf("%s: columns: %q is listed twice", at, name))
		}
		seen[id]++
	}
	return errs
}

// settingsColumns are the config's columns, in order (the defaults when
// it lists none; what CheckSettings reports is left out).
func settingsColumns(f *settings.File) []colID {
	if f == nil || len(f.Columns) == 0 {
		return defaultColumns()
	}
	var cols []colID
	seen := map[colID]bool{}
	for _, name := range f.Columns {
		if id, problem := parseColumn(name); problem == "" && !seen[id] {
			cols = append(cols, id)
			seen[id] = true
		}
	}
	if len(cols) == 0 {
		return defaultColumns()
	}
	return cols
}
