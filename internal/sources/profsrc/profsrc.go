// Package profsrc profiles the target while perftop loads it: back-to-back
// CPU profiles from its pprof HTTP endpoint (Go's net/http/pprof, or
// anything serving the same paths and profile.proto), and its heap and
// goroutine profiles between them. What they show goes into the Store for
// the Profile screen; the CPU profiles merged, and the latest heap
// profile, are kept for the results (out.cpu.pb.gz, out.heap.pb.gz).
//
// It runs in its own goroutine, with its own HTTP client, so a slow or
// hostile endpoint never delays the load engine; every body is bounded
// (BodyLimit) and every error is one line in words.
package profsrc

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/pprof/profile"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/profiles"
)

// Defaults of Options.
const (
	DefaultSeconds   = 10
	DefaultBodyLimit = 64 << 20
)

// Options configures a Source.
type Options struct {
	// URL is the endpoint: http://127.0.0.1:6060, with or without the
	// /debug/pprof path.
	URL string
	// Seconds is each CPU profile's length: DefaultSeconds when zero.
	Seconds int
	// BodyLimit bounds each profile's body: DefaultBodyLimit when zero.
	BodyLimit int64
	// Client carries auth and TLS; nil means a plain one.
	Client *http.Client
}

// Source collects the profiles; create it with New, run it with Run.
type Source struct {
	o    Options
	base string // the endpoint's /debug/pprof

	mu     sync.Mutex // guards merged and heap
	merged *profile.Profile
	heap   *profile.Profile

	prev  *profiles.Summary // the CPU profile before the latest
	count int
	last  *metrics.Profile // the state published last: copied, never changed
}

// New returns a Source for o.
func New(o Options) *Source {
	if o.Seconds <= 0 {
		o.Seconds = DefaultSeconds
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = DefaultBodyLimit
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	base := strings.TrimRight(o.URL, "/")
	if !strings.HasSuffix(base, "/debug/pprof") {
		base += "/debug/pprof"
	}
	return &Source{o: o, base: base}
}

// Name is the source's name in the Store's health map.
func (s *Source) Name() string { return "pprof " + s.o.URL }

// CPU is the merge of every CPU profile so far; nil before the first.
func (s *Source) CPU() *profile.Profile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.merged
}

// Heap is the latest heap profile; nil before the first.
func (s *Source) Heap() *profile.Profile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heap
}

// Run profiles until ctx ends: a heap and a goroutine profile, then a CPU
// profile of Seconds, again and again; after a failure it waits (1 s
// doubling to 30 s) and tries again. The CPU profile in progress when ctx
// ends is lost: the target's pprof sends nothing until it is complete.
func (s *Source) Run(ctx context.Context, st *metrics.Store) error {
	s.last = &metrics.Profile{URL: s.o.URL}
	for failures := 0; ctx.Err() == nil; {
		err := s.round(ctx, st)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			failures = 0
			continue
		}
		failures++
		wait := min(time.Second<<min(failures-1, 5), 30*time.Second)
		if errors.Is(err, errBusy) {
			wait = time.Second
		}
		next := *s.last
		next.Up, next.Error, next.NextRetry = false, err.Error(), time.Now().Add(wait)
		s.last = &next
		st.Update(func(tx metrics.Tx) {
			tx.SetProfile(&next)
			tx.SetHealth(s.Name(), metrics.Health{LastError: err.Error(), NextRetry: next.NextRetry})
		})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
	return nil
}

// round takes one heap, one goroutine and one CPU profile and publishes
// each as it arrives, each time a new copy of the last state.
func (s *Source) round(ctx context.Context, st *metrics.Store) error {
	heap, err := s.fetch(ctx, "heap", "")
	if err != nil {
		return err
	}
	gor, err := s.fetch(ctx, "goroutine", "")
	if err != nil {
		return err
	}
	hs, gs := profiles.Summarize(heap), profiles.Summarize(gor)
	s.mu.Lock()
	s.heap = heap
	s.mu.Unlock()
	now := time.Now()
	heapState := *s.last
	heapState.Up, heapState.Error, heapState.HasHeap, heapState.HeapInuse, heapState.Goroutines = true, "", true, hs.Total, gs.Total
	s.publish(st, &heapState, now, metrics.KeyProfileHeap, hs.Total, metrics.KeyProfileGoroutines, gs.Total)

	cpu, err := s.fetch(ctx, "profile", "seconds="+strconv.Itoa(s.o.Seconds))
	if err != nil {
		return err
	}
	sum := profiles.Summarize(cpu)
	s.mu.Lock()
	merged, err := profiles.Merge(s.merged, cpu)
	if err == nil {
		s.merged = merged
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("merge the CPU profiles: %w", err)
	}
	s.count++
	cpuState := *s.last
	cpuState.Up, cpuState.Error, cpuState.At, cpuState.Seconds, cpuState.Count = true, "", time.Now(), sum.Seconds, s.count
	if sum.Seconds > 0 {
		cpuState.CPU = sum.Total / sum.Seconds
	}
	cpuState.Funcs = funcs(sum, s.prev)
	cpuState.Peeks = peeks(cpu, cpuState.Funcs)
	s.prev = &sum
	s.publish(st, &cpuState, cpuState.At, metrics.KeyProfileCPU, cpuState.CPU, "", 0)
	return nil
}

// publish stores p, which becomes the last state, and up to two series
// points.
func (s *Source) publish(st *metrics.Store, p *metrics.Profile, at time.Time, k1 string, v1 float64, k2 string, v2 float64) {
	s.last = p
	st.Update(func(tx metrics.Tx) {
		b := metrics.Batch{T: at, Keys: []string{k1}, Values: []float64{v1}}
		if k2 != "" {
			b.Keys, b.Values = append(b.Keys, k2), append(b.Values, v2)
		}
		tx.Write(&b)
		tx.SetProfile(p)
		tx.SetHealth(s.Name(), metrics.Health{Up: true, LastSuccess: at})
	})
}

// funcs are the top of sum, with each function's share in prev.
func funcs(sum profiles.Summary, prev *profiles.Summary) []metrics.ProfileFunc {
	before := map[string]float64{}
	if prev != nil {
		for _, f := range prev.Funcs {
			before[f.Name] = f.FlatShare
		}
	}
	out := make([]metrics.ProfileFunc, 0, min(len(sum.Funcs), metrics.MaxProfileFuncs))
	for _, f := range sum.Funcs[:min(len(sum.Funcs), metrics.MaxProfileFuncs)] {
		pf := toFunc(f)
		pf.PrevShare, pf.PrevKnown = before[f.Name], prev != nil
		out = append(out, pf)
	}
	return out
}

func toFunc(f profiles.Func) metrics.ProfileFunc {
	return metrics.ProfileFunc{Name: printable.Line(f.Name), Flat: f.Flat, Cum: f.Cum, FlatShare: f.FlatShare, CumShare: f.CumShare}
}

// peekFuncs is how many of the top functions get their callers and
// callees computed, and how many of each.
const peekFuncs, peekEach = 30, 8

func peeks(p *profile.Profile, fs []metrics.ProfileFunc) map[string]metrics.ProfilePeek {
	out := map[string]metrics.ProfilePeek{}
	for _, f := range fs[:min(len(fs), peekFuncs)] {
		pk := profiles.PeekAt(p, f.Name, peekEach)
		var mp metrics.ProfilePeek
		for _, c := range pk.Callers {
			mp.Callers = append(mp.Callers, toFunc(c))
		}
		for _, c := range pk.Callees {
			mp.Callees = append(mp.Callees, toFunc(c))
		}
		out[f.Name] = mp
	}
	return out
}

// errBusy is Go's pprof refusing a CPU profile while another runs.
var errBusy = errors.New("another profile is in progress: perftop retries after it")

// fetch gets one profile, kind "profile" (CPU), "heap" or "goroutine",
// and parses it. Its errors are one line each, in words.
func (s *Source) fetch(ctx context.Context, kind, query string) (*profile.Profile, error) {
	u := s.base + "/" + kind
	if query != "" {
		u += "?" + query
	}
	timeout := 15 * time.Second
	if kind == "profile" {
		timeout += time.Duration(s.o.Seconds) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL: %w", err)
	}
	resp, err := s.o.Client.Do(req)
	if err != nil {
		return nil, describe(ctx, err, timeout)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, s.o.BodyLimit+1))
	if err != nil {
		return nil, describe(ctx, err, timeout)
	}
	if int64(len(body)) > s.o.BodyLimit {
		return nil, fmt.Errorf("the %s profile is over %d MiB: not read", kind, s.o.BodyLimit>>20)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("not a pprof endpoint: 404 at %s", printable.Line(req.URL.Path))
	case resp.StatusCode != http.StatusOK && strings.Contains(string(body), "already"):
		// Go's pprof: "Could not enable CPU profiling: cpu profiling
		// already in use".
		return nil, errBusy
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("HTTP %s at %s: %s", printable.Line(resp.Status), printable.Line(req.URL.Path),
			printable.Cut(printable.Line(string(body)), 120))
	}
	if body, err = gunzip(body, 4*s.o.BodyLimit); err != nil {
		return nil, fmt.Errorf("the %s profile at %s: %w", kind, printable.Line(req.URL.Path), err)
	}
	p, err := profile.ParseData(body)
	if err != nil {
		return nil, fmt.Errorf("not a pprof profile at %s: %s", printable.Line(req.URL.Path), printable.Cut(printable.Line(err.Error()), 120))
	}
	return p, nil
}

// gunzip inflates a gzipped profile to at most limit bytes (profile.Parse
// would inflate it whole, however large); anything else is returned as is.
func gunzip(b []byte, limit int64) ([]byte, error) {
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("not gzip: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("bad gzip: %w", err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("over %d MiB inflated: not read", limit>>20)
	}
	return out, nil
}

// describe puts a request's failure in words.
func describe(ctx context.Context, err error, timeout time.Duration) error {
	var op *net.OpError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("profile timed out after %s", timeout)
	case errors.As(err, &op) && op.Op == "dial":
		return fmt.Errorf("endpoint down: %s", printable.Line(op.Err.Error()))
	}
	return errors.New(printable.Cut(printable.Line(err.Error()), 200))
}
