// Package session runs one perftop: it owns the Store, the sources that
// write into it (the host, scraped targets, PromQL panels), the refresh
// interval every source follows, the SSH server, the dashboard program or
// the headless reporter, and the order things stop in. The dashboard,
// `perftop run`, `perftop serve` and `perftop report --tui` are the same
// wiring with different parts switched on; cmd/perftop only turns flags
// and the config file into a Config.
package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/pprof/profile"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/nodeexp"
	"github.com/perftop/perftop/internal/sources/profsrc"
	"github.com/perftop/perftop/internal/sources/prom"
	"github.com/perftop/perftop/internal/sources/promql"
	"github.com/perftop/perftop/internal/sources/system"
	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui/serve"
)

// Config is a validated description of a session. Nothing in it has been
// opened or started: New builds the sources, and the session's run methods
// open the SSH listener and start everything.
type Config struct {
	// Interval is the refresh interval every source starts with.
	Interval time.Duration
	// ProcFS is where the host's proc filesystem is mounted ("" is /proc).
	ProcFS string
	// Prom are the targets to scrape; PromQL, when set, the server and
	// panels to query.
	Prom   []prom.Options
	PromQL *promql.Options
	// Nodes are remote hosts to read from their node_exporters.
	Nodes []Node
	// Profile, when set, profiles the target from its pprof endpoint.
	Profile *profsrc.Options
	// Fleet, when set, follows the fleet of runners a Prometheus server
	// scrapes.
	Fleet *promql.FleetOptions
	// Display is how the dashboard draws.
	Display Display
	// SSH, when set, serves the dashboard over SSH.
	SSH *SSH
	// KeepGOMAXPROCS leaves GOMAXPROCS alone (the user set it); otherwise a
	// dashboard that watches only the host runs on one P (see Dashboard).
	KeepGOMAXPROCS bool
	// Log receives what a headless session reports (the SSH address,
	// logins while no dashboard owns the terminal); nil means io.Discard.
	Log io.Writer
	// History is how many points each series keeps: at least
	// metrics.DefaultRingCapacity (ten minutes at 1 s); a replay needs its
	// whole timeline.
	History int
}

// Node is a remote host read from its node_exporter: the host screens show
// it as they show this one, under Name.
type Node struct {
	Name   string // how the screens name it: the URL's host:port
	URL    string // its /metrics
	Client *http.Client
	Limits prom.Limits
	// Reader, when set, reads the node instead of URL: a node read from a
	// Prometheus server (--host-query).
	Reader system.Reader
}

// reader is what reads the node.
func (n Node) reader() system.Reader {
	if n.Reader != nil {
		return n.Reader
	}
	return &nodeexp.Reader{URL: n.URL, Client: n.Client, Limits: n.Limits}
}

// Display is how the dashboard draws.
type Display struct {
	Themes    themes.Set // nil means the built-ins
	Theme     string
	Colorless bool // monochrome: the terminal has no colours, or the user asked
	// FPS is Bubble Tea's frame rate: DefaultFPS when zero.
	FPS int
}

// DefaultFPS is Bubble Tea's frame rate: its renderer flushes on a ticker
// of this many frames a second, whether anything changed or not, so the
// rate prices CPU at rest against the time from a key press to the
// screen. Measured side by side with htop and btop (bench/dashboard.sh,
// bench/README.md): every tick costs a few wake-ups of the Go runtime,
// while a key waits up to one frame. 20 is the lowest rate whose key-press
// p90 stays under 60 ms.
const DefaultFPS = 20

// SSH describes serving the dashboard over SSH.
type SSH struct {
	// Addr is where to listen, e.g. 127.0.0.1:2222.
	Addr string
	// Server carries the keys and limits; its Listener, HostKeyPEM, Log,
	// NewModel and FPS are filled in by the session.
	Server serve.Options
	// HostKey is the path of the host key, made (mode 0600) on first use.
	HostKey string
	// LogFile, when set, receives logins and denials while a local
	// dashboard owns the terminal; otherwise they go to Config.Log.
	LogFile string
}

// Session is one running perftop. Create it with New.
type Session struct {
	cfg      Config
	st       *metrics.Store
	host     *system.Source
	nodes    []*system.Source // remote hosts, in the order given
	scrapers []*prom.Scraper
	promql   *promql.Source
	prof     *profsrc.Source
	fleet    *promql.Fleet
	interval atomic.Int64 // nanoseconds: what SetInterval last set
}

// New builds the session's sources from cfg. It starts nothing and opens
// nothing; it fails only on a PromQL server it cannot make a client for.
func New(cfg Config) (*Session, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Display.FPS <= 0 {
		cfg.Display.FPS = DefaultFPS
	}
	s := &Session{cfg: cfg, st: metrics.NewStore(max(cfg.History, metrics.DefaultRingCapacity))}
	s.interval.Store(int64(max(cfg.Interval, metrics.MinInterval)))
	s.host = system.New(system.Options{Interval: cfg.Interval, ProcFS: cfg.ProcFS, TopN: system.AllProcesses})
	for _, n := range cfg.Nodes {
		s.nodes = append(s.nodes, system.New(system.Options{Interval: cfg.Interval, Reader: n.reader(), Host: n.Name}))
	}
	for _, o := range cfg.Prom {
		s.scrapers = append(s.scrapers, prom.New(o))
	}
	if cfg.Profile != nil {
		s.prof = profsrc.New(*cfg.Profile)
	}
	if cfg.Fleet != nil {
		f, err := promql.NewFleet(*cfg.Fleet)
		if err != nil {
			return nil, fmt.Errorf("--fleet: %w", err)
		}
		s.fleet = f
	}
	if cfg.PromQL != nil {
		q, err := promql.New(*cfg.PromQL)
		if err != nil {
			return nil, fmt.Errorf("--prom-server: %w", err)
		}
		s.promql = q
	}
	return s, nil
}

// Store is the session's Store, which every source writes and every view
// reads.
func (s *Session) Store() *metrics.Store { return s.st }

// Interval is the refresh interval of the moment.
func (s *Session) Interval() time.Duration { return time.Duration(s.interval.Load()) }

// SetInterval changes the refresh interval of every source at once: the
// host sampler, every scrape and the PromQL panels' step. The dashboard's
// +/- keys call it.
func (s *Session) SetInterval(d time.Duration) {
	d = max(d, metrics.MinInterval)
	s.interval.Store(int64(d))
	for _, src := range s.sources() {
		if iv, ok := src.(interface{ SetInterval(time.Duration) }); ok {
			iv.SetInterval(d)
		}
	}
}

// source is what a session runs in the background.
type source interface {
	Name() string
	Run(ctx context.Context, st *metrics.Store) error
}

var (
	_ source = (*system.Source)(nil)
	_ source = (*prom.Scraper)(nil)
	_ source = (*promql.Source)(nil)
	_ source = (*profsrc.Source)(nil)
	_ source = (*promql.Fleet)(nil)
)

func (s *Session) sources() []source {
	out := []source{s.host}
	for _, n := range s.nodes {
		out = append(out, n)
	}
	for _, sc := range s.scrapers {
		out = append(out, sc)
	}
	if s.promql != nil {
		out = append(out, s.promql)
	}
	if s.prof != nil {
		out = append(out, s.prof)
	}
	if s.fleet != nil {
		out = append(out, s.fleet)
	}
	return out
}

// Profiles are the target's CPU profiles merged and its latest heap
// profile, nil without --pprof or before the first.
func (s *Session) Profiles() (cpu, heap *profile.Profile) {
	if s.prof == nil {
		return nil, nil
	}
	return s.prof.CPU(), s.prof.Heap()
}

// onlyHost reports whether the session watches nothing but this host.
func (s *Session) onlyHost() bool {
	return len(s.scrapers) == 0 && len(s.nodes) == 0 && s.promql == nil && s.prof == nil && s.fleet == nil && s.cfg.SSH == nil
}

// startSources runs each source in its own goroutine until ctx ends, and
// returns a function that waits for them. A source that fails or panics
// is marked down in the Store, with the error, and started again after a
// backoff (1 s doubling to 30 s): a bug in one source costs its panel, not
// the dashboard.
func (s *Session) startSources(ctx context.Context) (wait func()) {
	return s.run(ctx, s.sources())
}

// run runs srcs as startSources does.
func (s *Session) run(ctx context.Context, srcs []source) (wait func()) {
	var wg sync.WaitGroup
	for _, src := range srcs {
		wg.Go(func() {
			for failures := 0; ; failures++ {
				err := runSource(ctx, src, s.st)
				if err == nil || ctx.Err() != nil {
					return
				}
				retry := min(time.Second<<min(failures, 5), 30*time.Second)
				s.st.SetHealth(src.Name(), metrics.Health{LastError: err.Error(), NextRetry: time.Now().Add(retry)})
				t := time.NewTimer(retry)
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
			}
		})
	}
	return wg.Wait
}

// runSource runs src until it returns, turning a panic into an error.
func runSource(ctx context.Context, src source, st *metrics.Store) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("crashed: %v", r)
		}
	}()
	err = src.Run(ctx, st)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// watch forwards the families the dashboard charts to the target's scraper.
func (s *Session) watch(url string, families []string) {
	for _, sc := range s.scrapers {
		if sc.URL() == url {
			sc.Watch(families)
		}
	}
}

// NodeReader is what reads n, for one-shot reads (snapshot).
func NodeReader(n Node) system.Reader { return n.reader() }

// nodeNames lists the remote hosts in the order given.
func (s *Session) nodeNames() []string {
	out := make([]string, len(s.cfg.Nodes))
	for i, n := range s.cfg.Nodes {
		out[i] = n.Name
	}
	return out
}

// promURLs lists the scraped targets in the order given.
func (s *Session) promURLs() []string {
	out := make([]string, len(s.scrapers))
	for i, sc := range s.scrapers {
		out[i] = sc.URL()
	}
	return out
}
