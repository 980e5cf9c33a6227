package load

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Stage is one leg of a test plan: ramp linearly from the previous stage's
// target (or the plan's start) to Target over Duration. Targets are requests
// per second in open loop, or workers in closed loop.
type Stage struct {
	Duration time.Duration `json:"duration_seconds"`
	Target   float64       `json:"target"`
}

// Plan is a sequence of stages. The zero Plan holds a constant level forever.
type Plan struct {
	Start  float64 // level at time zero
	Stages []Stage
}

// ParseStages reads "30s:100,1m:500,30s:0": a duration and a target per
// stage. Errors name the stage at fault.
func ParseStages(s string) ([]Stage, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("empty stages: want duration:target[,duration:target...], e.g. 30s:100,1m:500")
	}
	var out []Stage
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		d, t, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("stage %d %q: want duration:target, e.g. 30s:100", i+1, part)
		}
		dur, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil || dur <= 0 {
			return nil, fmt.Errorf("stage %d %q: duration %q is not a positive duration like 30s or 1m", i+1, part, d)
		}
		target, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil || target < 0 || math.IsNaN(target) || math.IsInf(target, 0) {
			return nil, fmt.Errorf("stage %d %q: target %q is not a number >= 0", i+1, part, t)
		}
		out = append(out, Stage{Duration: dur, Target: target})
	}
	return out, nil
}

// Duration returns the plan's total length; 0 for a plan without stages.
func (p Plan) Duration() time.Duration {
	var d time.Duration
	for _, s := range p.Stages {
		d += s.Duration
	}
	return d
}

// At returns the level at elapsed time t and the index of the stage t falls
// in. Past the end the level stays at the last target and done is true.
func (p Plan) At(t time.Duration) (level float64, stage int, done bool) {
	from := p.Start
	for i, s := range p.Stages {
		if t < s.Duration {
			frac := float64(t) / float64(s.Duration)
			return from + (s.Target-from)*frac, i, false
		}
		t -= s.Duration
		from = s.Target
	}
	return from, max(len(p.Stages)-1, 0), len(p.Stages) > 0
}

// Area returns the integral of the level from 0 to t: for a rate plan, the
// number of requests due by t. Pacing from the integral, rather than from
// the instantaneous rate, keeps a ramp's sends exactly where they belong.
func (p Plan) Area(t time.Duration) float64 {
	from, area := p.Start, 0.0
	for _, s := range p.Stages {
		if s.Duration <= 0 { // a step with no ramp
			from = s.Target
			continue
		}
		if t <= s.Duration {
			secs := t.Seconds()
			frac := float64(t) / float64(s.Duration)
			return area + secs*(from+(from+(s.Target-from)*frac))/2
		}
		area += s.Duration.Seconds() * (from + s.Target) / 2
		t -= s.Duration
		from = s.Target
	}
	return area + t.Seconds()*from
}

// Until is the inverse of Area: the earliest time by which the level's
// integral reaches a, the time the open loop's send number a is due (sends
// are numbered from 0, due at 0). It is false when the integral never
// reaches a: the plan ends at a level of 0 first.
//
// Pacing from the integral keeps a ramp's sends where they belong: paced
// from the instantaneous rate instead, a ramp from 0 would wait 1/rate
// from its first microsecond, a rate of 0.02/s there, and send nothing for
// a minute.
func (p Plan) Until(a float64) (time.Duration, bool) {
	if a <= 0 {
		return 0, true
	}
	from, at := p.Start, time.Duration(0)
	for _, s := range p.Stages {
		if s.Duration <= 0 {
			from = s.Target
			continue
		}
		secs := s.Duration.Seconds()
		if area := secs * (from + s.Target) / 2; a > area {
			a -= area
			at += s.Duration
			from = s.Target
			continue
		}
		// a = from*x + k*x*x with k = (to-from)/(2*secs): the positive root,
		// in the form that stays exact when k is 0 or the ramp falls.
		k := (s.Target - from) / (2 * secs)
		disc := max(from*from+4*k*a, 0)
		x := 2 * a / (from + math.Sqrt(disc))
		return at + time.Duration(min(x, secs)*float64(time.Second)), true
	}
	if from <= 0 {
		return 0, false
	}
	x := a / from
	if x > (1 << 62 / float64(time.Second)) {
		return 0, false // beyond any test's length
	}
	return at + time.Duration(x*float64(time.Second)), true
}
