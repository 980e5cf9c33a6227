package metrics

import "time"

// PromTarget is what a scraped /metrics target says about itself: its
// health, its metric families, and the RED signals derived from them.
// Latencies are in seconds; rates per second.
type PromTarget struct {
	URL    string `json:"url"`
	Up     bool   `json:"up"`
	Error  string `json:"last_error,omitempty"`
	Format string `json:"format,omitempty"` // "protobuf", "openmetrics" or "text"

	ScrapeDuration time.Duration `json:"-"`
	ScrapeSeconds  float64       `json:"scrape_duration_seconds"`
	LastScrape     time.Time     `json:"last_scrape"`
	NextRetry      time.Time     `json:"-"`
	Series         int           `json:"series"`

	RED RED `json:"red"`
	// Watched are the families the dashboard charts, and how: "rate"
	// (counters, per second), "value" (gauges), or "quantiles" (histograms
	// and summaries: p50 and p99).
	Watched   map[string]string `json:"-"`
	Breakdown []BreakdownRow    `json:"breakdown,omitempty"`
	Families  []FamilyInfo      `json:"-"`
	// Tier is the part of the stack the target is (load balancer, cache,
	// database, application) with its panel's numbers; nil when perftop
	// does not recognise the exporter.
	Tier *Tier `json:"tier,omitempty"`
}

// RED are the request signals perftop recognised in a target's metrics.
// Has* say which were found; the rest are zero.
type RED struct {
	RequestMetric  string  `json:"request_metric,omitempty"`
	RequestRate    float64 `json:"request_rate"`
	ErrorRatio     float64 `json:"error_ratio"`
	LatencyMetric  string  `json:"latency_metric,omitempty"`
	Latency        Latency `json:"latency_seconds"`
	InFlightMetric string  `json:"in_flight_metric,omitempty"`
	InFlight       float64 `json:"in_flight"`

	CPUPercent float64 `json:"process_cpu_percent"` // 100 = one core
	RSSBytes   float64 `json:"process_resident_memory_bytes"`
	Goroutines float64 `json:"go_goroutines"`

	HasRequests, HasErrors, HasLatency, HasInFlight, HasProcess, HasGoroutines bool `json:"-"`
}

// Latency is the percentiles perftop derives from a target's histogram.
type Latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
}

// BreakdownRow is one label value's share of the requests, e.g. one
// handler or endpoint.
type BreakdownRow struct {
	Label      string  `json:"label"`
	Value      string  `json:"value"`
	Rate       float64 `json:"rate"`
	ErrorRatio float64 `json:"error_ratio"`
}

// FamilyInfo describes one metric family for the metric browser.
type FamilyInfo struct {
	Name   string
	Type   string // counter, gauge, histogram, summary, untyped
	Help   string
	Series int
}
