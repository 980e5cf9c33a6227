package prom

import (
	"math"

	dto "github.com/prometheus/client_model/go"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
)

// HAProxy's built-in exporter (`http-request use-service
// prometheus-exporter`), haproxy_* scrapeFamilies.
func detectHAProxy(fs scrapeFamilies) bool {
	return fs.has("haproxy_process_build_info", "haproxy_frontend_http_requests_total", "haproxy_server_status", "haproxy_backend_http_requests_total")
}

func deriveHAProxy(fs scrapeFamilies, rate rateFunc) *metrics.Tier {
	// Requests the frontends took in, less those HAProxy answered itself
	// (the Prometheus endpoint, stats, redirects): the scrapes are not load.
	req := fs.perSecond("requests", "haproxy_frontend_http_requests_total", nil, rate)
	if own, ok := fs.rateSum("haproxy_frontend_intercepted_requests_total", nil, rate); ok && req.Known {
		req.Value = max(req.Value-own, 0)
	}
	conns := fs.level("active connections", "haproxy_process_current_connections", metrics.UnitCount, nil)
	if !conns.Known {
		conns = fs.level("active connections", "haproxy_frontend_current_sessions", metrics.UnitCount, nil)
	}
	queue := fs.level("queue", "haproxy_backend_current_queue", metrics.UnitCount, nil)
	if !queue.Known {
		queue = fs.level("queue", "haproxy_server_current_queue", metrics.UnitCount, nil)
	}
	t := &metrics.Tier{
		Version: fs.firstLabelValue("haproxy_process_build_info", "version"),
		Values: []metrics.TierValue{
			req,
			conns,
			fs.perSecond("5xx", "haproxy_frontend_http_responses_total", labelIs("code", "5xx"), rate),
			queue,
		},
		Backends: haproxyServers(fs, rate),
	}
	if len(t.Backends) == 0 {
		t.BackendsNote = "no servers exported"
	}
	return t
}

// haproxyServers are the servers of every backend, in the order the
// exporter lists them, with their state, weight and share of their
// backend's balanced requests.
func haproxyServers(fs scrapeFamilies, rate rateFunc) []metrics.TierBackend {
	var out []metrics.TierBackend
	at := map[[2]string]int{}
	server := func(m *dto.Metric) *metrics.TierBackend {
		k := [2]string{labelValue(m, "proxy"), labelValue(m, "server")}
		if k[1] == "" {
			return nil
		}
		if i, ok := at[k]; ok {
			return &out[i]
		}
		if len(out) >= metrics.MaxTierBackends {
			return nil
		}
		at[k] = len(out)
		out = append(out, metrics.TierBackend{Group: printable.Line(printable.Cut(k[0], 80)), Name: printable.Line(printable.Cut(k[1], 80))})
		return &out[len(out)-1]
	}
	if f := fs["haproxy_server_status"]; f != nil {
		for _, m := range f.GetMetric() {
			b := server(m)
			if b == nil {
				continue
			}
			if s := labelValue(m, "state"); s != "" { // 2.4 on: one series per state, 1 for the current one
				if value(m) == 1 {
					b.State = printable.Line(printable.Cut(s, 16))
				}
			} else {
				b.State = haproxyState(value(m))
			}
			b.Up = b.State == "UP"
		}
	}
	if f := fs["haproxy_server_weight"]; f != nil {
		for _, m := range f.GetMetric() {
			if b := server(m); b != nil && usable(value(m)) {
				b.Weight = value(m)
			}
		}
	}
	// Times the server was chosen by the balancing algorithm: the split the
	// weights configure. Sessions where the exporter has no such counter.
	name := "haproxy_server_loadbalanced_total"
	if fs[name] == nil {
		name = "haproxy_server_sessions_total"
	}
	if f := fs[name]; f != nil {
		for _, m := range f.GetMetric() {
			b := server(m)
			if b == nil || !usable(value(m)) {
				continue
			}
			b.Total = value(m)
			b.Rate, b.Known = rate(seriesKey(name, m), b.Total)
		}
	}
	shares(out)
	return out
}

// shares sets each backend's part of its group's rate and total.
func shares(bs []metrics.TierBackend) {
	rates, totals := map[string]float64{}, map[string]float64{}
	for _, b := range bs {
		rates[b.Group] += b.Rate
		totals[b.Group] += b.Total
	}
	for i := range bs {
		b := &bs[i]
		if r := rates[b.Group]; r > 0 && !math.IsInf(r, 0) {
			b.Share = b.Rate / r
		}
		if t := totals[b.Group]; t > 0 && !math.IsInf(t, 0) {
			b.TotalShare = b.Total / t
		}
	}
}

// haproxyState is the numeric haproxy_server_status of HAProxy before 2.4.
func haproxyState(v float64) string {
	switch v {
	case 0:
		return "DOWN"
	case 1:
		return "UP"
	case 2:
		return "MAINT"
	case 3:
		return "DRAIN"
	case 4:
		return "NOLB"
	}
	return "unknown"
}

// nginx through nginx-prometheus-exporter, which reads stub_status: no
// status codes, queue or upstreams (those are NGINX Plus's).
func detectNginx(fs scrapeFamilies) bool {
	return fs.has("nginx_connections_active", "nginx_http_requests_total")
}

func deriveNginx(fs scrapeFamilies, rate rateFunc) *metrics.Tier {
	// Connections accepted but not handled were dropped: a worker_connections
	// limit reached.
	dropped := metrics.TierValue{Name: "dropped connections", Unit: metrics.UnitPerSecond}
	acc, okA := fs.rateSum("nginx_connections_accepted", nil, rate)
	hand, okH := fs.rateSum("nginx_connections_handled", nil, rate)
	if okA && okH {
		dropped.Value, dropped.Known = max(acc-hand, 0), true
	}
	notInStub := "not in stub_status"
	return &metrics.Tier{
		Values: []metrics.TierValue{
			fs.perSecond("requests", "nginx_http_requests_total", nil, rate),
			fs.level("active connections", "nginx_connections_active", metrics.UnitCount, nil),
			{Name: "5xx", Unit: metrics.UnitPerSecond, Note: notInStub},
			{Name: "queue", Unit: metrics.UnitCount, Note: notInStub},
			dropped,
			fs.level("waiting connections", "nginx_connections_waiting", metrics.UnitCount, nil),
		},
		BackendsNote: "upstreams not in stub_status (NGINX Plus exports them)",
	}
}
