package load

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseStages(t *testing.T) {
	tests := []struct {
		in      string
		want    []Stage
		wantErr string
	}{
		{in: "30s:100,1m:500,30s:0", want: []Stage{{30 * time.Second, 100}, {time.Minute, 500}, {30 * time.Second, 0}}},
		{in: " 10s : 5 ", want: []Stage{{10 * time.Second, 5}}},
		{in: "1.5s:2.5", want: []Stage{{1500 * time.Millisecond, 2.5}}},
		{in: "", wantErr: "empty stages"},
		{in: "30s", wantErr: `stage 1 "30s": want duration:target`},
		{in: "30s:100,abc:5", wantErr: `stage 2 "abc:5": duration "abc"`},
		{in: "0s:5", wantErr: "not a positive duration"},
		{in: "-5s:5", wantErr: "not a positive duration"},
		{in: "5s:-1", wantErr: `target "-1" is not a number >= 0`},
		{in: "5s:NaN", wantErr: `target "NaN"`},
		{in: "5s:lots", wantErr: `target "lots"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseStages(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestPlanAt(t *testing.T) {
	p := Plan{Start: 0, Stages: []Stage{{10 * time.Second, 100}, {10 * time.Second, 100}, {10 * time.Second, 0}}}
	tests := []struct {
		t     time.Duration
		level float64
		stage int
		done  bool
	}{
		{0, 0, 0, false},
		{5 * time.Second, 50, 0, false},
		{10 * time.Second, 100, 1, false},
		{15 * time.Second, 100, 1, false},
		{25 * time.Second, 50, 2, false},
		{30 * time.Second, 0, 2, true},
		{time.Hour, 0, 2, true},
	}
	for _, tt := range tests {
		level, stage, done := p.At(tt.t)
		if level != tt.level || stage != tt.stage || done != tt.done {
			t.Errorf("At(%v) = %v, %d, %v; want %v, %d, %v", tt.t, level, stage, done, tt.level, tt.stage, tt.done)
		}
	}
	if d := p.Duration(); d != 30*time.Second {
		t.Errorf("Duration = %v", d)
	}
	if l, _, done := (Plan{Start: 7}).At(time.Hour); l != 7 || done {
		t.Errorf("a plan without stages holds its start: %v %v", l, done)
	}
}

func TestPlanArea(t *testing.T) {
	p := Plan{Start: 0, Stages: []Stage{{10 * time.Second, 100}, {10 * time.Second, 100}}}
	tests := []struct {
		t    time.Duration
		want float64
	}{
		{0, 0}, {5 * time.Second, 125}, {10 * time.Second, 500}, {15 * time.Second, 1000}, {20 * time.Second, 1500}, {30 * time.Second, 2500},
	}
	for _, tt := range tests {
		if got := p.Area(tt.t); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Area(%v) = %v, want %v", tt.t, got, tt.want)
		}
	}
	step := Plan{Stages: []Stage{{time.Second, 10}, {0, 20}, {time.Second, 20}}}
	if got := step.Area(2 * time.Second); got != 25 {
		t.Errorf("a zero-length step: area %v, want 25", got)
	}
	if got := (Plan{Start: 50}).Area(2 * time.Second); got != 100 {
		t.Errorf("constant plan area = %v", got)
	}
}

// TestPlanUntil: Until is Area's inverse, on ramps up and down, holds,
// steps and the level past the last stage.
func TestPlanUntil(t *testing.T) {
	plans := []Plan{
		{Start: 0, Stages: []Stage{{10 * time.Second, 100}, {10 * time.Second, 100}, {5 * time.Second, 20}}},
		{Start: 50},
		{Stages: []Stage{{time.Second, 10}, {0, 20}, {time.Second, 20}}},
		{Start: 300, Stages: []Stage{{2 * time.Second, 0}}},
	}
	for _, p := range plans {
		for _, at := range []time.Duration{0, time.Millisecond, 300 * time.Millisecond, time.Second, 1500 * time.Millisecond, 5 * time.Second, 12 * time.Second, 22 * time.Second, 40 * time.Second} {
			a := p.Area(at)
			got, ok := p.Until(a)
			if !ok {
				t.Fatalf("%+v: Until(Area(%v) = %v) not reached", p, at, a)
			}
			// The earliest time of that area: where the level is 0, any
			// time after it has the same area.
			if back := p.Area(got); math.Abs(back-a) > 1e-6*max(1, a) || got > at+time.Microsecond {
				t.Errorf("%+v: Until(Area(%v) = %v) = %v, whose area is %v", p, at, a, got, back)
			}
		}
	}
	if _, ok := (Plan{Start: 300, Stages: []Stage{{2 * time.Second, 0}}}).Until(301); ok {
		t.Error("a plan whose area ends at 300 reached 301")
	}
	if got, _ := (Plan{Stages: []Stage{{10 * time.Second, 100}}}).Until(1); got < 400*time.Millisecond || got > 500*time.Millisecond {
		t.Errorf("a ramp from 0 to 100/s over 10s sends its second request at %v, want 447ms", got)
	}
}

func FuzzParseStages(f *testing.F) {
	f.Add("30s:100,1m:500")
	f.Add("1ns:0")
	f.Fuzz(func(t *testing.T, s string) {
		stages, err := ParseStages(s)
		if err != nil {
			return
		}
		p := Plan{Stages: stages}
		for _, st := range stages {
			if st.Duration <= 0 || st.Target < 0 || math.IsNaN(st.Target) {
				t.Fatalf("accepted bad stage %+v from %q", st, s)
			}
		}
		if a := p.Area(p.Duration()); a < 0 || math.IsNaN(a) {
			t.Fatalf("area %v from %q", a, s)
		}
	})
}
