package load

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

func TestCadence(t *testing.T) {
	var c cadence
	if got := c.expected(); got != 0 {
		t.Fatalf("no answers: expected %v, want 0", got)
	}
	for range 9 {
		c.add(100 * time.Microsecond)
	}
	c.add(1100 * time.Microsecond)
	if got, want := c.expected(), 200*time.Microsecond; got != want {
		t.Fatalf("mean of 10 cycles: %v, want %v", got, want)
	}
	// Past the horizon the history halves: a new pace takes over within
	// a horizon or two, and the mean stays a mean.
	for range 3 * int(cadenceHorizon/time.Millisecond) {
		c.add(time.Millisecond)
	}
	if got := c.expected(); got < 990*time.Microsecond || got > time.Millisecond {
		t.Fatalf("after 3 horizons of 1ms cycles: %v", got)
	}
	if c.sum > cadenceHorizon {
		t.Fatalf("history of %v kept, horizon %v", c.sum, cadenceHorizon)
	}
}

// stallingServer answers at once, except that every period it stalls
// every request for stall: a request that comes in during a stall waits
// for its end, as behind a GC pause.
func stallingServer(t *testing.T, period, stall time.Duration) string {
	start := time.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in := time.Since(start) % period; in < stall {
			time.Sleep(stall - in) // the server's behaviour under test
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestClosedLoopCorrectsCoordinatedOmission: against a server that stalls
// every request for 300ms every second, the closed loop's corrected p99
// is the open loop's on the same server (about 290ms), on event loops and
// on goroutines, while its service latency, as measured, stays low: only
// ten requests, one per worker, see each stall. The correction adds
// latency samples, never requests: every request still has its one
// counted outcome.
//
// The accounting must hold on every run. The figures are measurements: a
// generator descheduled for a second on a busy machine is a stall to the
// correction too, thousands of samples, so when they miss, the open and
// the closed loop run again, up to three times. Measured under a load
// average of 15 from other work on 2 cores: about two first tries in five
// missed, and one second try in five; at a load average under 5, none in
// twenty.
func TestClosedLoopCorrectsCoordinatedOmission(t *testing.T) {
	const period, stall, length = time.Second, 300 * time.Millisecond, 3 * time.Second
	u := stallingServer(t, period, stall)
	openP99 := func(t *testing.T) float64 {
		open, _ := run(t, Options{Requests: []Request{req(t, u)}, Rate: 200, Duration: length})
		return open.Latency.P99
	}
	open := openP99(t)
	workerKinds(t, func(t *testing.T, noLoop bool) {
		for try := 1; ; try++ {
			misses := closedAgainstOpen(t, u, noLoop, open, stall, length)
			if len(misses) == 0 {
				return
			}
			if try == 3 {
				for _, m := range misses {
					t.Error(m)
				}
				return
			}
			t.Logf("try %d: %v; once more", try, misses)
			open = openP99(t)
		}
	})
}

// closedAgainstOpen runs the closed loop against the stalling server at u,
// fails t where the accounting does not hold, and returns what differs
// from the figures expected beside an open loop's p99 of open.
func closedAgainstOpen(t *testing.T, u string, noLoop bool, open float64, stall, length time.Duration) (misses []string) {
	miss := func(format string, args ...any) { misses = append(misses, fmt.Sprintf(format, args...)) }
	e, res, st := runEngine(t, Options{
		Requests: []Request{req(t, u)}, Concurrency: 10, Duration: length,
		Client: ClientOptions{NoEventLoop: noLoop},
	})
	if e.EventLoop() == noLoop {
		t.Fatalf("event loop %v, want %v", e.EventLoop(), !noLoop)
	}
	checkAccounting(t, e, res)
	if res.Errors != 0 || res.StatusCodes["200"] != res.Requests || res.Service.Count != res.Requests {
		t.Fatalf("%d requests: status %v, errors %v, service count %d", res.Requests, res.StatusCodes, res.ErrorsByKind, res.Service.Count)
	}
	// The live view and the timeline read the same corrected stream.
	var sn metrics.Snapshot
	st.Snapshot(&sn)
	if lt := sn.LoadTest; lt == nil || lt.Latency.P99 != res.Latency.P99 || lt.Service.P99 != res.Service.P99 {
		t.Fatalf("store's latency %+v, service %+v", lt.Latency, lt.Service)
	}

	if res.Latency.Count <= res.Requests+res.Requests/5 {
		miss("%d latency samples for %d answers: the stalls added few", res.Latency.Count, res.Requests)
	}
	// Noisy 2-core machines under -race: a quarter either way. The
	// uncorrected p99 is under 10ms there; the stall is 300ms.
	ratio := res.Latency.P99 / open
	t.Logf("p99 corrected %.1fms, as measured %.2fms, open loop %.1fms (%.2fx); %d answers, %d samples",
		res.Latency.P99*1e3, res.Service.P99*1e3, open*1e3, ratio, res.Requests, res.Latency.Count)
	if ratio < 0.75 || ratio > 1.25 {
		miss("corrected p99 %.3fs, open loop's %.3fs", res.Latency.P99, open)
	}
	// Ten requests, one per worker, wait out each stall: some 40 in all,
	// under half a percent of the answers unless the machine was too busy
	// for 8,000 in the test's 3s.
	if res.Service.P99 > stall.Seconds()/2 && res.Requests >= 8000 {
		miss("service p99 %.3fs: the stalled requests are a few dozen of %d", res.Service.P99, res.Requests)
	}
	// Each second has a stall; its ten stalled answers are the service
	// p99 of a second that had fewer than a thousand, so the median second
	// is the one to look at.
	peak, service := 0.0, []float64{}
	for _, p := range res.Timeline {
		peak = max(peak, p.P99)
		service = append(service, p.ServiceP99)
	}
	slices.Sort(service)
	if median := service[len(service)/2]; peak < stall.Seconds()/2 || median > peak/2 {
		miss("timeline's p99 peaks at %.3fs, its service p99 is %.3fs in the median second", peak, median)
	}
	return misses
}

// TestThinkTimeIsPartOfTheInterval: a worker that thinks longer than the
// server stalls would not have sent anything meanwhile; the correction
// adds nothing for it.
func TestThinkTimeIsPartOfTheInterval(t *testing.T) {
	u := stallingServer(t, 500*time.Millisecond, 100*time.Millisecond)
	r := req(t, u)
	r.Think = 150 * time.Millisecond
	e, res, _ := runEngine(t, Options{Requests: []Request{r}, Concurrency: 4, Duration: 1500 * time.Millisecond})
	checkAccounting(t, e, res)
	if res.Requests < 10 || res.Latency.Count != res.Service.Count {
		t.Fatalf("%d requests, %d latency samples, %d as measured: think time counted as a stall",
			res.Requests, res.Latency.Count, res.Service.Count)
	}
}
