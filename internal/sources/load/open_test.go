package load

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// The open loop on both of its paths: the event loops (Linux) and the
// goroutine pacer (--no-event-loop, and TLS, HTTP/2, net/http elsewhere).

// countingServer answers after delay and tracks how many requests it holds
// at once, at most, and when each arrived.
type countingServer struct {
	url      string
	now, top atomic.Int64
	mu       sync.Mutex
	arrived  []time.Time
}

func newCountingServer(t *testing.T, delay time.Duration) *countingServer {
	c := &countingServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := c.now.Add(1)
		for top := c.top.Load(); n > top && !c.top.CompareAndSwap(top, n); top = c.top.Load() {
		}
		c.mu.Lock()
		c.arrived = append(c.arrived, time.Now())
		c.mu.Unlock()
		time.Sleep(delay) // the server's behaviour under test
		c.now.Add(-1)
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)
	c.url = srv.URL + "/"
	return c
}

// between counts the requests that arrived in [from, to).
func (c *countingServer) between(from, to time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, a := range c.arrived {
		if !a.Before(from) && a.Before(to) {
			n++
		}
	}
	return n
}

func checkPath(t *testing.T, e *Engine, noLoop bool) {
	t.Helper()
	if want := !noLoop && runtime.GOOS == "linux"; e.EventLoop() != want {
		t.Fatalf("EventLoop() = %v, want %v", e.EventLoop(), want)
	}
}

// TestOpenLoopHoldsItsRate: at 400/s for 1.5s about 600 requests go out,
// each with its scheduling delay recorded, every one with one outcome.
func TestOpenLoopHoldsItsRate(t *testing.T) {
	workerKinds(t, func(t *testing.T, noLoop bool) {
		srv := newCountingServer(t, 0)
		e, res, st := runEngine(t, Options{Requests: []Request{req(t, srv.url)}, Rate: 400, Duration: 1500 * time.Millisecond,
			Client: ClientOptions{NoEventLoop: noLoop}})
		checkPath(t, e, noLoop)
		checkAccounting(t, e, res)
		if res.Requests < 500 || res.Requests > 620 || res.Errors != 0 {
			t.Fatalf("%d requests (%v) at 400/s for 1.5s", res.Requests, res.ErrorsByKind)
		}
		if res.SchedulingDelay == nil || res.SchedulingDelay.Count != res.Requests {
			t.Fatalf("scheduling delay %+v for %d requests", res.SchedulingDelay, res.Requests)
		}
		if d := res.SchedulingDelay; d.P50 > res.Latency.P50 || d.Max < d.P50 {
			t.Fatalf("scheduling delay %+v against latency %+v: not a part of it", d, res.Latency)
		}
		var sn metrics.Snapshot
		st.Snapshot(&sn)
		if lt := sn.LoadTest; lt == nil || lt.SchedulingDelay.P50 != res.SchedulingDelay.P50 {
			t.Fatalf("the live state's scheduling delay differs from the result's %+v", res.SchedulingDelay)
		}
	})
}

// TestOpenLoopMaxInFlight: a 50ms server at 400/s with --max-inflight 4
// holds 4 at once, never more; the schedule does not wait: the sends behind
// it go out late, counted, and their latency counts from their intended
// time.
func TestOpenLoopMaxInFlight(t *testing.T) {
	workerKinds(t, func(t *testing.T, noLoop bool) {
		srv := newCountingServer(t, 50*time.Millisecond)
		e, res, st := runEngine(t, Options{Requests: []Request{req(t, srv.url)}, Rate: 400, MaxInFlight: 4, Duration: time.Second,
			Client: ClientOptions{NoEventLoop: noLoop}})
		checkPath(t, e, noLoop)
		checkAccounting(t, e, res)
		if top := srv.top.Load(); top > 4 || top < 2 {
			t.Fatalf("the server held %d requests at once, --max-inflight 4", top)
		}
		var sn metrics.Snapshot
		st.Snapshot(&sn)
		if lt := sn.LoadTest; lt == nil || lt.Workers > 4 {
			t.Fatalf("workers %+v, --max-inflight 4", lt)
		}
		// 4 at a time for 50ms each: about 80 in a second, not 400.
		if res.Requests > 120 || res.LateSends < res.Requests/2 {
			t.Fatalf("%d requests, %d late", res.Requests, res.LateSends)
		}
		if res.Latency.P50 < 2*res.Service.P50 {
			t.Fatalf("latency p50 %.3fs from the intended send, %.3fs from the actual: the queue is hidden", res.Latency.P50, res.Service.P50)
		}
	})
}

// TestOpenLoopPauseAndScale: nothing is sent while paused, the sends due
// meanwhile are not made up afterwards, and Scale(2) doubles the rate.
func TestOpenLoopPauseAndScale(t *testing.T) {
	workerKinds(t, func(t *testing.T, noLoop bool) {
		srv := newCountingServer(t, 0)
		e, err := New(Options{Requests: []Request{req(t, srv.url)}, Rate: 200, Client: ClientOptions{NoEventLoop: noLoop}})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan *Result)
		go func() { res, _ := e.Run(context.Background(), metrics.NewStore(0)); done <- res }()
		time.Sleep(500 * time.Millisecond)
		e.Pause()
		time.Sleep(50 * time.Millisecond) // what was out ends
		pausedAt := time.Now()
		time.Sleep(500 * time.Millisecond)
		resumedAt := time.Now()
		e.Resume()
		time.Sleep(500 * time.Millisecond)
		e.Scale(2)
		scaledAt := time.Now()
		time.Sleep(time.Second)
		e.Stop()
		res := <-done
		checkPath(t, e, noLoop)
		checkAccounting(t, e, res)
		if n := srv.between(pausedAt, resumedAt); n != 0 {
			t.Fatalf("%d requests while paused", n)
		}
		// After the pause, at 200/s: about 100 in the first half second,
		// not the 100 due during the pause on top.
		if n := srv.between(resumedAt, resumedAt.Add(500*time.Millisecond)); n < 60 || n > 130 {
			t.Fatalf("%d requests in the half second after the pause at 200/s", n)
		}
		if n := srv.between(scaledAt.Add(100*time.Millisecond), scaledAt.Add(900*time.Millisecond)); n < 250 || n > 400 {
			t.Fatalf("%d requests in 0.8s after Scale(2) of 200/s, want about 320", n)
		}
	})
}

// TestOpenLoopStages: a ramp of the rate from 0 to 400/s over a second,
// then 400/s for half a second: about 200 + 200 requests.
func TestOpenLoopStages(t *testing.T) {
	workerKinds(t, func(t *testing.T, noLoop bool) {
		srv := newCountingServer(t, 0)
		e, res, _ := runEngine(t, Options{Requests: []Request{req(t, srv.url)}, Open: true,
			Stages: []Stage{{Duration: time.Second, Target: 400}, {Duration: 500 * time.Millisecond, Target: 400}},
			Client: ClientOptions{NoEventLoop: noLoop}})
		checkPath(t, e, noLoop)
		checkAccounting(t, e, res)
		if res.Requests < 320 || res.Requests > 460 {
			t.Fatalf("%d requests, want about 400", res.Requests)
		}
	})
}
