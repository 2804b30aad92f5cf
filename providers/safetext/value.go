package safetext

import "reflect"

// Value returns a deep copy of v in which every string has been through
// [Sanitize]: struct fields, list entries, map keys and values, behind
// pointers and interfaces. Unexported fields are copied as they are, and
// so is everything that is not text. A component that draws what it is
// given (the dashboard) takes its data through Value once, where the data
// arrives, so that no view can draw a string that skipped the sanitiser.
// v must hold no pointer cycles.
func Value[T any](v T) T {
	src := reflect.ValueOf(&v).Elem()
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
