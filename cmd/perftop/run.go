package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/perftop/perftop/internal/results"
	"github.com/perftop/perftop/internal/sources/load"
	"github.com/perftop/perftop/internal/sources/profsrc"
)

// runFlags are `perftop run`'s flags; their names are the interface.
type runFlags struct {
	shard        string
	startAt      string
	pprof        string
	pprofSeconds int
	concurrency  int
	rate         float64
	maxInFlight  int
	duration     time.Duration
	requests     int64
	stages       string
	stagesOf     string
	profile      string
	method       string
	headers      []string
	body         string
	bodyFile     string
	timeout      time.Duration
	grace        time.Duration
	http2        bool
	insecure     bool
	noKeepAlive  bool
	maxRedirects int
	unixSocket   string
	host         string
	scenario     string
	headless     bool
	out          string
	metricsAddr  string
	netHTTP      bool
	noEventLoop  bool
	slo          string
	abortOnSLO   bool
	sloGrace     time.Duration
	keys         keyFlags
	splitBy      []string
	splitMax     int
	// scenarioSplit is the scenario file's split_by, which --split-by
	// replaces.
	scenarioSplit []load.SplitBy
}

// defaultDuration is how long a test runs when nothing else bounds it, as
// wrk does: long enough to see a steady state, short enough not to surprise.
const defaultDuration = 10 * time.Second

// defaultProfileRate is the open-loop rate a --profile starts from when
// neither --rate nor --concurrency is given.
const defaultProfileRate = 10

func newRunCmd(e *env, cf *configFlags) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run URL [URL...]",
		Short: "Run a load test against URLs and watch it live",
		Long: `run drives HTTP load at one or more URLs and shows, live, the latency
percentiles, throughput, errors and concurrency next to the host's gauges.

Closed loop (the default): -c workers each send their next request as soon
as the last is answered; its latency is corrected for coordinated omission
as wrk corrects it (a slow answer also counts the requests its worker could
not send meanwhile), and the latency as measured is kept as the service
latency. Open loop: --rate requests per second whatever the target does;
latency is then measured from each request's intended send time. Either way
a stalled server shows in the tail as users would feel it.

Several URLs share the load round robin; URL@N gives one a weight N. A
--scenario file describes a weighted mix of named requests instead. Each
name (or URL) gets its own row in the summary and the results: requests,
failures, req/s, p50, p90, p99, p99.9, max, mean, bytes in; an SLO can name
one: --slo 'add item:p99<300ms' (the name is what comes before the last
colon ahead of the comparison).

--split-by HEADER splits the answers by a response header's value, as a
cache (X-Cache: HIT or MISS) or a balancer (X-Served-By) says it: each
value's share of the answers and its latency, and a cache's hit ratio.
HEADER=REGEX keeps the regular expression's first group as the value;
answers without the header are (none), and past --split-max values (other).

A test runs for -d (default 10s), -n requests, or its --stages/--profile.
While it runs: p pauses and resumes the load, + and - raise or lower the
rate (or workers) by 10%, s stops it, q quits; the summary is printed on
exit. --headless prints one progress line a second on stderr instead, and
the summary on stdout. -o writes every number as JSON (seconds as the unit).

On Linux the closed loop of plain HTTP/1.1 keep-alive requests runs on
epoll event loops, as wrk does; everything else (and every other system)
runs on goroutine workers.

Profiles (L is --rate, --concurrency, or 10 requests/s):
  baseline   L for -d (default 1m)
  stress     L, 2L ... 10L, 30s each (or -d/10); stops where the error rate
             passes 5% or p99 passes 10x the first step's, and reports it
  spike      L 30s, 10L for 30s, L 30s
  endurance  L for -d (default 30m)
  volume     L for -d (default 1m) over 1024 distinct URLs: ?perftop_id={key}
             unless a request says {key}; --keys and --key-dist change them

Keys: where a URL, a header or the body says {key}, each request gets a key
0..N-1 (--keys N), drawn uniformly or, with --key-dist zipf:S, as
popularity has it (key 0 the most requested, key k about 1/(k+1)^S as
often), so a cache in front of the target meets a realistic skew.
--seed makes the draws repeat: the same seed sends the same keys per worker.`,
		Example: `  perftop run http://localhost:8080/             # 50 workers, 10 seconds
  perftop run -c 100 -d 1m http://localhost:8080/api
  perftop run -r 500 -d 30s http://localhost:8080/   # open loop, 500 req/s
  perftop run --stages 30s:100,1m:500,30s:0 http://localhost:8080/
  perftop run --profile stress -r 50 http://localhost:8080/
  perftop run -m POST -H 'Content-Type: application/json' --body '{"a":1}' http://localhost:8080/items
  perftop run --scenario mix.yaml --headless -o results.json
  perftop run --scenario mix.yaml --split-by X-Cache --slo 'add item:p99<300ms'
  perftop run --split-by 'X-Cache=^(HIT|MISS)' --split-by X-Served-By http://cache.local/
  perftop run http://a.local/@3 http://b.local/@1 --metrics-addr :9464
  perftop run --keys 100000 --key-dist zipf:1.1 'http://localhost:8080/items/{key}'
  perftop run --headless -r 200 -d 1m --slo 'p99<200ms,error_rate<1%' http://localhost:8080/   # exit 3 on a breach`,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := cf.load(cmd, e.getenv)
			if err != nil {
				return err
			}
			if f.slo == "" {
				f.slo = cfg.SLO // the config file's objectives, unless --slo says otherwise
			}
			spec, err := f.spec(cmd, args, e)
			if err != nil {
				return err
			}
			if s := noTerminal(e.stdout); s != "" && !spec.headless {
				// A pipe, a file or CI: the dashboard would draw into it.
				spec.headless = true
				fmt.Fprintf(e.stderr, "perftop: %s is not a terminal: running headless (progress on stderr, the summary on stdout)\n", s)
			}
			return runTest(cmd.Context(), cfg, spec, e)
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// register defines run's flags on fl.
func (f *runFlags) register(fl *pflag.FlagSet) {
	fl.IntVarP(&f.concurrency, "concurrency", "c", load.DefaultConcurrency, "closed loop: `workers` sending requests back to back")
	fl.Float64VarP(&f.rate, "rate", "r", 0, "open loop: `requests` per second, whatever the target does")
	fl.IntVar(&f.maxInFlight, "max-inflight", load.DefaultMaxInFlight, "open loop: most requests in flight at once")
	fl.DurationVarP(&f.duration, "duration", "d", 0, "how long to run (default 10s, unless -n, --stages or --profile bound the test)")
	fl.Int64VarP(&f.requests, "requests", "n", 0, "stop after this many requests")
	fl.StringVar(&f.stages, "stages", "", "ramp through `duration:target,...` stages, e.g. 30s:100,1m:500,30s:0")
	fl.StringVar(&f.stagesOf, "stages-of", "rate", "what stage targets are: rate (requests/s) or concurrency (workers)")
	fl.StringVar(&f.profile, "profile", "", "a test shape: baseline, stress, spike, endurance or volume (see above)")
	fl.StringVarP(&f.method, "method", "m", "", "HTTP method (default GET, or POST with a body)")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, "request header `\"Name: value\"` (repeatable)")
	fl.StringVar(&f.body, "body", "", "request body")
	fl.StringVar(&f.bodyFile, "body-file", "", "read the request body from `file`")
	fl.DurationVar(&f.timeout, "timeout", load.DefaultTimeout, "per-request timeout")
	fl.DurationVar(&f.grace, "grace", load.DefaultGrace, "at a stop, how long requests in flight may finish before they are cut off and counted interrupted (a second Ctrl-C cuts them off at once)")
	fl.BoolVar(&f.http2, "http2", false, "use HTTP/2 (over TLS, or cleartext h2c for http://)")
	fl.BoolVar(&f.insecure, "insecure", false, "skip TLS certificate verification")
	fl.BoolVar(&f.noKeepAlive, "no-keepalive", false, "open a new connection for every request")
	fl.IntVar(&f.maxRedirects, "max-redirects", 0, "redirects to follow (0: a redirect is a response)")
	fl.StringVar(&f.unixSocket, "unix-socket", "", "connect to this Unix socket `path` instead of the URL's host")
	fl.StringVar(&f.host, "host", "", "Host header to send instead of the URL's")
	fl.StringVar(&f.pprof, "pprof", "", "profile the target during the run from its pprof `URL` (Go's net/http/pprof: http://127.0.0.1:6060); -o saves OUT.cpu.pb.gz and OUT.heap.pb.gz")
	fl.IntVar(&f.pprofSeconds, "pprof-seconds", profsrc.DefaultSeconds, "length of each CPU profile in `seconds` (at most a third of the run's duration)")
	fl.StringVar(&f.scenario, "scenario", "", "YAML `file` with a weighted mix of requests (instead of URLs)")
	fl.BoolVar(&f.headless, "headless", false, "no dashboard: progress on stderr, the summary on stdout")
	fl.StringVarP(&f.out, "out", "o", "", "write the results as JSON to `file`")
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "serve the runner's own Prometheus metrics on `addr`, e.g. :9464")
	fl.StringVar(&f.shard, "shard", "", "run part `i/n` of a test n runners run together: the rate, workers and -n split evenly (with --metrics-addr, Prometheus sums them)")
	fl.StringVar(&f.startAt, "start-at", "", "wait until `time` (14:30:00 today, or RFC 3339) to start, so the runners of a --shard test start together")
	fl.StringVar(&f.slo, "slo", "", "objectives, e.g. `'p99<200ms,error_rate<1%,throughput>500'`; 'add item:p99<300ms' judges one request name: a breach exits with code 3")
	fl.BoolVar(&f.abortOnSLO, "abort-on-slo", false, "stop the test once an SLO has been breached for --slo-grace")
	fl.DurationVar(&f.sloGrace, "slo-grace", 10*time.Second, "how long a breach must hold before --abort-on-slo stops the test")
	fl.StringArrayVar(&f.splitBy, "split-by", nil, "split answers by this response `header`'s value: share and latency per value, per request name (repeatable, up to 4); HEADER=REGEX keeps the regular expression's first group, e.g. 'X-Cache=^(HIT|MISS)'")
	fl.IntVar(&f.splitMax, "split-max", load.DefaultSplitMax, "most distinct `values` of a --split-by header kept apart; the rest count as (other)")
	fl.BoolVar(&f.netHTTP, "net-http", false, "use net/http for every request (no fast path)")
	_ = fl.MarkHidden("net-http")
	fl.BoolVar(&f.noEventLoop, "no-event-loop", false, "run the workers and the open loop's sends on goroutines, not on event loops")
	_ = fl.MarkHidden("no-event-loop")
	f.keys.register(fl)
}

// testSpec is a validated test: the engine's options and what to report.
type testSpec struct {
	opts        load.Options
	settings    results.Settings
	profile     *load.Profile
	headless    bool
	out         string
	metricsAddr string
	targets     string // for the summary's first line
	slos        []results.SLO
	abortOnSLO  bool
	sloGrace    time.Duration
	pprof       *profsrc.Options // --pprof; nil without
	startAt     time.Time        // --start-at; zero to start now
}

// spec checks the flags and arguments and builds the test. Every mistake is
// a usage error naming the flag or file.
func (f *runFlags) spec(cmd *cobra.Command, args []string, e *env) (*testSpec, error) {
	fl := cmd.Flags()
	reqs, err := f.requestsFrom(args)
	if err != nil {
		return nil, err
	}
	if err := f.check(fl); err != nil {
		return nil, err
	}
	o := load.Options{
		Requests: reqs, Concurrency: f.concurrency, Rate: f.rate, MaxInFlight: f.maxInFlight,
		Duration: f.duration, MaxRequests: f.requests, Grace: f.grace,
		Client: load.ClientOptions{
			Timeout: f.timeout, HTTP2: f.http2, Insecure: f.insecure, NoKeepAlive: f.noKeepAlive,
			MaxRedirects: f.maxRedirects, UnixSocket: f.unixSocket, Host: f.host,
			UserAgent: "perftop/" + version, NetHTTP: f.netHTTP, NoEventLoop: f.noEventLoop,
		},
	}
	if o.SplitBy, err = f.splits(); err != nil {
		return nil, err
	}
	o.SplitMax = f.splitMax
	spec := &testSpec{headless: f.headless, out: f.out, metricsAddr: f.metricsAddr, abortOnSLO: f.abortOnSLO, sloGrace: f.sloGrace}
	if spec.slos, err = f.objectives(); err != nil {
		return nil, err
	}
	if err := checkSLONames(spec.slos, reqs); err != nil {
		return nil, err
	}
	if err := f.shape(fl, &o, spec); err != nil {
		return nil, err
	}
	if o.Client.Keys, err = f.keys.options(fl, o.Requests, spec.profile != nil && spec.profile.Distinct); err != nil {
		return nil, err
	}
	if f.shard != "" {
		sh, err := parseShard(f.shard)
		if err != nil {
			return nil, usageError{err}
		}
		if err := sh.apply(&o, f.stagesOf == "rate"); err != nil {
			return nil, err
		}
	}
	if f.startAt != "" {
		if spec.startAt, err = parseStartAt(f.startAt, time.Now()); err != nil {
			return nil, usageError{err}
		}
	}
	if spec.pprof, err = f.pprofOptions(); err != nil {
		return nil, err
	}
	spec.opts = o
	spec.settings = settingsOf(f, o)
	spec.settings.Shard = f.shard
	spec.targets = strings.Join(args, " ")
	if f.scenario != "" {
		spec.targets = "scenario " + f.scenario
	}
	return spec, nil
}

// pprofOptions are --pprof's, nil without it. A CPU profile is at most a
// third of the run's duration, so that a short run still gets two (the one
// under way when the run ends is lost: pprof sends a profile only whole).
func (f *runFlags) pprofOptions() (*profsrc.Options, error) {
	if f.pprof == "" {
		return nil, nil
	}
	if _, err := load.ParseURL(f.pprof); err != nil {
		return nil, usagef("--pprof: %v", err)
	}
	if f.pprofSeconds < 1 {
		return nil, usagef("invalid --pprof-seconds %d: must be 1 or more", f.pprofSeconds)
	}
	secs := f.pprofSeconds
	if third := int(f.duration / time.Second / 3); f.duration > 0 && secs > third {
		secs = max(third, 1)
	}
	return &profsrc.Options{URL: f.pprof, Seconds: secs}, nil
}

// check refuses flag values and combinations that make no test.
func (f *runFlags) check(fl *pflag.FlagSet) error {
	switch {
	case fl.Changed("rate") && f.rate <= 0:
		return usagef("invalid --rate %v: must be more than 0 requests per second", f.rate)
	case f.concurrency < 1:
		return usagef("invalid --concurrency %d: must be 1 or more", f.concurrency)
	case f.maxInFlight < 1:
		return usagef("invalid --max-inflight %d: must be 1 or more", f.maxInFlight)
	case f.duration < 0:
		return usagef("invalid --duration %s: must be positive", f.duration)
	case fl.Changed("requests") && f.requests < 1:
		return usagef("invalid --requests %d: must be 1 or more (leave -n out for no limit)", f.requests)
	case f.timeout <= 0:
		return usagef("invalid --timeout %s: must be positive", f.timeout)
	case f.grace <= 0:
		return usagef("invalid --grace %s: must be positive", f.grace)
	case f.maxRedirects < 0:
		return usagef("invalid --max-redirects %d: must be 0 or more", f.maxRedirects)
	case f.stagesOf != "rate" && f.stagesOf != "concurrency":
		return usagef("invalid --stages-of %q: want rate or concurrency", f.stagesOf)
	case f.stages != "" && f.profile != "":
		return usagef("--stages and --profile both set the test's shape: give one")
	case f.rate > 0 && fl.Changed("concurrency") && f.stages == "" && f.profile == "":
		return usagef("--rate (open loop) and --concurrency (closed loop) exclude each other; for open loop, --max-inflight caps concurrency")
	case f.abortOnSLO && f.slo == "":
		return usagef("--abort-on-slo needs --slo")
	}
	if f.unixSocket != "" {
		if st, err := os.Stat(f.unixSocket); err != nil {
			return usagef("--unix-socket: %v", err)
		} else if st.Mode()&os.ModeSocket == 0 {
			return usagef("--unix-socket %s: not a socket", f.unixSocket)
		}
	}
	if f.out != "" {
		if err := checkWritable(f.out); err != nil {
			return usagef("-o %s: %v", f.out, err)
		}
	}
	if f.metricsAddr != "" {
		_, port, err := net.SplitHostPort(f.metricsAddr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			return usagef("invalid --metrics-addr %q: want host:port or :port, e.g. :9464", f.metricsAddr)
		}
	}
	return nil
}

// splits are --split-by's headers, or else the scenario's split_by.
func (f *runFlags) splits() ([]load.SplitBy, error) {
	if f.splitMax < 1 || f.splitMax > load.MaxSplitMax {
		return nil, usagef("invalid --split-max %d: from 1 to %d values", f.splitMax, load.MaxSplitMax)
	}
	if len(f.splitBy) == 0 {
		return f.scenarioSplit, nil
	}
	if len(f.splitBy) > load.MaxSplitHeaders {
		return nil, usagef("--split-by given %d times: at most %d headers", len(f.splitBy), load.MaxSplitHeaders)
	}
	var out []load.SplitBy
	for _, s := range f.splitBy {
		sp, err := load.ParseSplitBy(s)
		if err != nil {
			return nil, usagef("invalid --split-by: %v", err)
		}
		out = append(out, sp)
	}
	return out, nil
}

// checkSLONames refuses an SLO naming a request the test does not send,
// before anything is sent.
func checkSLONames(slos []results.SLO, reqs []load.Request) error {
	names := map[string]bool{}
	var list []string
	for _, r := range reqs {
		if n := r.GroupName(); !names[n] {
			names[n] = true
			list = append(list, strconv.Quote(n))
		}
	}
	for _, s := range slos {
		if s.Name != "" && !names[s.Name] {
			return usagef("invalid --slo %q: no request is named %q (the names are %s)", s.Text, s.Name, strings.Join(list, ", "))
		}
	}
	return nil
}

// objectives parses --slo (or the config file's slo).
func (f *runFlags) objectives() ([]results.SLO, error) {
	if f.slo == "" {
		return nil, nil
	}
	slos, err := results.ParseSLOs(f.slo)
	if err != nil {
		return nil, usagef("invalid --slo: %v", err)
	}
	return slos, nil
}

// shape sets the test's stages, profile and length in o.
func (f *runFlags) shape(fl *pflag.FlagSet, o *load.Options, spec *testSpec) error {
	if f.stages != "" {
		st, err := load.ParseStages(f.stages)
		if err != nil {
			return usagef("invalid --stages: %v", err)
		}
		o.Stages = st
		// Stages ramp from --rate or -c when given, else from nothing.
		if f.stagesOf == "rate" {
			o.Open = true
		} else if fl.Changed("rate") {
			return usagef("--stages-of concurrency ramps workers: drop --rate")
		} else if !fl.Changed("concurrency") {
			o.Concurrency = 0
		}
	}
	if f.profile != "" {
		level, isRate := f.rate, true
		if level == 0 && fl.Changed("concurrency") {
			level, isRate = float64(f.concurrency), false
		} else if level == 0 {
			level, o.Rate = defaultProfileRate, defaultProfileRate
		}
		p, err := load.ExpandProfile(f.profile, level, f.duration)
		if err != nil {
			return usagef("invalid --profile: %v", err)
		}
		o.Stages, o.Duration = p.Stages, p.Duration
		if p.Stress != nil {
			p.Stress.Rate = isRate
		}
		spec.profile = &p
	}
	if o.Duration == 0 && o.MaxRequests == 0 && len(o.Stages) == 0 {
		o.Duration = defaultDuration
	}
	return nil
}

// requestsFrom builds the request mix from URL arguments or a scenario.
func (f *runFlags) requestsFrom(args []string) ([]load.Request, error) {
	if f.scenario != "" && len(args) > 0 {
		return nil, usagef("give URLs or --scenario, not both")
	}
	if f.scenario != "" {
		data, err := os.ReadFile(f.scenario)
		if err != nil {
			return nil, usagef("--scenario: %v", err)
		}
		dir := filepath.Dir(f.scenario)
		sc, err := load.ReadScenario(f.scenario, data, func(p string) ([]byte, error) {
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			return os.ReadFile(p)
		})
		if err != nil {
			return nil, usageError{err}
		}
		f.scenarioSplit = sc.SplitBy
		return sc.Requests, nil
	}
	if len(args) == 0 {
		return nil, usagef("no URL to test: perftop run http://localhost:8080/ (see perftop run --help)")
	}
	if f.body != "" && f.bodyFile != "" {
		return nil, usagef("--body and --body-file both set the body: give one")
	}
	body := []byte(f.body)
	if f.bodyFile != "" {
		b, err := os.ReadFile(f.bodyFile)
		if err != nil {
			return nil, usagef("--body-file: %v", err)
		}
		body = b
	}
	method := strings.ToUpper(f.method)
	if f.method != "" && !load.IsToken(method) {
		return nil, usagef("invalid --method %q: a method is one word, e.g. GET, POST, PUT, DELETE", f.method)
	}
	if method == "" {
		method = http.MethodGet
		if len(body) > 0 {
			method = http.MethodPost
		}
	}
	header := http.Header{}
	for _, h := range f.headers {
		name, value, err := load.ParseHeader(h)
		if err != nil {
			return nil, usagef("-H: %v", err)
		}
		header.Add(name, value)
	}
	reqs := make([]load.Request, 0, len(args))
	for _, a := range args {
		u, w, err := load.ParseTarget(a)
		if err != nil {
			return nil, usageError{err}
		}
		reqs = append(reqs, load.Request{Method: method, URL: u, Header: header, Body: body, Weight: w})
	}
	return reqs, nil
}
