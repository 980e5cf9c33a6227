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

// Types that use what encoding/json does with structs: tags, options,
// embedding (by value, by pointer, unexported, conflicting), marshalers.
type (
	inner struct {
		A float64 `json:"a"`
		B string  `json:"b,omitempty"`
	}
	Embedded struct {
		X     int     `json:"x"`
		Score float64 `json:"score"`
		Dup   int     // hidden: outer's Dup is shallower
	}
	Tied1   struct{ Tie int }
	Tied2   struct{ Tie int }
	Tagged1 struct {
		Win int `json:"win"`
	}
	Tagged2 struct{ Win int }
	hidden  struct {
		Promoted float64 `json:"promoted"`
	}
	ptrText  struct{ n int }
	valueMsh struct{ n int }
	textKey  int
	zeroer   struct{ v int }
	named    float64
	outer    struct {
		*Embedded
		inner    `json:"inner"`
		hidden                      // unexported, but its exported fields are promoted
		Tied1                       // Tie conflicts with Tied2's at the same depth: dropped
		Tied2                       //
		Tagged1                     // Win tagged beats Tagged2's untagged Win
		Tagged2                     //
		Dup      string             `json:"Dup"`
		F32      float32            `json:"f32"`
		Named    named              `json:"named"`
		Ptr      *float64           `json:"ptr"`
		NilPtr   *float64           `json:"nil_ptr"`
		Omit     float64            `json:"omit,omitempty"`
		OmitZero zeroer             `json:"omit_zero,omitzero"`
		Time     time.Time          `json:"time"`
		ZeroTime time.Time          `json:"zero_time,omitzero"`
		Dur      time.Duration      `json:"dur"`
		Bytes    []byte             `json:"bytes"`
		Arr      [3]float64         `json:"arr"`
		Slice    []inner            `json:"slice"`
		NilSlice []float64          `json:"nil_slice"`
		Map      map[string]float64 `json:"map"`
		IntMap   map[int]float64    `json:"int_map"`
		TextMap  map[textKey]string `json:"text_map"`
		NilMap   map[string]int     `json:"nil_map"`
		Any      any                `json:"any"`
		AnyNil   any                `json:"any_nil"`
		PtrText  ptrText            `json:"ptr_text"`
		PtrTexts []ptrText          `json:"ptr_texts"`
		Value    valueMsh           `json:"value_marshaler"`
		HTML     string             `json:"html"`
		Skip     float64            `json:"-"`
		Dash     float64            `json:"-,"`
		private  float64
		Untagged float64
		Chan     chan int `json:"-"`
	}
)

func (p *ptrText) MarshalText() ([]byte, error) { return []byte("ptr-text"), nil }
func (v valueMsh) MarshalJSON() ([]byte, error) { return []byte(` {"v" : 1} `), nil }
func (k textKey) MarshalText() ([]byte, error)  { return []byte("k" + strings.Repeat("!", int(k))), nil }
func (z zeroer) IsZero() bool                   { return z.v < 0 }

func sample(f float64) *outer {
	p := f
	return &outer{
		Embedded: &Embedded{X: 1, Score: f, Dup: 9},
		inner:    inner{A: f, B: "b"},
		hidden:   hidden{Promoted: f},
		Tied1:    Tied1{1}, Tied2: Tied2{2}, Tagged1: Tagged1{3}, Tagged2: Tagged2{4},
		Dup: "outer", F32: f32(f), Named: named(f), Ptr: &p, Omit: f, OmitZero: zeroer{-1},
		Time: time.Date(2026, 11, 25, 12, 0, 0, 5, time.FixedZone("X", 3600)), Dur: time.Second,
		Bytes: []byte("\x00\xffhi"), Arr: [3]float64{f, 1e21, 1e-7},
		Slice:   []inner{{A: f}, {A: 0.1, B: "<&>"}},
		Map:     map[string]float64{"z": f, "a": 1, "é": 2, "\u2028": 3},
		IntMap:  map[int]float64{10: f, -2: 1, 3: 2},
		TextMap: map[textKey]string{2: "two", 0: "zero"},
		Any:     map[string]any{"n": f, "s": []any{f, "x"}},
		PtrText: ptrText{1}, PtrTexts: []ptrText{{2}},
		HTML: "<script>&\u2028\xff", Skip: f, Dash: f, private: f, Untagged: f,
	}
}

// f32 is f as a float32, the largest one for a finite f too large.
func f32(f float64) float32 {
	if math.Abs(f) > math.MaxFloat32 && !math.IsInf(f, 0) {
		return math.MaxFloat32
	}
	return float32(f)
}

// TestMarshalMatchesEncodingJSON: for finite data every path gives
// encoding/json's bytes, the slow path's own walk included.
func TestMarshalMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, -0.0, 1.5, 1e-7, 1e21, 123456789.125, 1.7e308, math.SmallestNonzeroFloat64, float64(math.MaxFloat32)} {
		for name, v := range map[string]any{"pointer": sample(f), "value": *sample(f), "slice": []*outer{sample(f), nil}, "map": map[string]outer{"k": *sample(f)}} {
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			check := func(how string, got []byte, err error) {
				t.Helper()
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%v %s, %s: err %v\n got %s\nwant %s", f, name, how, err, got, want)
				}
			}
			got, err := jsonfloat.Marshal(v)
			check("Marshal", got, err)
			got, err = jsonfloat.MarshalReflect(v, false)
			check("walk", got, err)
			got, err = jsonfloat.MarshalReflect(v, true)
			check("walk, delegating", got, err)

			wantIndent, _ := json.MarshalIndent(v, ">", "\t")
			gotIndent, err := jsonfloat.MarshalIndent(v, ">", "\t")
			if err != nil || !bytes.Equal(gotIndent, wantIndent) {
				t.Errorf("%v %s: MarshalIndent differs: %v\n%s", f, name, err, gotIndent)
			}
			var wantEnc, gotEnc bytes.Buffer
			je := json.NewEncoder(&wantEnc)
			je.SetIndent("", "  ")
			_ = je.Encode(v)
			fe := jsonfloat.NewEncoder(&gotEnc)
			fe.SetIndent("", "  ")
			if err := fe.Encode(v); err != nil || gotEnc.String() != wantEnc.String() {
				t.Errorf("%v %s: Encoder differs: %v\n%s", f, name, err, gotEnc.String())
			}
		}
	}
}

// TestMarshalNonFinite: a non-finite float anywhere is a string, and the
// rest is what encoding/json writes for the same value with a finite
// number there.
func TestMarshalNonFinite(t *testing.T) {
	for _, tt := range []struct {
		f    float64
		want string
	}{{math.NaN(), `"NaN"`}, {math.Inf(1), `"+Inf"`}, {math.Inf(-1), `"-Inf"`}} {
		got, err := jsonfloat.Marshal(sample(tt.f))
		if err != nil {
			t.Fatal(err)
		}
		// 7.25 is nowhere else in the sample: it marks the float's places.
		want, _ := json.Marshal(sample(7.25))
		if w := strings.ReplaceAll(string(want), "7.25", tt.want); string(got) != w {
			t.Errorf("%v:\n got %s\nwant %s", tt.f, got, w)
		}
		if n := strings.Count(string(got), tt.want); n != 15 {
			t.Errorf("%v: %d non-finite strings, want 15:\n%s", tt.f, n, got)
		}
		var enc bytes.Buffer
		if err := jsonfloat.NewEncoder(&enc).Encode([]float32{float32(tt.f)}); err != nil || enc.String() != "["+tt.want+"]\n" {
			t.Errorf("Encoder: %q %v", enc.String(), err)
		}
	}
}

func TestMarshalErrors(t *testing.T) {
	type quoted struct {
		F float64 `json:"f,string"`
	}
	for name, v := range map[string]any{
		"string option": quoted{math.NaN()},
		"chan":          struct{ C chan int }{},
		"bad key":       map[[1]int]float64{{1}: math.NaN()},
	} {
		if _, err := jsonfloat.Marshal(v); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if b, err := jsonfloat.Marshal(quoted{1.5}); err != nil || string(b) != `{"f":"1.5"}` {
		t.Errorf("finite ,string: %s %v", b, err)
	}
	type cycle struct {
		F    float64
		Next *cycle
	}
	c := &cycle{F: math.NaN()}
	c.Next = c
	if _, err := jsonfloat.Marshal(c); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("cycle: %v", err)
	}
}
