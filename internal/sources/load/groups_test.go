package load

import (
	"fmt"
	"net/http"
	"net/http/httptest"
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
// method other than GET; a variant with a Group keeps its original's.
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
	variant := plain // another URL in plain's group
	u := *plain.URL
	u.RawQuery = "v=1"
	variant.URL, variant.Group = &u, plain.GroupName()
	gs := newGroups([]Request{plain, variant, r}, nil, 0)
	if fmt.Sprint(gs.names) != "[http://h.local/b add]" || fmt.Sprint(gs.of) != "[0 0 1]" {
		t.Errorf("groups %q, of %v", gs.names, gs.of)
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
