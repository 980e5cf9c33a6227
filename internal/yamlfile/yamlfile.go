// Package yamlfile decodes a YAML file a user wrote (perftop's config, a
// scenario) strictly, with errors a user can act on: every error names the
// file, the line and the key path, unknown keys are refused at every depth
// with the nearest known key suggested, and a value of the wrong kind is
// said in words:
//
//	config.yaml:3: prom[0].red.request_metrc: unknown key (did you mean request_metric?)
//	config.yaml:1: interval: "fast" is not a duration (e.g. 500ms, 2s)
//
// yaml.v3's own KnownFields errors name the Go type (`field wieght not found
// in type load.ScenarioRequest`) and its type errors the YAML tag
// ("cannot unmarshal !!str `fast` into time.Duration"). The walk here
// reads the yaml tags of the destination's structs the way yaml.v3 does
// (name, "-", ",inline"); a type with its own UnmarshalYAML is left to
// yaml.v3, which still refuses unknown fields inside it.
package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/perftop/perftop/internal/printable"
)

// Decode decodes data, the contents of the file named name, into v, a
// pointer. An empty document leaves v as it is.
func Decode(name string, data []byte, v any) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s%s", name, syntaxError(err))
	}
	if len(doc.Content) == 0 {
		return nil
	}
	w := walker{file: name}
	w.check(doc.Content[0], reflect.TypeOf(v).Elem(), "")
	if w.err != nil {
		return w.err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %s", name, printable.Line(strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	return nil
}

// syntaxError is yaml.v3's syntax error as ":LINE: what" or ": what".
func syntaxError(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := lineRE.FindStringSubmatch(s); m != nil {
		return ":" + m[1] + ": " + printable.Line(m[2])
	}
	return ": " + printable.Line(s)
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

type walker struct {
	file string
	err  error
}

var (
	durationType    = reflect.TypeOf(time.Duration(0))
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
)

func (w *walker) fail(n *yaml.Node, path, format string, args ...any) {
	if w.err == nil {
		where := ""
		if path != "" {
			where = path + ": "
		}
		w.err = fmt.Errorf("%s:%d: %s%s", w.file, n.Line, where, fmt.Sprintf(format, args...))
	}
}

// check walks n against t, stopping at the first problem.
func (w *walker) check(n *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if w.err != nil || reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(unmarshalerType) {
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	switch {
	case t == durationType:
		w.scalar(n, path, "a duration (e.g. 500ms, 2s)", func(s string) bool { _, err := time.ParseDuration(s); return err == nil })
	case t.Kind() == reflect.Struct:
		w.mapping(n, t, path)
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8, t.Kind() == reflect.Array:
		if n.Kind != yaml.SequenceNode {
			w.fail(n, path, "want a list, got %s", kindText(n))
			return
		}
		for i, c := range n.Content {
			w.check(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.fail(n, path, "want a mapping (key: value), got %s", kindText(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			w.check(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value))
		}
	case t.Kind() == reflect.Bool:
		w.scalar(n, path, "true or false", func(s string) bool {
			var b bool
			return yaml.Unmarshal([]byte(s), &b) == nil
		})
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		w.scalar(n, path, "a whole number", func(s string) bool { _, err := strconv.ParseInt(s, 0, 64); return err == nil })
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64:
		w.scalar(n, path, "a whole number, 0 or more", func(s string) bool { _, err := strconv.ParseUint(s, 0, 64); return err == nil })
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		w.scalar(n, path, "a number", func(s string) bool {
			var f float64
			return yaml.Unmarshal([]byte(s), &f) == nil
		})
	case t.Kind() == reflect.String:
		if n.Kind != yaml.ScalarNode {
			w.fail(n, path, "want text, got %s", kindText(n))
		}
	}
}

// scalar checks that n is a scalar that ok accepts.
func (w *walker) scalar(n *yaml.Node, path, want string, ok func(string) bool) {
	if n.Kind != yaml.ScalarNode {
		w.fail(n, path, "want %s, got %s", want, kindText(n))
		return
	}
	if !ok(n.Value) {
		w.fail(n, path, "%q is not %s", printable.Line(n.Value), want)
	}
}

// mapping checks a struct's keys and their values.
func (w *walker) mapping(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, "want a mapping (key: value), got %s", kindText(n))
		return
	}
	fields := structFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		ft, ok := fields[k.Value]
		if !ok {
			names := make([]string, 0, len(fields))
			for name := range fields {
				names = append(names, name)
			}
			if near := nearest(k.Value, names); near != "" {
				w.fail(k, join(path, k.Value), "unknown key (did you mean %s?)", near)
			} else {
				w.fail(k, join(path, k.Value), "unknown key (known: %s)", strings.Join(sorted(names), ", "))
			}
			return
		}
		w.check(n.Content[i+1], ft, join(path, k.Value))
	}
}

// structFields maps the YAML keys of t, inline structs included, to their
// field types, with yaml.v3's naming: the tag's name, or the field's name
// lowercased.
func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if !f.IsExported() && !(f.Anonymous && strings.HasSuffix(tag, ",inline")) {
			continue
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range structFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func join(path, key string) string {
	key = printable.Line(key)
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindText(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return fmt.Sprintf("%q", printable.Line(n.Value))
}
