package prom

import (
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
)

// Config names the metrics to read when auto-detection picks the wrong
// ones. Every field is optional.
type Config struct {
	RequestMetric  string `yaml:"request_metric"`   // a counter of requests
	LatencyMetric  string `yaml:"latency_metric"`   // a histogram of durations in seconds
	InFlightMetric string `yaml:"in_flight_metric"` // a gauge
	StatusLabel    string `yaml:"status_label"`     // the label holding the HTTP status
	// ErrorClasses are status prefixes counted as errors; default ["5"].
	ErrorClasses []string `yaml:"error_classes"`
	// GroupBy is the label of the breakdown table; default the first of
	// handler, endpoint, route, path, uri, method that the requests have.
	GroupBy string `yaml:"group_by"`
	// Match keeps only series with these label values.
	Match map[string]string `yaml:"match"`
	// Tier names the target's place in the stack when recognition by
	// metric names would get it wrong: "haproxy", "nginx", "redis",
	// "postgresql", "application", or "none" for no tier panel.
	Tier TierName `yaml:"tier"`
}

var (
	requestNames  = []string{"http_requests_total", "http_server_requests_total", "http_server_requests_seconds_count", "requests_total"}
	latencyNames  = []string{"http_request_duration_seconds", "http_server_request_duration_seconds", "http_server_requests_seconds", "request_duration_seconds"}
	statusLabels  = []string{"code", "status", "status_code", "response_code"}
	groupLabels   = []string{"handler", "endpoint", "route", "path", "uri", "method"}
	inFlightHints = []string{"in_flight", "inflight", "in_progress", "concurrent"}
)

// deriver turns successive scrapes into rates and quantiles. Counter values
// are remembered by a hash of the series, in two maps swapped each scrape,
// so deriving allocates nothing per series once the maps have grown.
type deriver struct {
	cfg       Config
	watch     []string         // the families the dashboard charts
	watched   map[string]watch // their values from the last scrape
	prevT     time.Time
	prev, cur map[uint64]float64
	buckets   []metrics.BucketCount
	bucketAt  map[float64]int // index of buckets by bound, once there are many
	tier      *metrics.Tier   // the stack tier recognised in the last scrape
}

func newDeriver(cfg Config) *deriver {
	if len(cfg.ErrorClasses) == 0 {
		cfg.ErrorClasses = []string{"5"}
	}
	return &deriver{cfg: cfg, prev: map[uint64]float64{}, cur: map[uint64]float64{}}
}

// derive reads one scrape taken at t. Rates need a previous scrape; the
// first one gives levels only.
func (d *deriver) derive(t time.Time, fams []*dto.MetricFamily) (metrics.RED, []metrics.BreakdownRow) {
	dt := t.Sub(d.prevT)
	rated := !d.prevT.IsZero() && dt > 0
	clear(d.cur)
	var red metrics.RED
	rateOK := func(key uint64, v float64) (float64, bool) {
		d.cur[key] = v
		prev, ok := d.prev[key]
		if !ok || !rated {
			return 0, false
		}
		return metrics.CounterRate(prev, v, dt), true
	}
	rate := func(key uint64, v float64) float64 {
		r, _ := rateOK(key, v)
		return r
	}

	byName := make(map[string]*dto.MetricFamily, len(fams))
	for _, f := range fams {
		byName[f.GetName()] = f
	}
	var rows []metrics.BreakdownRow
	if f := d.pick(byName, d.cfg.RequestMetric, requestNames, "_requests_total", dto.MetricType_COUNTER); f != nil {
		red.HasRequests, red.RequestMetric = true, printable.Line(f.GetName())
		rows = d.requests(f, &red, rate)
	}
	if f := d.pick(byName, d.cfg.LatencyMetric, latencyNames, "_request_duration_seconds", dto.MetricType_HISTOGRAM); f != nil {
		if d.latency(f, &red, rate) {
			red.HasLatency, red.LatencyMetric = true, printable.Line(f.GetName())
		}
		if !red.HasRequests {
			// The histogram counts requests too.
			red.HasRequests, red.RequestMetric = true, printable.Line(f.GetName())+"_count"
			for _, m := range f.GetMetric() {
				if d.matches(m) {
					red.RequestRate += rate(seriesKey(f.GetName()+"_count", m), float64(m.GetHistogram().GetSampleCount()))
				}
			}
		}
	}
	if f := d.inFlight(byName); f != nil {
		red.HasInFlight, red.InFlightMetric = true, printable.Line(f.GetName())
		for _, m := range f.GetMetric() {
			if d.matches(m) {
				red.InFlight += value(m)
			}
		}
	}
	if f := byName["process_cpu_seconds_total"]; f != nil && len(f.GetMetric()) > 0 {
		red.HasProcess = true
		red.CPUPercent = rate(seriesKey(f.GetName(), f.GetMetric()[0]), value(f.GetMetric()[0])) * 100
	}
	if f := byName["process_resident_memory_bytes"]; f != nil && len(f.GetMetric()) > 0 {
		red.HasProcess = true
		red.RSSBytes = value(f.GetMetric()[0])
	}
	if f := byName["go_goroutines"]; f != nil && len(f.GetMetric()) > 0 {
		red.HasGoroutines = true
		red.Goroutines = value(f.GetMetric()[0])
	}
	clear(d.watched)
	for _, name := range d.watch {
		if f := watched(byName, fams, name); f != nil {
			if d.watched == nil {
				d.watched = map[string]watch{}
			}
			d.watched[name] = d.watchFamily(f, rate)
		}
	}
	d.tier = recogniseTier(d.cfg.Tier, byName, rateOK, red)
	d.prev, d.cur = d.cur, d.prev
	d.prevT = t
	return red, rows
}

// watched finds the family the dashboard asked for by the name it was shown,
// which printable.Line may have changed.
func watched(byName map[string]*dto.MetricFamily, fams []*dto.MetricFamily, name string) *dto.MetricFamily {
	if f := byName[name]; f != nil {
		return f
	}
	for _, f := range fams {
		if printable.Line(f.GetName()) == name {
			return f
		}
	}
	return nil
}

// pick returns the family named by the config, else the first of names
// present with the right type, else any family of that type whose name
// ends with suffix.
func (d *deriver) pick(byName map[string]*dto.MetricFamily, configured string, names []string, suffix string, typ dto.MetricType) *dto.MetricFamily {
	if configured != "" {
		return byName[configured]
	}
	for _, n := range names {
		if f := byName[n]; f != nil && (f.GetType() == typ || typ == dto.MetricType_COUNTER && f.GetType() == dto.MetricType_UNTYPED) {
			return f
		}
	}
	var best *dto.MetricFamily
	for n, f := range byName {
		if f.GetType() == typ && strings.HasSuffix(n, suffix) && servesRequests(f) && (best == nil || n < best.GetName()) {
			best = f
		}
	}
	return best
}

// servesRequests tells a service's request metric from look-alikes such as
// node_disk_flush_requests_total, and from promhttp's count of the scrapes
// themselves: the name says HTTP or gRPC, or the series carry a status.
func servesRequests(f *dto.MetricFamily) bool {
	n := f.GetName()
	if strings.HasPrefix(n, "promhttp_") {
		return false
	}
	if strings.Contains(n, "http") || strings.Contains(n, "grpc") {
		return true
	}
	ms := f.GetMetric()
	return len(ms) > 0 && firstLabel(ms[0], statusLabels) != ""
}

func (d *deriver) inFlight(byName map[string]*dto.MetricFamily) *dto.MetricFamily {
	if d.cfg.InFlightMetric != "" {
		return byName[d.cfg.InFlightMetric]
	}
	var best *dto.MetricFamily
	for n, f := range byName {
		if f.GetType() != dto.MetricType_GAUGE || strings.HasPrefix(n, "promhttp_") {
			continue // promhttp's gauge counts scrapes in flight, not requests
		}
		for _, h := range inFlightHints {
			if strings.Contains(n, h) && (best == nil || n < best.GetName()) {
				best = f
			}
		}
	}
	return best
}

func (d *deriver) matches(m *dto.Metric) bool {
	for k, v := range d.cfg.Match {
		if labelValue(m, k) != v {
			return false
		}
	}
	return true
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Untyped != nil:
		return m.GetUntyped().GetValue()
	}
	return 0
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func firstLabel(m *dto.Metric, names []string) string {
	for _, n := range names {
		for _, l := range m.GetLabel() {
			if l.GetName() == n {
				return n
			}
		}
	}
	return ""
}

// seriesKey hashes a series' name and labels (FNV-1a) without allocating.
func seriesKey(name string, m *dto.Metric) uint64 {
	h := uint64(14695981039346656037)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	add(name)
	for _, l := range m.GetLabel() {
		add(l.GetName())
		add(l.GetValue())
	}
	return h
}
