package results

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/units"
)

// Profile is what profiling the target during the run (--pprof) found:
// the merged CPU profile's top functions, and the files that hold the
// profiles themselves, named relative to the results file's directory.
type Profile struct {
	CPUFile  string `json:"cpu_file,omitempty"`  // OUT.cpu.pb.gz: go tool pprof opens it
	HeapFile string `json:"heap_file,omitempty"` // OUT.heap.pb.gz, the last heap profile
	// Seconds is how long the CPU profiles ran together, CPUSeconds the
	// CPU they sampled, Profiles how many there were.
	Seconds    float64       `json:"seconds"`
	CPUSeconds float64       `json:"cpu_seconds"`
	Profiles   int           `json:"profiles"`
	Top        []ProfileFunc `json:"top_functions"`
}

// ProfileFunc is one function of the merged CPU profile: CPU seconds it
// held itself (flat) and with its callees (cum), and their shares of the
// profile's total.
type ProfileFunc struct {
	Name      string  `json:"name"`
	Flat      float64 `json:"flat_seconds"`
	Cum       float64 `json:"cum_seconds"`
	FlatShare float64 `json:"flat_share"`
	CumShare  float64 `json:"cum_share"`
}

// MaxProfileFuncs is how many functions a results file keeps.
const MaxProfileFuncs = 50

// profileLine sums up the profile: its top functions by flat share.
func profileLine(p *Profile) string {
	if p == nil || len(p.Top) == 0 {
		return ""
	}
	var parts []string
	for _, f := range p.Top[:min(3, len(p.Top))] {
		parts = append(parts, fmt.Sprintf("%s %.1f%%", shortFunc(printable.Line(f.Name)), f.FlatShare*100))
	}
	n := fmt.Sprintf("%d CPU profiles", p.Profiles)
	if p.Profiles == 1 {
		n = "1 CPU profile"
	}
	line := fmt.Sprintf("%s  (%s, %s of CPU in %s", strings.Join(parts, ", "), n, units.Seconds(p.CPUSeconds), units.Seconds(p.Seconds))
	if p.CPUFile != "" {
		return line + ": go tool pprof " + printable.Line(p.CPUFile) + ")"
	}
	return line + ")"
}

// shortFunc is a function's name without its package path:
// github.com/x/y/z.(*T).M is z.(*T).M.
func shortFunc(name string) string {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		return name[i+1:]
	}
	return name
}

// ProfileChange is one function's flat share of CPU in two runs.
type ProfileChange struct {
	Name          string
	Before, After float64
}

// ProfileDeltas are the functions whose flat share of CPU moved most
// between two runs' profiles (as pprof -diff_base shows, by share, so that
// a run at a higher rate is comparable), at most n; nil unless both files
// have a profile.
func ProfileDeltas(before, after *File, n int) []ProfileChange {
	if before.Profile == nil || after.Profile == nil {
		return nil
	}
	b := map[string]float64{}
	for _, f := range before.Profile.Top {
		b[f.Name] = f.FlatShare
	}
	var out []ProfileChange
	for _, f := range after.Profile.Top {
		out = append(out, ProfileChange{Name: f.Name, Before: b[f.Name], After: f.FlatShare})
		delete(b, f.Name)
	}
	for name, share := range b {
		out = append(out, ProfileChange{Name: name, Before: share})
	}
	slices.SortFunc(out, func(x, y ProfileChange) int {
		return cmp.Or(cmp.Compare(math.Abs(y.After-y.Before), math.Abs(x.After-x.Before)), strings.Compare(x.Name, y.Name))
	})
	return out[:min(n, len(out))]
}

// writeProfileDeltas prints the deltas as compare's profile table.
func writeProfileDeltas(w io.Writer, ds []ProfileChange, markdown bool) {
	if len(ds) == 0 {
		return
	}
	if markdown {
		fmt.Fprintln(w, "\n| function (flat share of CPU) | before | after | change |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
		for _, d := range ds {
			fmt.Fprintf(w, "| %s | %.1f%% | %.1f%% | %+.1f pts |\n", mdText(shortFunc(d.Name)), d.Before*100, d.After*100, (d.After-d.Before)*100)
		}
		return
	}
	fmt.Fprintf(w, "\n%-40s %8s %8s %10s\n", "function (flat share of CPU)", "before", "after", "change")
	for _, d := range ds {
		name := printable.Cut(printable.Line(shortFunc(d.Name)), 40)
		fmt.Fprintf(w, "%-40s %7.1f%% %7.1f%% %+6.1f pts\n", name, d.Before*100, d.After*100, (d.After-d.Before)*100)
	}
}
