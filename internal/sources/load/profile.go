package load

import (
	"fmt"
	"strings"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// Profiles are the named test shapes --profile expands to. Each is a stage
// plan around a level L: the --rate (open loop) or --concurrency (closed
// loop) given, or the profile's default.
//
//	baseline   L for the duration (default 1m): the reference numbers
//	stress     L, 2L, 3L ... each for a step (default 30s, 10 steps); stops at
//	           the first step where the error rate passes 5% or p99 passes
//	           10x the first step's p99, and reports that breaking point
//	spike      L for 30s, 10L within 1s, held 30s, back to L within 1s, 30s
//	endurance  L for the duration (default 30m)
//	volume     L for the duration (default 1m), requests to distinct URLs: a
//	           perftop_id={key} query parameter over 1024 keys (KeyOptions)
var Profiles = []string{"baseline", "stress", "spike", "endurance", "volume"}

// Profile is an expanded --profile.
type Profile struct {
	Name     string
	Stages   []Stage
	Duration time.Duration
	// Distinct asks for distinct URLs (volume): keys substituted in a
	// perftop_id={key} query parameter where a request says no {key}.
	Distinct bool
	// Stress is set for the stress profile: watch each step.
	Stress *StressWatch
}

// ExpandProfile turns a profile name into stages around level. duration
// overrides the profile's default length where it has one.
func ExpandProfile(name string, level float64, duration time.Duration) (Profile, error) {
	p := Profile{Name: name}
	switch name {
	case "baseline", "volume":
		p.Duration = or(duration, time.Minute)
		p.Stages = []Stage{{p.Duration, level}}
		p.Distinct = name == "volume"
	case "endurance":
		p.Duration = or(duration, 30*time.Minute)
		p.Stages = []Stage{{p.Duration, level}}
	case "spike":
		p.Stages = []Stage{
			{30 * time.Second, level}, {time.Second, 10 * level}, {30 * time.Second, 10 * level},
			{time.Second, level}, {30 * time.Second, level},
		}
	case "stress":
		step := 30 * time.Second
		if duration > 0 {
			step = duration / 10
		}
		for i := 1; i <= 10; i++ {
			// A one-second ramp, then the step held.
			p.Stages = append(p.Stages, Stage{time.Second, level * float64(i)}, Stage{step - time.Second, level * float64(i)})
		}
		p.Stress = &StressWatch{Level: level, Step: step}
	default:
		return p, fmt.Errorf("unknown profile %q: want one of %s", name, strings.Join(Profiles, ", "))
	}
	if p.Duration == 0 {
		p.Duration = Plan{Stages: p.Stages}.Duration()
	}
	return p, nil
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// StressWatch follows a stress test step by step and finds where it broke:
// the first step whose error rate passes 5% or whose p99 passes 10x the
// first step's, or, when the levels are request rates, that achieved under
// 95% of its rate (a target that cannot keep up has not held, whatever its
// latency). It is used by one goroutine (the engine's collector).
type StressWatch struct {
	Level float64
	Step  time.Duration
	// Rate says the levels are request rates (the open loop), not workers.
	Rate bool
	// Check, when set, replaces the default criteria: the run's SLOs judge
	// each step, and a step breaks when any is breached.
	Check func(StepStats) (broke bool, why string)

	step      int // current step, 0-based
	stepDur   time.Duration
	stepReqs  int64
	stepErrs  int64
	stepP99   float64           // worst window p99 in the step
	stepWorst metrics.Quantiles // worst window quantiles in the step
	baseP99   float64
	LastGood  float64 // level of the last step that held
	BrokeAt   float64 // level of the step that broke; 0 if none did
	BrokeWhy  string
}

// Observe takes one collection window at elapsed time t and reports whether
// the test should stop because the target broke.
func (w *StressWatch) Observe(t time.Duration, win metrics.Window) bool {
	step := int(t / w.Step)
	if step != w.step {
		w.finishStep()
		if w.BrokeAt > 0 {
			return true
		}
		w.step, w.stepDur, w.stepReqs, w.stepErrs, w.stepP99, w.stepWorst = step, 0, 0, 0, 0, metrics.Quantiles{}
	}
	w.stepDur += win.Duration
	w.stepReqs += win.Requests
	w.stepErrs += win.Errors
	w.stepP99 = max(w.stepP99, win.Latency.P99)
	q, l := &w.stepWorst, win.Latency
	q.P50, q.P90, q.P95, q.P99, q.P999, q.Max, q.Mean = max(q.P50, l.P50), max(q.P90, l.P90), max(q.P95, l.P95), max(q.P99, l.P99), max(q.P999, l.P999), max(q.Max, l.Max), max(q.Mean, l.Mean)
	// A step that is already failing need not run to its end.
	if w.Check == nil && w.stepReqs >= 100 && float64(w.stepErrs)/float64(w.stepReqs) > 0.05 {
		w.finishStep()
		return w.BrokeAt > 0
	}
	return false
}

func (w *StressWatch) finishStep() {
	if w.BrokeAt > 0 || w.stepReqs == 0 {
		return
	}
	level := w.Level * float64(w.step+1)
	errRate := float64(w.stepErrs) / float64(w.stepReqs)
	if achieved := float64(w.stepReqs) / w.stepDur.Seconds(); w.Rate && w.stepDur > 0 && achieved < heldRate*level {
		w.BrokeAt, w.BrokeWhy = level, fmt.Sprintf("achieved %.0f req/s, under %.0f%% of %.0f/s", achieved, heldRate*100, level)
		return
	}
	if w.Check != nil {
		st := StepStats{Level: level, ErrorRate: errRate, RPS: float64(w.stepReqs-w.stepErrs) / w.Step.Seconds(), Latency: w.stepWorst}
		if broke, why := w.Check(st); broke {
			w.BrokeAt, w.BrokeWhy = level, why
		} else {
			w.LastGood = level
		}
		return
	}
	if w.step == 0 {
		w.baseP99 = w.stepP99
	}
	switch {
	case errRate > 0.05:
		w.BrokeAt, w.BrokeWhy = level, fmt.Sprintf("error rate %.1f%% > 5%%", errRate*100)
	case w.baseP99 > 0 && w.stepP99 > 10*w.baseP99:
		w.BrokeAt, w.BrokeWhy = level, fmt.Sprintf("p99 %.3gs > 10x the first step's %.3gs", w.stepP99, w.baseP99)
	default:
		w.LastGood = level
	}
}

// heldRate is the share of its rate a stress step must achieve to have
// held.
const heldRate = 0.95

// StepStats is one stress step as SLOs judge it: its error rate and
// throughput, and the worst of each latency quantile over its windows.
type StepStats struct {
	Level     float64
	ErrorRate float64
	RPS       float64
	Latency   metrics.Quantiles
}

// Finish closes the last step when the test ends.
func (w *StressWatch) Finish() { w.finishStep() }
