package prom

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/promtest"
)

// TestPythonClientOpenMetrics scrapes a service instrumented with the
// official Python client, which answers OpenMetrics 0.0.1. Its families
// come out as Prometheus ingests them: typed, with help and units, counters
// named x_total, no x_created families; and its RED numbers are rates.
func TestPythonClientOpenMetrics(t *testing.T) {
	py := promtest.StartPythonClient(t)
	exp, err := fetch(context.Background(), &http.Client{}, py.MetricsURL, limits{body: DefaultBodyLimit, series: DefaultSeriesLimit, labels: DefaultLabelLimit, timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("%v\n%s", err, py.Log())
	}
	if exp.Format != "openmetrics" {
		t.Fatalf("format %q; want openmetrics", exp.Format)
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range exp.Families {
		byName[f.GetName()] = f
	}
	want := map[string]dto.MetricType{
		"http_requests_total":           dto.MetricType_COUNTER,
		"http_request_duration_seconds": dto.MetricType_HISTOGRAM,
		"http_requests_in_progress":     dto.MetricType_GAUGE,
		"app_info":                      dto.MetricType_GAUGE,
		"process_cpu_seconds_total":     dto.MetricType_COUNTER,
	}
	for name, typ := range want {
		f := byName[name]
		if f == nil || f.GetType() != typ || f.GetHelp() == "" {
			t.Errorf("%s: %v; want a %v with help", name, f, typ)
		}
	}
	for name := range byName {
		if len(name) > 8 && name[len(name)-8:] == "_created" {
			t.Errorf("a _created family: %s", name)
		}
	}
	if f := byName["http_request_duration_seconds"]; f != nil {
		h := f.GetMetric()[0].GetHistogram()
		if f.GetUnit() != "seconds" || len(h.GetBucket()) < 10 || h.GetSampleCount() == 0 {
			t.Errorf("histogram: unit %q, %d buckets, count %d", f.GetUnit(), len(h.GetBucket()), h.GetSampleCount())
		}
	}
	if f := byName["http_requests_total"]; f != nil {
		codes := []string{}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "code" {
					codes = append(codes, l.GetValue())
				}
			}
		}
		if !slices.Contains(codes, "200") {
			t.Errorf("request counter series by code: %v; want 200 among them", codes)
		}
	}

	// The scraper: rates, the error ratio and the latency.
	s := New(Options{URL: py.MetricsURL, Interval: 500 * time.Millisecond})
	wait := runScraper(t, s)
	wait("RED from the Python client", func(pt *metrics.PromTarget, _ metrics.Health) bool {
		r := pt.RED
		return pt.Up && pt.Format == "openmetrics" && r.HasRequests && r.RequestRate > 5 && r.RequestMetric == "http_requests_total" &&
			r.HasErrors && r.ErrorRatio > 0.05 && r.ErrorRatio < 0.15 && r.HasLatency && r.Latency.P99 > 0.01 && r.Latency.P99 <= 0.025
	})
}
