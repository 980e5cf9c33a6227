package load

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/promtest"
)

// TestSplitNginxCacheWarms puts a real nginx (proxy_cache, X-Cache from
// $upstream_cache_status) in front of a slow loopback upstream and sends
// one worker through 40 distinct URLs again and again: every URL misses
// once, then hits. The interval's hit ratio climbs from 0 as the cache
// fills and stays at 1; the run's misses are exactly the URLs; a miss
// takes the upstream's delay and a hit does not.
func TestSplitNginxCacheWarms(t *testing.T) {
	const delay, keys = 25 * time.Millisecond, 40
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		fmt.Fprint(w, "item ", r.URL.RawQuery)
	}))
	t.Cleanup(upstream.Close)
	ng := promtest.StartNginxCache(t, strings.TrimPrefix(upstream.URL, "http://"))
	xc, err := ParseSplitBy("X-Cache")
	if err != nil {
		t.Fatal(err)
	}
	// The URLs in turn, one request's variants (--keys draws at random;
	// in turn, the climb is the same every run).
	var items []Request
	for i := range keys {
		r := req(t, fmt.Sprintf("%s/item?k=%d", ng.URL, i))
		r.Group = "item"
		items = append(items, r)
	}
	e, err := New(Options{
		Requests: items, Concurrency: 1, Duration: 2500 * time.Millisecond,
		Interval: 200 * time.Millisecond, SplitBy: []SplitBy{xc},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ratios []float64
	e.Watch(func(lt *metrics.LoadTest) bool {
		var hit, all int64
		for _, v := range lt.Splits[0].Values {
			all += v.Window.Requests
			if v.Value == "HIT" {
				hit += v.Window.Requests
			}
		}
		if all > 0 {
			ratios = append(ratios, float64(hit)/float64(all))
		}
		return false
	})
	st := metrics.NewStore(0)
	res, err := e.Run(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	// The Store's series of the hit ratio, for the load screen's chart,
	// climbs as well; the MISS value's share falls.
	var sn metrics.Snapshot
	st.Snapshot(&sn)
	hr, missShare := sn.Get(metrics.KeyLoadHitRatio("X-Cache")), sn.Get(metrics.KeyLoadSplit("X-Cache", "MISS", metrics.SplitSharePct))
	if len(hr) < 6 || hr[0].V != 0 || hr[len(hr)-2].V < 99 || len(missShare) < 6 || missShare[0].V != 100 || missShare[len(missShare)-2].V > 1 {
		t.Errorf("hit ratio series %v, miss share %v; want a climb from 0 to 100 and a fall from 100", hr, missShare)
	}
	checkAccounting(t, e, res)
	t.Logf("hit ratio by interval %.2f, status %v", ratios, res.StatusCodes)
	if len(ratios) < 6 || ratios[0] > 0.1 || ratios[len(ratios)-1] < 0.99 {
		t.Fatalf("hit ratio by interval %.2f; want a climb from 0 to 1", ratios)
	}
	for i := 1; i < len(ratios); i++ {
		if ratios[i] < ratios[i-1]-0.01 {
			t.Errorf("the hit ratio fell from %.2f to %.2f as the cache filled", ratios[i-1], ratios[i])
		}
	}
	sp := res.Splits[0]
	hit, miss := splitValue(sp, "HIT"), splitValue(sp, "MISS")
	t.Logf("%d answers: %d hits (p50 %.4fs), %d misses (p50 %.4fs)", res.Requests, hit.Answers, hit.Latency.P50, miss.Answers, miss.Latency.P50)
	if miss.Answers != keys || hit.Answers != res.Requests-keys || len(sp.Values) != 2 {
		t.Errorf("values %+v; want %d misses, one per URL, and the rest hits", sp.Values, keys)
	}
	if miss.Latency.P50 < delay.Seconds() || hit.Latency.P50 > delay.Seconds()/2 {
		t.Errorf("p50 miss %.4fs, hit %.4fs; want the upstream's %v and well under", miss.Latency.P50, hit.Latency.P50, delay)
	}
	if res.ByName != nil {
		t.Errorf("the URLs of one request are one name: %+v", res.ByName)
	}
}
