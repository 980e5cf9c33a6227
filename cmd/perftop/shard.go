package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/perftop/perftop/internal/sources/load"
)

// shard is --shard i/n: this runner's part of a test that n runners run
// together (Prometheus, scraping each one's --metrics-addr, sums them).
type shard struct{ i, n int }

// parseShard reads "i/n", 1 <= i <= n.
func parseShard(s string) (shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return shard{}, fmt.Errorf("invalid --shard %q: want i/n with 1 <= i <= n, e.g. 2/4", s)
	}
	return shard{i, n}, nil
}

// part is this shard's share of a whole count: the n shares sum to it, the
// first whole%n shards one more than the others.
func (s shard) part(whole int64) int64 {
	p := whole / int64(s.n)
	if int64(s.i-1) < whole%int64(s.n) {
		p++
	}
	return p
}

// apply splits the test o describes evenly: a rate, stages of rate, and a
// request budget by n; workers, stages of workers and --max-inflight into
// whole shares. A share of no workers is a usage error: the runner would
// send nothing.
func (s shard) apply(o *load.Options, stagesOfRate bool) error {
	if s.n == 1 {
		return nil
	}
	n := float64(s.n)
	o.Rate /= n
	for i := range o.Stages {
		if stagesOfRate {
			o.Stages[i].Target /= n
		} else {
			o.Stages[i].Target = float64(s.part(int64(o.Stages[i].Target)))
		}
	}
	if o.MaxRequests > 0 {
		if o.MaxRequests = s.part(o.MaxRequests); o.MaxRequests == 0 {
			return usagef("--shard %d/%d of -n: fewer requests than runners", s.i, s.n)
		}
	}
	if o.Concurrency > 0 && len(o.Stages) == 0 && o.Rate == 0 {
		if o.Concurrency = int(s.part(int64(o.Concurrency))); o.Concurrency == 0 {
			return usagef("--shard %d/%d of -c: fewer workers than runners", s.i, s.n)
		}
	}
	if o.MaxInFlight > 0 {
		o.MaxInFlight = max(int(s.part(int64(o.MaxInFlight))), 1)
	}
	// Each runner draws its own keys: with one --seed for the fleet, the
	// runners would send the same keys in step.
	o.Client.Keys.Seed ^= uint64(s.i) * 0x9e3779b97f4a7c15
	return nil
}

// parseStartAt reads --start-at: an RFC 3339 time, or a clock time today
// (15:04 or 15:04:05, local), which must not have passed.
func parseStartAt(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if t.Before(now.Add(-time.Second)) {
			return time.Time{}, fmt.Errorf("invalid --start-at %s: it is past (now %s)", s, now.Format(time.RFC3339))
		}
		return t, nil
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		c, err := time.ParseInLocation(layout, s, now.Location())
		if err != nil {
			continue
		}
		t := time.Date(now.Year(), now.Month(), now.Day(), c.Hour(), c.Minute(), c.Second(), 0, now.Location())
		if t.Before(now.Add(-time.Second)) {
			return time.Time{}, fmt.Errorf("invalid --start-at %s: it is past (now %s); give a date: %s", s, now.Format("15:04:05"),
				t.Add(24*time.Hour).Format(time.RFC3339))
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid --start-at %q: want a time such as 14:30:00 or 2026-12-01T14:30:00Z", s)
}
