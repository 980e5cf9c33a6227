package jsonfloat

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// nonFiniteErr reports encoding/json's refusal of a JSON string for a
// float, the one error the slow path of Unmarshal can cure.
func nonFiniteErr(err error) bool {
	te, ok := err.(*json.UnmarshalTypeError)
	return ok && te.Value == "string" && isFloat(te.Type)
}

// decode is the slow path of Unmarshal into v, which is settable: it tries
// encoding/json first and walks the composites itself only when that
// fails on a float given as a string, so that everything else is decoded
// as encoding/json decodes it.
func decode(data []byte, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("jsonfloat: value nested deeper than %d levels", maxDepth)
	}
	if !v.CanAddr() || !v.Addr().CanInterface() {
		return fmt.Errorf("jsonfloat: cannot decode into %s reached through an unexported field", v.Type())
	}
	err := json.Unmarshal(data, v.Addr().Interface())
	if !nonFiniteErr(err) || !holdsFloat(v.Type()) {
		return err
	}
	return decodeWalk(data, v, depth, err)
}

// decodeWalk decodes into v, which encoding/json could not fill with err,
// member by member.
func decodeWalk(data []byte, v reflect.Value, depth int, err error) error {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		f, ok := parseNonFinite(s)
		if !ok {
			if len(s) > 32 {
				s = s[:32] + "..."
			}
			return fmt.Errorf("jsonfloat: cannot unmarshal string %q into %s: want a number, \"NaN\", \"+Inf\" or \"-Inf\"", s, v.Type())
		}
		v.SetFloat(f)
		return nil
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return decode(data, v.Elem(), depth+1)
	case reflect.Struct:
		return decodeObject(data, v, func(key string, raw []byte) error {
			f := lookup(typeFields(v.Type()), key)
			if f == nil {
				return nil
			}
			if f.quoted {
				return fmt.Errorf("jsonfloat: field %s of %s: the ,string option is not supported with non-finite floats", f.name, v.Type())
			}
			fv, err := fieldByIndex(v, f.index)
			if err != nil {
				return err
			}
			return decode(raw, fv, depth+1)
		})
	case reflect.Map:
		return decodeMap(data, v, depth)
	case reflect.Slice, reflect.Array:
		return decodeArray(data, v, depth)
	}
	return err
}

func parseNonFinite(s string) (float64, bool) {
	switch s {
	case "NaN":
		return math.NaN(), true
	case "+Inf":
		return math.Inf(1), true
	case "-Inf":
		return math.Inf(-1), true
	}
	return 0, false
}

// errShape is a JSON value not of the kind asked for; encoding/json has
// reported it already whenever the slow path runs.
var errShape = errors.New("jsonfloat: unexpected JSON value")

// decodeObject calls member for each member of the JSON object data, in
// order. data is valid JSON (encoding/json has read it once), so it is
// split where it lies, without a copy: the slow path of a file's decoding
// holds the file once, not once per level.
func decodeObject(data []byte, v reflect.Value, member func(key string, raw []byte) error) error {
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '{' {
		return &json.UnmarshalTypeError{Value: "non-object", Type: v.Type()}
	}
	for i = skipSpace(data, i+1); i < len(data) && data[i] != '}'; {
		if data[i] != '"' {
			return errShape
		}
		end := skipString(data, i)
		var key string
		if err := json.Unmarshal(data[i:end], &key); err != nil {
			return err
		}
		if i = skipSpace(data, end); i == len(data) || data[i] != ':' {
			return errShape
		}
		i = skipSpace(data, i+1)
		if end = skipValue(data, i); end == i {
			return errShape
		}
		if err := member(key, data[i:end]); err != nil {
			return err
		}
		if i = skipSpace(data, end); i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return nil
}

// eachElement calls element for each element of the JSON array data, in
// order, as decodeObject does for members.
func eachElement(data []byte, v reflect.Value, element func(raw []byte) error) error {
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '[' {
		return &json.UnmarshalTypeError{Value: "non-array", Type: v.Type()}
	}
	for i = skipSpace(data, i+1); i < len(data) && data[i] != ']'; {
		end := skipValue(data, i)
		if end == i {
			return errShape
		}
		if err := element(data[i:end]); err != nil {
			return err
		}
		if i = skipSpace(data, end); i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the end of the string whose opening quote is at i.
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(data)
}

// skipValue returns the end of the valid JSON value that starts at i.
func skipValue(data []byte, i int) int {
	depth := 0
	for i < len(data) {
		switch data[i] {
		case '"':
			i = skipString(data, i)
		case '{', '[':
			depth++
			i++
		case '}', ']':
			depth--
			i++
		default:
			if depth == 0 { // a number, true, false or null
				for i < len(data) && !strings.ContainsRune(",}] \t\n\r", rune(data[i])) {
					i++
				}
				return i
			}
			i++
		}
		if depth <= 0 {
			return i
		}
	}
	return i
}

// lookup finds a member's field as encoding/json does: by exact name,
// else case-insensitively.
func lookup(fields []field, key string) *field {
	for i := range fields {
		if fields[i].name == key {
			return &fields[i]
		}
	}
	for i := range fields {
		if bytes.EqualFold([]byte(fields[i].name), []byte(key)) {
			return &fields[i]
		}
	}
	return nil
}

// fieldByIndex is v's field at index, allocating nil embedded pointers on
// the way as encoding/json does.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, error) {
	for _, i := range index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, fmt.Errorf("jsonfloat: cannot set embedded pointer to unexported struct %s", v.Type().Elem())
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, nil
}

func decodeMap(data []byte, v reflect.Value, depth int) error {
	t := v.Type()
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	return decodeObject(data, v, func(key string, raw []byte) error {
		k, err := mapKey(t.Key(), key)
		if err != nil {
			return err
		}
		e := reflect.New(t.Elem()).Elem()
		if err := decode(raw, e, depth+1); err != nil {
			return err
		}
		v.SetMapIndex(k, e)
		return nil
	})
}

// mapKey converts an object's key to a map's key type as encoding/json
// does: a TextUnmarshaler, a string, or a decimal integer.
func mapKey(kt reflect.Type, key string) (reflect.Value, error) {
	if reflect.PointerTo(kt).Implements(textUnmarshalerType) {
		k := reflect.New(kt)
		if err := k.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(key)); err != nil {
			return reflect.Value{}, err
		}
		return k.Elem(), nil
	}
	k := reflect.New(kt).Elem()
	switch kt.Kind() {
	case reflect.String:
		k.SetString(key)
		return k, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(key, 10, 64)
		if err == nil && !k.OverflowInt(n) {
			k.SetInt(n)
			return k, nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(key, 10, 64)
		if err == nil && !k.OverflowUint(n) {
			k.SetUint(n)
			return k, nil
		}
	}
	return reflect.Value{}, &json.UnmarshalTypeError{Value: "number " + strconv.Quote(key), Type: kt}
}

// decodeArray fills a slice or array as encoding/json does: a slice takes
// the array's length, an array keeps its own and zeroes what the JSON lacks.
func decodeArray(data []byte, v reflect.Value, depth int) error {
	slice := v.Kind() == reflect.Slice
	i := 0
	err := eachElement(data, v, func(raw []byte) error {
		defer func() { i++ }()
		if slice {
			if i >= v.Cap() {
				v.Grow(1)
			}
			if i >= v.Len() {
				v.SetLen(i + 1)
			}
		}
		if i < v.Len() {
			return decode(raw, v.Index(i), depth+1)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if i < v.Len() {
		if slice {
			v.SetLen(i)
		} else {
			for j := i; j < v.Len(); j++ {
				v.Index(j).SetZero()
			}
		}
	}
	if i == 0 && slice {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	return nil
}

var floatCache sync.Map // reflect.Type -> bool

// holdsFloat reports whether a value of type t can hold a float that
// encoding/json decodes itself (not through an Unmarshaler, not inside an
// interface, which keeps a JSON string as a string).
func holdsFloat(t reflect.Type) bool {
	if b, ok := floatCache.Load(t); ok {
		return b.(bool)
	}
	b := findFloat(t, map[reflect.Type]bool{})
	floatCache.Store(t, b)
	return b
}

func findFloat(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	if t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType) ||
		reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return false
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return findFloat(t.Elem(), seen)
	case reflect.Struct:
		for _, f := range typeFields(t) {
			if findFloat(f.typ, seen) {
				return true
			}
		}
	}
	return false
}
