package main

import (
	"time"

	"github.com/perftop/perftop/internal/results"
	"github.com/perftop/perftop/internal/sources/load"
)

// This file is the one place where what the engine measured becomes a
// results file: the engine's types (package load) on one side, the file's
// schema (package results) on the other. Everything here is a plain
// function of its arguments, so that it can move into the package that
// runs sessions as it is.

// runInfo is what a results file records of a run besides what the engine
// measured: the settings, when it ran, how it ended, and what the stress
// profile and the SLOs made of it.
type runInfo struct {
	// Version is perftop's version, the file's "version".
	Version string
	// Settings are the test's settings as given, without secrets
	// (settingsOf); resultsFileOf sets their Transport and EventLoop from
	// FastPath and EventLoop.
	Settings results.Settings
	// Started and Ended bound the run; the file keeps them in UTC.
	Started, Ended time.Time
	// FastPath says the engine sent on its own HTTP/1.1 client rather than
	// net/http; EventLoop that the requests went out on event loops.
	FastPath, EventLoop bool
	// Stopped says the run was stopped before its end: by a key, Ctrl-C or
	// SIGTERM. Aborted says --abort-on-slo stopped it: an SLO breach held
	// for the grace window.
	Stopped, Aborted bool
	// Stress is a stress profile's watch once the run is over (Finish
	// called); nil for a run without one.
	Stress *load.StressWatch
	// SLOs are the run's objectives, judged on the whole run.
	SLOs []results.SLO
}

// resultsFileOf makes the results file of a finished run from the engine's
// result (not nil) and what else is known of the run. Its Stopped is, from the
// strongest: "broke" when a stress profile found the breaking point,
// "aborted", "stopped", else "completed". The error is the latency
// histogram's encoding's.
func resultsFileOf(run runInfo, res *load.Result) (*results.File, error) {
	f := &results.File{
		SchemaVersion: results.SchemaVersion, Tool: "perftop", Version: run.Version,
		StartedAt: run.Started.UTC(), EndedAt: run.Ended.UTC(), Stopped: "completed",
		Settings: run.Settings, Result: resultOf(res),
	}
	f.Settings.Transport = "net/http"
	if run.FastPath {
		f.Settings.Transport = "fast-http1"
	}
	f.Settings.EventLoop = run.EventLoop
	if run.Stopped {
		f.Stopped = "stopped"
	}
	if run.Aborted {
		f.Stopped = "aborted"
	}
	if w := run.Stress; w != nil {
		f.Stress = &results.Stress{LastGoodLevel: w.LastGood, BrokeAtLevel: w.BrokeAt, BrokeBecause: w.BrokeWhy}
		if w.BrokeAt > 0 {
			f.Stopped = "broke"
		}
	}
	if len(run.SLOs) > 0 {
		f.SLOs = results.Judge(run.SLOs, f.Measured())
	}
	if err := f.EncodeHistogram(res.LatencyHistogram); err != nil {
		return nil, err
	}
	for i, g := range res.ByName {
		if err := f.ByName[i].EncodeGroupHistogram(g.LatencyHistogram); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// resultOf is the engine's result as a results file keeps it. Maps the
// file keeps as they are are shared, not copied; nil stays nil (null in
// the file), empty stays empty.
func resultOf(res *load.Result) *results.Result {
	r := &results.Result{
		Requests: res.Requests, Errors: res.Errors, DurationSeconds: res.DurationSeconds,
		ThroughputRPS: res.ThroughputRPS, RequestRateRPS: res.RequestRateRPS,
		Latency:     latencySummaryOf(res.Latency),
		StatusCodes: res.StatusCodes, ErrorsByKind: res.ErrorsByKind,
		LateSends: res.LateSends, ClosedLoop: res.ClosedLoop, BytesReceived: res.BytesReceived,
	}
	if res.Service != nil {
		s := latencySummaryOf(*res.Service)
		r.Service = &s
	}
	if res.SchedulingDelay != nil {
		s := latencySummaryOf(*res.SchedulingDelay)
		r.SchedulingDelay = &s
	}
	if !res.ClosedLoop {
		r.LateAfterSeconds = load.LateAfter.Seconds()
	}
	for _, m := range res.ErrorMessages {
		r.ErrorMessages = append(r.ErrorMessages, results.ErrorMessage{Kind: m.Kind, Message: m.Message, Count: m.Count})
	}
	if res.Phases != nil {
		r.Phases = make(map[string]results.LatencySummary, len(res.Phases))
		for name, l := range res.Phases {
			r.Phases[name] = latencySummaryOf(l)
		}
	}
	if res.Timeline != nil {
		r.Timeline = make([]results.TimelinePoint, len(res.Timeline))
		for i, p := range res.Timeline {
			r.Timeline[i] = timelinePointOf(p)
		}
	}
	for _, g := range res.ByName {
		r.ByName = append(r.ByName, results.RequestGroup{
			Name: g.Name, Requests: g.Requests, Errors: g.Errors, ErrorsByKind: g.ErrorsByKind,
			BytesReceived: g.BytesReceived, RequestRateRPS: g.RequestRateRPS,
			Latency: latencySummaryOf(g.Latency), Splits: splitsOf(g.Splits),
		})
	}
	r.Splits = splitsOf(res.Splits)
	return r
}

// splitsOf is the engine's splits as a results file keeps them; nil stays
// nil.
func splitsOf(splits []load.SplitResult) []results.Split {
	var out []results.Split
	for _, sp := range splits {
		s := results.Split{Header: sp.Header, Values: make([]results.SplitValue, len(sp.Values))}
		for i, v := range sp.Values {
			s.Values[i] = results.SplitValue{Value: v.Value, Answers: v.Answers, Errors: v.Errors, Share: v.Share, Latency: latencySummaryOf(v.Latency)}
		}
		out = append(out, s)
	}
	return out
}

// latencySummaryOf is one of the engine's latency summaries as a results
// file keeps it.
func latencySummaryOf(l load.LatencySummary) results.LatencySummary {
	return results.LatencySummary{
		Count: l.Count, Min: l.Min, Mean: l.Mean, P50: l.P50, P90: l.P90,
		P95: l.P95, P99: l.P99, P999: l.P999, Max: l.Max,
	}
}

// timelinePointOf is one of the engine's timeline entries as a results
// file keeps it, for the .timeline.jsonl stream and the file's timeline.
func timelinePointOf(p load.TimelinePoint) results.TimelinePoint {
	return results.TimelinePoint{
		Seconds: p.Seconds, Requests: p.Requests, Errors: p.Errors, RPS: p.RPS,
		P50: p.P50, P99: p.P99, ServiceP50: p.ServiceP50, ServiceP99: p.ServiceP99, InFlight: p.InFlight,
	}
}

// resultsStages is a test plan's stages as a results file's settings keep
// them; nil stays nil.
func resultsStages(stages []load.Stage) []results.Stage {
	if stages == nil {
		return nil
	}
	out := make([]results.Stage, len(stages))
	for i, s := range stages {
		out[i] = results.Stage{Duration: s.Duration, Target: s.Target}
	}
	return out
}
