package system

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/perftop/perftop/internal/metrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeReader plays back raws, one per Read (the last one repeats), and sends
// each Read's parts on reads before returning, so a test can follow the
// sampler without sleeping. From read number block on, Read also waits for
// ctx to end, so the sample it belongs to is never written.
type fakeReader struct {
	raws  []Raw
	reads chan Parts
	block int
	n     int // reads so far; owned by the reading goroutine
}

func (f *fakeReader) Read(ctx context.Context, parts Parts, dst *Raw) {
	f.n++
	*dst = f.raws[min(f.n, len(f.raws))-1]
	dst.Parts = parts
	f.reads <- parts
	if f.block > 0 && f.n >= f.block {
		<-ctx.Done()
	}
}

// fast makes s sample every millisecond, below metrics.MinInterval, to keep the
// tests quick; they synchronise on the fake reader, never on the clock.
func fast(s *Source) *Source {
	s.interval = metrics.NewIntervalFloor(time.Millisecond, time.Millisecond)
	return s
}

// run starts s.Run in a goroutine and returns a function that cancels it and
// returns Run's result.
func run(t *testing.T, s *Source, st *metrics.Store) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx, st) }()
	return func() error {
		cancel()
		return <-errc
	}
}

// raw builds a reading whose counters have advanced by k seconds' worth.
func raw(k int) Raw {
	f := float64(k)
	t := t0.Add(time.Duration(k) * time.Second)
	core := CPUTimes{User: 10 * f, Idle: 10 * f}
	return Raw{
		Time:        t,
		Hostname:    "box",
		CPU:         CPURaw{Total: CPUTimes{User: 20 * f, Idle: 20 * f}, Cores: []CPUTimes{core, core}},
		Memory:      MemoryRaw{Total: 1000, Available: 600},
		Swap:        SwapRaw{Total: 100, Free: 100},
		Load:        LoadRaw{Load1: 0.5},
		Disks:       DisksRaw{T: t, Devices: []DiskCounters{{Name: "vda", ReadBytes: uint64(1000 * k)}}},
		Network:     NetworkRaw{T: t, Interfaces: []NetCounters{{Name: "eth0", RxBytes: uint64(500 * k)}}},
		Filesystems: FilesystemsRaw{List: []FilesystemUsage{{Mount: "/", Device: "/dev/vda", Type: "ext4", Total: 10, Used: 5, Avail: 5}}},
		Processes: ProcessesRaw{T: t, List: []ProcSample{
			{PID: 1, Start: 1, Name: "init", CPU: time.Duration(k) * 100 * time.Millisecond, RSS: 100},
			{PID: 7, Start: 3, Name: "perftop", CPU: time.Duration(k) * 500 * time.Millisecond, RSS: 50},
		}},
	}
}

func TestRunWritesStore(t *testing.T) {
	fr := &fakeReader{raws: []Raw{raw(1), raw(2)}, reads: make(chan Parts), block: 3}
	s := fast(New(Options{Reader: fr}))
	var st metrics.Store
	stop := run(t, s, &st)
	for range 3 {
		<-fr.reads
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}

	var sn metrics.Snapshot
	st.Snapshot(&sn)
	h := sn.Host
	if got, want := h.CPU.TotalPercent, 50.0; got != want {
		t.Errorf("CPU = %v, want %v", got, want)
	}
	if got, want := h.Disks, []metrics.DiskIO{{Name: "vda", ReadBytesPerSec: 1000}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Disks = %+v, want %+v", got, want)
	}
	if got, want := h.Processes.Top[0].Name, "perftop"; got != want {
		t.Errorf("busiest process %q, want %q", got, want)
	}
	if h.Hostname != "box" || h.Time != t0.Add(2*time.Second) {
		t.Errorf("host %q at %v", h.Hostname, h.Time)
	}
	points := map[string]int{ // rates start with the second sample
		metrics.KeyCPUTotal: 1, metrics.KeyCPUCore(0): 1, metrics.KeyCPUCore(1): 1, metrics.KeyMemUsed: 2, metrics.KeySwapUsed: 2,
		metrics.KeyLoad1: 2, metrics.KeyDiskRead: 1, metrics.KeyDiskWrite: 1, metrics.KeyDiskDevice("vda", "read"): 1,
		metrics.KeyDiskDevice("vda", "write"): 1, metrics.KeyNetRx: 1, metrics.KeyNetTx: 1, metrics.KeyNetIface("eth0", "rx"): 1,
		metrics.KeyNetIface("eth0", "tx"): 1, metrics.KeyProcessCount: 2,
	}
	for key, want := range points {
		if got := len(sn.Get(key)); got != want {
			t.Errorf("%s has %d points, want %d", key, got, want)
		}
	}
	if got, want := len(sn.Keys()), len(points); got != want {
		t.Errorf("store has %d series %v, want %d", got, sn.Keys(), want)
	}
	if p := sn.Get(metrics.KeyDiskRead); len(p) == 1 && p[0].V != 1000 {
		t.Errorf("disk read total = %v, want 1000", p[0].V)
	}
	hl := sn.Health[s.Name()]
	if !hl.Up || hl.LastError != "" || hl.LastSuccess.IsZero() {
		t.Errorf("health = %+v, want up", hl)
	}
}

func TestRunHealth(t *testing.T) {
	denied := errors.New("permission denied")
	failAll := Raw{
		CPU: CPURaw{Err: denied}, Memory: MemoryRaw{Err: denied}, Swap: SwapRaw{Err: denied},
		Load: LoadRaw{Err: denied}, Disks: DisksRaw{Err: denied}, Filesystems: FilesystemsRaw{Err: denied},
		Network: NetworkRaw{Err: denied}, Processes: ProcessesRaw{Err: denied},
	}
	failDisks := raw(1)
	failDisks.Disks.Err = errors.New("open /proc/diskstats: permission denied")
	tests := []struct {
		name string
		raw  Raw
		want metrics.Health
	}{
		{"every part failed", failAll, metrics.Health{LastError: "cpu: permission denied; memory: permission denied; " +
			"swap: permission denied; load: permission denied; disks: permission denied; filesystems: permission denied; " +
			"network: permission denied; processes: permission denied"}},
		{"one part failed", failDisks, metrics.Health{Up: true, LastError: "disks: open /proc/diskstats: permission denied"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fr := &fakeReader{raws: []Raw{tc.raw}, reads: make(chan Parts), block: 2}
			s := fast(New(Options{Reader: fr, Now: func() time.Time { return t0 }}))
			var st metrics.Store
			stop := run(t, s, &st)
			<-fr.reads
			<-fr.reads
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			var sn metrics.Snapshot
			st.Snapshot(&sn)
			want := tc.want
			want.NextRetry = t0.Add(time.Millisecond)
			if want.Up {
				want.LastSuccess = t0
			}
			if got := sn.Health["system"]; got != want {
				t.Errorf("health\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestRunHealthKeepsSlowErrors checks that a slow part's failure stays in
// the health line between its reads.
func TestRunHealthKeepsSlowErrors(t *testing.T) {
	var mu sync.Mutex
	now := t0
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	r := raw(1)
	r.Filesystems.Err = errors.New("statfs /: permission denied")
	fr := &fakeReader{raws: []Raw{r}, reads: make(chan Parts), block: 3}
	s := fast(New(Options{Reader: fr, Now: clock}))
	var st metrics.Store
	stop := run(t, s, &st)
	if p := <-fr.reads; !p.Has(PartFilesystems) {
		t.Fatalf("first reading %v lacks filesystems", p)
	}
	if p := <-fr.reads; p.Has(PartFilesystems) {
		t.Fatalf("second reading %v has filesystems", p)
	}
	<-fr.reads
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var sn metrics.Snapshot
	st.Snapshot(&sn)
	if got, want := sn.Health["system"].LastError, "filesystems: statfs /: permission denied"; got != want {
		t.Errorf("LastError = %q, want %q", got, want)
	}
}

// TestRunSlowParts checks that the process table and filesystems are read on
// their own, longer intervals, and that samples between carry them over.
func TestRunSlowParts(t *testing.T) {
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { // one second per sample
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	const ticks = 7
	raws := make([]Raw, ticks+1)
	for i := range raws {
		raws[i] = raw(i + 1)
	}
	fr := &fakeReader{raws: raws, reads: make(chan Parts), block: ticks + 1}
	s := fast(New(Options{ProcessInterval: 2 * time.Second, FSInterval: 5 * time.Second, Reader: fr, Now: clock}))
	var st metrics.Store
	stop := run(t, s, &st)
	var procs, fs []bool
	for range ticks + 1 {
		p := <-fr.reads
		procs = append(procs, p.Has(PartProcesses))
		fs = append(fs, p.Has(PartFilesystems|PartHostname))
		if !p.Has(FastParts) {
			t.Errorf("read %v, want the fast parts every time", p)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// Processes twice at first, then every two seconds; filesystems every five.
	if got, want := procs[:ticks], []bool{true, true, false, true, false, true, false}; !reflect.DeepEqual(got, want) {
		t.Errorf("processes read at %v, want %v", got, want)
	}
	if got, want := fs[:ticks], []bool{true, false, false, false, false, true, false}; !reflect.DeepEqual(got, want) {
		t.Errorf("filesystems read at %v, want %v", got, want)
	}
	var sn metrics.Snapshot
	st.Snapshot(&sn)
	if got, want := sn.Host.Processes.Time, raws[5].Processes.T; !got.Equal(want) {
		t.Errorf("processes from %v, want carried over from %v", got, want)
	}
	if len(sn.Host.Filesystems) != 1 || sn.Host.Hostname != "box" {
		t.Errorf("filesystems %+v hostname %q not carried over", sn.Host.Filesystems, sn.Host.Hostname)
	}
	if got, want := len(sn.Get(metrics.KeyProcessCount)), 4; got != want {
		t.Errorf("%d process counts, want one per process read (%d)", got, want)
	}
}

// TestSkipProcesses: a source told to skip the process table never reads
// it, however long it runs, and reads it again once told.
func TestSkipProcesses(t *testing.T) {
	fr := &fakeReader{raws: []Raw{raw(1), raw(2), raw(3), raw(4), raw(5)}, reads: make(chan Parts), block: 6}
	s := fast(New(Options{Reader: fr}))
	s.SkipProcesses(true)
	var st metrics.Store
	stop := run(t, s, &st)
	for i := range 3 {
		if p := <-fr.reads; p.Has(PartProcesses) || !p.Has(FastParts) {
			t.Errorf("read %d: %v, want the fast parts and no processes", i, p)
		}
	}
	s.SkipProcesses(false)
	<-fr.reads // may have been deciding already
	if p := <-fr.reads; !p.Has(PartProcesses) {
		t.Errorf("read %v after SkipProcesses(false), want the processes", p)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestSetInterval(t *testing.T) {
	fr := &fakeReader{raws: []Raw{raw(1), raw(2)}, reads: make(chan Parts), block: 3}
	s := New(Options{Interval: time.Hour, Reader: fr})
	var st metrics.Store
	stop := run(t, s, &st)
	<-fr.reads // the first sample is immediate
	// Without the wake-up the next sample would be an hour away.
	s.SetInterval(time.Nanosecond)
	if got, want := s.Interval(), metrics.MinInterval; got != want {
		t.Errorf("Interval = %v, want %v", got, want)
	}
	<-fr.reads
	<-fr.reads
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestSetIntervalConcurrent(t *testing.T) {
	s := New(Options{})
	if got, want := s.Interval(), DefaultInterval; got != want {
		t.Errorf("default Interval = %v, want %v", got, want)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { s.SetInterval(time.Duration(i+1) * time.Second) })
	}
	wg.Wait()
	if got := s.Interval(); got < time.Second || got > 8*time.Second {
		t.Errorf("Interval = %v after concurrent sets", got)
	}
}

func TestRunErrors(t *testing.T) {
	if err := New(Options{}).Run(context.Background(), nil); err == nil {
		t.Error("Run with a nil store succeeded")
	}
	fr := &fakeReader{raws: []Raw{raw(1)}, reads: make(chan Parts), block: 2}
	s := fast(New(Options{Reader: fr}))
	var st metrics.Store
	stop := run(t, s, &st)
	<-fr.reads
	if err := s.Run(context.Background(), &st); !errors.Is(err, ErrRunning) {
		t.Errorf("second Run = %v, want ErrRunning", err)
	}
	<-fr.reads
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	t.Run("derives two readings", func(t *testing.T) {
		fr := &fakeReader{raws: []Raw{raw(1), raw(3)}, reads: make(chan Parts, 2)}
		got, err := Snapshot(ctx, fr, time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		a, b := raw(1), raw(3)
		a.Parts, b.Parts = AllParts, AllParts
		if want := Derive(a, b, DefaultTopN); !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
		if p := <-fr.reads; p != AllParts {
			t.Errorf("read %v, want every part", p)
		}
	})
	t.Run("every part failed", func(t *testing.T) {
		bad := Raw{CPU: CPURaw{Err: errors.New("nope")}}
		fr := &fakeReader{raws: []Raw{bad}, reads: make(chan Parts, 2)}
		fr.raws[0].Memory.Err = errors.New("nope")
		var pe *PartError
		_, err := Snapshot(ctx, ReaderFunc(func(ctx context.Context, _ Parts, dst *Raw) {
			fr.Read(ctx, PartCPU|PartMemory, dst)
		}), time.Millisecond)
		if !errors.As(err, &pe) || pe.Part != PartCPU {
			t.Errorf("err = %v, want a PartError for cpu", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		fr := &fakeReader{raws: []Raw{raw(1)}, reads: make(chan Parts, 2)}
		if _, err := Snapshot(ctx, fr, time.Hour); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}
