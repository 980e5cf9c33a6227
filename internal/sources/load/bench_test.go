package load

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// BenchmarkSend measures one request through each path against a loopback
// server, the load engine's hot loop: the fast path must allocate nothing
// per request.
func BenchmarkSend(b *testing.B) {
	addr := rawServer(b)
	r := req(b, "http://"+addr+"/")
	for _, netHTTP := range []bool{false, true} {
		name := "fast-http1"
		if netHTTP {
			name = "net-http"
		}
		b.Run(name, func(b *testing.B) {
			e, err := New(Options{Requests: []Request{r}, Concurrency: 1, Client: ClientOptions{NetHTTP: netHTTP}})
			if err != nil {
				b.Fatal(err)
			}
			s := e.newSender()
			defer e.closeIdle()
			defer s.close()
			sh := e.shards[0]
			ph := new(Phases)
			var co cadence
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				e.send(s, sh, ph, 0, start, start, &co)
			}
			if f := sh.failed.Load(); f != 0 {
				b.Fatalf("%d failures", f)
			}
		})
	}
}

// rawServer answers every HTTP/1.1 request on a keep-alive connection with
// the same tiny JSON response, allocating nothing per request, so that
// BenchmarkSend's allocation count is the client's alone.
func rawServer(b testing.TB) string {
	return cannedServer(b, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}")
}

// BenchmarkRecord is the per-request bookkeeping alone, from one worker:
// an answer as the open loop records it, and as the closed loop does,
// corrected with its worker's expected interval (no stall: nothing added).
func BenchmarkRecord(b *testing.B) {
	sh := newShards(new(errorMessages), newGroups([]Request{{}}, nil, 0))[0]
	ph := Phases{TTFB: time.Millisecond}
	b.Run("open", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sh.record(1200*time.Microsecond, time.Millisecond, 0, 200, 11, &ph, nil, 0, nil)
		}
	})
	b.Run("closed", func(b *testing.B) {
		var co cadence
		co.add(time.Millisecond)
		b.ReportAllocs()
		for b.Loop() {
			sh.record(1200*time.Microsecond, 1200*time.Microsecond, co.expected(), 200, 11, &ph, nil, 0, nil)
			co.add(1200 * time.Microsecond)
		}
	})
	// Three names split by two headers (groups.go): the bookkeeping a
	// scenario with --split-by adds to each answer.
	reqs := threeRequests(b, "127.0.0.1:1")
	gs := newGroups(reqs, twoSplits(b), DefaultSplitMax)
	gsh := newShards(new(errorMessages), gs)[0]
	hc := newHeaderCapture(twoSplits(b))
	hc.set(0, []byte("HIT"))
	hc.set(1, []byte("node-3"))
	b.Run("names-and-splits", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			gsh.record(1200*time.Microsecond, time.Millisecond, 0, 200, 11, &ph, nil, i%3, hc)
			i++
		}
	})
}

// fastWorker is one worker of e's goroutine path, for allocation tests:
// send sends the plan's next request (request i of reqs in turn) on it and
// fails the test on an outcome that is not an answer.
type fastWorker struct {
	s    sender
	sh   *shard
	co   cadence
	send func()
}

func newFastWorker(t testing.TB, e *Engine, reqs int) *fastWorker {
	f := &fastWorker{s: e.newSender(), sh: e.shards[0]}
	ph, i := new(Phases), 0
	f.send = func() {
		start := time.Now()
		if k := e.send(f.s, f.sh, ph, i%reqs, start, start, &f.co); k != KindNone {
			t.Fatalf("outcome %v", k)
		}
		i++
	}
	return f
}

// TestFastPathAllocatesNothing holds the hot loop to zero allocations per
// request, the figure BenchmarkSend reports.
func TestFastPathAllocatesNothing(t *testing.T) {
	addr := rawServer(t)
	e, err := New(Options{Requests: []Request{req(t, "http://"+addr+"/")}, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	f := newFastWorker(t, e, 1)
	defer f.s.close()
	sh := f.sh
	f.send() // the first request dials
	if allocs := testing.AllocsPerRun(200, f.send); allocs != 0 {
		t.Fatalf("%v allocations per request", allocs)
	}
	// A worker whose pace is 2µs: every answer is a stall to it, and is
	// recorded with the samples the correction adds. Still nothing.
	f.co = cadence{sum: 2 * time.Second, n: 1_000_000}
	for _, r := range []*metrics.Recorder{sh.latency, sh.service} {
		r.DrainInto(metrics.NewLatencyHistogram())
	}
	if allocs := testing.AllocsPerRun(200, f.send); allocs != 0 {
		t.Fatalf("%v allocations per corrected request", allocs)
	}
	lat, svc := metrics.NewLatencyHistogram(), metrics.NewLatencyHistogram()
	sh.latency.DrainInto(lat)
	sh.service.DrainInto(svc)
	if lat.TotalCount() <= 2*svc.TotalCount() {
		t.Fatalf("%d latency samples for %d answers: nothing corrected", lat.TotalCount(), svc.TotalCount())
	}
	if f := sh.failed.Load(); f != 0 {
		t.Fatalf("%d failures", f)
	}
}

// BenchmarkGroupsCost is what per-request groups and --split-by cost a
// closed loop on the event loops: one request, three names, and three names
// with two split headers, against a loopback server answering as nginx
// does (eight header lines, one of them split on). cpu-ns/req is the
// process's CPU per request, the server's included (it is the same in
// every case).
func BenchmarkGroupsCost(b *testing.B) {
	addr := cannedServer(b, "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 01 Dec 2026 19:40:00 GMT\r\n"+
		"Content-Type: application/json\r\nContent-Length: 11\r\nLast-Modified: Tue, 01 Dec 2026 18:00:00 GMT\r\n"+
		"Connection: keep-alive\r\nETag: \"692d6e20-b\"\r\nAccept-Ranges: bytes\r\n\r\n{\"ok\":true}")
	xc, _ := ParseSplitBy("X-Cache")
	sv, _ := ParseSplitBy("Server")
	for _, tc := range []struct {
		name  string
		reqs  int
		split []SplitBy
	}{{"one", 1, nil}, {"three", 3, nil}, {"three-split", 3, []SplitBy{xc, sv}}} {
		b.Run(tc.name, func(b *testing.B) {
			var reqs []Request
			for i := range tc.reqs {
				reqs = append(reqs, req(b, fmt.Sprintf("http://%s/?n=%d", addr, i)))
			}
			e, err := New(Options{Requests: reqs, Concurrency: 8, MaxRequests: int64(b.N), SplitBy: tc.split, Interval: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			res, err := e.Run(context.Background(), metrics.NewStore(0))
			if err != nil || res.Errors != 0 {
				b.Fatalf("%v, errors %v", err, res.ErrorsByKind)
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/req")
		})
	}
}
