package prom

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	"google.golang.org/protobuf/proto"
)

// readOpenMetrics decodes OpenMetrics (any 0.0.1 or 1.0.0 version string,
// as the official Python and Java clients send) with Prometheus's own
// parser, textparse, into the families the rest of the package reads.
// expfmt has no OpenMetrics decoder: its text decoder read the Python
// client's counters as untyped families of their own (`x_total`,
// `x_created`), with no help, and charted totals instead of rates. The
// shapes follow Prometheus's ingestion: a counter family x holds the
// samples x_total and is named x_total; x_created series are skipped;
// units are kept on the family; exemplars are ignored; info is a gauge
// x_info, stateset a gauge, gaugehistogram a histogram.
//
// The body is read whole (at most the body limit); the series, label and
// decoded-size limits are checked as it is converted.
func readOpenMetrics(body io.Reader, lim limits) (*Exposition, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > lim.body {
		return nil, bodyTooLarge(lim.body)
	}
	p := textparse.NewOpenMetricsParser(data, labels.NewSymbolTable(), textparse.WithOMParserSTSeriesSkipped())
	c := omConverter{lim: lim, exp: &Exposition{Format: "openmetrics"}, byName: map[string]*omFamily{}}
	for {
		entry, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, parseError(err)
		}
		if err := c.entry(p, entry); err != nil {
			return nil, err
		}
	}
	for _, f := range c.order {
		if len(f.mf.Metric) > 0 {
			c.exp.Families = append(c.exp.Families, f.mf)
		}
	}
	return c.exp, nil
}

// omFamily is a family being filled: its metrics by their labels (without
// le and quantile, whose samples make one histogram or summary).
type omFamily struct {
	name    string // the OpenMetrics family name, before suffixes
	omType  model.MetricType
	mf      *dto.MetricFamily
	metrics map[string]*dto.Metric
}

type omConverter struct {
	lim    limits
	exp    *Exposition
	byName map[string]*omFamily
	order  []*omFamily
	cur    *omFamily
	cost   int64
	lbls   labels.Labels
}

func (c *omConverter) family(name string) *omFamily {
	if f, ok := c.byName[name]; ok {
		return f
	}
	f := &omFamily{name: name, omType: model.MetricTypeUnknown, mf: &dto.MetricFamily{Name: proto.String(name), Type: dto.MetricType_UNTYPED.Enum()},
		metrics: map[string]*dto.Metric{}}
	c.byName[name] = f
	c.order = append(c.order, f)
	return f
}

func (c *omConverter) entry(p textparse.Parser, entry textparse.Entry) error {
	switch entry {
	case textparse.EntryType:
		name, t := p.Type()
		c.cur = c.family(string(name))
		c.cur.setType(t)
	case textparse.EntryHelp:
		name, help := p.Help()
		c.family(string(name)).mf.Help = proto.String(string(help))
	case textparse.EntryUnit:
		name, unit := p.Unit()
		c.family(string(name)).mf.Unit = proto.String(string(unit))
	case textparse.EntrySeries:
		_, ts, v := p.Series()
		p.Labels(&c.lbls)
		return c.sample(c.lbls, ts, v)
	}
	return nil // comments; native histograms do not exist in OpenMetrics 1
}

// setType gives the family its type and its dto name.
func (f *omFamily) setType(t model.MetricType) {
	f.omType = t
	switch t {
	case model.MetricTypeCounter:
		f.mf.Type, f.mf.Name = dto.MetricType_COUNTER.Enum(), proto.String(f.name+"_total")
	case model.MetricTypeGauge, model.MetricTypeStateset:
		f.mf.Type = dto.MetricType_GAUGE.Enum()
	case model.MetricTypeInfo:
		f.mf.Type, f.mf.Name = dto.MetricType_GAUGE.Enum(), proto.String(f.name+"_info")
	case model.MetricTypeHistogram, model.MetricTypeGaugeHistogram:
		f.mf.Type = dto.MetricType_HISTOGRAM.Enum()
	case model.MetricTypeSummary:
		f.mf.Type = dto.MetricType_SUMMARY.Enum()
	}
}

// sample adds one sample to its family's metric.
func (c *omConverter) sample(ls labels.Labels, ts *int64, v float64) error {
	name := ls.Get(model.MetricNameLabel)
	f := c.cur
	suffix, ok := "", false
	if f != nil {
		suffix, ok = strings.CutPrefix(name, f.name)
	}
	if !ok || !validSuffix(f.omType, suffix) {
		f = c.family(name) // a sample outside its family: unknown, on its own
		suffix = ""
	}
	if ls.Len()-1 > int(c.lim.labels) {
		return tooManyLabels(c.lim.labels)
	}
	var pairs []*dto.LabelPair
	var key strings.Builder
	var le, quantile string
	ls.Range(func(l labels.Label) {
		switch {
		case l.Name == model.MetricNameLabel:
			return
		case l.Name == model.BucketLabel && (f.omType == model.MetricTypeHistogram || f.omType == model.MetricTypeGaugeHistogram):
			le = l.Value
			return
		case l.Name == model.QuantileLabel && f.omType == model.MetricTypeSummary:
			quantile = l.Value
			return
		}
		pairs = append(pairs, &dto.LabelPair{Name: proto.String(l.Name), Value: proto.String(l.Value)})
		key.WriteString(l.Name)
		key.WriteByte(0)
		key.WriteString(l.Value)
		key.WriteByte(0)
	})
	m, ok := f.metrics[key.String()]
	if !ok {
		c.cost += 200 + int64(key.Len())*2
		if c.cost > c.lim.decoded() {
			return tooDense(c.lim.body)
		}
		if c.exp.Series++; int64(c.exp.Series) > c.lim.series {
			return tooManySeries(c.lim.series)
		}
		m = &dto.Metric{Label: pairs}
		if ts != nil {
			m.TimestampMs = proto.Int64(*ts)
		}
		f.metrics[key.String()] = m
		f.mf.Metric = append(f.mf.Metric, m)
	}
	return c.fill(f, m, suffix, le, quantile, v)
}

// validSuffix reports whether a sample named family+suffix belongs to a
// family of type t.
func validSuffix(t model.MetricType, suffix string) bool {
	switch t {
	case model.MetricTypeCounter:
		return suffix == "_total"
	case model.MetricTypeInfo:
		return suffix == "_info"
	case model.MetricTypeHistogram:
		return suffix == "_bucket" || suffix == "_count" || suffix == "_sum"
	case model.MetricTypeGaugeHistogram:
		return suffix == "_bucket" || suffix == "_gcount" || suffix == "_gsum"
	case model.MetricTypeSummary:
		return suffix == "" || suffix == "_count" || suffix == "_sum"
	}
	return suffix == ""
}

func (c *omConverter) fill(f *omFamily, m *dto.Metric, suffix, le, quantile string, v float64) error {
	switch f.mf.GetType() {
	case dto.MetricType_COUNTER:
		m.Counter = &dto.Counter{Value: proto.Float64(v)}
	case dto.MetricType_GAUGE:
		m.Gauge = &dto.Gauge{Value: proto.Float64(v)}
	case dto.MetricType_HISTOGRAM:
		if m.Histogram == nil {
			m.Histogram = &dto.Histogram{}
		}
		h := m.Histogram
		switch suffix {
		case "_bucket":
			bound, err := strconv.ParseFloat(le, 64)
			if err != nil {
				return fmt.Errorf("parse error: %s: le=%q is not a number", f.name, le)
			}
			if math.IsInf(bound, +1) {
				return nil // the count says as much
			}
			if len(h.Bucket) > maxBuckets {
				return limitErrorf("a histogram with more than %d buckets", maxBuckets)
			}
			h.Bucket = append(h.Bucket, &dto.Bucket{UpperBound: proto.Float64(bound), CumulativeCount: proto.Uint64(uint64(max(v, 0)))})
		case "_count", "_gcount":
			h.SampleCount = proto.Uint64(uint64(max(v, 0)))
		case "_sum", "_gsum":
			h.SampleSum = proto.Float64(v)
		}
	case dto.MetricType_SUMMARY:
		if m.Summary == nil {
			m.Summary = &dto.Summary{}
		}
		s := m.Summary
		switch suffix {
		case "":
			q, err := strconv.ParseFloat(quantile, 64)
			if err != nil {
				return fmt.Errorf("parse error: %s: quantile=%q is not a number", f.name, quantile)
			}
			s.Quantile = append(s.Quantile, &dto.Quantile{Quantile: proto.Float64(q), Value: proto.Float64(v)})
		case "_count":
			s.SampleCount = proto.Uint64(uint64(max(v, 0)))
		case "_sum":
			s.SampleSum = proto.Float64(v)
		}
	default:
		m.Untyped = &dto.Untyped{Value: proto.Float64(v)}
	}
	return nil
}

// maxBuckets bounds a classic histogram's buckets (Prometheus's own
// bucket limit is off by default; real histograms have tens).
const maxBuckets = 10_000
