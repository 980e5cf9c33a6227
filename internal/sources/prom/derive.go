package prom

import (
	"math"
	"sort"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/perftop/perftop/internal/metrics"
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
	rate := func(key uint64, v float64) float64 {
		d.cur[key] = v
		prev, ok := d.prev[key]
		if !ok || !rated {
			return 0
		}
		return metrics.CounterRate(prev, v, dt)
	}

	byName := make(map[string]*dto.MetricFamily, len(fams))
	for _, f := range fams {
		byName[f.GetName()] = f
	}
	var rows []metrics.BreakdownRow
	if f := d.pick(byName, d.cfg.RequestMetric, requestNames, "_requests_total", dto.MetricType_COUNTER); f != nil {
		red.HasRequests, red.RequestMetric = true, f.GetName()
		rows = d.requests(f, &red, rate)
	}
	if f := d.pick(byName, d.cfg.LatencyMetric, latencyNames, "_request_duration_seconds", dto.MetricType_HISTOGRAM); f != nil {
		if d.latency(f, &red, rate) {
			red.HasLatency, red.LatencyMetric = true, f.GetName()
		}
		if !red.HasRequests {
			// The histogram counts requests too.
			red.HasRequests, red.RequestMetric = true, f.GetName()+"_count"
			for _, m := range f.GetMetric() {
				if d.matches(m) {
					red.RequestRate += rate(seriesKey(f.GetName()+"_count", m), float64(m.GetHistogram().GetSampleCount()))
				}
			}
		}
	}
	if f := d.inFlight(byName); f != nil {
		red.HasInFlight, red.InFlightMetric = true, f.GetName()
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
		if f := byName[name]; f != nil {
			if d.watched == nil {
				d.watched = map[string]watch{}
			}
			d.watched[name] = d.watchFamily(f, rate)
		}
	}
	d.prev, d.cur = d.cur, d.prev
	d.prevT = t
	return red, rows
}

// watch is the metric browser's chart of one family, reduced to a value or
// two: the sum of a counter's rates or of a gauge's values, or p50 and p99
// of a histogram or summary.
type watch struct {
	kind            string // "rate", "value" or "quantiles"
	value, p50, p99 float64
}

func (d *deriver) watchFamily(f *dto.MetricFamily, rate func(uint64, float64) float64) watch {
	var w watch
	switch f.GetType() {
	case dto.MetricType_COUNTER:
		w.kind = "rate"
		for _, m := range f.GetMetric() {
			w.value += rate(seriesKey(f.GetName(), m), value(m))
		}
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		var red metrics.RED
		if d.latency(f, &red, rate) {
			w.kind, w.p50, w.p99 = "quantiles", red.Latency.P50, red.Latency.P99
		}
	case dto.MetricType_SUMMARY:
		w.kind = "quantiles"
		n := 0.0
		for _, m := range f.GetMetric() {
			for _, q := range m.GetSummary().GetQuantile() {
				switch q.GetQuantile() {
				case 0.5:
					w.p50 += q.GetValue()
				case 0.99:
					w.p99 += q.GetValue()
				}
			}
			n++
		}
		if n > 0 { // the mean over series: summaries cannot be merged
			w.p50, w.p99 = w.p50/n, w.p99/n
		}
	default:
		w.kind = "value"
		for _, m := range f.GetMetric() {
			w.value += value(m)
		}
	}
	return w
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

// requests sums the request counter's rates, its errors, and the breakdown.
func (d *deriver) requests(f *dto.MetricFamily, red *metrics.RED, rate func(uint64, float64) float64) []metrics.BreakdownRow {
	statusLabel := d.cfg.StatusLabel
	group := d.cfg.GroupBy
	if ms := f.GetMetric(); len(ms) > 0 {
		if statusLabel == "" {
			statusLabel = firstLabel(ms[0], statusLabels)
		}
		if group == "" {
			group = firstLabel(ms[0], groupLabels)
		}
	}
	var errs float64
	groups := map[string]*metrics.BreakdownRow{}
	for _, m := range f.GetMetric() {
		if !d.matches(m) {
			continue
		}
		r := rate(seriesKey(f.GetName(), m), value(m))
		red.RequestRate += r
		isErr := false
		if statusLabel != "" {
			red.HasErrors = true
			status := labelValue(m, statusLabel)
			for _, c := range d.cfg.ErrorClasses {
				if strings.HasPrefix(status, c) {
					isErr = true
				}
			}
		}
		if isErr {
			errs += r
		}
		if group != "" {
			v := labelValue(m, group)
			row := groups[v]
			if row == nil {
				row = &metrics.BreakdownRow{Label: group, Value: v}
				groups[v] = row
			}
			row.Rate += r
			if isErr {
				row.ErrorRatio += r // errors for now; a ratio below
			}
		}
	}
	if red.RequestRate > 0 {
		red.ErrorRatio = errs / red.RequestRate
	}
	rows := make([]metrics.BreakdownRow, 0, len(groups))
	for _, r := range groups {
		if r.Rate > 0 {
			r.ErrorRatio /= r.Rate
		} else {
			r.ErrorRatio = 0
		}
		rows = append(rows, *r)
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].Rate > rows[j].Rate || rows[i].Rate == rows[j].Rate && rows[i].Value < rows[j].Value
	})
	return rows
}

// latency computes p50, p90 and p99 of the histogram's increase since the
// last scrape, summed over its series, classic or native.
func (d *deriver) latency(f *dto.MetricFamily, red *metrics.RED, rate func(uint64, float64) float64) bool {
	d.buckets = d.buckets[:0]
	for _, m := range f.GetMetric() {
		if !d.matches(m) {
			continue
		}
		h := m.GetHistogram()
		base := seriesKey(f.GetName(), m)
		if len(h.GetBucket()) > 0 {
			for i, b := range h.GetBucket() {
				if math.IsInf(b.GetUpperBound(), 1) {
					continue // the count below is the +Inf bucket
				}
				d.addBucket(b.GetUpperBound(), rate(base+uint64(i)+1, float64(b.GetCumulativeCount())))
			}
			d.addBucket(math.Inf(1), rate(base, float64(h.GetSampleCount())))
			continue
		}
		nativeBuckets(h, func(upper float64, idx int, cum float64) {
			d.addBucket(upper, rate(base^uint64(idx)*0x9e3779b97f4a7c15, cum))
		})
	}
	if len(d.buckets) == 0 {
		return false
	}
	q := func(p float64) float64 {
		v := metrics.HistogramQuantile(p, d.buckets)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0
		}
		return v
	}
	red.Latency = metrics.Latency{P50: q(0.5), P90: q(0.9), P99: q(0.99)}
	return true
}

// addBucket adds n to the bucket with this bound, keeping one entry per
// bound (series of a family share their bounds, so this stays short).
func (d *deriver) addBucket(upper, n float64) {
	for i := range d.buckets {
		if d.buckets[i].UpperBound == upper {
			d.buckets[i].Count += n
			return
		}
	}
	d.buckets = append(d.buckets, metrics.BucketCount{UpperBound: upper, Count: n})
}

// nativeBuckets walks a native histogram's positive buckets as cumulative
// counts at their upper bounds (base 2^(2^-schema)), the zero bucket first,
// and calls fn for each, then for +Inf with the total.
func nativeBuckets(h *dto.Histogram, fn func(upper float64, idx int, cumulative float64)) {
	if h.GetSchema() == 0 && len(h.GetPositiveSpan()) == 0 && h.GetZeroCount() == 0 {
		return
	}
	cum := float64(h.GetZeroCount()) + h.GetZeroCountFloat()
	fn(h.GetZeroThreshold(), -1<<30, cum)
	base := math.Pow(2, math.Pow(2, -float64(h.GetSchema())))
	idx, count, di := int32(0), int64(0), 0
	deltas := h.GetPositiveDelta()
	for si, span := range h.GetPositiveSpan() {
		if si == 0 {
			idx = span.GetOffset()
		} else {
			idx += span.GetOffset()
		}
		for j := uint32(0); j < span.GetLength() && di < len(deltas); j++ {
			count += deltas[di]
			di++
			cum += float64(count)
			fn(math.Pow(base, float64(idx)), int(idx), cum)
			idx++
		}
	}
	fn(math.Inf(1), 1<<30, float64(h.GetSampleCount())+h.GetSampleCountFloat())
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

// families lists a scrape's families for the metric browser.
func families(fams []*dto.MetricFamily) []metrics.FamilyInfo {
	out := make([]metrics.FamilyInfo, len(fams))
	for i, f := range fams {
		out[i] = metrics.FamilyInfo{Name: f.GetName(), Type: strings.ToLower(f.GetType().String()), Help: f.GetHelp(), Series: len(f.GetMetric())}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
