package prom

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/promtest"
)

// The stack's tiers against the real components from Debian, on loopback
// ports with their own configs (internal/sources/promtest).

// scrapeTier fetches url and derives it with d at now.
func scrapeTier(t *testing.T, d *deriver, url string, now time.Time) *metrics.Tier {
	t.Helper()
	exp, err := fetch(context.Background(), &http.Client{}, url, limits{body: DefaultBodyLimit, series: DefaultSeriesLimit, labels: DefaultLabelLimit, timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	d.derive(now, exp.Families)
	if d.tier == nil {
		t.Fatalf("%s: no tier recognised", url)
	}
	return d.tier
}

// TestStackHAProxy balances 400 requests over two servers at weights 3:1:
// HAProxy's own exporter must show the split, 0.75/0.25 ± 0.05.
func TestStackHAProxy(t *testing.T) {
	var hits [2]atomic.Int64
	var servers []promtest.Server
	for i, w := range []int{3, 1} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits[i].Add(1)
			_, _ = io.WriteString(w, "ok\n")
		}))
		t.Cleanup(srv.Close)
		servers = append(servers, promtest.Server{Addr: strings.TrimPrefix(srv.URL, "http://"), Weight: w})
	}
	h := promtest.StartHAProxy(t, servers...)
	d := newDeriver(Config{})
	scrapeTier(t, d, h.MetricsURL, time.Now())
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	start := time.Now()
	const n = 400
	for range n {
		resp, err := client.Get(h.URL + "/")
		if err != nil {
			t.Fatalf("%v\n%s", err, h.Log())
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("through haproxy: %s\n%s", resp.Status, h.Log())
		}
	}
	tier := scrapeTier(t, d, h.MetricsURL, time.Now())
	elapsed := time.Since(start).Seconds()
	if tier.Kind != metrics.TierLoadBalancer || tier.Software != "haproxy" || len(tier.Backends) != 2 {
		t.Fatalf("tier %+v; want HAProxy with two servers", tier)
	}
	for i, want := range []float64{0.75, 0.25} {
		b := tier.Backends[i]
		t.Logf("server %s: share %.4f (since start %.4f), %.0f req/s, state %s, weight %g; it served %d", b.Name, b.Share, b.TotalShare, b.Rate, b.State, b.Weight, hits[i].Load())
		if !b.Known || math.Abs(b.Share-want) > 0.05 || !b.Up || b.Weight != float64(servers[i].Weight) {
			t.Errorf("server %d: %+v; want share %v ± 0.05, up, weight %d", i, b, want, servers[i].Weight)
		}
	}
	req, _ := tier.Value("requests")
	t.Logf("requests %.0f/s (400 in %.2fs: %.0f/s)", req, elapsed, n/elapsed)
	if req < 0.5*n/elapsed || req > 2*n/elapsed {
		t.Errorf("requests %.0f/s; want about %.0f/s", req, n/elapsed)
	}
}

// resp sends one Redis command in RESP and returns the first line of the
// answer: a minimal client, enough for SET and GET of short values.
func resp(t *testing.T, rw *bufio.ReadWriter, args ...string) string {
	t.Helper()
	fmt.Fprintf(rw, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(rw, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	line, err := rw.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(line, "$") && line != "$-1\r\n" { // a bulk string: its value follows
		if _, err := rw.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	return line
}

// TestStackRedis makes a known number of hits and misses: the hit ratio,
// since start and over the interval, is exact.
func TestStackRedis(t *testing.T) {
	r := promtest.StartRedis(t, "--maxmemory", "64mb")
	e := promtest.StartRedisExporter(t, r.Addr)
	d := newDeriver(Config{})
	before := scrapeTier(t, d, e.MetricsURL, time.Now())
	if v, ok := before.Value("hit ratio since start"); ok {
		t.Fatalf("hit ratio since start %v before any lookup; want not known", v)
	}
	c, err := net.Dial("tcp", r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rw := bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c))
	const keys, hits, misses = 10, 30, 12
	for i := range keys {
		if got := resp(t, rw, "SET", fmt.Sprint("k", i), "v"); got != "+OK\r\n" {
			t.Fatalf("SET: %q", got)
		}
	}
	for i := range hits {
		if got := resp(t, rw, "GET", fmt.Sprint("k", i%keys)); got != "$1\r\n" {
			t.Fatalf("GET an existing key: %q", got)
		}
	}
	for i := range misses {
		if got := resp(t, rw, "GET", fmt.Sprint("missing", i)); got != "$-1\r\n" {
			t.Fatalf("GET a missing key: %q", got)
		}
	}
	tier := scrapeTier(t, d, e.MetricsURL, time.Now())
	want := float64(hits) / (hits + misses)
	since, okS := tier.Value("hit ratio since start")
	interval, okI := tier.Value("hit ratio")
	ops, _ := tier.Value("ops")
	used, _ := tier.Value("memory used")
	maxMem, _ := tier.Value("memory max")
	clients, _ := tier.Value("connected clients")
	t.Logf("hit ratio %.6f since start, %.6f over the interval (want %.6f); ops %.0f/s, memory %.0f of %.0f bytes, %v clients",
		since, interval, want, ops, used, maxMem, clients)
	// Exact but for the last bit: over the interval the ratio is of two
	// rates, each divided by the same seconds before the ratio is taken.
	if !okS || since != want || !okI || math.Abs(interval-want) > 1e-12 {
		t.Errorf("hit ratio %v since start, %v over the interval; want %v (to 1e-12 over the interval)", since, interval, want)
	}
	if tier.Software != "redis" || maxMem != 64<<20 || clients < 1 || ops <= 0 || used <= 0 {
		t.Errorf("tier %+v", tier)
	}

	// The same through the Scraper, as the dashboard and snapshot see it.
	pt := Snapshot(context.Background(), Options{URL: e.MetricsURL}, 200*time.Millisecond)
	if v, ok := pt.Tier.Value("hit ratio since start"); pt.Tier == nil || pt.Tier.Kind != metrics.TierCache || !ok || v != want {
		t.Errorf("snapshot tier %+v; want a cache with hit ratio %v since start", pt.Tier, want)
	}
}

// TestStackPostgres runs a loop of queries: transactions/s rises over the
// idle rate, and the slowest statement (a pg_sleep) leads the table.
func TestStackPostgres(t *testing.T) {
	pg := promtest.StartPostgres(t, "-c", "shared_preload_libraries=pg_stat_statements")
	if out, err := pg.Psql("-c", "CREATE EXTENSION pg_stat_statements", "-c", "SELECT pg_sleep(0.2)"); err != nil {
		t.Fatalf("psql: %v %s\n%s", err, out, pg.Log())
	}
	queries := filepath.Join(t.TempDir(), "queries.yaml")
	if err := os.WriteFile(queries, []byte(promtest.PgStatStatementsQueries), 0o644); err != nil {
		t.Fatal(err)
	}
	e := promtest.StartPostgresExporter(t, pg.DSN, "--extend.query-path="+queries)
	d := newDeriver(Config{})
	scrapeTier(t, d, e.MetricsURL, time.Now())
	time.Sleep(time.Second) // an idle interval: the exporter's own queries only
	idle := scrapeTier(t, d, e.MetricsURL, time.Now())
	idleTx, ok := idle.Value("transactions")
	if !ok {
		t.Fatalf("transactions not known: %+v", idle)
	}
	// PostgreSQL flushes a backend's statistics at most once a second, so
	// the loop runs for seconds and is scraped each second while it runs.
	var loop strings.Builder
	const n = 20000
	for i := range n {
		fmt.Fprintf(&loop, "SELECT %d;\n", i)
	}
	script := filepath.Join(t.TempDir(), "loop.sql")
	if err := os.WriteFile(script, []byte(loop.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		out, err := pg.Psql("-f", script)
		done <- result{out, err}
	}()
	var busy *metrics.Tier
	busyTx := 0.0
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var elapsed float64
	for running := true; running; {
		select {
		case r := <-done:
			if r.err != nil {
				t.Fatalf("psql: %v %s", r.err, r.out)
			}
			elapsed, running = time.Since(start).Seconds(), false
		case <-tick.C:
		}
		tier := scrapeTier(t, d, e.MetricsURL, time.Now())
		tx, _ := tier.Value("transactions")
		t.Logf("%5.2fs: transactions %.0f/s", time.Since(start).Seconds(), tx)
		if busy == nil || tx > busyTx {
			busy, busyTx = tier, tx
		}
	}
	active, _ := busy.Value("active connections")
	maxConn, _ := busy.Value("max connections")
	hit, _ := busy.Value("buffer cache hit ratio since start")
	t.Logf("transactions %.1f/s idle, up to %.1f/s during %d queries in %.2fs (%.0f/s by the client); %v active of %v max connections; buffer cache hit ratio %.4f since start",
		idleTx, busyTx, n, elapsed, n/elapsed, active, maxConn, hit)
	if busyTx < 2*idleTx || busyTx < 100 {
		t.Errorf("transactions up to %.1f/s during the loop, %.1f/s idle; want a rise, to 100/s or more", busyTx, idleTx)
	}
	if busy.Software != "postgresql" || maxConn < 1 || hit <= 0 || hit > 1 {
		t.Errorf("tier %+v", busy)
	}
	if len(busy.Statements) == 0 || busy.Statements[0].Query != "SELECT pg_sleep($1)" || busy.Statements[0].MeanSeconds < 0.2 {
		t.Errorf("statements %+v (%s); want SELECT pg_sleep($1) first, at 0.2 s or more", busy.Statements, busy.StatementsNote)
	} else {
		t.Logf("slowest statement %q: mean %.3fs over %v calls", busy.Statements[0].Query, busy.Statements[0].MeanSeconds, busy.Statements[0].Calls)
	}
}

// TestStackNginx puts a known number of requests through a real nginx and
// reads them back from its stub_status through nginx-prometheus-exporter:
// a load balancer whose request rate is about what was sent, with its
// active connections known and what stub_status lacks said so.
func TestStackNginx(t *testing.T) {
	ng := promtest.StartNginx(t)
	e := promtest.StartNginxExporter(t, ng.StatusURL)
	d := newDeriver(Config{})
	scrapeTier(t, d, e.MetricsURL, time.Now())
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	start := time.Now()
	const n = 300
	for range n {
		resp, err := client.Get(ng.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	tier := scrapeTier(t, d, e.MetricsURL, time.Now())
	elapsed := time.Since(start).Seconds()
	if tier.Kind != metrics.TierLoadBalancer || tier.Software != "nginx" {
		t.Fatalf("tier %+v; want nginx, a load balancer", tier)
	}
	req, ok := tier.Value("requests")
	t.Logf("requests %.0f/s (%d in %.2fs: %.0f/s)", req, n, elapsed, n/elapsed)
	if !ok || req < 0.5*n/elapsed || req > 2*n/elapsed {
		t.Errorf("requests %.0f/s (known %v); want about %.0f/s", req, ok, n/elapsed)
	}
	if _, ok := tier.Value("active connections"); !ok {
		t.Errorf("active connections not known: %+v", tier.Values)
	}
	for _, v := range tier.Values {
		if v.Name == "5xx" && (v.Known || v.Note == "") {
			t.Errorf("5xx: %+v; want unknown, with why", v)
		}
	}
}
