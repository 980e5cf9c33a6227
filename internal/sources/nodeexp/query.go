package nodeexp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"

	"github.com/perftop/perftop/internal/sources/promql"
	"github.com/perftop/perftop/internal/sources/system"
)

// QueryReader reads a node from the Prometheus server that scrapes its
// node_exporter (--host-query INSTANCE): the same families Fill reads, at
// the server's newest scrape of them, so the system source derives the
// host as it derives one scraped directly. Each Read returns a scrape the
// one before did not: it waits for the server's next scrape (the interval
// the server's own samples show), so rates are over whole scrape intervals
// and never over a scrape with itself.
type QueryReader struct {
	Client   *promql.Client
	Instance string
	lastT    time.Time
	step     time.Duration
}

var _ system.Reader = (*QueryReader)(nil)

// nodeFamilies are the families Fill reads.
const nodeFamilies = `node_cpu_seconds_total|node_memory_(MemTotal|MemAvailable|MemFree|Cached|SReclaimable|Buffers|SwapTotal|SwapFree)_bytes|` +
	`node_load(1|5|15)|node_disk_(read_bytes|written_bytes|reads_completed|writes_completed|io_time_seconds)_total|` +
	`node_network_(receive|transmit)_(bytes|packets|errs|drop)_total|node_filesystem_(size|free|avail)_bytes|node_uname_info`

// maxQueryWait bounds the wait for the server's next scrape.
const maxQueryWait = time.Minute

// Read implements system.Reader.
func (r *QueryReader) Read(ctx context.Context, parts system.Parts, dst *system.Raw) {
	expr := fmt.Sprintf(`{__name__=~"%s", instance=%q}[2m]`, nodeFamilies, r.Instance)
	deadline := time.Now().Add(maxQueryWait)
	for {
		fams, at, step, err := r.scrape(ctx, expr)
		if err != nil {
			failAll(parts, dst, time.Now(), err)
			return
		}
		if at.After(r.lastT) {
			r.lastT, r.step = at, step
			Fill(fams, parts, dst, at)
			return
		}
		// The server has not scraped the node since the last Read: wait
		// for its next scrape, a little after it is due.
		wait := time.Until(r.lastT.Add(max(r.step, time.Second) + 200*time.Millisecond))
		if wait <= 0 {
			wait = 200 * time.Millisecond
		}
		if time.Now().Add(wait).After(deadline) {
			failAll(parts, dst, time.Now(), fmt.Errorf("no new scrape of %s on the server for %s", r.Instance, maxQueryWait))
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			failAll(parts, dst, time.Now(), ctx.Err())
			return
		case <-t.C:
		}
	}
}

// scrape returns the node's families at the server's newest scrape of it,
// when that was, and the interval between its last two scrapes.
func (r *QueryReader) scrape(ctx context.Context, expr string) ([]*dto.MetricFamily, time.Time, time.Duration, error) {
	v, err := r.Client.QueryAt(ctx, expr, time.Now())
	if err != nil {
		return nil, time.Time{}, 0, err
	}
	m, ok := v.(model.Matrix)
	if !ok {
		return nil, time.Time{}, 0, fmt.Errorf("the server answered a %s, want a matrix", v.Type())
	}
	if len(m) == 0 {
		return nil, time.Time{}, 0, errors.New("no node_exporter series for instance " + r.Instance + " on the server in the last 2 minutes")
	}
	// The newest scrape: the newest timestamp of any series; the one
	// before it gives the interval.
	var last, prev model.Time
	for _, s := range m {
		for _, p := range s.Values {
			switch {
			case p.Timestamp > last:
				prev, last = last, p.Timestamp
			case p.Timestamp < last && p.Timestamp > prev:
				prev = p.Timestamp
			}
		}
	}
	byName := map[string]*dto.MetricFamily{}
	for _, s := range m {
		n := len(s.Values)
		if n == 0 || s.Values[n-1].Timestamp != last {
			continue // not in the newest scrape
		}
		name := string(s.Metric[model.MetricNameLabel])
		f := byName[name]
		if f == nil {
			f = &dto.MetricFamily{Name: &name, Type: dto.MetricType_UNTYPED.Enum()}
			byName[name] = f
		}
		mt := &dto.Metric{Untyped: &dto.Untyped{Value: ptr(float64(s.Values[n-1].Value))}}
		keys := make([]string, 0, len(s.Metric))
		for k := range s.Metric {
			keys = append(keys, string(k))
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == model.MetricNameLabel {
				continue
			}
			mt.Label = append(mt.Label, &dto.LabelPair{Name: ptr(k), Value: ptr(string(s.Metric[model.LabelName(k)]))})
		}
		f.Metric = append(f.Metric, mt)
	}
	fams := make([]*dto.MetricFamily, 0, len(byName))
	for _, f := range byName {
		fams = append(fams, f)
	}
	step := time.Duration(0)
	if prev > 0 {
		step = last.Time().Sub(prev.Time())
	}
	return fams, last.Time(), step, nil
}

func ptr[T any](v T) *T { return &v }
