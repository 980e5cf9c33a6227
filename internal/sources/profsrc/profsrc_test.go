package profsrc

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"os"
	runpprof "runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"go.uber.org/goleak"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/profiles"
	"github.com/perftop/perftop/internal/sources/promtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

//go:noinline
func burnHot(n int) uint64 {
	var x uint64 = 1
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// pprofServer is a target with Go's net/http/pprof and a /hot endpoint that
// burns CPU in burnHot, loaded by a few goroutines until the test ends.
func pprofServer(t *testing.T) string {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/hot", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte{byte(burnHot(3_000_000))})
	})
	srv := httptest.NewServer(mux)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			c := &http.Client{}
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/hot", nil)
				if resp, err := c.Do(req); err == nil {
					resp.Body.Close()
				}
			}
			c.CloseIdleConnections()
		})
	}
	t.Cleanup(func() { cancel(); wg.Wait(); srv.Close() })
	return srv.URL
}

// runFor runs s until the store has a profile satisfying ok, or d passes.
func runFor(t *testing.T, s *Source, d time.Duration, ok func(*metrics.Profile) bool) *metrics.Profile {
	t.Helper()
	st := metrics.NewStore(0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, st) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	deadline := time.Now().Add(d)
	var sn metrics.Snapshot
	for time.Now().Before(deadline) {
		st.Snapshot(&sn)
		if sn.Profile != nil && ok(sn.Profile) {
			return sn.Profile
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("after %s: %+v", d, sn.Profile)
	return nil
}

// TestProfilesARealTarget: the hot function tops the CPU profile, its
// caller is the handler, heap and goroutines are known, and the CPU
// profiles are merged for the results.
func TestProfilesARealTarget(t *testing.T) {
	s := New(Options{URL: pprofServer(t), Seconds: 1})
	p := runFor(t, s, 20*time.Second, func(p *metrics.Profile) bool { return p.Count >= 2 })
	// burnHot holds most of the CPU, itself or in the preemption it is
	// interrupted by (runtime.asyncPreempt, a leaf under it, as pprof shows).
	var hot *metrics.ProfileFunc
	for i, f := range p.Funcs[:min(3, len(p.Funcs))] {
		if strings.HasSuffix(f.Name, ".burnHot") {
			hot = &p.Funcs[i]
		}
	}
	if !p.Up || hot == nil {
		t.Fatalf("top functions %+v, want burnHot among the first three", p.Funcs[:min(3, len(p.Funcs))])
	}
	if hot.CumShare < 0.5 || !hot.PrevKnown || p.CPU <= 0 {
		t.Errorf("burnHot %+v, CPU %v s/s: want most of the CPU, the previous profile's share known", *hot, p.CPU)
	}
	if pk := p.Peeks[hot.Name]; len(pk.Callers) == 0 || !strings.Contains(pk.Callers[0].Name, "pprofServer") {
		t.Errorf("burnHot's callers %+v, want the /hot handler", pk.Callers)
	}
	if !p.HasHeap || p.HeapInuse <= 0 || p.Goroutines < 2 {
		t.Errorf("heap %v, goroutines %v", p.HeapInuse, p.Goroutines)
	}
	if s.CPU() == nil || len(s.CPU().Sample) == 0 || s.Heap() == nil {
		t.Error("no merged CPU profile or heap profile kept")
	}
}

// TestErrors: every way an endpoint fails is said in words.
func TestErrors(t *testing.T) {
	notPprof := httptest.NewServer(http.NotFoundHandler())
	defer notPprof.Close()
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>hello</html>")) }))
	defer garbage.Close()
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 2<<20)) }))
	defer huge.Close()
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/profile") {
			pprof.Profile(w, r)
			return
		}
		pprof.Index(w, r)
	}))
	defer busy.Close()
	for _, tt := range []struct {
		name, url, want string
		limit           int64
		setup           func(t *testing.T)
	}{
		{"down", "http://" + promtest.FreeAddr(t), "endpoint down: connect: connection refused", 0, nil},
		{"not pprof", notPprof.URL, "not a pprof endpoint: 404 at /debug/pprof/heap", 0, nil},
		{"garbage", garbage.URL, "not a pprof profile at /debug/pprof/heap", 0, nil},
		{"too large", huge.URL, "the heap profile is over 1 MiB: not read", 1 << 20, nil},
		{"busy", busy.URL, "another profile is in progress: perftop retries after it", 0, func(t *testing.T) {
			// Go's pprof runs one CPU profile at a time: hold it.
			if err := runpprof.StartCPUProfile(discard{}); err != nil {
				t.Skipf("cannot hold the CPU profiler: %v", err)
			}
			t.Cleanup(runpprof.StopCPUProfile)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup(t)
			}
			s := New(Options{URL: tt.url, Seconds: 1, BodyLimit: tt.limit})
			p := runFor(t, s, 10*time.Second, func(p *metrics.Profile) bool { return p.Error != "" })
			if p.Up || !strings.HasPrefix(p.Error, tt.want) {
				t.Errorf("error %q, want %q", p.Error, tt.want)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkAggregate is perftop's own work per CPU profile besides the
// fetch: parsing, the summary, the previous profile's shares, the peeks of
// the top functions and the merge into the run's profile, on a profile
// recorded by perftop run --pprof from bench/target at 35k req/s (12 s,
// 12.2 s of CPU samples: testdata/target12s.cpu.pb.gz in internal/profiles).
func BenchmarkAggregate(b *testing.B) {
	data, err := os.ReadFile("../../profiles/testdata/target12s.cpu.pb.gz")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var merged *profile.Profile
	prev := profiles.Summary{}
	for b.Loop() {
		raw, err := gunzip(data, DefaultBodyLimit)
		if err != nil {
			b.Fatal(err)
		}
		p, err := profile.ParseData(raw)
		if err != nil {
			b.Fatal(err)
		}
		sum := profiles.Summarize(p)
		fs := funcs(sum, &prev)
		_ = peeks(p, fs)
		if merged, err = profiles.Merge(merged, p); err != nil {
			b.Fatal(err)
		}
		if len(merged.Sample) > 100_000 {
			merged = nil // a run's worth: keep the merge's cost that of a run
		}
		prev = sum
	}
}
