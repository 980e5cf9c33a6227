package promql

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/perftop/perftop/internal/metrics"
)

func TestFormatMetric(t *testing.T) {
	tests := []struct {
		name string
		m    model.Metric
		want string
	}{
		{"empty", model.Metric{}, "{}"},
		{"name only", model.Metric{"__name__": "up"}, "up"},
		{"labels only", model.Metric{"job": "node", "instance": "h:1"}, `{instance="h:1",job="node"}`},
		{"name and labels", model.Metric{"__name__": "up", "job": "node"}, `up{job="node"}`},
		{"quoting", model.Metric{"path": `a"b\c` + "\n"}, `{path="a\"b\\c\n"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatMetric(tt.m); got != tt.want {
				t.Errorf("formatMetric(%v) = %s, want %s", tt.m, got, tt.want)
			}
		})
	}
}

// series returns n series i="00".. whose newest value is value(i).
func series(n int, value func(i int) float64) model.Matrix {
	m := make(model.Matrix, n)
	for i := range m {
		l := model.LabelValue(strconv.Itoa(100 + i)[1:])
		m[i] = &model.SampleStream{
			Metric: model.Metric{"i": l},
			Values: []model.SamplePair{{Timestamp: 1000, Value: 0}, {Timestamp: 2000, Value: model.SampleValue(value(i))}},
		}
	}
	return m
}

func labelsOf(s []metrics.PromQLSeries) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.Labels
	}
	return out
}

func TestFromMatrix(t *testing.T) {
	tests := []struct {
		name       string
		m          model.Matrix
		max        int
		want       []string
		wantHidden int
	}{
		{"empty", model.Matrix{}, 10, []string{}, 0},
		{"under the cap, sorted by labels", series(3, func(i int) float64 { return float64(-i) }), 10, []string{`{i="00"}`, `{i="01"}`, `{i="02"}`}, 0},
		{"at the cap", series(3, func(i int) float64 { return 1 }), 3, []string{`{i="00"}`, `{i="01"}`, `{i="02"}`}, 0},
		{"over the cap keeps the highest", series(5, func(i int) float64 { return float64(i % 3) }), 3, []string{`{i="01"}`, `{i="02"}`, `{i="04"}`}, 2}, // 0 1 2 0 1: ties by labels
		{"NaN ranks last", series(3, func(i int) float64 { return []float64{math.NaN(), -1, math.Inf(-1)}[i] }), 2, []string{`{i="01"}`, `{i="02"}`}, 1},
		{"no cap", series(12, func(i int) float64 { return 1 }), 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, hidden := fromMatrix(tt.m, tt.max, 0)
			if tt.want == nil {
				if len(got) != len(tt.m) || hidden != 0 {
					t.Errorf("got %d series, %d hidden; want all %d", len(got), hidden, len(tt.m))
				}
				return
			}
			if g := labelsOf(got); !reflect.DeepEqual(g, tt.want) || hidden != tt.wantHidden {
				t.Errorf("got %v, %d hidden; want %v, %d hidden", g, hidden, tt.want, tt.wantHidden)
			}
		})
	}
}

func TestFromMatrixPoints(t *testing.T) {
	m := model.Matrix{{
		Metric: model.Metric{"__name__": "x", "a": "b"},
		Values: []model.SamplePair{{Timestamp: 1500, Value: 1}, {Timestamp: 2500, Value: 2.5}},
	}}
	got, _ := fromMatrix(m, 10, 0)
	want := []metrics.PromQLSeries{{
		Labels: `x{a="b"}`,
		Metric: map[string]string{"__name__": "x", "a": "b"},
		Points: []metrics.Point{{T: time.UnixMilli(1500), V: 1}, {T: time.UnixMilli(2500), V: 2.5}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if p, ok := got[0].Last(); !ok || p.V != 2.5 {
		t.Errorf("Last() = %v, %v; want 2.5", p, ok)
	}
	if _, ok := (metrics.PromQLSeries{}).Last(); ok {
		t.Error("Last() of an empty series reports a point")
	}
}

func TestValueJSON(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{1, "1"},
		{0.25, "0.25"},
		{-3e20, "-3e+20"},
		{math.NaN(), `"NaN"`},
		{math.Inf(1), `"+Inf"`},
		{math.Inf(-1), `"-Inf"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			b, err := json.Marshal(Value(tt.v))
			if err != nil || string(b) != tt.want {
				t.Fatalf("Marshal(%v) = %s, %v; want %s", tt.v, b, err, tt.want)
			}
			var back Value
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if got := float64(back); got != tt.v && !(math.IsNaN(got) && math.IsNaN(tt.v)) {
				t.Errorf("round trip of %v = %v", tt.v, got)
			}
		})
	}
	var v Value
	if err := json.Unmarshal([]byte(`"x"`), &v); err == nil {
		t.Error(`Unmarshal("x") succeeded`)
	}
}

func TestSamples(t *testing.T) {
	ts := model.Time(5000)
	tests := []struct {
		name    string
		v       model.Value
		want    []Sample
		wantErr bool
	}{
		{"vector sorted", model.Vector{
			{Metric: model.Metric{"a": "2"}, Value: 2, Timestamp: ts},
			{Metric: model.Metric{"a": "1"}, Value: 1, Timestamp: ts},
		}, []Sample{
			{Name: `{a="1"}`, Labels: map[string]string{"a": "1"}, Value: 1, Time: ts.Time()},
			{Name: `{a="2"}`, Labels: map[string]string{"a": "2"}, Value: 2, Time: ts.Time()},
		}, false},
		{"empty vector", model.Vector{}, []Sample{}, false},
		{"scalar", &model.Scalar{Value: 2, Timestamp: ts}, []Sample{{Name: "{}", Labels: map[string]string{}, Value: 2, Time: ts.Time()}}, false},
		{"matrix newest", model.Matrix{{Metric: model.Metric{"__name__": "up"}, Values: []model.SamplePair{{Timestamp: 1, Value: 0}, {Timestamp: ts, Value: 1}}}, {Metric: model.Metric{"__name__": "empty"}}},
			[]Sample{{Name: "up", Labels: map[string]string{"__name__": "up"}, Value: 1, Time: ts.Time()}}, false},
		{"string", &model.String{Value: "x"}, []Sample{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := samples(tt.v)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
