package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/perftop/perftop/internal/crash"
	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/results"
	"github.com/perftop/perftop/internal/session"
	"github.com/perftop/perftop/internal/sources/load"
	"github.com/perftop/perftop/internal/sources/load/exporter"
)

// runTest runs a load test, with the dashboard or headless, then prints
// the summary and writes the results file. A stop by key or signal is a
// normal end: the summary and the file are complete either way.
func runTest(ctx context.Context, cfg config, spec *testSpec, e *env) error {
	stopProfile, err := startProfile(cfg)
	if err != nil {
		return err
	}
	defer stopProfile()
	opts := spec.opts
	side := &sides{}
	if len(cfg.prom.nodes) > 0 {
		side.node = cfg.prom.nodes[0].Name
	}
	if len(cfg.prom.targets) > 0 {
		side.target = cfg.prom.targets[0].URL
	}
	var tl *results.Timeline
	if spec.out != "" {
		if tl, err = results.CreateTimeline(spec.out + ".timeline.jsonl"); err != nil {
			return usagef("-o: %v", err)
		}
		defer tl.Close()
	}
	opts.OnTimeline = func(p load.TimelinePoint) {
		rp := timelinePointOf(p)
		side.add(&rp)
		if tl != nil {
			tl.Append(rp)
		}
	}
	if len(spec.slos) > 0 {
		opts.Judge = func(lt *metrics.LoadTest) []metrics.Objective { return objectives(spec.slos, lt) }
	}
	eng, err := load.New(opts)
	if err != nil {
		return usageError{err}
	}
	var watches []func(*metrics.LoadTest) bool
	if spec.profile != nil && spec.profile.Stress != nil {
		w := spec.profile.Stress
		if len(spec.slos) > 0 {
			w.Check = stressCheck(spec.slos)
		}
		watches = append(watches, func(lt *metrics.LoadTest) bool { return w.Observe(lt.Elapsed-lt.Window.Duration, lt.Window) })
	}
	aborted := false
	if spec.abortOnSLO {
		abort := abortOnBreach(spec.sloGrace)
		watches = append(watches, func(lt *metrics.LoadTest) bool {
			if abort(lt) {
				aborted = true
			}
			return aborted
		})
	}
	eng.Watch(func(lt *metrics.LoadTest) bool {
		stop := false
		for _, w := range watches {
			stop = w(lt) || stop
		}
		return stop
	})
	sc := sessionConfig(cfg, e)
	sc.Profile = spec.pprof
	sess, err := session.New(sc)
	if err != nil {
		return usageError{err}
	}
	side.mu.Lock()
	side.store = sess.Store() // before the engine starts: its intervals see it
	side.mu.Unlock()
	if spec.metricsAddr != "" {
		stop, err := serveMetrics(spec.metricsAddr, eng)
		if err != nil {
			return err
		}
		defer stop()
	}

	if err := waitStart(ctx, spec.startAt, e); err != nil {
		return err
	}
	started := time.Now()
	res, err := sess.LoadTest(ctx, session.Test{Engine: eng, Headless: spec.headless, Progress: e.stderr})
	if err != nil {
		return err
	}
	f, err := resultsFileOf(runInfoOf(spec, eng, started, aborted), res)
	if err != nil {
		return err
	}
	side.merge(f.Timeline)
	cpu, heap := sess.Profiles()
	if f.Profile = profileOf(cpu, profileCount(sess.Store())); f.Profile != nil && spec.out != "" {
		if err := saveProfiles(f.Profile, spec.out, cpu, heap); err != nil {
			return err
		}
	}
	if spec.pprof != nil && f.Profile == nil {
		fmt.Fprintf(e.stderr, "perftop: --pprof: no CPU profile completed (%s)\n", noProfileWhy(sess.Store(), spec.pprof.Seconds))
	}
	return reportRun(f, spec, e)
}

// runInfoOf is what the results file records of a finished run besides
// the engine's result. It closes a stress profile's last step.
func runInfoOf(spec *testSpec, eng *load.Engine, started time.Time, aborted bool) runInfo {
	run := runInfo{
		Version: version, Settings: spec.settings, Started: started, Ended: time.Now(),
		FastPath: eng.FastPath(), EventLoop: eng.EventLoop(), Stopped: eng.Stopped(), Aborted: aborted,
		SLOs: spec.slos,
	}
	if k := eng.ScaleFactor(); k != 1 {
		run.Settings.ScaleAtEnd = k // the summary says both, the start's and the end's
	}
	if spec.profile != nil && spec.profile.Stress != nil {
		run.Stress = spec.profile.Stress
		run.Stress.Finish()
	}
	return run
}

// reportRun prints a finished run's summary and writes its results file
// when -o asks; a breached SLO is then a gate error, and a run most of
// whose requests got no answer a runtime error (exit 1).
func reportRun(f *results.File, spec *testSpec, e *env) error {
	results.WriteTextWidth(e.stdout, f, spec.targets, terminalWidth(e.stdout))
	if spec.out != "" {
		if err := results.WriteFile(spec.out, f); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "results     %s\n", spec.out)
	}
	if len(f.SLOs) > 0 && !results.AllMet(f.SLOs) {
		var missed []string
		for _, v := range f.SLOs {
			if !v.Met {
				missed = append(missed, v.Text)
			}
		}
		return gateError{"SLO breached: " + strings.Join(missed, ", ")}
	}
	if v := f.Verdict(); v != "" {
		// Most requests got no answer: the run measured the network, not
		// the service, and a script must not take it for a pass.
		return errors.New(v)
	}
	return nil
}

// liveMeasured is what SLOs are judged on during a run: the run so far.
func liveMeasured(lt *metrics.LoadTest) results.Measured {
	q := lt.Latency
	m := results.Measured{Latency: map[string]float64{"p50": q.P50, "p90": q.P90, "p95": q.P95, "p99": q.P99, "p999": q.P999, "max": q.Max, "mean": q.Mean}}
	if lt.Requests > 0 {
		m.ErrorRate = float64(lt.Errors) / float64(lt.Requests)
	}
	if lt.Elapsed > 0 {
		m.Throughput = float64(lt.Requests-lt.Errors) / lt.Elapsed.Seconds()
	}
	for _, g := range lt.ByName {
		if m.ByName == nil {
			m.ByName = map[string]results.Measured{}
		}
		m.ByName[g.Name] = liveMeasured(&metrics.LoadTest{Latency: g.Latency, Requests: g.Requests, Errors: g.Errors, Elapsed: lt.Elapsed})
	}
	return m
}

// objectives judges the SLOs on the run so far, for the load screen.
func objectives(slos []results.SLO, lt *metrics.LoadTest) []metrics.Objective {
	vs := results.Judge(slos, liveMeasured(lt))
	out := make([]metrics.Objective, len(vs))
	for i, v := range vs {
		out[i] = metrics.Objective{Text: v.Text, Value: results.FormatValue(v.Metric, v.Value), Met: v.Met}
	}
	return out
}

// stressCheck judges a stress step on the run's SLOs: the breaking point is
// the first step that breaches one.
func stressCheck(slos []results.SLO) func(load.StepStats) (bool, string) {
	return func(s load.StepStats) (bool, string) {
		q := s.Latency
		m := results.Measured{
			Latency:   map[string]float64{"p50": q.P50, "p90": q.P90, "p95": q.P95, "p99": q.P99, "p999": q.P999, "max": q.Max, "mean": q.Mean},
			ErrorRate: s.ErrorRate, Throughput: s.RPS,
		}
		for _, v := range results.Judge(slos, m) {
			if !v.Met {
				return true, fmt.Sprintf("%s breached (%s)", v.Text, results.FormatValue(v.Metric, v.Value))
			}
		}
		return false, ""
	}
}

// abortOnBreach stops a test once some SLO has been breached, on the run
// so far, for grace without a break, as k6's abortOnFail does.
func abortOnBreach(grace time.Duration) func(*metrics.LoadTest) bool {
	var since time.Duration = -1
	return func(lt *metrics.LoadTest) bool {
		breached := false
		for _, o := range lt.Objectives {
			breached = breached || !o.Met
		}
		switch {
		case !breached:
			since = -1
		case since < 0:
			since = lt.Elapsed
		case lt.Elapsed-since >= grace:
			return true
		}
		return false
	}
}

// serveMetrics serves the engine's metrics on addr until stop is called.
func serveMetrics(addr string, eng *load.Engine) (stop func(), err error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(exporter.New(eng))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		defer crash.Recover()
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "perftop: metrics server:", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// waitStart waits until --start-at; a signal meanwhile ends the run before
// anything was sent.
func waitStart(ctx context.Context, at time.Time, e *env) error {
	wait := time.Until(at)
	if wait <= 0 {
		return nil
	}
	fmt.Fprintf(e.stderr, "perftop: waiting until %s to start (--start-at)\n", at.Format(time.RFC3339))
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return errors.New("stopped before --start-at: nothing was sent")
	case <-t.C:
		return nil
	}
}
