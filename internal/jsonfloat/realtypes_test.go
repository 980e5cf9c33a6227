package jsonfloat_test

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/jsonfloat"
	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/results"
	"github.com/perftop/perftop/internal/sources/promql"
)

// fill sets every field json can see to a non-zero value, every float to
// f, every slice and map to two entries, so that every field is encoded.
func fill(v reflect.Value, f float64, depth int) {
	if depth > 8 {
		return
	}
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(time.Date(2026, 11, 25, 12, 0, 0, 5, time.FixedZone("CET", 3600))))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(depth + 3))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(depth + 5))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(f)
	case reflect.String:
		v.SetString("s<&>\u2028" + v.Type().Name())
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), f, depth+1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), f, depth+1)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for i := range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, f, depth+i+1)
			if k.Kind() == reflect.String {
				k.SetString([]string{"b", "a"}[i])
			}
			fill(e, f, depth+1)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if fv := v.Field(i); fv.CanSet() {
				fill(fv, f, depth+1)
			}
		}
	}
}

// perftopTypes are the types perftop writes as JSON, at the top level.
func perftopTypes() map[string]func() any {
	return map[string]func() any{
		"results.File":          func() any { return &results.File{} },
		"results.TimelinePoint": func() any { return &results.TimelinePoint{} },
		"metrics.Host":          func() any { return &metrics.Host{} },
		"metrics.PromTarget":    func() any { return &metrics.PromTarget{} },
		// cmd/perftop's snapshot, field for field; cmd/perftop's own test
		// checks the real one.
		"snapshot": func() any {
			return &struct {
				metrics.Host
				Prom    []*metrics.PromTarget `json:"prom,omitempty"`
				Queries []promql.Snapshot     `json:"queries,omitempty"`
			}{}
		},
	}
}

// TestPerftopTypes: on every type perftop writes, with every field set,
// the slow path's own walk gives encoding/json's bytes, and with NaN and
// infinities in every float, encoding/json's bytes but for those.
func TestPerftopTypes(t *testing.T) {
	for name, make := range perftopTypes() {
		t.Run(name, func(t *testing.T) {
			v := make()
			fill(reflect.ValueOf(v).Elem(), 7.25, 0)
			want, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(want), "7.25"); n < 3 {
				t.Fatalf("only %d floats set:\n%s", n, want)
			}
			for _, delegate := range []bool{false, true} {
				got, err := jsonfloat.MarshalReflect(v, delegate)
				var ind bytes.Buffer
				if err == nil {
					err = json.Indent(&ind, got, "", "  ")
				}
				if err != nil || ind.String() != string(want) {
					t.Errorf("delegate %v: %v\n got %s\nwant %s", delegate, err, ind.String(), want)
				}
			}
			for _, nf := range []struct {
				f float64
				s string
			}{{math.NaN(), `"NaN"`}, {math.Inf(1), `"+Inf"`}, {math.Inf(-1), `"-Inf"`}} {
				w := make()
				fill(reflect.ValueOf(w).Elem(), nf.f, 0)
				got, err := jsonfloat.MarshalIndent(w, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if exp := strings.ReplaceAll(string(want), "7.25", nf.s); string(got) != exp {
					t.Errorf("%v:\n got %s\nwant %s", nf.f, got, exp)
				}
				back := make()
				if err := jsonfloat.Unmarshal(got, back); err != nil {
					t.Fatalf("%v: %v", nf.f, err)
				}
				again, _ := jsonfloat.MarshalIndent(back, "", "  ")
				if !bytes.Equal(again, got) {
					t.Errorf("%v: round trip differs:\n%s", nf.f, again)
				}
			}
		})
	}
}
