package system

import (
	"context"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// TestLocalReaders reads this machine with each reader and checks what must
// hold anywhere. Parts a container refuses are logged, except the ones every
// Linux has.
func TestLocalReaders(t *testing.T) {
	for name, r := range localReaders() {
		t.Run(name, func(t *testing.T) { testLocalReader(t, r) })
	}
}

// localReaders are the readers of this host: NewLocalReader's and gopsutil's
// (the same one outside Linux).
func localReaders() map[string]Reader {
	return map[string]Reader{"local": NewLocalReader(""), "gopsutil": GopsutilReader{}}
}

func testLocalReader(t *testing.T, r Reader) {
	ctx := context.Background()
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	var prev, cur Raw
	r.Read(ctx, AllParts, &prev)
	spin := time.Now().Add(20 * time.Millisecond)
	for time.Now().Before(spin) { // give the CPU numbers something to show
	}
	r.Read(ctx, AllParts, &cur)
	if cur.Parts != AllParts {
		t.Errorf("Parts = %v, want %v", cur.Parts, AllParts)
	}
	for _, n := range partNames {
		if err := cur.err(n.p); err != nil {
			t.Logf("%s unavailable here: %v", n.name, err)
		}
	}
	if cur.CPU.Err != nil || len(cur.CPU.Cores) < 1 {
		t.Fatalf("cpu: %d cores, err %v", len(cur.CPU.Cores), cur.CPU.Err)
	}
	if cur.Memory.Err != nil || cur.Memory.Total == 0 {
		t.Fatalf("memory: total %d, err %v", cur.Memory.Total, cur.Memory.Err)
	}
	if cur.Processes.Err != nil {
		t.Fatalf("processes: %v", cur.Processes.Err)
	}
	if want, _ := os.Hostname(); cur.Hostname != want {
		t.Errorf("Hostname = %q, want %q", cur.Hostname, want)
	}

	list := cur.Processes.List
	h := Derive(prev, cur, len(list))
	inRange := func(what string, v float64) {
		if v < 0 || v > 100 {
			t.Errorf("%s = %v, want within [0, 100]", what, v)
		}
	}
	inRange("cpu total", h.CPU.TotalPercent)
	for i, v := range h.CPU.PerCorePercent {
		inRange("core "+metrics.KeyCPUCore(i), v)
	}
	inRange("memory used", h.Memory.UsedPercent)
	for _, d := range h.Disks {
		inRange("busy "+d.Name, d.BusyPercent)
	}
	for _, f := range h.Filesystems {
		inRange("used "+f.Mount, f.UsedPercent)
	}

	if !slices.IsSortedFunc(list, func(a, b ProcSample) int { return int(a.PID - b.PID) }) {
		t.Error("process table not sorted by PID")
	}
	if h.Processes.Total != len(list) || len(h.Processes.Top) != len(list) {
		t.Errorf("Total %d, %d shown, want %d", h.Processes.Total, len(h.Processes.Top), len(list))
	}
	pid := int32(os.Getpid())
	i := slices.IndexFunc(h.Processes.Top, func(p metrics.Process) bool { return p.PID == pid })
	if i < 0 {
		t.Fatalf("this process (%d) is not in the table of %d", pid, len(list))
	}
	me := h.Processes.Top[i]
	exe, _ := os.Executable()
	if base := exe[strings.LastIndexByte(exe, '/')+1:]; !strings.HasPrefix(base, me.Name) || me.Name == "" {
		t.Errorf("this process is called %q, want a prefix of %q", me.Name, base)
	}
	if me.RSSBytes == 0 || me.Threads < 1 || me.State == "" || me.User == "" {
		t.Errorf("this process: %+v", me)
	}
	inRange("this process's memory", me.MemPercent)
	t.Logf("%d processes, %d cores, %d disks, %d interfaces, %d filesystems; this process %+v",
		len(list), len(cur.CPU.Cores), len(h.Disks), len(h.Network), len(h.Filesystems), me)
}
