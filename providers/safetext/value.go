package safetext

import "reflect"

// Value returns a deep copy of v in which every string has been through
// [Sanitize]: struct fields, list entries, map keys and values, behind
// pointers and interfaces. Unexported fields are copied as they are, and
// so is everything that is not text. A component that draws what it is
// given (the dashboard) takes its data through Value once, where the data
// arrives, so that no view can draw a string that skipped the sanitiser.
// v must hold no pointer cycles.
//
// Text that needs nothing (the usual case) is not copied: Value first
// walks v, and returns v itself when no string in it would change, so the
// dashboard's reload of 10,000 clean summaries allocates once here.
// Callers hand Value data they own, so sharing it is safe.
func Value[T any](v T) T {
	src := reflect.ValueOf(&v).Elem()
	if valueIsClean(src) {
		return v
	}
	dst := reflect.New(src.Type()).Elem()
	cleanCopy(dst, src)
	return dst.Interface().(T)
}

// cleanCopy sets dst (settable, of src's type) to a sanitised deep copy of
// src.
func cleanCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.String:
		dst.SetString(Sanitize(src.String()))
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		cleanCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		cleanCopy(e, src.Elem())
		dst.Set(e)
	case reflect.Struct:
		dst.Set(src) // the unexported fields
		for i := range src.NumField() {
			if src.Type().Field(i).IsExported() {
				cleanCopy(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			cleanCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Array:
		for i := range src.Len() {
			cleanCopy(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k := reflect.New(src.Type().Key()).Elem()
			cleanCopy(k, it.Key())
			e := reflect.New(src.Type().Elem()).Elem()
			cleanCopy(e, it.Value())
			m.SetMapIndex(k, e)
		}
		dst.Set(m)
	default:
		dst.Set(src)
	}
}

// valueIsClean reports whether every exported string reachable from v (as
// cleanCopy walks it) is already what Sanitize makes of it.
func valueIsClean(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return Sanitize(v.String()) == v.String()
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || valueIsClean(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && !valueIsClean(v.Field(i)) {
				return false
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if !valueIsClean(v.Index(i)) {
				return false
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if !valueIsClean(it.Key()) || !valueIsClean(it.Value()) {
				return false
			}
		}
	}
	return true
}
