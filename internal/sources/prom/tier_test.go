package prom

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"go.yaml.in/yaml/v3"

	"github.com/perftop/perftop/internal/metrics"
)

// Captures in testdata, each a pair of scrapes of the real exporter from
// Debian 12 taken a few seconds apart under a little load; the tests
// derive them as if they were captureGap apart.
//
//   - haproxy-1/2: HAProxy 2.6.12, a frontend and a backend of two servers
//     at weights 3:1, 200 requests between the scrapes; haproxy-down: the
//     second server stopped and marked DOWN by its health check.
//   - nginx-1/2: nginx 1.22 stub_status through nginx-prometheus-exporter
//     0.11, 100 requests between the scrapes.
//   - redis-1/2: Redis 7.0.15 through redis_exporter 1.45, maxmemory 64 MiB;
//     30 hits and 10 misses between the scrapes, 55 and 15 since start.
//   - postgres-1/2: PostgreSQL 15 through postgres_exporter 0.11.1 with the
//     pg_stat_statements query of the README; 52 transactions (one rolled
//     back) between the scrapes, one of them a pg_sleep(0.05).
const captureGap = 2 * time.Second

func readCapture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tierOf derives the tier of scrapes taken captureGap apart.
func tierOf(t testing.TB, cfg Config, scrapes ...[]byte) *metrics.Tier {
	t.Helper()
	d := newDeriver(cfg)
	for i, b := range scrapes {
		d.derive(t0.Add(time.Duration(i)*captureGap), decode(t, b, expfmt.NewFormat(expfmt.TypeTextPlain)))
	}
	return d.tier
}

func captures(t testing.TB, names ...string) [][]byte {
	out := make([][]byte, len(names))
	for i, n := range names {
		out[i] = readCapture(t, n)
	}
	return out
}

// want is a tier value expected: known with v (within 1e-9 relative), or
// unknown when v is NaN.
type want map[string]float64

var unknown = math.NaN()

func checkValues(t *testing.T, tier *metrics.Tier, w want) {
	t.Helper()
	for name, v := range w {
		got, ok := tier.Value(name)
		switch {
		case math.IsNaN(v) && ok:
			t.Errorf("%s = %v; want not known", name, got)
		case !math.IsNaN(v) && !ok:
			t.Errorf("%s not known; want %v", name, v)
		case !math.IsNaN(v) && math.Abs(got-v) > 1e-9*math.Max(1, math.Abs(v)):
			t.Errorf("%s = %v; want %v", name, got, v)
		}
	}
	seen := map[string]bool{}
	for _, v := range tier.Values {
		if seen[v.Name] {
			t.Errorf("value %q twice", v.Name)
		}
		seen[v.Name] = true
		if v.Unit == "" || math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
			t.Errorf("value %+v: want a unit and a finite number", v)
		}
	}
}

func TestTierCaptures(t *testing.T) {
	gap := captureGap.Seconds()
	tests := []struct {
		name, kind, software, version string
		scrapes                       []string
		values                        want
		backends                      []metrics.TierBackend // Group, Name, State, Up, Weight, Share, TotalShare, Known
		statements                    string                // the slowest statement
		statementsNote                string
	}{
		{
			name: "haproxy", kind: "load balancer", software: "haproxy", version: "2.6.12-1+deb12u4",
			scrapes: []string{"haproxy-1", "haproxy-2"},
			values:  want{"requests": 200 / gap, "active connections": 1, "5xx": 0, "queue": 0},
			backends: []metrics.TierBackend{
				{Group: "be", Name: "a", State: "UP", Up: true, Weight: 3, Share: 0.75, TotalShare: 226.0 / 301, Known: true},
				{Group: "be", Name: "b", State: "UP", Up: true, Weight: 1, Share: 0.25, TotalShare: 75.0 / 301, Known: true},
			},
		},
		{
			name: "haproxy first scrape", kind: "load balancer", software: "haproxy", version: "2.6.12-1+deb12u4",
			scrapes: []string{"haproxy-1"},
			values:  want{"requests": unknown, "active connections": 1, "5xx": unknown, "queue": 0},
			backends: []metrics.TierBackend{
				{Group: "be", Name: "a", State: "UP", Up: true, Weight: 3, TotalShare: 76.0 / 101},
				{Group: "be", Name: "b", State: "UP", Up: true, Weight: 1, TotalShare: 25.0 / 101},
			},
		},
		{
			name: "haproxy server down", kind: "load balancer", software: "haproxy", version: "2.6.12-1+deb12u4",
			scrapes: []string{"haproxy-2", "haproxy-down"},
			values:  want{"requests": 20 / gap},
			backends: []metrics.TierBackend{
				{Group: "be", Name: "a", State: "UP", Up: true, Weight: 3, Share: 1, TotalShare: 246.0 / 321, Known: true},
				{Group: "be", Name: "b", State: "DOWN", Weight: 1, Share: 0, TotalShare: 75.0 / 321, Known: true},
			},
		},
		{
			name: "nginx", kind: "load balancer", software: "nginx",
			scrapes: []string{"nginx-1", "nginx-2"},
			values:  want{"requests": 101 / gap, "active connections": 1, "5xx": unknown, "queue": unknown, "dropped connections": 0, "waiting connections": 0},
		},
		{
			name: "redis", kind: "cache", software: "redis", version: "7.0.15",
			scrapes: []string{"redis-1", "redis-2"},
			values: want{"hit ratio": 30.0 / 40, "hit ratio since start": 55.0 / 70, "ops": 46 / gap, "memory used": 1115520,
				"memory max": 64 << 20, "evictions": 0, "connected clients": 1},
		},
		{
			name: "redis first scrape", kind: "cache", software: "redis", version: "7.0.15",
			scrapes: []string{"redis-1"},
			values:  want{"hit ratio": unknown, "hit ratio since start": 25.0 / 30, "ops": unknown, "evictions": unknown},
		},
		{
			name: "postgresql", kind: "database", software: "postgresql", version: "15.18.0",
			scrapes: []string{"postgres-1", "postgres-2"},
			values: want{"transactions": (952 - 885 + 1) / gap, "active connections": 1, "connections": 2, "max connections": 100,
				"buffer cache hit ratio": 1632.0 / (1632 + 90), "buffer cache hit ratio since start": 120638.0 / (120638 + 1550),
				"deadlocks": 0, "deadlocks since start": 0, "rows fetched": (27465 - 26310) / gap, "rows returned": (83935 - 72754) / gap},
			statements: "select pg_sleep($1)",
		},
		{
			name: "node_exporter is no tier", scrapes: []string{"node_exporter"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tier := tierOf(t, Config{}, captures(t, tt.scrapes...)...)
			if tt.kind == "" {
				if tier != nil {
					t.Fatalf("tier %+v; want none", tier)
				}
				return
			}
			if tier == nil {
				t.Fatal("no tier")
			}
			if tier.Kind != tt.kind || tier.Software != tt.software || tier.Version != tt.version {
				t.Errorf("kind %q software %q version %q; want %q %q %q", tier.Kind, tier.Software, tier.Version, tt.kind, tt.software, tt.version)
			}
			checkValues(t, tier, tt.values)
			if len(tier.Backends) != len(tt.backends) {
				t.Fatalf("backends %+v; want %+v", tier.Backends, tt.backends)
			}
			for i, w := range tt.backends {
				g := tier.Backends[i]
				if g.Group != w.Group || g.Name != w.Name || g.State != w.State || g.Up != w.Up || g.Weight != w.Weight || g.Known != w.Known ||
					math.Abs(g.Share-w.Share) > 1e-9 || math.Abs(g.TotalShare-w.TotalShare) > 1e-9 {
					t.Errorf("backend %d = %+v; want %+v", i, g, w)
				}
			}
			if tt.software == "postgresql" {
				checkStatements(t, tier, tt.statements)
			}
		})
	}
}

func checkStatements(t *testing.T, tier *metrics.Tier, slowest string) {
	t.Helper()
	if len(tier.Statements) == 0 || len(tier.Statements) > metrics.MaxTierStatements {
		t.Fatalf("%d statements (%s); want 1 to %d", len(tier.Statements), tier.StatementsNote, metrics.MaxTierStatements)
	}
	if s := tier.Statements[0]; s.Query != slowest || s.Database != "postgres" || s.Calls != 1 || math.Abs(s.MeanSeconds-0.050110224) > 1e-12 {
		t.Errorf("slowest statement %+v; want %q, 1 call, 0.050110224 s", s, slowest)
	}
	for i, s := range tier.Statements {
		if strings.ContainsAny(s.Query, "\n\t") || i > 0 && s.MeanSeconds > tier.Statements[i-1].MeanSeconds {
			t.Errorf("statement %d %+v: want one line, slowest first", i, s)
		}
	}
}

// TestTierStatementsNotExposed: without pg_stat_statements the panel says
// so, and a statement-only family set from the stat_statements collector
// (calls_total, seconds_total, no text) gives means by queryid.
func TestTierStatements(t *testing.T) {
	tier := tierOf(t, Config{}, []byte("pg_up 1\npg_stat_database_xact_commit{datname=\"a\"} 1\n"))
	if tier == nil || tier.Statements != nil || tier.StatementsNote != "pg_stat_statements not exposed" {
		t.Errorf("tier %+v; want no statements, said", tier)
	}
	tier = tierOf(t, Config{}, []byte(`pg_up 1
pg_stat_statements_calls_total{datname="a",queryid="1",user="u"} 4
pg_stat_statements_calls_total{datname="a",queryid="2",user="u"} 0
pg_stat_statements_calls_total{datname="a",queryid="3",user="u"} 2
pg_stat_statements_seconds_total{datname="a",queryid="1",user="u"} 2
pg_stat_statements_seconds_total{datname="a",queryid="2",user="u"} 5
pg_stat_statements_seconds_total{datname="a",queryid="3",user="u"} 3
`))
	want := []metrics.TierStatement{{Query: "queryid 3", Database: "a", MeanSeconds: 1.5, Calls: 2}, {Query: "queryid 1", Database: "a", MeanSeconds: 0.5, Calls: 4}}
	if fmt.Sprint(tier.Statements) != fmt.Sprint(want) {
		t.Errorf("statements %+v; want %+v", tier.Statements, want)
	}
}

// TestTierHostile: a target is data from outside. Odd values are left out,
// never a panic or a NaN on screen; what is kept is bounded.
func TestTierHostile(t *testing.T) {
	var many strings.Builder
	many.WriteString("haproxy_process_build_info{version=\"x\"} 1\n# TYPE haproxy_server_loadbalanced_total counter\n")
	for i := range 1000 {
		fmt.Fprintf(&many, "haproxy_server_loadbalanced_total{proxy=\"p\",server=\"s%d\"} %d\n", i, i)
	}
	var stmts strings.Builder
	stmts.WriteString("pg_up 1\n")
	for i := range 500 {
		fmt.Fprintf(&stmts, "pg_stat_statements_calls{queryid=\"%d\",query=\"q\\n\t%d\x1b[31m\"} 1\npg_stat_statements_mean_time_seconds{queryid=\"%d\",query=\"q\\n\t%d\x1b[31m\"} %d\n", i, i, i, i, i)
	}
	tests := []struct {
		name    string
		scrapes []string
		check   func(*testing.T, *metrics.Tier)
	}{
		{"NaN and negative values", []string{
			"redis_keyspace_hits_total NaN\nredis_keyspace_misses_total -5\nredis_memory_used_bytes +Inf\nredis_connected_clients -1\n",
			"redis_keyspace_hits_total NaN\nredis_keyspace_misses_total -3\nredis_memory_used_bytes +Inf\nredis_connected_clients -1\n",
		}, func(t *testing.T, tier *metrics.Tier) {
			checkValues(t, tier, want{"hit ratio": unknown, "hit ratio since start": unknown, "memory used": unknown, "connected clients": unknown})
		}},
		{"a reset counter is not negative", []string{
			"redis_keyspace_hits_total 100\nredis_keyspace_misses_total 100\n",
			"redis_keyspace_hits_total 3\nredis_keyspace_misses_total 1\n",
		}, func(t *testing.T, tier *metrics.Tier) {
			checkValues(t, tier, want{"hit ratio": 0.75, "hit ratio since start": 0.75})
		}},
		{"no lookups", []string{"redis_keyspace_hits_total 0\nredis_keyspace_misses_total 0\nredis_memory_max_bytes 0\n"},
			func(t *testing.T, tier *metrics.Tier) {
				checkValues(t, tier, want{"hit ratio since start": unknown, "memory max": unknown})
				for _, v := range tier.Values {
					if (v.Name == "hit ratio since start" || v.Name == "memory max") && v.Note == "" {
						t.Errorf("%s: no note", v.Name)
					}
				}
			}},
		{"missing labels", []string{
			"haproxy_server_status 1\nhaproxy_server_weight{proxy=\"p\"} 1\nhaproxy_server_status{proxy=\"p\",server=\"s\"} 7\nhaproxy_frontend_http_responses_total 3\n",
		}, func(t *testing.T, tier *metrics.Tier) {
			if len(tier.Backends) != 1 || tier.Backends[0].State != "unknown" || tier.Backends[0].Up {
				t.Errorf("backends %+v; want one, in an unknown state", tier.Backends)
			}
		}},
		{"a thousand servers", []string{many.String(), many.String()}, func(t *testing.T, tier *metrics.Tier) {
			if len(tier.Backends) != metrics.MaxTierBackends || tier.Backends[0].Name != "s0" {
				t.Errorf("%d backends, first %+v; want the first %d", len(tier.Backends), tier.Backends[0], metrics.MaxTierBackends)
			}
		}},
		{"five hundred statements with controls", []string{stmts.String()}, func(t *testing.T, tier *metrics.Tier) {
			if len(tier.Statements) != metrics.MaxTierStatements || tier.Statements[0].Query != "q 499 [31m" {
				t.Errorf("statements %+v; want %d, the slowest first, on one line", tier.Statements, metrics.MaxTierStatements)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scrapes := make([][]byte, len(tt.scrapes))
			for i, s := range tt.scrapes {
				scrapes[i] = []byte(s)
			}
			tier := tierOf(t, Config{}, scrapes...)
			if tier == nil {
				t.Fatal("no tier")
			}
			tt.check(t, tier)
		})
	}
}

// TestTierOverride: the config names the tier when the names mislead, or
// turns the panel off; an unknown name is refused when the file is read.
func TestTierOverride(t *testing.T) {
	red := []byte(exposition(100, 10, 50, 3, 1.0, [4]int{100, 150, 160, 160}))
	redis := readCapture(t, "redis-2")
	tests := []struct {
		name     string
		cfg      TierName
		scrape   []byte
		software string // "-" for no tier
		kind     string
	}{
		{"application detected", "", red, "", "application"},
		{"exporter before application", "", redis, "redis", "cache"},
		{"none", TierNone, redis, "-", ""},
		{"forced", "postgresql", redis, "postgresql", "database"},
		{"forced application", TierApplication, red, "", "application"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tier := tierOf(t, Config{Tier: tt.cfg}, tt.scrape)
			if tt.software == "-" {
				if tier != nil {
					t.Errorf("tier %+v; want none", tier)
				}
				return
			}
			if tier == nil || tier.Software != tt.software || tier.Kind != tt.kind {
				t.Errorf("tier %+v; want %s %s", tier, tt.kind, tt.software)
			}
		})
	}
	var c Config
	if err := yaml.Unmarshal([]byte("tier: redis\n"), &c); err != nil || c.Tier != "redis" {
		t.Errorf("tier: redis gives %q, %v", c.Tier, err)
	}
	err := yaml.Unmarshal([]byte("tier: mysql\n"), &c)
	if err == nil || !strings.Contains(err.Error(), `tier "mysql": want one of [none application haproxy nginx redis postgresql]`) {
		t.Errorf("tier: mysql gives %v", err)
	}
}
