package jsonfloat_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/jsonfloat"
)

// rt is a type that round-trips: floats in every place a value can hold one.
type (
	RTEmbed struct {
		E float64 `json:"e"`
	}
	rtInner struct {
		F float64 `json:"f"`
		G float32 `json:"g,omitempty"`
		S string  `json:"s"`
	}
	rt struct {
		*RTEmbed
		F      float64             `json:"f"`
		P      *float64            `json:"p"`
		S      []float64           `json:"s"`
		A      [2]float32          `json:"a"`
		M      map[string]float64  `json:"m"`
		IM     map[int]*float64    `json:"im"`
		Nested []rtInner           `json:"nested"`
		ByName map[string]*rtInner `json:"by_name"`
		Named  named               `json:"named"`
		T      time.Time           `json:"t"`
		Str    string              `json:"str"`
		Any    any                 `json:"any"`
	}
)

func rtOf(a, b float64, c float32, s string) *rt {
	return &rt{
		RTEmbed: &RTEmbed{E: b}, F: a, P: &b, S: []float64{a, 1, b}, A: [2]float32{c, 2},
		M: map[string]float64{"a": a, s: b}, IM: map[int]*float64{1: &a, -3: nil},
		Nested: []rtInner{{F: a, G: c, S: s}, {}}, ByName: map[string]*rtInner{"x": {F: b}},
		Named: named(a), T: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Str: s, Any: s,
	}
}

func same(a, b float64) bool {
	return a == b && math.Signbit(a) == math.Signbit(b) || math.IsNaN(a) && math.IsNaN(b)
}

func TestUnmarshalRoundTrip(t *testing.T) {
	for _, fs := range [][3]float64{
		{math.NaN(), math.Inf(1), math.Inf(-1)}, {1, math.NaN(), 0}, {-0.0, 2.5, math.NaN()}, {1e300, -1e-300, 1.5},
	} {
		in := rtOf(fs[0], fs[1], float32(fs[2]), "NaN")
		b, err := jsonfloat.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out rt
		if err := jsonfloat.Unmarshal(b, &out); err != nil {
			t.Fatalf("%v: %v\n%s", fs, err, b)
		}
		if !same(out.F, fs[0]) || !same(out.E, fs[1]) || !same(*out.P, fs[1]) || !same(float64(out.A[0]), fs[2]) ||
			!same(out.S[2], fs[1]) || !same(out.M["a"], fs[0]) || !same(out.M["NaN"], fs[1]) || !same(*out.IM[1], fs[0]) ||
			!same(out.Nested[0].F, fs[0]) || !same(float64(out.Nested[0].G), fs[2]) || !same(out.ByName["x"].F, fs[1]) ||
			!same(float64(out.Named), fs[0]) || out.IM[-3] != nil || out.Str != "NaN" || out.Any != "NaN" || !out.T.Equal(in.T) {
			t.Errorf("%v: round trip gave %+v", fs, out)
		}
		again, _ := jsonfloat.Marshal(&out)
		if !bytes.Equal(again, b) {
			t.Errorf("%v: re-encoded\n%s\nwant\n%s", fs, again, b)
		}
	}
}

func TestUnmarshal(t *testing.T) {
	tests := []struct {
		name, in string
		check    func(rt) bool
		err      string
	}{
		{"numbers as usual", `{"f": 1.5, "s": [1, 2], "e": -3}`, func(r rt) bool { return r.F == 1.5 && len(r.S) == 2 && r.E == -3 }, ""},
		{"case-insensitive names", `{"F": "NaN", "E": "+Inf"}`, func(r rt) bool { return math.IsNaN(r.F) && math.IsInf(r.E, 1) }, ""},
		{"null keeps a float, clears a pointer", `{"f": null, "p": null, "s": ["-Inf"]}`, func(r rt) bool { return r.P == nil && math.IsInf(r.S[0], -1) }, ""},
		{"empty array", `{"s": [], "a": ["NaN"], "m": {}}`, func(r rt) bool { return r.S != nil && len(r.S) == 0 && math.IsNaN(float64(r.A[0])) && r.M != nil }, ""},
		{"unknown members ignored", `{"zzz": "NaN", "f": "NaN"}`, func(r rt) bool { return math.IsNaN(r.F) }, ""},
		{"other strings refused", `{"f": "NaN", "s": ["nan"]}`, nil, `cannot unmarshal string "nan" into float64`},
		{"Infinity refused", `{"f": "Infinity"}`, nil, `cannot unmarshal string "Infinity"`},
		{"a long string is cut in the error", `{"f": "NaN", "p": "` + strings.Repeat("x", 1000) + `"}`, nil, `xxx..."`},
		{"other type errors kept", `{"f": "NaN", "nested": 3}`, nil, "cannot unmarshal"},
		{"syntax errors kept", `{"f": "NaN",`, nil, "unexpected end of JSON input"},
		{"bad map key", `{"im": {"x": "NaN"}}`, nil, "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r rt
			err := jsonfloat.Unmarshal([]byte(tt.in), &r)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !tt.check(r) {
				t.Fatalf("err %v, got %+v", err, r)
			}
		})
	}
	var f float32
	if err := jsonfloat.Unmarshal([]byte(`"-Inf"`), &f); err != nil || !math.IsInf(float64(f), -1) {
		t.Errorf("top-level float32: %v %v", f, err)
	}
	if err := jsonfloat.Unmarshal([]byte(`{}`), rt{}); err == nil {
		t.Error("non-pointer accepted")
	}
}

// FuzzRoundTrip: any floats, non-finite or not, and any string come back
// as they went; finite data is encoding/json's bytes exactly.
func FuzzRoundTrip(f *testing.F) {
	f.Add(math.Float64bits(math.NaN()), math.Float64bits(math.Inf(1)), math.Float32bits(float32(math.Inf(-1))), "NaN")
	f.Add(math.Float64bits(1.5), math.Float64bits(-0.0), math.Float32bits(3), "+Inf")
	f.Add(math.Float64bits(1e21), math.Float64bits(1e-7), math.Float32bits(1e-7), "<\u2028\xff>")
	f.Fuzz(func(t *testing.T, a, b uint64, c uint32, s string) {
		fa, fb, fc := math.Float64frombits(a), math.Float64frombits(b), math.Float32frombits(c)
		s = strings.ToValidUTF8(s, "\uFFFD") // JSON keeps valid text only
		in := rtOf(fa, fb, fc, s)
		enc, err := jsonfloat.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(enc) {
			t.Fatalf("invalid JSON: %s", enc)
		}
		finite := !math.IsNaN(fa) && !math.IsInf(fa, 0) && !math.IsNaN(fb) && !math.IsInf(fb, 0) && !math.IsNaN(float64(fc)) && !math.IsInf(float64(fc), 0)
		if std, err := json.Marshal(in); finite && (err != nil || !bytes.Equal(std, enc)) {
			t.Fatalf("finite data differs from encoding/json:\n%s\n%s", enc, std)
		}
		var out rt
		if err := jsonfloat.Unmarshal(enc, &out); err != nil {
			t.Fatalf("%v\n%s", err, enc)
		}
		if !same(out.F, fa) || !same(out.E, fb) || !same(float64(out.A[0]), float64(fc)) || !same(out.Nested[0].F, fa) {
			t.Fatalf("round trip: %v %v %v gave %v %v %v", fa, fb, fc, out.F, out.E, out.A[0])
		}
		again, err := jsonfloat.Marshal(&out)
		if err != nil || !bytes.Equal(again, enc) {
			t.Fatalf("re-encoded differs: %v\n%s\n%s", err, again, enc)
		}
	})
}

// FuzzUnmarshal: any input decodes without a panic, and as encoding/json
// decodes it wherever encoding/json can.
func FuzzUnmarshal(f *testing.F) {
	b, _ := jsonfloat.Marshal(rtOf(math.NaN(), 1, 2, "x"))
	f.Add(b)
	b, _ = json.Marshal(rtOf(1, 2, 3, "x"))
	f.Add(b)
	f.Add([]byte(`{"f": "+Inf", "s": ["NaN", 1, "-Inf"], "m": {"a": "NaN"}, "im": {"1": "NaN"}, "nested": [{"f": "NaN"}], "by_name": {"x": {"g": "-Inf"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var std, got rt
		stdErr := json.Unmarshal(data, &std)
		err := jsonfloat.Unmarshal(data, &got)
		if err == nil { // what jsonfloat reads, it writes and reads back the same
			enc, err := jsonfloat.Marshal(&got)
			var again rt
			if err != nil || jsonfloat.Unmarshal(enc, &again) != nil {
				t.Fatalf("decoded %+v, re-encoded %s: %v", got, enc, err)
			}
			if enc2, _ := jsonfloat.Marshal(&again); !bytes.Equal(enc, enc2) {
				t.Fatalf("round trip differs:\n%s\n%s", enc, enc2)
			}
		}
		if stdErr != nil {
			return
		}
		if err != nil {
			t.Fatalf("encoding/json decodes it, jsonfloat says %v", err)
		}
		a, _ := json.Marshal(&std)
		b, _ := json.Marshal(&got)
		if !bytes.Equal(a, b) {
			t.Fatalf("decoded differently:\n%s\n%s", a, b)
		}
	})
}
