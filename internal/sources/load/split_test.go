package load

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

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
	f := newFastWorker(t, e, 3)
	for range 6 {
		f.send() // dials, and sees each name's values first
	}
	if allocs := testing.AllocsPerRun(300, f.send); allocs != 0 {
		t.Fatalf("%v allocations per request", allocs)
	}
	f.s.close()
	for g := range 3 {
		if n := e.gs.recorder(g, 1, 2).DrainInto(metrics.NewCoarseHistogram()); n < 100 {
			t.Errorf("name %d: %d answers of node-3", g, n)
		}
	}
	workerKinds(t, func(t *testing.T, noLoop bool) {
		o := Options{Requests: threeRequests(t, addr), Concurrency: 8, SplitBy: twoSplits(t), Client: ClientOptions{NoEventLoop: noLoop}}
		checkRunAllocs(t, o, func(_ *Engine, res *Result) {
			if len(res.ByName) != 3 {
				t.Fatalf("%d names, want 3", len(res.ByName))
			}
			checkGroups(t, res)
			if v := res.ByName[2].Splits[1].Values; len(v) != 1 || v[0].Value != "node-3" {
				t.Fatalf("split %+v", v)
			}
		})
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
