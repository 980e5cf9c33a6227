package prom

import (
	"fmt"
	"math"
	"slices"

	dto "github.com/prometheus/client_model/go"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
)

// Tier overrides of Config.Tier: a software name forces that recogniser,
// TierNone turns recognition off, empty recognises by metric names.
const (
	TierNone        = "none"
	TierApplication = "application"
)

// TierName is Config.Tier: "", "none", "application", or one of the
// recognised exporters' software names.
type TierName string

// UnmarshalText refuses a tier perftop does not know, so that a typo in the
// config file is an error and not a silently missing panel.
func (n *TierName) UnmarshalText(b []byte) error {
	s := string(b)
	if s != "" && s != TierNone && s != TierApplication && recogniserOf(s) == nil {
		names := []string{TierNone, TierApplication}
		for _, r := range recognisers {
			names = append(names, r.software)
		}
		return fmt.Errorf("tier %q: want one of %v", printable.Line(printable.Cut(s, 40)), names)
	}
	*n = TierName(s)
	return nil
}

// scrapeFamilies is one scrape's families by name.
type scrapeFamilies map[string]*dto.MetricFamily

// rateFunc is the deriver's counter memory: the per-second increase of the
// series key since the previous scrape, a reset read as in PromQL's rate;
// ok is false when there is no previous reading.
type rateFunc func(key uint64, v float64) (rate float64, ok bool)

// recogniser is one exporter: detect tells it by its metric names, derive
// builds its panel (values it lacks are Known false). Both are pure.
type recogniser struct {
	software, kind string
	detect         func(scrapeFamilies) bool
	derive         func(scrapeFamilies, rateFunc) *metrics.Tier
}

// recognisers in the order they are tried. Exporters come before the
// application, whose request counter an exporter may also have.
var recognisers = []recogniser{
	{"haproxy", metrics.TierLoadBalancer, detectHAProxy, deriveHAProxy},
	{"nginx", metrics.TierLoadBalancer, detectNginx, deriveNginx},
	{"redis", metrics.TierCache, detectRedis, deriveRedis},
	{"postgresql", metrics.TierDatabase, detectPostgres, derivePostgres},
}

func recogniserOf(software string) *recogniser {
	for i := range recognisers {
		if recognisers[i].software == software {
			return &recognisers[i]
		}
	}
	return nil
}

// recogniseTier returns the tier of a target from its scrapeFamilies: the one
// override names, else the first recogniser that detects its exporter, else
// the application tier when RED found requests, else nil.
func recogniseTier(override TierName, fs scrapeFamilies, rate rateFunc, red metrics.RED) *metrics.Tier {
	switch override {
	case TierNone:
		return nil
	case TierApplication:
		return applicationTier(red)
	case "":
	default:
		if r := recogniserOf(string(override)); r != nil {
			return r.tier(fs, rate)
		}
		return nil
	}
	for i := range recognisers {
		if r := &recognisers[i]; r.detect(fs) {
			return r.tier(fs, rate)
		}
	}
	if red.HasRequests {
		return applicationTier(red)
	}
	return nil
}

func (r *recogniser) tier(fs scrapeFamilies, rate rateFunc) *metrics.Tier {
	t := r.derive(fs, rate)
	t.Kind, t.Software = r.kind, r.software
	return t
}

// applicationTier is the RED panel's numbers as a tier.
func applicationTier(red metrics.RED) *metrics.Tier {
	return &metrics.Tier{Kind: metrics.TierApplication, Values: []metrics.TierValue{
		{Name: "requests", Value: red.RequestRate, Unit: metrics.UnitPerSecond, Known: red.HasRequests},
		{Name: "error ratio", Value: red.ErrorRatio, Unit: metrics.UnitRatio, Known: red.HasErrors},
		{Name: "p50 latency", Value: red.Latency.P50, Unit: metrics.UnitSeconds, Known: red.HasLatency},
		{Name: "p99 latency", Value: red.Latency.P99, Unit: metrics.UnitSeconds, Known: red.HasLatency},
		{Name: "in flight", Value: red.InFlight, Unit: metrics.UnitCount, Known: red.HasInFlight},
		{Name: "CPU seconds", Value: red.CPUPercent / 100, Unit: metrics.UnitPerSecond, Known: red.HasProcess},
		{Name: "memory", Value: red.RSSBytes, Unit: metrics.UnitBytes, Known: red.HasProcess},
	}}
}

// has reports whether any of names is a family of the scrape.
func (fs scrapeFamilies) has(names ...string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return fs[n] != nil })
}

// usable says whether a value from outside can be added up: NaN, ±Inf and
// negative values (a counter or level cannot be) are left out.
func usable(v float64) bool { return v >= 0 && !math.IsInf(v, 1) }

// keep is a filter on a family's series; nil keeps all.
type keep func(*dto.Metric) bool

func labelIs(name, v string) keep {
	return func(m *dto.Metric) bool { return labelValue(m, name) == v }
}

// sum adds up the usable values of the family's kept series; ok is false
// when the family is missing or has none.
func (fs scrapeFamilies) sum(name string, k keep) (total float64, ok bool) {
	f := fs[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		if v := value(m); usable(v) && (k == nil || k(m)) {
			total, ok = total+v, true
		}
	}
	return total, ok
}

// rateSum adds up the per-second rates of the family's kept series; ok is
// false when no series has a previous reading (the first scrape). A series
// seen for the first time counts 0, as in RED.
func (fs scrapeFamilies) rateSum(name string, k keep, rate rateFunc) (total float64, ok bool) {
	f := fs[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		v := value(m)
		if !usable(v) || k != nil && !k(m) {
			continue
		}
		if r, rated := rate(seriesKey(name, m), v); rated {
			total, ok = total+r, true
		}
	}
	return total, ok
}

// perSecond is a TierValue of a summed rate.
func (fs scrapeFamilies) perSecond(label, family string, k keep, rate rateFunc) metrics.TierValue {
	v, ok := fs.rateSum(family, k, rate)
	return metrics.TierValue{Name: label, Value: v, Unit: metrics.UnitPerSecond, Known: ok}
}

// level is a TierValue of a summed gauge (or a counter's total).
func (fs scrapeFamilies) level(label, family, unit string, k keep) metrics.TierValue {
	v, ok := fs.sum(family, k)
	return metrics.TierValue{Name: label, Value: v, Unit: unit, Known: ok}
}

// ratio is part / whole as a TierValue; unknown, with why, when a part is
// unknown or the whole is 0.
func ratio(label string, part, whole float64, ok bool, empty string) metrics.TierValue {
	v := metrics.TierValue{Name: label, Unit: metrics.UnitRatio}
	switch {
	case !ok:
	case whole <= 0:
		v.Note = empty
	default:
		v.Value, v.Known = min(part/whole, 1), true
	}
	return v
}

// firstLabelValue is label name of the family's first series, on one line
// and cut: a version string for the panel's title.
func (fs scrapeFamilies) firstLabelValue(family, name string) string {
	f := fs[family]
	if f == nil || len(f.GetMetric()) == 0 {
		return ""
	}
	return printable.Line(printable.Cut(labelValue(f.GetMetric()[0], name), 40))
}
