package jsonfloat

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// maxDepth bounds the slow paths' recursion: encoding/json reports a cycle
// after 1000 pointer levels, and perftop's data is a few levels deep.
const maxDepth = 10000

// encoder is the slow path of Marshal, taken only for a value that holds a
// non-finite float: it walks the value's composites itself, as
// encoding/json does, and hands everything else (strings, numbers, bools,
// []byte, json.Marshaler and encoding.TextMarshaler values) to
// encoding/json, so that every byte but a non-finite float's is
// encoding/json's own. With delegate set, a composite is first tried with
// encoding/json whole, and walked only when that fails for a non-finite
// float inside; tests clear it to prove the walk alone.
type encoder struct {
	buf      []byte
	delegate bool
}

// marshalReflect is the slow path on its own.
func marshalReflect(v any, delegate bool) ([]byte, error) {
	e := encoder{delegate: delegate}
	if err := e.value(reflect.ValueOf(v), 0); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// std appends encoding/json's encoding of v; a pointer to v when v is
// addressable, so that pointer-receiver marshalers run as they would.
func (e *encoder) std(v reflect.Value) error {
	b, err := stdMarshal(v)
	e.buf = append(e.buf, b...)
	return err
}

func stdMarshal(v reflect.Value) ([]byte, error) {
	if v.CanAddr() {
		v = v.Addr()
	}
	if !v.CanInterface() {
		return nil, fmt.Errorf("jsonfloat: cannot encode %s reached through an unexported field", v.Type())
	}
	return json.Marshal(v.Interface())
}

// marshals reports whether encoding/json would encode v with a
// MarshalJSON or MarshalText method.
func marshals(v reflect.Value) bool {
	t := v.Type()
	if v.CanAddr() && t.Kind() != reflect.Pointer {
		t = reflect.PointerTo(t)
	}
	return t.Implements(marshalerType) || t.Implements(textMarshalerType)
}

func (e *encoder) value(v reflect.Value, depth int) error {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if depth > maxDepth {
		return fmt.Errorf("jsonfloat: value nested deeper than %d levels (a cycle?)", maxDepth)
	}
	if marshals(v) {
		return e.std(v)
	}
	k := v.Kind()
	composite := k == reflect.Struct || k == reflect.Map || k == reflect.Slice || k == reflect.Array || k == reflect.Pointer || k == reflect.Interface
	if e.delegate && composite && v.CanInterface() {
		b, err := stdMarshal(v)
		if _, nonFinite := err.(*json.UnsupportedValueError); !nonFinite {
			e.buf = append(e.buf, b...)
			return err
		}
	}
	switch k {
	case reflect.Float32, reflect.Float64:
		if s := nonFiniteString(v.Float()); s != "" {
			e.buf = append(e.buf, s...)
			return nil
		}
		return e.std(v)
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.value(v.Elem(), depth+1)
	case reflect.Struct:
		return e.structValue(v, depth)
	case reflect.Map:
		return e.mapValue(v, depth)
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if et := v.Type().Elem(); et.Kind() == reflect.Uint8 && !reflect.PointerTo(et).Implements(marshalerType) && !reflect.PointerTo(et).Implements(textMarshalerType) {
			return e.std(v) // base64
		}
		fallthrough
	case reflect.Array:
		e.buf = append(e.buf, '[')
		for i := range v.Len() {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.value(v.Index(i), depth+1); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
		return nil
	}
	return e.std(v)
}

func (e *encoder) structValue(v reflect.Value, depth int) error {
	e.buf = append(e.buf, '{')
	first := true
fields:
	for _, f := range typeFields(v.Type()) {
		fv := v
		for _, i := range f.index {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue fields // a field of a nil embedded pointer
				}
				fv = fv.Elem()
			}
			fv = fv.Field(i)
		}
		if f.omitEmpty && empty(fv) || f.omitZero && zero(fv) {
			continue
		}
		if f.quoted {
			return fmt.Errorf("jsonfloat: field %s of %s: the ,string option is not supported with non-finite floats", f.name, v.Type())
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = append(e.buf, f.key...)
		if err := e.value(fv, depth+1); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *encoder) mapValue(v reflect.Value, depth int) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	type entry struct {
		key string
		v   reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		k, err := keyName(it.Key())
		if err != nil {
			return err
		}
		entries = append(entries, entry{k, it.Value()})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	e.buf = append(e.buf, '{')
	for i, en := range entries {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		k, _ := json.Marshal(en.key)
		e.buf = append(append(e.buf, k...), ':')
		if err := e.value(en.v, depth+1); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// keyName is a map key as encoding/json writes it: a string as it is, a
// TextMarshaler's text, an integer in decimal.
func keyName(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if k.Type().Implements(textMarshalerType) && k.CanInterface() {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := k.Interface().(interface{ MarshalText() ([]byte, error) }).MarshalText()
		if err != nil {
			return "", &json.MarshalerError{Type: k.Type(), Err: err}
		}
		return string(b), nil
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", &json.UnsupportedTypeError{Type: k.Type()}
}

// empty is encoding/json's isEmptyValue, for omitempty. NaN is not empty.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// zero is omitzero's test, as encoding/json makes it from the field's
// type: its IsZero method where it has one (on a pointer receiver too),
// else the zero value.
func zero(v reflect.Value) bool {
	type isZeroer interface{ IsZero() bool }
	t, z := v.Type(), reflect.TypeFor[isZeroer]()
	switch {
	case t.Kind() == reflect.Interface && t.Implements(z):
		return v.IsNil() || v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil() || v.Interface().(isZeroer).IsZero()
	case t.Kind() == reflect.Pointer && t.Implements(z):
		return v.IsNil() || v.Interface().(isZeroer).IsZero()
	case t.Implements(z):
		return v.Interface().(isZeroer).IsZero()
	case reflect.PointerTo(t).Implements(z):
		if !v.CanAddr() {
			p := reflect.New(t).Elem()
			p.Set(v)
			v = p
		}
		return v.Addr().Interface().(isZeroer).IsZero()
	}
	return v.IsZero()
}

// nonFiniteString is f's JSON form when JSON numbers cannot hold it, as
// Prometheus's HTTP API writes it, or "" for a finite f.
func nonFiniteString(f float64) string {
	switch {
	case math.IsNaN(f):
		return `"NaN"`
	case math.IsInf(f, 1):
		return `"+Inf"`
	case math.IsInf(f, -1):
		return `"-Inf"`
	}
	return ""
}
