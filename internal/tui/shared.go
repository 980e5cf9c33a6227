package tui

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/gauge"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/tui/table"
	"github.com/perftop/perftop/internal/units"
)

// shared is the state every component reads (soft-serve's common.Common):
// the styles of the theme shown, the key map, the latest snapshot and the
// series read from it. The root owns it and changes it only inside Update;
// components keep a pointer, so a new theme or snapshot reaches them all at
// once.
type shared struct {
	st   themes.Styles
	keys KeyMap
	snap metrics.Snapshot

	vals     map[string][]float64 // series buffers, reused across snapshots
	times    map[string][]float64 // their times in Unix seconds, likewise
	capacity int                  // points a series keeps: the store's
	limit    int                  // series end at this many points (a replay's cursor); 0 means all

	nodes []string // the remote hosts, in the order h cycles through them
	node  int      // the host the host screens show: 0 this one, i nodes[i-1]

	promURLs []string // the scraped targets, in the order the Prometheus screen shows them
	target   int      // which of them the Prometheus and Load screens show
}

// series returns the values of a snapshot series, in a buffer reused across
// snapshots.
func (s *shared) series(key string) []float64 {
	pts := s.snap.Get(key)
	buf, ts := s.vals[key][:0], s.times[key][:0]
	for _, p := range pts {
		buf = append(buf, p.V)
		ts = append(ts, unixSeconds(p.T))
	}
	s.vals[key], s.times[key] = buf, ts
	if s.limit > 0 && len(buf) > s.limit {
		return buf[:s.limit]
	}
	return buf
}

// hostName is the remote host the host screens show, "" for this one.
func (s *shared) hostName() string {
	if s.node == 0 || s.node > len(s.nodes) {
		return ""
	}
	return s.nodes[s.node-1]
}

// hostSample is the latest sample of the host the host screens show; a
// remote host not yet read is an empty one.
func (s *shared) hostSample() *metrics.Host {
	name := s.hostName()
	if name == "" {
		return &s.snap.Host
	}
	h := s.snap.Hosts[name]
	return &h
}

// hk is the key of a host series of the host the host screens show.
func (s *shared) hk(key string) string { return metrics.HostKey(s.hostName(), key) }

// line is a snapshot series as a chart line: its values, their times (so
// the chart can place them in a time window and label its time axis) and
// a style.
func (s *shared) line(key string, style themes.Paint) chart.Series {
	vals := s.series(key)
	return chart.Series{Values: vals, Times: s.times[key][:len(vals)], Style: style}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// promTargets returns the scraped targets' URLs that have been scraped,
// in the order they were given.
func (s *shared) promTargets() []string {
	urls := make([]string, 0, len(s.snap.Prom))
	for _, u := range s.promURLs {
		if s.snap.Prom[u] != nil {
			urls = append(urls, u)
		}
	}
	return urls
}

// currentProm is the target the Prometheus screen shows, or nil.
func (s *shared) currentProm() *metrics.PromTarget {
	urls := s.promTargets()
	if len(urls) == 0 {
		return nil
	}
	return s.snap.Prom[urls[s.target%len(urls)]]
}

func (s *shared) panelStyles() panel.Styles {
	return panel.Styles{Border: s.st.P.Border, Title: s.st.P.Title, Info: s.st.P.Muted}
}

func (s *shared) gaugeStyles() gauge.Styles {
	return gauge.Styles{Label: s.st.P.Muted, OK: s.st.P.OK, Warn: s.st.P.Warn, Crit: s.st.P.Crit, Empty: s.st.P.GaugeEmpty}
}

func (s *shared) tableStyles() table.Styles {
	return table.Styles{Header: s.st.P.Title, Cell: s.st.P.Text, Selected: s.st.P.Selected, Muted: s.st.P.Muted}
}

// unavailable is the body of a panel whose source part failed.
func (s *shared) unavailable(reason string) string {
	return s.st.Warn.Render("n/a") + " " + s.st.Muted.Render(reason)
}

func (s *shared) box(title, info, body string, w, h int) string {
	return panel.Render(s.panelStyles(), title, info, body, w, h)
}

// drawChart sizes c, feeds it series and renders it.
func (s *shared) drawChart(c *chart.Model, w, h int, format func(float64) string, series ...chart.Series) string {
	c.SetSize(w, h)
	c.Axis = s.st.P.Muted
	c.Format = format
	c.SetSeries(series...)
	return c.View()
}

// hint is one key line item: a key and what it does.
func (s *shared) hint(k, desc string) string {
	return s.st.P.HelpKey.S(k) + " " + s.st.P.HelpDesc.S(desc)
}

// hints appends bindings to the key line as hints.
func (s *shared) hints(line []string, bs []key.Binding) []string {
	for _, b := range bs {
		line = append(line, s.hint(b.Help().Key, b.Help().Desc))
	}
	return line
}

// shortHelp is b with its help cut short for the key line.
func shortHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}

// byteChart prepares c for bytes-per-second series: binary round axis tops,
// and at least 1 KiB so an idle link draws flat instead of magnified noise.
func byteChart(c *chart.Model) *chart.Model {
	c.Binary, c.Floor = true, 1024
	return c
}

// percentLabel labels a percent axis: "100%", "50%", "0.5%".
func percentLabel(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) + "%" }

func bytesLabel(v float64) string { return strings.TrimSuffix(units.Bytes(v), " B") }

// rateAxis labels a bytes-per-second axis (units.AxisBytesRate).
func rateAxis(v float64) string { return units.AxisBytesRate(v) }

// perSecond labels a rate axis of counts: "0", "500/s", "12.5k/s".
func perSecond(v float64) string {
	if v == 0 {
		return "0"
	}
	return units.Count(v) + "/s"
}

func secondsLabel(v float64) string { return units.Seconds(v) }

func last(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}

// sameList reports whether a and b are the same slice, not merely equal:
// the system source makes a new list at every read and hands the same one
// on until the next, and snapshots share it.
func sameList[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
