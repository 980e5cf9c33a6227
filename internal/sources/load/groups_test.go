package load

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// checkGroups holds a run's per-name results to its totals: every request
// is counted in exactly one name, and so are its failures and bytes; each
// name's split values count its answers.
func checkGroups(t *testing.T, res *Result) {
	t.Helper()
	var reqs, errs, bytes int64
	for _, g := range res.ByName {
		reqs += g.Requests
		errs += g.Errors
		bytes += g.BytesReceived
		var kinds int64
		for _, n := range g.ErrorsByKind {
			kinds += n
		}
		if kinds != g.Errors {
			t.Errorf("%s: %d errors, by kind %v", g.Name, g.Errors, g.ErrorsByKind)
		}
		if g.LatencyHistogram.TotalCount() != g.Latency.Count {
			t.Errorf("%s: histogram of %d, latency of %d", g.Name, g.LatencyHistogram.TotalCount(), g.Latency.Count)
		}
		for _, sp := range g.Splits {
			var answers int64
			for _, v := range sp.Values {
				answers += v.Answers
			}
			if answers != g.Latency.Count {
				t.Errorf("%s split by %s: %d answers of %d", g.Name, sp.Header, answers, g.Latency.Count)
			}
		}
	}
	if len(res.ByName) > 0 && (reqs != res.Requests || errs != res.Errors || bytes != res.BytesReceived) {
		t.Errorf("names sum to %d requests, %d errors, %d bytes; totals %d, %d, %d",
			reqs, errs, bytes, res.Requests, res.Errors, res.BytesReceived)
	}
}

// delayServer answers /fast at once and /slow after slow, "ok".
func delayServer(t *testing.T, slow time.Duration) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			time.Sleep(slow)
		case "/fail":
			http.Error(w, "no", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestRequestNames: a scenario of two names with different delays gives
// each name its own p50, the delay of its server, on every path; the
// names' counts sum to the totals, failures included.
func TestRequestNames(t *testing.T) {
	const slow = 40 * time.Millisecond
	u := delayServer(t, slow)
	for _, p := range paths {
		if p.secure {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			fast, slowReq, fail := req(t, u+"/fast"), req(t, u+"/slow"), req(t, u+"/fail")
			fast.Name, slowReq.Name, fail.Name = "list items", "add item", "broken"
			fast.Weight = 3
			o := p.options(Options{Requests: []Request{fast, slowReq, fail}, Concurrency: 6, Duration: 1500 * time.Millisecond, Interval: 200 * time.Millisecond})
			windows := map[string]int64{} // each name's intervals, summed: Judge sees every collection
			o.Judge = func(lt *metrics.LoadTest) []metrics.Objective {
				for _, g := range lt.ByName {
					windows[g.Name] += g.Window.Requests
				}
				return nil
			}
			e, res, st := runEngine(t, o)
			checkAccounting(t, e, res)
			checkGroups(t, res)
			if len(res.ByName) != 3 {
				t.Fatalf("by name %+v", res.ByName)
			}
			byName := map[string]GroupResult{}
			for _, g := range res.ByName {
				byName[g.Name] = g
			}
			for _, g := range res.ByName {
				if windows[g.Name] != g.Requests {
					t.Errorf("%s: intervals sum to %d of %d requests", g.Name, windows[g.Name], g.Requests)
				}
			}
			f, s, b := byName["list items"], byName["add item"], byName["broken"]
			t.Logf("list items p50 %.4fs of %d, add item p50 %.4fs of %d", f.Latency.P50, f.Requests, s.Latency.P50, s.Requests)
			if f.Latency.P50 > 0.010 || s.Latency.P50 < slow.Seconds() || s.Latency.P50 > slow.Seconds()+0.020 {
				t.Errorf("p50 list items %.4fs, add item %.4fs; want under 10ms and %v", f.Latency.P50, s.Latency.P50, slow)
			}
			if b.Errors != b.Requests || b.ErrorsByKind["status_5xx"] != b.Requests || f.Errors != 0 || s.Errors != 0 {
				t.Errorf("errors: broken %d of %d %v, list %d, add %d", b.Errors, b.Requests, b.ErrorsByKind, f.Errors, s.Errors)
			}
			lt := snapLoad(st)
			if lt == nil || len(lt.ByName) != 3 || lt.ByName[0].Name != "list items" || lt.ByName[1].Latency.P50 < slow.Seconds() {
				t.Fatalf("live by name %+v", lt)
			}
			var sn metrics.Snapshot
			st.Snapshot(&sn)
			p50 := sn.Get(metrics.KeyLoadName("add item", metrics.GroupP50))
			if len(p50) < 3 || p50[1].V < slow.Seconds() || len(sn.Get(metrics.KeyLoadName("list items", metrics.GroupRPS))) != len(p50) {
				t.Errorf("add item's p50 series %v", p50)
			}
			var live int64
			for _, g := range lt.ByName {
				live += g.Requests
			}
			if live != lt.Requests {
				t.Errorf("live names sum to %d of %d", live, lt.Requests)
			}
		})
	}
}

// TestOneRequestHasNoNames: one request's run is its totals.
func TestOneRequestHasNoNames(t *testing.T) {
	u := delayServer(t, 0)
	res, st := run(t, Options{Requests: []Request{req(t, u+"/fast")}, Concurrency: 2, MaxRequests: 50})
	if res.ByName != nil || res.Splits != nil || snapLoad(st).ByName != nil {
		t.Fatalf("by name %+v, splits %+v", res.ByName, res.Splits)
	}
}

// TestGroupName: a request's group is its name, else its URL, with a
// method other than GET; the volume profile's variants keep their
// original's.
func TestGroupName(t *testing.T) {
	r := req(t, "http://user:secret@h.local/a")
	if got := r.GroupName(); got != "http://user:xxxxx@h.local/a" {
		t.Errorf("GroupName %q", got)
	}
	r.Method = "POST"
	if got := r.GroupName(); got != "POST http://user:xxxxx@h.local/a" {
		t.Errorf("GroupName %q", got)
	}
	r.Name = "add"
	if got := r.GroupName(); got != "add" {
		t.Errorf("GroupName %q", got)
	}
	plain := req(t, "http://h.local/b")
	gs := newGroups(Distinct([]Request{plain, r}, 3), nil, 0)
	if fmt.Sprint(gs.names) != "[http://h.local/b add]" || fmt.Sprint(gs.of) != "[0 0 0 1 1 1]" {
		t.Errorf("groups %q, of %v", gs.names, gs.of)
	}
}

// cacheServer answers X-Cache: HIT to 4 requests of 5 after hit, and
// MISS to the fifth after miss.
func cacheServer(t *testing.T, hit, miss time.Duration) string {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%5 == 0 {
			time.Sleep(miss)
			w.Header().Set("X-Cache", "MISS from cache-1")
		} else {
			time.Sleep(hit)
			w.Header().Set("X-Cache", "HIT from cache-1")
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// splitValue is value's part of sp.
func splitValue(sp SplitResult, value string) SplitValueResult {
	for _, v := range sp.Values {
		if v.Value == value {
			return v
		}
	}
	return SplitValueResult{}
}

// TestSplitHitRatio: a server that answers HIT 80% of the time in 1ms and
// MISS 20% in 50ms gives a hit ratio of 0.80 ± 0.02 and each value's
// latency, on the fast path, the event loops and net/http. The regular
// expression's group is the value; a header the server never sends is
// "(none)" for every answer.
func TestSplitHitRatio(t *testing.T) {
	u := cacheServer(t, time.Millisecond, 50*time.Millisecond)
	for _, p := range paths {
		if p.secure {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			xc, err := ParseSplitBy("x-cache=^(HIT|MISS)")
			if err != nil {
				t.Fatal(err)
			}
			none, _ := ParseSplitBy("X-Served-By")
			o := p.options(Options{
				Requests: []Request{req(t, u+"/")}, Concurrency: 10, Duration: 2 * time.Second,
				SplitBy: []SplitBy{xc, none}, Interval: 250 * time.Millisecond,
			})
			if o.Rate > 0 {
				o.Rate = 300
			}
			windows := map[string]int64{} // X-Cache's values' intervals, summed
			o.Judge = func(lt *metrics.LoadTest) []metrics.Objective {
				for _, v := range lt.Splits[0].Values {
					windows[v.Value] += v.Window.Requests
				}
				return nil
			}
			e, res, st := runEngine(t, o)
			checkAccounting(t, e, res)
			if len(res.Splits) != 2 || res.Splits[0].Header != "X-Cache=^(HIT|MISS)" {
				t.Fatalf("splits %+v", res.Splits)
			}
			hit, miss := splitValue(res.Splits[0], "HIT"), splitValue(res.Splits[0], "MISS")
			t.Logf("%d answers: hit %.3f p50 %.4fs, miss %.3f p50 %.4fs", res.StatusCodes["200"], hit.Share, hit.Latency.P50, miss.Share, miss.Latency.P50)
			if math.Abs(hit.Share-0.8) > 0.02 || math.Abs(miss.Share-0.2) > 0.02 || len(res.Splits[0].Values) != 2 {
				t.Errorf("values %+v; want HIT 0.80 and MISS 0.20", res.Splits[0].Values)
			}
			if hit.Latency.P50 > 0.015 || miss.Latency.P50 < 0.050 || miss.Latency.P50 > 0.075 {
				t.Errorf("p50 hit %.4fs, miss %.4fs; want about 1ms and 50ms", hit.Latency.P50, miss.Latency.P50)
			}
			if hit.Answers+miss.Answers != res.StatusCodes["200"] || hit.Latency.Count != hit.Answers {
				t.Errorf("hit %d + miss %d of %d answers; hit latency of %d", hit.Answers, miss.Answers, res.StatusCodes["200"], hit.Latency.Count)
			}
			if windows["HIT"] != hit.Answers || windows["MISS"] != miss.Answers {
				t.Errorf("intervals sum to %v; the run's answers HIT %d, MISS %d", windows, hit.Answers, miss.Answers)
			}
			if v := res.Splits[1].Values; len(v) != 1 || v[0].Value != NoValue || v[0].Share != 1 {
				t.Errorf("missing header: %+v", v)
			}
			lt := snapLoad(st)
			if len(lt.Splits) != 2 || len(lt.Splits[0].Values) != 2 || lt.Splits[0].Values[0].Value != "HIT" || lt.Splits[0].Values[0].Latency.P50 == 0 {
				t.Errorf("live splits %+v", lt.Splits)
			}
		})
	}
}

// TestValueTable: values are trimmed and printable, counted in the order
// first seen, bounded by max (the rest "(other)"), and a value that does
// not match the regular expression is "(other)"; an empty one "(empty)".
func TestValueTable(t *testing.T) {
	s, err := ParseSplitBy("X-Backend")
	if err != nil {
		t.Fatal(err)
	}
	tb := newValueTable(s, 3)
	for _, v := range []string{"a", "b\x1b[31m", "", "b\x1b[31m", "c", "d", "a"} {
		tb.index([]byte(v))
	}
	got := tb.values()
	want := []string{NoValue, OtherValue, "a", "b [31m", EmptyValue}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("values %q; want %q", got, want)
	}
	if i := tb.index([]byte("d")); i != valueOther {
		t.Errorf("past the bound: %d", i)
	}
	re, _ := ParseSplitBy("Server=^nginx/([0-9.]+)")
	tr := newValueTable(re, 64)
	if a, b, c := tr.index([]byte("nginx/1.22.1")), tr.index([]byte("nginx/1.22.1 (Debian)")), tr.index([]byte("apache")); a != b || a < 2 || c != valueOther {
		t.Errorf("indexes %d %d %d", a, b, c)
	}
	for _, bad := range []string{"", "X Cache", "X-Cache=(", "X-Cache=HIT", "a:b"} {
		if _, err := ParseSplitBy(bad); err == nil {
			t.Errorf("ParseSplitBy(%q) accepted", bad)
		}
	}
}

// TestHeaderCapture: the parser keeps the final answer's first value of
// each header, not an interim response's, however the bytes are cut, and
// bounds a long one.
func TestHeaderCapture(t *testing.T) {
	a, _ := ParseSplitBy("X-Cache")
	b, _ := ParseSplitBy("X-Served-By")
	raw := "HTTP/1.1 103 Early Hints\r\nX-Cache: EARLY\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nx-cache:   HIT \r\nX-Cache: second\r\nX-Served-By: " + strings.Repeat("n", 300) + "\r\nContent-Length: 2\r\n\r\nok"
	for _, cut := range []int{1, 7, 13, len(raw)} {
		var p respParser
		p.cap = newHeaderCapture([]SplitBy{a, b})
		p.reset(false)
		var done bool
		for rest := raw; len(rest) > 0 && !done; {
			k := min(cut, len(rest))
			var err error
			if done, _, err = p.feed([]byte(rest[:k])); err != nil {
				t.Fatal(err)
			}
			rest = rest[k:]
		}
		v0, ok0 := p.cap.value(0)
		v1, ok1 := p.cap.value(1)
		if !done || !ok0 || !ok1 || string(v0) != "HIT" || string(v1) != strings.Repeat("n", maxSplitValue) {
			t.Errorf("cut %d: done %v, %q %v, %d bytes %v", cut, done, v0, ok0, len(v1), ok1)
		}
	}
}

// splitAnswer is a canned answer with both split headers.
const splitAnswer = "HTTP/1.1 200 OK\r\nX-Cache: HIT\r\nX-Served-By: node-3\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"

// threeRequests is a scenario of three names to addr.
func threeRequests(t testing.TB, addr string) []Request {
	var out []Request
	for i, name := range []string{"list items", "add item", "show item"} {
		r := req(t, fmt.Sprintf("http://%s/%d", addr, i))
		r.Name = name
		out = append(out, r)
	}
	return out
}

func twoSplits(t testing.TB) []SplitBy {
	a, err := ParseSplitBy("X-Cache")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseSplitBy("X-Served-By=^(node-[0-9]+)")
	if err != nil {
		t.Fatal(err)
	}
	return []SplitBy{a, b}
}

// TestSplitAllocatesNothing extends the zero-allocation tests to a
// 3-request scenario split by two headers: one worker's requests on the
// goroutine fast path, then whole runs on event loops and on goroutines,
// whose allocations must not grow with their requests.
func TestSplitAllocatesNothing(t *testing.T) {
	addr := cannedServer(t, splitAnswer)
	e, err := New(Options{Requests: threeRequests(t, addr), Concurrency: 1, SplitBy: twoSplits(t)})
	if err != nil {
		t.Fatal(err)
	}
	s := e.newSender()
	sh, ph := e.shards[0], new(Phases)
	var co cadence
	i := 0
	send := func() {
		start := time.Now()
		if k := e.send(s, sh, ph, i%3, start, start, &co); k != KindNone {
			t.Fatalf("outcome %v", k)
		}
		i++
	}
	for range 6 {
		send() // dials, and sees each name's values first
	}
	if allocs := testing.AllocsPerRun(300, send); allocs != 0 {
		t.Fatalf("%v allocations per request", allocs)
	}
	s.close()
	for g := range 3 {
		if n := e.gs.recorder(g, 1, 2).DrainInto(metrics.NewCoarseHistogram()); n < 100 {
			t.Errorf("name %d: %d answers of node-3", g, n)
		}
	}
	workerKinds(t, func(t *testing.T, noLoop bool) {
		mallocs := func(n int64) uint64 {
			e, err := New(Options{Requests: threeRequests(t, addr), Concurrency: 8, MaxRequests: n, Interval: time.Hour,
				SplitBy: twoSplits(t), Client: ClientOptions{NoEventLoop: noLoop}})
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res, err := e.Run(context.Background(), metrics.NewStore(0))
			runtime.ReadMemStats(&after)
			if err != nil || res.Requests != n || res.Errors != 0 || len(res.ByName) != 3 {
				t.Fatalf("%v: %d requests, errors %v", err, res.Requests, res.ErrorsByKind)
			}
			checkGroups(t, res)
			if v := res.ByName[2].Splits[1].Values; len(v) != 1 || v[0].Value != "node-3" {
				t.Fatalf("split %+v", v)
			}
			return after.Mallocs - before.Mallocs
		}
		small, large := mallocs(2000), mallocs(20000)
		perRequest := (float64(large) - float64(small)) / 18000
		t.Logf("%d allocations for 2,000 requests, %d for 20,000: %.4f per request", small, large, perRequest)
		if perRequest > 0.02 {
			t.Fatalf("%.4f allocations per request", perRequest)
		}
	})
}

// TestHostileSplitValues: a server that sends a new value, with control
// characters, in every answer fills the table to its bound and no more;
// every answer is still counted, and no value holds a control character.
func TestHostileSplitValues(t *testing.T) {
	var n atomic.Int64
	u := tcpServer(t, nil, func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			v := fmt.Sprintf("v%d\x1b]0;pwned\x07%s", n.Add(1), strings.Repeat("x", 500))
			if _, err := fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nX-Id: %s\r\nContent-Length: 0\r\n\r\n", v); err != nil {
				return
			}
		}
	})
	s, _ := ParseSplitBy("X-Id")
	res, _ := run(t, Options{Requests: []Request{req(t, u)}, Concurrency: 4, MaxRequests: 3000, SplitBy: []SplitBy{s}, SplitMax: 16})
	vals := res.Splits[0].Values
	var answers int64
	for _, v := range vals {
		answers += v.Answers
		if strings.ContainsAny(v.Value, "\x1b\x07") || len(v.Value) > maxSplitValue {
			t.Fatalf("value %q", v.Value)
		}
	}
	if len(vals) != 17 || answers != res.Requests || splitValue(res.Splits[0], OtherValue).Answers != res.Requests-16 {
		t.Fatalf("%d values, %d answers of %d", len(vals), answers, res.Requests)
	}
}

// snapLoad is the Store's load test.
func snapLoad(st *metrics.Store) *metrics.LoadTest {
	var sn metrics.Snapshot
	st.Snapshot(&sn)
	return sn.LoadTest
}

// TestRequestNamesCountEveryOutcome: refused connects, timeouts and the
// requests the stop cuts off are counted in their own names, and the names
// still sum to the totals, on every path.
func TestRequestNamesCountEveryOutcome(t *testing.T) {
	u := delayServer(t, 3*time.Second) // /slow outlasts the timeout
	for _, p := range paths {
		if p.secure {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			ok, slow, down := req(t, u+"/fast"), req(t, u+"/slow"), req(t, "http://127.0.0.1:1/")
			ok.Name, slow.Name, down.Name = "ok", "slow", "down"
			o := p.options(Options{Requests: []Request{ok, slow, down}, Concurrency: 6, Duration: time.Second,
				Grace: 100 * time.Millisecond, Client: ClientOptions{Timeout: 400 * time.Millisecond}})
			e, res, _ := runEngine(t, o)
			checkAccounting(t, e, res)
			checkGroups(t, res)
			got := map[string]GroupResult{}
			for _, g := range res.ByName {
				got[g.Name] = g
			}
			if d := got["down"]; d.Requests == 0 || d.Errors != d.Requests || d.ErrorsByKind["connection_refused"] != d.Requests {
				t.Errorf("down: %+v", d)
			}
			if s := got["slow"]; s.Requests == 0 || s.Errors != s.Requests || s.ErrorsByKind["timeout"]+s.ErrorsByKind["interrupted"] != s.Requests {
				t.Errorf("slow: %+v", s)
			}
			if g := got["ok"]; g.Requests == 0 || g.Errors != 0 {
				t.Errorf("ok: %+v", g)
			}
		})
	}
}

// captureCuts feeds raw to a capturing respParser cut at cuts and returns
// what it captured of X-Cache and X-Served-By, "" when the response did not
// complete.
func captureCuts(raw string, cuts []int) string {
	a, _ := ParseSplitBy("X-Cache")
	b, _ := ParseSplitBy("X-Served-By")
	var p respParser
	p.cap = newHeaderCapture([]SplitBy{a, b})
	p.reset(false)
	prev := 0
	for _, c := range append(cuts, len(raw)) {
		done, _, err := p.feed([]byte(raw[prev:c]))
		prev = c
		if err != nil {
			return ""
		}
		if done {
			v0, ok0 := p.cap.value(0)
			v1, ok1 := p.cap.value(1)
			return fmt.Sprintf("%q %v %q %v", v0, ok0, v1, ok1)
		}
	}
	return ""
}

// FuzzHeaderCapture: however a response is cut, the values captured are
// those of the response fed whole, within their bound, and capturing
// never panics.
func FuzzHeaderCapture(f *testing.F) {
	f.Add("HTTP/1.1 200 OK\r\nX-Cache: HIT\r\nx-served-by:  n1 \r\nContent-Length: 0\r\n\r\n", []byte{3, 9, 27})
	f.Add("HTTP/1.1 100 Continue\r\nX-Cache: early\r\n\r\nHTTP/1.1 204 No Content\r\nX-Cache:\r\n\r\n", []byte{1})
	f.Add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Cache: trailer\r\n\r\n", []byte{5, 5})
	f.Fuzz(func(t *testing.T, raw string, lengths []byte) {
		cuts := fuzzCuts(lengths, len(raw))
		if got, want := captureCuts(raw, cuts), captureCuts(raw, nil); got != want {
			t.Fatalf("cut at %v: %s, whole: %s", cuts, got, want)
		}
	})
}

// TestSplitValueErrors: a backend that fails shows in its value's failed
// answers, the run's and the interval's.
func TestSplitValueErrors(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			w.Header().Set("X-Backend", "b")
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		w.Header().Set("X-Backend", "a")
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)
	s, _ := ParseSplitBy("X-Backend")
	for _, netHTTP := range []bool{false, true} {
		res, st := run(t, Options{Requests: []Request{req(t, srv.URL)}, Concurrency: 2, MaxRequests: 400, SplitBy: []SplitBy{s},
			Client: ClientOptions{NetHTTP: netHTTP}})
		a, b := splitValue(res.Splits[0], "a"), splitValue(res.Splits[0], "b")
		if a.Errors != 0 || b.Errors != b.Answers || a.Answers+b.Answers != 400 || b.Errors != res.ErrorsByKind["status_5xx"] {
			t.Errorf("net/http %v: a %+v, b %+v", netHTTP, a, b)
		}
		var winErrs int64
		for _, v := range snapLoad(st).Splits[0].Values {
			winErrs += v.Window.Errors
		}
		if winErrs > b.Errors {
			t.Errorf("the last interval's failed answers %d, more than the run's %d", winErrs, b.Errors)
		}
	}
}
