package load

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

func TestParseKeyDist(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"uniform", 0, true}, {"zipf", DefaultZipfS, true}, {"zipf:1.1", 1.1, true}, {"zipf:0.99", 0.99, true}, {"zipf:2", 2, true},
		{"zipf:0", 0, false}, {"zipf:-1", 0, false}, {"zipf:NaN", 0, false}, {"zipf:inf", 0, false}, {"zipf:", 0, false},
		{"zipf:x", 0, false}, {"foo", 0, false}, {"uniform:2", 0, false}, {"", 0, false}, {"Zipf", 0, false},
	} {
		got, err := ParseKeyDist(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseKeyDist(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// zipfShare is the probability of rank k (1-based) among n under Zipf's
// law with exponent s: k^-s / H(n, s).
func zipfShare(k, n int, s float64) float64 {
	var h float64
	for i := 1; i <= n; i++ {
		h += math.Pow(float64(i), -s)
	}
	return math.Pow(float64(k), -s) / h
}

// within fails unless the share of hits in n draws is p within five
// standard deviations of a binomial's (about one false failure in 1.7
// million runs).
func within(t *testing.T, what string, hits, n int, p float64) {
	t.Helper()
	got, tol := float64(hits)/float64(n), 5*math.Sqrt(p*(1-p)/float64(n))
	if math.Abs(got-p) > tol {
		t.Errorf("%s: share %.4f, want %.4f ± %.4f (%d of %d)", what, got, p, tol, hits, n)
	} else {
		t.Logf("%s: share %.4f, want %.4f ± %.4f", what, got, p, tol)
	}
}

// TestZipfSampler holds the rejection-inversion sampler to the law's
// shares of the first ranks, at exponents below, near and above 1, and
// to its range.
func TestZipfSampler(t *testing.T) {
	const draws = 200_000
	for _, tt := range []struct {
		n int
		s float64
	}{{1000, 0.99}, {1000, 1}, {100, 1.1}, {1_000_000, 1.1}, {10, 2}, {1, 1.1}, {5, 0.5}} {
		z, r := newZipf(tt.s, tt.n), rand.New(rand.NewPCG(1, 2))
		counts := map[uint64]int{}
		for range draws {
			k := z.sample(r)
			if k < 1 || k > uint64(tt.n) {
				t.Fatalf("n %d s %v: rank %d out of 1..%d", tt.n, tt.s, k, tt.n)
			}
			counts[k]++
		}
		for _, k := range []int{1, 2, 10} {
			if k > tt.n {
				continue
			}
			within(t, "n "+strconv.Itoa(tt.n)+" s "+strconv.FormatFloat(tt.s, 'g', -1, 64)+" rank "+strconv.Itoa(k), counts[uint64(k)], draws, zipfShare(k, tt.n, tt.s))
		}
	}
}

// TestKeyedWireFill: a request filled with a key is byte for byte the one
// serialised with the key written in, in the path (escaped there), the
// query, a header and the body, whose Content-Length follows the key's
// digits.
func TestKeyedWireFill(t *testing.T) {
	tmpl := func(k string) Request {
		r := req(t, "http://example.com/items/"+k+"?v="+k+"&x=1")
		r.Method, r.Header, r.Body = "POST", http.Header{"X-Key": {"k-" + k}, "Accept": {"*/*"}}, []byte(`{"id":`+k+`,"again":"`+k+`"}`)
		return r
	}
	kw := newKeyedWire(tmpl("{key}"), "example.com", "perftop", true)
	if kw == nil {
		t.Fatal("no holes found")
	}
	buf := make([]byte, 0, kw.maxLen(1_000_000))
	for _, key := range []uint64{0, 7, 42, 999_999} {
		buf = kw.fill(buf, key)
		want := serialise(tmpl(strconv.FormatUint(key, 10)), "example.com", "perftop", true).raw
		if string(buf) != string(want) {
			t.Errorf("key %d:\n%q\nwant\n%q", key, buf, want)
		}
		if len(buf) > cap(buf) || cap(buf) != kw.maxLen(1_000_000) {
			t.Errorf("key %d: the buffer grew to %d", key, cap(buf))
		}
	}
	if newKeyedWire(req(t, "http://example.com/"), "example.com", "perftop", true) != nil {
		t.Error("a request without {key} has holes")
	}
}

// keyServer counts the keys it is asked for and checks that the path,
// the header and the body carry the same one (a wrong Content-Length would
// fail the body's read).
func keyServer(t *testing.T) (string, func() (map[string]int, int)) {
	var mu sync.Mutex // guards counts and bad
	counts, bad := map[string]int{}, 0
	u := httpServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, "/items/")
		body, err := io.ReadAll(r.Body)
		mu.Lock()
		if err != nil || string(body) != `{"id":`+key+`}` || r.Header.Get("X-Key") != key || r.URL.Query().Get("k") != key {
			bad++
		}
		counts[key]++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	return u, func() (map[string]int, int) {
		mu.Lock()
		defer mu.Unlock()
		return counts, bad
	}
}

// TestKeysOverLoopback: a run against a real loopback server sends keys by
// their distribution on every engine: Zipf's top key its share of the
// requests, uniform keys each about 1/N.
func TestKeysOverLoopback(t *testing.T) {
	const n = 6000
	for _, p := range paths {
		if p.secure {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			for _, dist := range []struct {
				name string
				keys KeyOptions
			}{{"zipf", KeyOptions{N: 100, ZipfS: 1.1, Seed: 7}}, {"uniform", KeyOptions{N: 10, Seed: 7}}} {
				u, seen := keyServer(t)
				r := req(t, u+"items/{key}?k={key}")
				r.Method, r.Header, r.Body = "POST", http.Header{"X-Key": {"{key}"}}, []byte(`{"id":{key}}`)
				o := p.options(Options{Requests: []Request{r}, Concurrency: 4, MaxRequests: n, Client: ClientOptions{Keys: dist.keys}})
				if o.Rate > 0 {
					o.Rate, o.MaxRequests, o.Duration = 1000, 0, 3*time.Second
				}
				res, _ := run(t, o)
				counts, bad := seen()
				total := 0
				for _, c := range counts {
					total += c
				}
				if bad != 0 || res.Errors != 0 || total == 0 {
					t.Fatalf("%s: %d requests did not carry one key throughout, %d errors %v, %d answered", dist.name, bad, res.Errors, res.ErrorsByKind, total)
				}
				if dist.keys.ZipfS > 0 {
					within(t, dist.name+" key 0", counts["0"], total, zipfShare(1, dist.keys.N, dist.keys.ZipfS))
					within(t, dist.name+" key 1", counts["1"], total, zipfShare(2, dist.keys.N, dist.keys.ZipfS))
					continue
				}
				for k := range dist.keys.N {
					within(t, dist.name+" key "+strconv.Itoa(k), counts[strconv.Itoa(k)], total, 1/float64(dist.keys.N))
				}
				if len(counts) != dist.keys.N {
					t.Errorf("keys outside 0..%d: %v", dist.keys.N-1, counts)
				}
			}
		})
	}
}

// TestKeysAllocateNothing: a {key} in the URL, a header and the body
// keeps the fast path at zero allocations per request.
func TestKeysAllocateNothing(t *testing.T) {
	addr := rawServer(t)
	r := req(t, "http://"+addr+"/items/{key}?v={key}")
	r.Method, r.Header, r.Body = "POST", http.Header{"X-Key": {"{key}"}}, []byte(`{"id":{key}}`)
	for _, keys := range []KeyOptions{{N: 1_000_000, ZipfS: 0.99, Seed: 1}, {N: 1 << 40, Seed: 1}} {
		e, err := New(Options{Requests: []Request{r}, Concurrency: 1, Client: ClientOptions{Keys: keys}})
		if err != nil {
			t.Fatal(err)
		}
		f := newFastWorker(t, e, 1)
		f.send() // the first request dials
		if allocs := testing.AllocsPerRun(200, f.send); allocs != 0 {
			t.Errorf("%+v: %v allocations per request", keys, allocs)
		}
		f.s.close()
		f.sh.latency.DrainInto(metrics.NewLatencyHistogram())
	}
}

// TestKeysWholeRunAllocations: whole runs with keys, closed loop on
// goroutine workers and open loop, allocate no more with ten times the
// requests: the keyers and buffers are per worker, not per request.
func TestKeysWholeRunAllocations(t *testing.T) {
	addr := rawServer(t)
	r := req(t, "http://"+addr+"/items/{key}")
	r.Header = http.Header{"X-Key": {"{key}"}}
	for _, open := range []bool{false, true} {
		t.Run(fmt.Sprintf("open=%v", open), func(t *testing.T) {
			o := Options{Requests: []Request{r}, Concurrency: 8, Client: ClientOptions{Keys: KeyOptions{N: 1_000_000, ZipfS: 1.1, Seed: 3}}}
			if open {
				o.Rate, o.Concurrency, o.MaxInFlight = 20000, 0, 8
			}
			checkRunAllocs(t, o, func(e *Engine, _ *Result) {
				if !e.EventLoop() && runtime.GOOS == "linux" {
					t.Fatal("keyed requests did not run on the event loops")
				}
			})
		})
	}
}

// TestKeysRejected: keys without a {key} to put them in, and keys that
// make no distribution, are refused when the test is made.
func TestKeysRejected(t *testing.T) {
	for _, tt := range []struct {
		url  string
		keys KeyOptions
	}{
		{"http://127.0.0.1:1/", KeyOptions{N: 10}},
		{"http://127.0.0.1:1/{key}", KeyOptions{N: -1}},
		{"http://127.0.0.1:1/{key}", KeyOptions{N: 10, ZipfS: math.NaN()}},
	} {
		if _, err := New(Options{Requests: []Request{req(t, tt.url)}, Client: ClientOptions{Keys: tt.keys}}); err == nil {
			t.Errorf("%s %+v: no error", tt.url, tt.keys)
		}
	}
}

func FuzzParseKeyDist(f *testing.F) {
	for _, s := range []string{"uniform", "zipf", "zipf:1.1", "zipf:0.5", "zipf:1e308"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseKeyDist(s)
		if err != nil {
			return
		}
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || (v == 0) != (s == "uniform") {
			t.Fatalf("ParseKeyDist(%q) = %v", s, v)
		}
		z := newZipf(max(v, DefaultZipfS), 1000)
		if k := z.sample(rand.New(rand.NewPCG(1, 1))); k < 1 || k > 1000 {
			t.Fatalf("rank %d", k)
		}
	})
}

// BenchmarkSendKeyed is BenchmarkSend with a {key} in the URL and a header,
// Zipf keys: the fast path fills each request in place (0 allocs/op); the
// net/http path builds the substituted copy.
func BenchmarkSendKeyed(b *testing.B) {
	addr := rawServer(b)
	r := req(b, "http://"+addr+"/items/{key}")
	r.Header = http.Header{"X-Key": {"{key}"}}
	for _, netHTTP := range []bool{false, true} {
		name := "fast-http1"
		if netHTTP {
			name = "net-http"
		}
		b.Run(name, func(b *testing.B) {
			e, err := New(Options{Requests: []Request{r}, Concurrency: 1,
				Client: ClientOptions{NetHTTP: netHTTP, Keys: KeyOptions{N: 1_000_000, ZipfS: 1.1, Seed: 1}}})
			if err != nil {
				b.Fatal(err)
			}
			s := e.newSender()
			defer e.closeIdle()
			defer s.close()
			sh, ph := e.shards[0], new(Phases)
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

// FuzzKeyedWire: whatever else the body and the query hold (escaped braces,
// NULs, the length mark), a request filled with a key is the one
// serialised with the key written in.
func FuzzKeyedWire(f *testing.F) {
	f.Add("x=%7Bkey%7D", `{"id":{key}}`, uint64(7))
	f.Add("", "\x00len\x00{key}", uint64(123456))
	f.Add("a={key}&b=%7bkey%7d", "", uint64(0))
	f.Fuzz(func(t *testing.T, query, body string, key uint64) {
		if strings.ContainsAny(query, "#\x00\r\n \t") {
			return
		}
		build := func(k string) (Request, bool) {
			u, err := url.Parse("http://example.com/a/" + k + "?" + query + "&k=" + k)
			if err != nil {
				return Request{}, false
			}
			r := Request{Method: "POST", URL: u, Header: http.Header{"X-K": {"v" + k}}, Body: []byte(strings.ReplaceAll(body, KeyPlaceholder, k))}
			return r, true
		}
		tmpl, ok := build(KeyPlaceholder)
		if !ok {
			return
		}
		tmpl.Body = []byte(body)
		ks := strconv.FormatUint(key%1_000_000_000, 10)
		want, ok := build(ks)
		if !ok {
			return
		}
		// The query's own escaped braces are the key too on the request
		// line, as the path's are: write them in for the comparison.
		want.URL.RawQuery = strings.NewReplacer(KeyPlaceholder, ks, escapedKey, ks, strings.ToLower(escapedKey), ks).Replace(want.URL.RawQuery)
		kw := newKeyedWire(tmpl, "example.com", "perftop", true)
		got := kw.fill(nil, key%1_000_000_000)
		if w := serialise(want, "example.com", "perftop", true).raw; string(got) != string(w) {
			t.Fatalf("key %s:\n%q\nwant\n%q", ks, got, w)
		}
	})
}
