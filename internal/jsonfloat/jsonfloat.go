// Package jsonfloat is encoding/json with non-finite floats: NaN, +Inf and
// -Inf, which JSON numbers cannot express, are written as the JSON strings
// "NaN", "+Inf" and "-Inf", as Prometheus's HTTP API writes them, and read
// back from those strings into float fields. Every other byte is
// encoding/json's: for a value without a non-finite float, Marshal,
// MarshalIndent and Encoder return exactly what encoding/json returns.
//
// Both directions first let encoding/json do the whole job and take a slow
// path only where it refuses a non-finite float: Marshal on
// *json.UnsupportedValueError, Unmarshal on a *json.UnmarshalTypeError for
// a string given to a float. The slow path walks the value's structs
// (json tags, omitempty, omitzero, embedded structs and pointers, with
// encoding/json's rules for hidden fields), maps (keys sorted), slices,
// arrays, pointers and interfaces itself, and hands every other value back
// to encoding/json: strings, numbers, []byte, and json.Marshaler,
// encoding.TextMarshaler and their Unmarshaler counterparts such as
// time.Time.
//
// Limits of the slow path, which encoding/json does not share: the
// ",string" tag option is refused (an error), HTML escaping cannot be
// turned off, and values nest at most 10000 levels. A float held in an
// interface value decodes as encoding/json decodes it: a string stays a
// string.
//
// The functions are safe for concurrent use.
package jsonfloat

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
)

// Marshal is json.Marshal, with non-finite floats as strings.
func Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if _, nonFinite := err.(*json.UnsupportedValueError); !nonFinite {
		return b, err
	}
	return marshalReflect(v, true)
}

// MarshalIndent is json.MarshalIndent, with non-finite floats as strings.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	b, err := Marshal(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, prefix, indent); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Encoder is json.Encoder's writing half, with non-finite floats as
// strings; it always escapes HTML, as json.Encoder does by default. Its
// zero value is not usable: make one with NewEncoder. An Encoder is used
// by one goroutine at a time.
type Encoder struct {
	w              io.Writer
	prefix, indent string
}

// NewEncoder returns an Encoder that writes to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// SetIndent makes Encode indent its output as json.Encoder.SetIndent does.
func (e *Encoder) SetIndent(prefix, indent string) { e.prefix, e.indent = prefix, indent }

// Encode writes v's JSON and a newline, in one Write, or nothing on error.
func (e *Encoder) Encode(v any) error {
	b, err := Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if e.prefix != "" || e.indent != "" {
		var out bytes.Buffer
		if err := json.Indent(&out, b, e.prefix, e.indent); err != nil {
			return err
		}
		b = out.Bytes()
	}
	_, err = e.w.Write(b)
	return err
}

// Unmarshal is json.Unmarshal, with "NaN", "+Inf" and "-Inf" accepted for
// a float (numbers as usual). Other strings for a float are an error.
func Unmarshal(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if !nonFiniteErr(err) {
		return err
	}
	return decodeWalk(data, reflect.ValueOf(v).Elem(), 0, err)
}
