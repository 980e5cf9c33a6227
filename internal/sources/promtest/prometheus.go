package promtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Defaults of Config.
const (
	// PrometheusPath is where Debian's prometheus package puts the server.
	PrometheusPath = "/usr/bin/prometheus"
	// DefaultJob is the job of targets that name none.
	DefaultJob = "promtest"
	// DefaultScrapeInterval is how often targets are scraped.
	DefaultScrapeInterval = time.Second
)

// Target is one scrape target.
type Target struct {
	// URL is the target's metrics URL, e.g. http://127.0.0.1:9100/metrics.
	// A bare host:port means http://host:port/metrics.
	URL string
	// Job is the target's job label; DefaultJob when empty.
	Job string
	// Labels are extra target labels, added to every series scraped.
	Labels map[string]string
}

// Config configures a test Prometheus. The zero value scrapes nothing.
type Config struct {
	Targets []Target
	// ScrapeInterval is how often every target is scraped, and also the
	// scrape timeout and rule evaluation interval: DefaultScrapeInterval
	// when zero.
	ScrapeInterval time.Duration
	// Args are extra command-line flags for the server.
	Args []string
}

// Prometheus is a running Prometheus server, stopped when its test ends.
// Its methods may be called from any goroutine.
type Prometheus struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:40123.
	URL string
	// Targets are the scrape targets, with their defaults filled in.
	Targets []Target

	api  v1.API
	proc *process
}

// StartPrometheus starts a Prometheus server that scrapes every target
// (URLs or host:port addresses) in job DefaultJob each second, and waits
// until it is ready. See StartPrometheusConfig.
func StartPrometheus(t testing.TB, targets ...string) *Prometheus {
	t.Helper()
	cfg := Config{Targets: make([]Target, len(targets))}
	for i, u := range targets {
		cfg.Targets[i] = Target{URL: u}
	}
	return StartPrometheusConfig(t, cfg)
}

// StartPrometheusConfig starts the prometheus binary on a free loopback
// port, with a configuration generated from cfg and its storage in a
// temporary directory, and waits until it answers /-/ready. The server is
// stopped (SIGTERM, then waited for) when the test ends. It fails the test
// when the binary is missing or the server does not start.
func StartPrometheusConfig(t testing.TB, cfg Config) *Prometheus {
	t.Helper()
	bin := findBinary(t, "prometheus", PrometheusPath, "prometheus")
	if cfg.ScrapeInterval <= 0 {
		cfg.ScrapeInterval = DefaultScrapeInterval
	}
	targets, err := normalize(cfg.Targets)
	if err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	yml, err := configYAML(targets, cfg.ScrapeInterval)
	if err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, yml, 0o644); err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	client := newHTTPClient()
	t.Cleanup(client.CloseIdleConnections)
	for attempt := 1; ; attempt++ {
		addr := FreeAddr(t)
		args := append([]string{
			"--config.file=" + cfgPath,
			"--storage.tsdb.path=" + filepath.Join(dir, "data"),
			"--storage.tsdb.retention.time=1h",
			"--web.listen-address=" + addr,
			"--log.level=warn",
		}, cfg.Args...)
		proc, err := start("prometheus", bin, dir, filepath.Join(dir, fmt.Sprintf("prometheus-%d.log", attempt)), args)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proc.stop)
		base := "http://" + addr
		err = proc.waitHTTP(client, base+"/-/ready", StartTimeout)
		if err == nil {
			ac, err := api.NewClient(api.Config{Address: base, Client: client})
			if err != nil {
				t.Fatalf("prometheus client: %v", err)
			}
			return &Prometheus{URL: base, Targets: targets, api: v1.NewAPI(ac), proc: proc}
		}
		proc.stop()
		if attempt < startAttempts && proc.portTaken() {
			continue
		}
		t.Fatalf("start prometheus: %v\nlog:\n%s", err, proc.log())
	}
}

// normalize fills in the targets' defaults and checks their URLs.
func normalize(in []Target) ([]Target, error) {
	out := make([]Target, len(in))
	for i, tg := range in {
		if !strings.Contains(tg.URL, "://") {
			tg.URL = "http://" + tg.URL + "/metrics"
		}
		u, err := url.Parse(tg.URL)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", tg.URL, err)
		}
		if u.Host == "" || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("target %q: want scheme://host:port/path, without query or user", tg.URL)
		}
		if tg.Job == "" {
			tg.Job = DefaultJob
		}
		out[i] = tg
	}
	return out, nil
}

// promConfig is the part of prometheus.yml that tests need.
type promConfig struct {
	Global        globalConfig   `yaml:"global"`
	ScrapeConfigs []scrapeConfig `yaml:"scrape_configs"`
}

type globalConfig struct {
	ScrapeInterval     string `yaml:"scrape_interval"`
	ScrapeTimeout      string `yaml:"scrape_timeout"`
	EvaluationInterval string `yaml:"evaluation_interval"`
}

type scrapeConfig struct {
	JobName       string         `yaml:"job_name"`
	StaticConfigs []staticConfig `yaml:"static_configs"`
}

type staticConfig struct {
	Targets []string          `yaml:"targets"`
	Labels  map[string]string `yaml:"labels,omitempty"`
}

// configYAML renders prometheus.yml: one scrape job per distinct Job, in
// order of appearance, and one static group per target. A group's
// __scheme__ and __metrics_path__ labels give each target its own URL
// within a job, as Prometheus applies a scrape config's defaults only to
// labels a target does not set.
func configYAML(targets []Target, interval time.Duration) ([]byte, error) {
	iv := model.Duration(interval).String()
	cfg := promConfig{Global: globalConfig{ScrapeInterval: iv, ScrapeTimeout: iv, EvaluationInterval: iv}}
	jobs := map[string]int{}
	for _, tg := range targets {
		u, err := url.Parse(tg.URL)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", tg.URL, err)
		}
		labels := map[string]string{"__scheme__": u.Scheme, "__metrics_path__": u.EscapedPath()}
		if labels["__metrics_path__"] == "" {
			labels["__metrics_path__"] = "/"
		}
		for k, v := range tg.Labels {
			labels[k] = v
		}
		i, ok := jobs[tg.Job]
		if !ok {
			i = len(cfg.ScrapeConfigs)
			jobs[tg.Job] = i
			cfg.ScrapeConfigs = append(cfg.ScrapeConfigs, scrapeConfig{JobName: tg.Job})
		}
		sc := &cfg.ScrapeConfigs[i]
		sc.StaticConfigs = append(sc.StaticConfigs, staticConfig{Targets: []string{u.Host}, Labels: labels})
	}
	return yaml.Marshal(cfg)
}

// Log returns the end of the server's log, for failure messages.
func (p *Prometheus) Log() string { return p.proc.log() }

// API returns a client of the server's HTTP API, for queries the helpers do
// not cover.
func (p *Prometheus) API() v1.API { return p.api }

// Query runs an instant query now and returns its vector, failing the test
// on an error or a result of another type.
func (p *Prometheus) Query(t testing.TB, expr string) model.Vector {
	t.Helper()
	v, err := p.query(expr)
	if err != nil {
		t.Fatalf("query %s: %v", expr, err)
	}
	return v
}

func (p *Prometheus) query(expr string) (model.Vector, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	val, _, _, err := p.api.Query(ctx, expr, time.Now())
	if err != nil {
		return nil, err
	}
	vec, ok := val.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("got a %s, want a vector", val.Type())
	}
	return vec, nil
}

// WaitUp waits until the targets that match selector, label matchers such
// as `job="node"`, have been scraped successfully: up{selector} has at
// least one series and every one is 1. An empty selector means every
// configured target. It fails the test after WaitTimeout, with the
// targets' last scrape errors. Prometheus 2 hands static targets to its
// scrapers about 5s after it starts, so the first wait takes that long.
func (p *Prometheus) WaitUp(t testing.TB, selector string) {
	t.Helper()
	want := 1
	if selector == "" {
		want = len(p.Targets)
	}
	expr := "up{" + selector + "}"
	if err := p.waitFor(expr, func(v model.Vector) bool { return allOne(v, want) }); err != nil {
		t.Fatalf("targets %s not up: %v%s", expr, err, p.targetErrors())
	}
}

// WaitFor polls the instant query expr until ok accepts its vector, and
// fails the test after WaitTimeout.
func (p *Prometheus) WaitFor(t testing.TB, expr string, ok func(model.Vector) bool) model.Vector {
	t.Helper()
	var last model.Vector
	err := p.waitFor(expr, func(v model.Vector) bool { last = v; return ok(v) })
	if err != nil {
		t.Fatalf("wait for %s: %v", expr, err)
	}
	return last
}

// waitFor polls an external server: there is nothing to wait on but its
// answers, so it polls with a deadline.
func (p *Prometheus) waitFor(expr string, ok func(model.Vector) bool) error {
	deadline := time.NewTimer(WaitTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(4 * pollEvery)
	defer tick.Stop()
	var last string
	for {
		v, err := p.query(expr)
		switch {
		case err != nil:
			last = err.Error()
		case ok(v):
			return nil
		default:
			last = "last result: " + v.String()
		}
		select {
		case <-p.proc.done:
			return fmt.Errorf("prometheus exited (%v)\nlog:\n%s", p.proc.err, p.proc.log())
		case <-deadline.C:
			return fmt.Errorf("not after %v (%s)", WaitTimeout, last)
		case <-tick.C:
		}
	}
}

func allOne(v model.Vector, atLeast int) bool {
	if len(v) < atLeast {
		return false
	}
	for _, s := range v {
		if s.Value != 1 {
			return false
		}
	}
	return true
}

// targetErrors lists the targets' scrape errors, to say why a wait failed.
func (p *Prometheus) targetErrors() string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := p.api.Targets(ctx)
	if err != nil {
		return "\n(targets: " + err.Error() + ")"
	}
	var b strings.Builder
	for _, tg := range res.Active {
		fmt.Fprintf(&b, "\n%s %s: %s %s", tg.ScrapePool, tg.ScrapeURL, tg.Health, tg.LastError)
	}
	return b.String()
}
