// Package profiles aggregates pprof profiles the way `go tool pprof` reads
// them: the functions that hold the most samples by flat and by cumulative
// value, a function's callers and callees (pprof's peek), the change
// between two profiles (pprof's -diff_base, by share), and merging. The
// profiles are github.com/google/pprof/profile's, the library pprof itself
// is built on; everything here is a pure function of them.
package profiles

import (
	"cmp"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// Func is one function's share of a profile. Flat is what the function
// itself holds (its samples' leaf), Cum what it and its callees hold; both
// in Unit, each sample counted once per function however often the
// function recurs in its stack.
type Func struct {
	Name      string
	Flat, Cum float64
	// FlatShare and CumShare are Flat and Cum over the profile's total.
	FlatShare, CumShare float64
}

// Summary is a profile's totals and its functions, by flat value, then
// name.
type Summary struct {
	// Unit is the value's unit: "seconds" for CPU (pprof's nanoseconds
	// converted), "bytes" for heap, "count" for goroutines.
	Unit string
	// Total is the sum of every sample's value; Seconds is how long the
	// profile took (0 for a heap profile, which is a moment).
	Total, Seconds float64
	Funcs          []Func
}

// valueIndex picks the sample value to aggregate: CPU time for a CPU
// profile, the space in use for a heap profile, else the last one (as
// pprof's default).
func valueIndex(p *profile.Profile) (int, string, float64) {
	idx := len(p.SampleType) - 1
	for i, st := range p.SampleType {
		if st.Type == "inuse_space" {
			idx = i
		}
	}
	if idx < 0 {
		return -1, "", 1
	}
	switch st := p.SampleType[idx]; st.Unit {
	case "nanoseconds":
		return idx, "seconds", 1e-9
	case "bytes":
		return idx, "bytes", 1
	default:
		return idx, "count", 1
	}
}

// funcName is a line's function, or its address when the profile has no
// symbols.
func funcName(l profile.Line) string {
	if l.Function != nil && l.Function.Name != "" {
		return l.Function.Name
	}
	return "?"
}

// Summarize aggregates p by function.
func Summarize(p *profile.Profile) Summary {
	idx, unit, scale := valueIndex(p)
	s := Summary{Unit: unit, Seconds: float64(p.DurationNanos) / 1e9}
	if idx < 0 {
		return s
	}
	flat, cum := map[string]float64{}, map[string]float64{}
	seen := map[string]bool{}
	for _, smp := range p.Sample {
		if idx >= len(smp.Value) {
			continue
		}
		v := float64(smp.Value[idx]) * scale
		s.Total += v
		clear(seen)
		for li, loc := range smp.Location {
			// Line[0] is the innermost of the functions inlined at this
			// location: the leaf's is the sample's flat function.
			for k, line := range loc.Line {
				name := funcName(line)
				if li == 0 && k == 0 {
					flat[name] += v
				}
				if !seen[name] {
					seen[name] = true
					cum[name] += v
				}
			}
		}
	}
	for name, c := range cum {
		f := Func{Name: name, Flat: flat[name], Cum: c}
		if s.Total != 0 {
			f.FlatShare, f.CumShare = f.Flat/s.Total, f.Cum/s.Total
		}
		s.Funcs = append(s.Funcs, f)
	}
	SortByFlat(s.Funcs)
	return s
}

// SortByFlat orders fs by flat value, then cumulative, then name.
func SortByFlat(fs []Func) {
	slices.SortFunc(fs, func(a, b Func) int {
		return cmp.Or(cmp.Compare(b.Flat, a.Flat), cmp.Compare(b.Cum, a.Cum), strings.Compare(a.Name, b.Name))
	})
}

// SortByCum orders fs by cumulative value, then flat, then name.
func SortByCum(fs []Func) {
	slices.SortFunc(fs, func(a, b Func) int {
		return cmp.Or(cmp.Compare(b.Cum, a.Cum), cmp.Compare(b.Flat, a.Flat), strings.Compare(a.Name, b.Name))
	})
}

// Peek is a function's neighbours in the call graph, one level each way:
// who calls it and whom it calls, each with the value that passed through
// that edge (pprof's -peek).
type Peek struct {
	Callers, Callees []Func
}

// PeekAt returns fn's callers and callees in p, the largest first, at most
// n of each.
func PeekAt(p *profile.Profile, fn string, n int) Peek {
	idx, _, scale := valueIndex(p)
	if idx < 0 {
		return Peek{}
	}
	callers, callees := map[string]float64{}, map[string]float64{}
	var total float64
	for _, smp := range p.Sample {
		if idx >= len(smp.Value) {
			continue
		}
		v := float64(smp.Value[idx]) * scale
		total += v
		stack := names(smp)
		seenUp, seenDown := map[string]bool{}, map[string]bool{}
		for i, name := range stack {
			if name != fn {
				continue
			}
			if i > 0 && !seenDown[stack[i-1]] { // stack is leaf first: i-1 is the callee
				seenDown[stack[i-1]] = true
				callees[stack[i-1]] += v
			}
			if i+1 < len(stack) && !seenUp[stack[i+1]] {
				seenUp[stack[i+1]] = true
				callers[stack[i+1]] += v
			}
		}
	}
	return Peek{Callers: top(callers, total, n), Callees: top(callees, total, n)}
}

// names is a sample's stack as function names, leaf first, inlined frames
// included.
func names(s *profile.Sample) []string {
	var out []string
	for _, loc := range s.Location {
		for _, line := range loc.Line {
			out = append(out, funcName(line))
		}
	}
	return out
}

func top(m map[string]float64, total float64, n int) []Func {
	out := make([]Func, 0, len(m))
	for name, v := range m {
		f := Func{Name: name, Cum: v}
		if total != 0 {
			f.CumShare = v / total
		}
		out = append(out, f)
	}
	SortByCum(out)
	return out[:min(n, len(out))]
}

// Change is one function's share in two profiles.
type Change struct {
	Name          string
	Before, After float64 // flat shares
}

// Delta is the change of every function's flat share from before to
// after, the largest changes (either way) first: what a change to the
// target moved, whatever the load did to the totals.
func Delta(before, after Summary) []Change {
	b := map[string]float64{}
	for _, f := range before.Funcs {
		b[f.Name] = f.FlatShare
	}
	var out []Change
	for _, f := range after.Funcs {
		out = append(out, Change{Name: f.Name, Before: b[f.Name], After: f.FlatShare})
		delete(b, f.Name)
	}
	for name, share := range b {
		out = append(out, Change{Name: name, Before: share})
	}
	slices.SortFunc(out, func(x, y Change) int {
		dx, dy := abs(x.After-x.Before), abs(y.After-y.Before)
		return cmp.Or(cmp.Compare(dy, dx), strings.Compare(x.Name, y.Name))
	})
	return out
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// Merge merges profiles of the same kind into one, as pprof merges the
// files given to it; nil ones are left out.
func Merge(ps ...*profile.Profile) (*profile.Profile, error) {
	var in []*profile.Profile
	for _, p := range ps {
		if p != nil {
			in = append(in, p)
		}
	}
	if len(in) == 0 {
		return nil, nil
	}
	return profile.Merge(in)
}
