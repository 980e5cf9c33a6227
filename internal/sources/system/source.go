// Package system is perftop's host source: it samples the local machine's
// CPU, memory, swap, load, disks, filesystems, network and process table,
// derives rates and percentages, and writes them into a metrics.Store.
//
// Reading and deriving are separate: a Reader fills a Raw with cumulative
// counters (NewLocalReader's: ProcReader on Linux, GopsutilReader
// elsewhere), and the pure Derive turns two
// readings into a metrics.Host. Each part of a reading carries its own error,
// so a part the kernel or container refuses does not hide the others.
package system

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// Defaults and limits of Options.
const (
	DefaultInterval        = time.Second
	DefaultProcessInterval = 2 * time.Second
	DefaultFSInterval      = 5 * time.Second
)

// sourceName is the source's name in the Store's health map.
const sourceName = "system"

// ErrRunning is returned by Run when the Source is already running.
var ErrRunning = errors.New("system source is already running")

// Options configures a Source. The zero value means every default.
type Options struct {
	// Interval is the time between samples: DefaultInterval when zero,
	// and never below metrics.MinInterval.
	Interval time.Duration
	// ProcessInterval is the time between reads of the process table, the
	// most expensive part: DefaultProcessInterval when zero. It is never
	// shorter than Interval.
	ProcessInterval time.Duration
	// FSInterval is the time between reads of filesystem usage and the host
	// name, which change slowly: DefaultFSInterval when zero. It is never
	// shorter than Interval.
	FSInterval time.Duration
	// TopN is how many of the busiest processes a sample lists:
	// DefaultTopN when zero or negative.
	TopN int
	// Reader reads the host; nil means NewLocalReader's, which the Source
	// then closes whenever Run returns.
	Reader Reader
	// ProcFS, when Reader is nil, is where the proc filesystem to read is
	// mounted ("" is /proc): a host's /proc mounted into a container, as
	// node_exporter's --path.procfs. Linux only (ProcFSSupported).
	ProcFS string
	// Now tells the time for scheduling the expensive parts and stamping
	// health; nil means time.Now. Tests set it to run time faster.
	Now func() time.Time
	// Host names a remote host that Reader reads (a node_exporter): the
	// source then publishes its samples as that host's (Store keys under
	// metrics.HostKey(Host, ...), health "host HOST") rather than as this
	// one's. "" is this host.
	Host string
}

// Source samples the host on a timer and writes every sample into a
// metrics.Store. Create one with New; the zero value is not ready for use.
//
// Run is the one goroutine that samples, and may be called again after it
// returned; SetInterval and Interval may be called from any goroutine at any
// time.
type Source struct {
	reader    Reader
	owned     io.Closer // the reader, when the Source made it
	now       func() time.Time
	procEvery time.Duration
	fsEvery   time.Duration
	topN      int
	interval  *metrics.Interval
	running   atomic.Bool
	noProcs   atomic.Bool // the process table is not read
	sampler               // owned by the goroutine in Run
}

// SkipProcesses stops (or resumes) reading the process table, the most
// expensive part, when nobody will look at it: a headless run nobody can
// watch. Samples then carry no processes. Safe from any goroutine.
func (s *Source) SkipProcesses(skip bool) { s.noProcs.Store(skip) }

// New returns a Source configured by opts.
func New(opts Options) *Source {
	s := &Source{
		reader:    opts.Reader,
		now:       opts.Now,
		procEvery: opts.ProcessInterval,
		fsEvery:   opts.FSInterval,
		topN:      opts.TopN,
	}
	s.name = opts.Host
	if s.reader == nil {
		s.reader = NewLocalReader(opts.ProcFS)
		s.owned, _ = s.reader.(io.Closer)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.procEvery <= 0 {
		s.procEvery = DefaultProcessInterval
	}
	if s.fsEvery <= 0 {
		s.fsEvery = DefaultFSInterval
	}
	if s.topN < 1 {
		s.topN = DefaultTopN
	}
	s.interval = metrics.NewInterval(opts.Interval, DefaultInterval)
	return s
}

// Name returns the source's name, under which its health is stored: "system".
func (s *Source) Name() string {
	if s.name != "" {
		return "host " + s.name
	}
	return sourceName
}

// Interval returns the time between samples.
func (s *Source) Interval() time.Duration { return s.interval.Get() }

// SetInterval changes the time between samples, from the next one on; d is
// raised to metrics.MinInterval. It is safe to call from any goroutine, and the
// running sampler picks it up without waiting for the old interval to end.
func (s *Source) SetInterval(d time.Duration) { s.interval.Set(d) }

// stopWait bounds how long Run waits, once ctx is done, for a reading in
// progress: a /proc read can block in the kernel (see ProcReader), and
// quitting must not wait on it.
const stopWait = time.Second

// Run samples the host at once and then every interval, writing each sample
// into st, until ctx is done; then it returns nil. It returns ErrRunning if
// the Source is running already, and the panic as an error if the
// sampling panicked.
//
// The sampling runs on a goroutine of its own. When ctx ends while a
// reading is blocked, Run returns after stopWait and leaves that goroutine
// to write nothing more and close the reader once the reading returns; the
// Source counts as running until then.
func (s *Source) Run(ctx context.Context, st *metrics.Store) error {
	if st == nil {
		return errors.New("system source: nil store")
	}
	if !s.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	done := make(chan struct{})
	var crashed error // set before done closes
	go func() {
		defer close(done)
		defer s.running.Store(false)
		if s.owned != nil {
			defer s.owned.Close()
		}
		defer func() {
			if r := recover(); r != nil { // a bug in reading or deriving: the source is down, not perftop
				crashed = fmt.Errorf("crashed: %v", r)
			}
		}()
		s.loop(ctx, st)
	}()
	select {
	case <-done:
		return crashed
	case <-ctx.Done():
		t := time.NewTimer(stopWait)
		defer t.Stop()
		select {
		case <-done:
			return crashed
		case <-t.C:
		}
	}
	return nil
}

// loop is Run's sampling loop.
func (s *Source) loop(ctx context.Context, st *metrics.Store) {
	// Reset discards a pending tick (Go 1.23 timers), so one timer serves.
	timer := time.NewTimer(s.Interval())
	defer timer.Stop()
	for {
		start := time.Now()
		if !s.sample(ctx, st) {
			return
		}
		timer.Reset(time.Until(start.Add(s.Interval())))
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				return
			case <-s.interval.Changed():
				timer.Reset(time.Until(start.Add(s.Interval())))
			case <-timer.C:
				waiting = false
			}
		}
	}
}

// sample reads the parts that are due, derives and writes one sample. It
// reports false, writing nothing, when ctx ended during the reading.
func (s *Source) sample(ctx context.Context, st *metrics.Store) bool {
	now, iv := s.now(), s.Interval()
	parts := FastParts
	// The first two readings both include the slow parts so that process
	// CPU shows after one interval rather than after ProcessInterval.
	if !s.noProcs.Load() && (s.procReads < 2 || due(now, s.lastProc, max(s.procEvery, iv), iv)) {
		parts |= PartProcesses
	}
	if s.lastFS.IsZero() || due(now, s.lastFS, max(s.fsEvery, iv), iv) {
		parts |= PartFilesystems | PartHostname
	}
	s.reader.Read(ctx, parts, &s.cur)
	if ctx.Err() != nil {
		return false
	}
	if parts.Has(PartProcesses) {
		s.lastProc = now
		s.procReads++
	}
	if parts.Has(PartFilesystems) {
		s.lastFS = now
	}
	s.publish(st, now, iv, s.topN)
	return true
}

// due reports whether a part last read at last is due again at now. Half an
// interval of slack keeps timer jitter from pushing it a whole tick late.
func due(now, last time.Time, every, interval time.Duration) bool {
	return now.Sub(last) >= every-interval/2
}

// Snapshot takes two readings of every part, interval apart, and returns the
// sample derived from them; it serves one-shot and batch modes. A nil r
// means NewLocalReader's, an interval of zero or less DefaultInterval.
// It fails when ctx ends first or when every part failed; otherwise failed
// parts carry their errors in the sample.
func Snapshot(ctx context.Context, r Reader, interval time.Duration) (metrics.Host, error) {
	if r == nil {
		r = NewLocalReader("")
		if c, ok := r.(io.Closer); ok {
			defer c.Close()
		}
	}
	if interval <= 0 {
		interval = DefaultInterval
	}
	var prev, cur Raw
	r.Read(ctx, AllParts, &prev)
	t := time.NewTimer(interval)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return metrics.Host{}, ctx.Err()
	case <-t.C:
	}
	r.Read(ctx, AllParts, &cur)
	if err := ctx.Err(); err != nil {
		return metrics.Host{}, err
	}
	if cur.failed() == cur.Parts&^PartHostname {
		return metrics.Host{}, fmt.Errorf("read host: every part failed: %w", cur.firstErr())
	}
	return Derive(prev, cur, DefaultTopN), nil
}
