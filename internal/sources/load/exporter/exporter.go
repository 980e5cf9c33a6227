// Package exporter exposes a running load test's own metrics in the
// Prometheus format, so one Prometheus server can scrape many perftop
// runners and one dashboard can show their sum. Values are read from the
// engine at scrape time: exporting costs the request loop nothing.
package exporter

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/perftop/perftop/internal/sources/load"
)

// Source is what the exporter reads: a running engine.
type Source interface {
	Stats() load.Stats
}

var _ Source = (*load.Engine)(nil)

// Collector is a prometheus.Collector over a Source.
type Collector struct {
	src                                  Source
	requests, errors, late, inFlight, lv *prometheus.Desc
	latency                              *prometheus.Desc
}

var _ prometheus.Collector = (*Collector)(nil)

// New returns a Collector for src.
func New(src Source) *Collector {
	return &Collector{
		src: src,
		requests: prometheus.NewDesc("perftop_requests_total",
			"Requests finished, by HTTP status (\"error\" when no response came, with the kind of failure).",
			[]string{"status", "kind"}, nil),
		errors: prometheus.NewDesc("perftop_request_failures_total",
			"Failed requests (4xx, 5xx and transport failures), by kind.", []string{"kind"}, nil),
		late: prometheus.NewDesc("perftop_late_sends_total",
			"Open loop: requests that started more than 1ms after their intended time.", nil, nil),
		inFlight: prometheus.NewDesc("perftop_requests_in_flight", "Requests sent and not yet answered.", nil, nil),
		lv: prometheus.NewDesc("perftop_target_level",
			"The rate (requests/s, open loop) or workers (closed loop) the test asks for now.", []string{"mode"}, nil),
		latency: prometheus.NewDesc("perftop_request_duration_seconds",
			"Request latency: in open loop from the intended send time; in closed loop corrected for coordinated omission as wrk does, its count including the samples the correction adds.", nil, nil),
	}
}

// Describe sends the metric descriptions.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.requests, c.errors, c.late, c.inFlight, c.lv, c.latency} {
		ch <- d
	}
}

// Collect reads the engine and sends the metrics.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.src.Stats()
	for code, n := range s.StatusCodes {
		ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(n), strconv.Itoa(code), "")
	}
	for kind, n := range s.ErrorsByKind {
		ch <- prometheus.MustNewConstMetric(c.errors, prometheus.CounterValue, float64(n), kind)
		if kind != "status_4xx" && kind != "status_5xx" {
			ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(n), "error", kind)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.late, prometheus.CounterValue, float64(s.LateSends))
	ch <- prometheus.MustNewConstMetric(c.inFlight, prometheus.GaugeValue, float64(s.InFlight))
	mode := "closed"
	if s.OpenLoop {
		mode = "open"
	}
	ch <- prometheus.MustNewConstMetric(c.lv, prometheus.GaugeValue, s.Target, mode)
	buckets := make(map[float64]uint64, len(s.Latency.Buckets))
	for i, ub := range s.Latency.Buckets {
		buckets[ub] = s.Latency.Counts[i]
	}
	ch <- prometheus.MustNewConstHistogram(c.latency, s.Latency.Count, s.Latency.Sum, buckets)
}
