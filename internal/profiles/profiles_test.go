package profiles

import (
	"math"
	"os"
	"testing"

	"github.com/google/pprof/profile"
)

// load reads a profile recorded from testdata/hot.go.txt, a Go program
// whose /hot endpoint spends most of its CPU in main.hotLoop (slow build)
// or a tenth as much (fast build).
func load(t *testing.T, name string) *profile.Profile {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func find(fs []Func, name string) (Func, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f, true
		}
	}
	return Func{}, false
}

func TestSummarize(t *testing.T) {
	s := Summarize(load(t, "slow.cpu.pb.gz"))
	// go tool pprof -top on the same file: 440ms total, main.hotLoop
	// 330ms flat (75.00%), 350ms cum (79.55%), main.coldLoop 40ms.
	if s.Unit != "seconds" || math.Abs(s.Total-0.44) > 1e-9 || math.Abs(s.Seconds-3) > 0.05 {
		t.Errorf("total %v %s over %vs, want 0.44 seconds over 3s", s.Total, s.Unit, s.Seconds)
	}
	if s.Funcs[0].Name != "main.hotLoop" || math.Abs(s.Funcs[0].Flat-0.33) > 1e-9 || math.Abs(s.Funcs[0].Cum-0.35) > 1e-9 {
		t.Errorf("top %+v, want main.hotLoop 330ms flat, 350ms cum", s.Funcs[0])
	}
	if f, ok := find(s.Funcs, "main.coldLoop"); !ok || math.Abs(f.FlatShare-0.0909) > 0.001 {
		t.Errorf("coldLoop %+v, want 9.09%% flat", f)
	}
	var flat float64
	for _, f := range s.Funcs {
		flat += f.Flat
		if f.Cum < f.Flat || f.CumShare > 1+1e-9 {
			t.Errorf("%s: cum %v below flat %v, or over the total", f.Name, f.Cum, f.Flat)
		}
	}
	if math.Abs(flat-s.Total) > 1e-9 {
		t.Errorf("flat values sum to %v, total %v", flat, s.Total)
	}
	SortByCum(s.Funcs)
	for i := 1; i < len(s.Funcs); i++ {
		if s.Funcs[i].Cum > s.Funcs[i-1].Cum {
			t.Fatalf("not by cum at %d", i)
		}
	}
}

func TestSummarizeKinds(t *testing.T) {
	if s := Summarize(load(t, "heap.pb.gz")); s.Unit != "bytes" || s.Total <= 0 {
		t.Errorf("heap: %v %s", s.Total, s.Unit)
	}
	if s := Summarize(load(t, "goroutine.pb.gz")); s.Unit != "count" || s.Total < 2 {
		t.Errorf("goroutines: %v %s", s.Total, s.Unit)
	}
	if s := Summarize(&profile.Profile{}); s.Total != 0 || len(s.Funcs) != 0 {
		t.Errorf("empty profile: %+v", s)
	}
}

func TestPeek(t *testing.T) {
	p := load(t, "slow.cpu.pb.gz")
	pk := PeekAt(p, "main.hotLoop", 5)
	if len(pk.Callers) == 0 || pk.Callers[0].Name != "main.main.func1" {
		t.Errorf("hotLoop's callers %+v, want the /hot handler (main.main.func1)", pk.Callers)
	}
	h := PeekAt(p, "main.main.func1", 5)
	if len(h.Callees) < 2 || h.Callees[0].Name != "main.hotLoop" {
		t.Errorf("handler's callees %+v, want hotLoop first", h.Callees)
	}
	if none := PeekAt(p, "no.such", 5); len(none.Callers)+len(none.Callees) != 0 {
		t.Errorf("unknown function: %+v", none)
	}
}

func TestDelta(t *testing.T) {
	slow, fast := Summarize(load(t, "slow.cpu.pb.gz")), Summarize(load(t, "fast.cpu.pb.gz"))
	d := Delta(slow, fast)
	if d[0].Name != "main.hotLoop" || math.Abs(d[0].Before-0.75) > 1e-9 || d[0].After != 0 {
		t.Errorf("largest change %+v, want main.hotLoop from 75%% to 0", d[0])
	}
}

func TestMerge(t *testing.T) {
	a, b := load(t, "slow.cpu.pb.gz"), load(t, "slow.cpu.pb.gz")
	m, err := Merge(a, nil, b)
	if err != nil {
		t.Fatal(err)
	}
	if s := Summarize(m); math.Abs(s.Total-0.88) > 1e-9 {
		t.Errorf("merged total %v, want twice 0.44", s.Total)
	}
	if m, err := Merge(); m != nil || err != nil {
		t.Errorf("Merge() = %v, %v", m, err)
	}
}
