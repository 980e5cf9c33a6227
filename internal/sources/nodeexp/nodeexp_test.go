package nodeexp

import (
	"context"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"

	"github.com/perftop/perftop/internal/sources/prom"
	"github.com/perftop/perftop/internal/sources/promtest"
	"github.com/perftop/perftop/internal/sources/system"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// capture reads testdata/node_exporter.txt, a real node_exporter's answer
// on this project's machine (shared with the Prometheus source's tests).
func capture(t *testing.T) []*dto.MetricFamily {
	t.Helper()
	f, err := os.Open("../prom/testdata/node_exporter.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	byName, err := parser.TextToMetricFamilies(f)
	if err != nil {
		t.Fatal(err)
	}
	var fams []*dto.MetricFamily
	for _, m := range byName {
		fams = append(fams, m)
	}
	return fams
}

// TestFill: the capture's numbers land where the local reader puts /proc's.
func TestFill(t *testing.T) {
	var raw system.Raw
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	Fill(capture(t), system.AllParts, &raw, at)
	if raw.Hostname != "vm" {
		t.Errorf("hostname %q, want vm (node_uname_info's nodename)", raw.Hostname)
	}
	if raw.CPU.Err != nil || len(raw.CPU.Cores) != 2 {
		t.Fatalf("cpu %+v: want 2 cores", raw.CPU)
	}
	if raw.CPU.Cores[0].User != 1312.48 || raw.CPU.Cores[1].User != 1358.74 || math.Abs(raw.CPU.Total.User-(1312.48+1358.74)) > 1e-9 {
		t.Errorf("user seconds %v %v total %v", raw.CPU.Cores[0].User, raw.CPU.Cores[1].User, raw.CPU.Total.User)
	}
	if raw.Memory.Err != nil || raw.Memory.Total != 25276026880 || raw.Memory.Cached != 640729088+159657984 {
		t.Errorf("memory %+v: want MemTotal 25276026880 and Cached with SReclaimable", raw.Memory)
	}
	var root *system.FilesystemUsage
	for i, fs := range raw.Filesystems.List {
		if fs.Type == "tmpfs" {
			t.Errorf("tmpfs %s listed", fs.Mount)
		}
		if fs.Mount == "/" {
			root = &raw.Filesystems.List[i]
		}
	}
	if root == nil || root.Total != 270553174016 || root.Used != 270553174016-255631196160 {
		t.Errorf("/ = %+v: want size 270553174016, used size-free", root)
	}
	names := func(n int, name func(i int) string) string {
		var out []string
		for i := range n {
			out = append(out, name(i))
		}
		return strings.Join(out, " ")
	}
	if got := names(len(raw.Network.Interfaces), func(i int) string { return raw.Network.Interfaces[i].Name }); !strings.Contains(got, "eth0") {
		t.Errorf("interfaces %q: want eth0", got)
	}
	if got := names(len(raw.Disks.Devices), func(i int) string { return raw.Disks.Devices[i].Name }); !strings.Contains(got, "vda") {
		t.Errorf("disks %q: want vda", got)
	}
	if raw.Processes.Err != ErrNoProcesses {
		t.Errorf("processes error %v, want %v", raw.Processes.Err, ErrNoProcesses)
	}
	// A scrape without the collectors says which are missing.
	Fill(nil, system.FastParts, &raw, at)
	if raw.CPU.Err == nil || !strings.Contains(raw.CPU.Err.Error(), "node_cpu_seconds_total not exported") {
		t.Errorf("no families: cpu error %v", raw.CPU.Err)
	}
}

// TestRealNodeExporter reads this machine through a real node_exporter on
// a loopback port and checks it against what the machine says itself.
func TestRealNodeExporter(t *testing.T) {
	ne := promtest.StartNodeExporter(t)
	r := &Reader{URL: ne.MetricsURL}
	h, err := system.Snapshot(context.Background(), r, 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(h.CPU.PerCorePercent); got != runtime.NumCPU() {
		t.Errorf("%d cores, want %d", got, runtime.NumCPU())
	}
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		t.Fatal(err)
	}
	if total := uint64(si.Totalram) * uint64(si.Unit); h.Memory.TotalBytes != total {
		t.Errorf("memory total %d, want %d (sysinfo)", h.Memory.TotalBytes, total)
	}
	var st unix.Statfs_t
	if err := unix.Statfs("/", &st); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, fs := range h.Filesystems {
		if fs.Mount == "/" {
			found = true
			if want := st.Blocks * uint64(st.Bsize); fs.TotalBytes != want {
				t.Errorf("/ size %d, want %d (statfs)", fs.TotalBytes, want)
			}
		}
	}
	if !found {
		t.Errorf("no / in %+v", h.Filesystems)
	}
	if h.Processes.Error == "" {
		t.Error("processes: want \"not exported\"")
	}
	host, _ := os.Hostname()
	if h.Hostname != host {
		t.Errorf("hostname %q, want %q", h.Hostname, host)
	}
	if h.CPU.TotalPercent < 0 || h.CPU.TotalPercent > 100 {
		t.Errorf("cpu %v%%", h.CPU.TotalPercent)
	}
}

// TestDown: a node_exporter that is not there is every part's error, in
// words.
func TestDown(t *testing.T) {
	r := &Reader{URL: "http://" + promtest.FreeAddr(t) + "/metrics", Limits: prom.Limits{Timeout: 2 * time.Second}}
	var raw system.Raw
	r.Read(context.Background(), system.FastParts, &raw)
	if raw.CPU.Err == nil || !strings.Contains(raw.CPU.Err.Error(), "refused") || raw.Network.Err == nil {
		t.Errorf("down exporter: cpu %v, network %v", raw.CPU.Err, raw.Network.Err)
	}
}
