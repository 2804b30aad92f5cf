package providers

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/tokentop/tokentop/providers/safetext"
)

// CheckText refuses text that could act on a terminal when it is shown: a
// C0 or C1 control character (ESC starts every escape sequence), DEL, a
// bidi control or invalid UTF-8. lines allows newlines and tabs. label
// names the field in the error. The config file, `tokentop add` and the
// dashboard's form all check their fields with it (through
// [Provider.Validate]).
func CheckText(label, s string, lines bool) error {
	r, at, bad := safetext.FirstUnsafe(s, lines)
	if !bad {
		return nil
	}
	return fmt.Errorf("%s holds %s at byte %d; remove it", label, safetext.Describe(r), at+1)
}

// multiLine reports whether the field of yaml name may hold newlines
// and tabs: free text, and a request body.
func multiLine(name string) bool { return name == "notes" || name == "body" }

// textProblems checks every text of the setting key with [CheckText]:
// each string, list entry, map key and map value, found by walking the
// struct field, so a part added to it later is checked too. [Fields]
// leaves the client secret alone: it is never shown, and whatever bytes
// it holds are sent as they are.
func (p Provider) textProblems(key string) []error {
	var errs []error
	w := textWalk{check: func(at textAt, label, s string, lines bool) {
		if err := CheckText(label, s, lines); err != nil {
			errs = append(errs, &Problem{Provider: p.Name, Field: at.field, Index: at.index, Key: at.key, Msg: err.Error()})
		}
	}}
	v := reflect.ValueOf(p)
	t := v.Type()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name == key {
			w.value(v.Field(i), textAt{field: key, index: -1}, key, multiLine(key))
		}
	}
	return errs
}

// textAt is where a text sits: the provider's key (field), the entry
// of its list (index, -1 for none) or the key of its map, so that
// LoadConfig can name the line.
type textAt struct {
	field string
	index int
	key   string
}

type textWalk struct {
	check func(at textAt, label, s string, lines bool)
}

// fields walks the yaml fields of struct v; prefix labels them
// ("endpoint 2: ").
func (w textWalk) fields(v reflect.Value, at textAt, prefix string) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		fat := at
		if fat.field == "" {
			fat.field = name
		}
		w.value(v.Field(i), fat, prefix+name, multiLine(name))
	}
}

// value walks one value labelled label.
func (w textWalk) value(v reflect.Value, at textAt, label string, lines bool) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		w.check(at, label, v.String(), lines)
	case reflect.Struct:
		w.fields(v, at, label+".")
	case reflect.Slice:
		for i := range v.Len() {
			eat := at
			if eat.index < 0 {
				eat.index = i
			}
			if e := v.Index(i); e.Kind() == reflect.Struct {
				// "endpoint 2: ", or by its name: `endpoint "items": `
				prefix := fmt.Sprintf("%s %d: ", strings.TrimSuffix(label, "s"), i+1)
				if n := e.FieldByName("Name"); n.Kind() == reflect.String && n.String() != "" {
					prefix = fmt.Sprintf("%s %q: ", strings.TrimSuffix(label, "s"), n.String())
				}
				w.fields(e, eat, prefix)
				continue
			}
			w.value(v.Index(i), eat, fmt.Sprintf("%s entry %d", label, i+1), lines)
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			kat := at
			if kat.index < 0 && kat.key == "" {
				kat.key = k.String()
			}
			keyLabel, valueLabel := fmt.Sprintf("%s key %q", label, k.String()), fmt.Sprintf("%s[%q]", label, k.String())
			if strings.HasSuffix(label, "headers") { // as endpointProblems words them
				prefix := strings.TrimSuffix(label, "headers")
				keyLabel, valueLabel = fmt.Sprintf("%sheader name %q", prefix, k.String()), fmt.Sprintf("%sheader %q", prefix, k.String())
			}
			w.check(kat, keyLabel, k.String(), false)
			w.value(v.MapIndex(k), kat, valueLabel, lines)
		}
	}
}
