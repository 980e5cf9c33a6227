package tui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/gauge"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/units"
)

// loadView holds the load screen's charts.
type loadView struct {
	latency, rps, errs chart.Model
}

// loadScreen: latency percentiles over time and the numbers of the moment
// on top; throughput and errors; then the latency histogram, status codes
// and error kinds, and the host beside the test.
func (m *Model) loadScreen(w, h int) string {
	lt := m.snap.LoadTest
	if lt == nil {
		return m.box("Load test", "", m.st.Muted.Render("starting…"), w, h)
	}
	leftW := w * 62 / 100
	if h < 20 { // a small terminal gets the percentiles and the numbers
		return panel.Row(m.latencyPanel(lt, leftW, h), m.nowPanel(lt, w-leftW, h))
	}
	topH := max(h*9/20, 8)
	midH := max((h-topH)/2, 5)
	botH := h - topH - midH
	top := panel.Row(m.latencyPanel(lt, leftW, topH), m.nowPanel(lt, w-leftW, topH))
	half := w / 2
	mid := panel.Row(m.rpsPanel(lt, half, midH), m.errorsPanel(lt, w-half, midH))
	ws := panel.Split(w, 3)
	bottom := panel.Row(m.histogramPanel(lt, ws[0], botH), m.statusPanel(lt, ws[1], botH), m.hostMiniPanel(ws[2], botH))
	return top + "\n" + mid + "\n" + bottom
}

func secondsLabel(v float64) string { return units.Seconds(v) }

func (m *Model) latencyPanel(lt *metrics.LoadTest, w, h int) string {
	c := &m.load.latency
	c.Fill = false
	legend := m.st.Line(0).Render("p50") + " " + m.st.Line(1).Render("p90") + " " + m.st.Line(2).Render("p99") + " " + m.st.Line(3).Render("p99.9")
	body := m.drawChart(c, w-2, h-3, secondsLabel,
		chart.Series{Values: m.host.series(metrics.KeyLoadP50), Style: m.st.P.Line(0)},
		chart.Series{Values: m.host.series(metrics.KeyLoadP90), Style: m.st.P.Line(1)},
		chart.Series{Values: m.host.series(metrics.KeyLoadP99), Style: m.st.P.Line(2)},
		chart.Series{Values: m.host.series(metrics.KeyLoadP999), Style: m.st.P.Line(3)})
	info := "closed loop"
	if lt.Mode == metrics.OpenLoop {
		info = "from intended send"
	}
	return m.box("Latency", info, legend+"\n"+body, w, h)
}

// nowPanel: the state of the test and the numbers of the last interval.
func (m *Model) nowPanel(lt *metrics.LoadTest, w, h int) string {
	iw := w - 2
	label := func(s string) string { return m.st.Muted.Render(fmt.Sprintf("%-10s", s)) }
	var lines []string
	state := string(lt.State)
	stStyle := m.st.OK
	switch lt.State {
	case metrics.TestPaused, metrics.TestStopping:
		stStyle = m.st.Warn
	case metrics.TestDone:
		stStyle = m.st.Accent
		state = "done: q to exit and print the summary"
	}
	if r := m.o.Replay; r != nil && m.cursor < len(r) {
		p := r[m.cursor]
		state = fmt.Sprintf("replay: ← → move, %ds of %ds", int(p.Seconds), int(r[len(r)-1].Seconds))
		lines = append(lines, label("state")+m.st.Accent.Render(state))
		lines = append(lines, label("at")+fmt.Sprintf("%s req/s  p50 %s  p99 %s  errors %d  in flight %d",
			units.Count(p.RPS), units.Seconds(p.P50), units.Seconds(p.P99), p.Errors, p.InFlight))
	} else {
		lines = append(lines, label("state")+stStyle.Render(state))
	}
	progress := units.Duration(lt.Elapsed.Truncate(time.Second))
	if lt.Planned > 0 {
		pct := float64(lt.Elapsed) / float64(lt.Planned) * 100
		progress += " / " + units.Duration(lt.Planned)
		barW := iw - 10 - cells.Width(progress) - 2
		if barW >= 4 {
			progress = gauge.Bar(barW, pct, m.st.P.Accent, m.st.P.GaugeEmpty) + " " + progress
		}
	}
	lines = append(lines, label("progress")+progress)
	if lt.Stages > 0 {
		lines = append(lines, label("stage")+fmt.Sprintf("%d of %d", lt.Stage+1, lt.Stages))
	}
	live := m.o.Replay == nil // a replay has no "now": the cursor's line says it
	if !live {
	} else if lt.Mode == metrics.OpenLoop {
		lines = append(lines, label("rate")+m.st.Text.Render(units.Count(lt.Window.RPS)+" req/s")+m.st.Muted.Render("  target "+units.Count(lt.Target)))
	} else {
		lines = append(lines, label("rate")+m.st.Text.Render(units.Count(lt.Window.RPS)+" req/s")+m.st.Muted.Render(fmt.Sprintf("  %d workers", lt.Workers)))
	}
	errStyle := m.st.Level(lt.Window.ErrorPercent, 1, 5)
	lines = append(lines, label("errors")+errStyle.Render(fmt.Sprintf("%.2f%%", lt.Window.ErrorPercent))+m.st.Muted.Render(fmt.Sprintf("  %d of %d total", lt.Errors, lt.Requests)))
	q := lt.Window.Latency
	if live {
		lines = append(lines, label("now")+fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s", units.Seconds(q.P50), units.Seconds(q.P90), units.Seconds(q.P99), units.Seconds(q.Max)))
	}
	r := lt.Latency
	lines = append(lines, label("whole run")+fmt.Sprintf("p50 %s  p99 %s  p99.9 %s", units.Seconds(r.P50), units.Seconds(r.P99), units.Seconds(r.P999)))
	conc := fmt.Sprintf("in flight %d  conns %d", lt.InFlight, lt.Conns)
	if lt.Mode == metrics.OpenLoop {
		conc += fmt.Sprintf("  late %d", lt.LateSends)
	}
	if live {
		lines = append(lines, label("load")+conc)
		lines = append(lines, label("perftop")+fmt.Sprintf("CPU %.0f%%", lt.GeneratorCPUPercent))
	}
	for i, o := range lt.Objectives {
		name := ""
		if i == 0 {
			name = "slo"
		}
		mark, style := "✓", m.st.OK
		if !o.Met {
			mark, style = "✗ breached", m.st.Crit
		}
		lines = append(lines, label(name)+style.Render(fmt.Sprintf("%s %s", o.Text, mark))+m.st.Muted.Render("  "+o.Value))
	}
	// The target's own view, when it is scraped: client next to server.
	if t := m.currentProm(); t != nil && t.Up && t.RED.HasRequests {
		r := t.RED
		s := fmt.Sprintf("%s req/s", units.Count(r.RequestRate))
		if r.HasLatency {
			s += fmt.Sprintf("  p99 %s (client %s)", units.Seconds(r.Latency.P99), units.Seconds(q.P99))
		}
		if r.HasProcess {
			s += fmt.Sprintf("  CPU %.0f%%  RSS %s", r.CPUPercent, units.Bytes(r.RSSBytes))
		}
		lines = append(lines, label("server")+s)
	}
	return m.box("Now", string(lt.Mode)+" loop", strings.Join(lines, "\n"), w, h)
}

func (m *Model) rpsPanel(lt *metrics.LoadTest, w, h int) string {
	series := []chart.Series{{Values: m.host.series(metrics.KeyLoadRPS), Style: m.st.P.Line(1)}}
	info := "req/s"
	if lt.Mode == metrics.OpenLoop {
		series = append(series, chart.Series{Values: m.host.series(metrics.KeyLoadTarget), Style: m.st.P.Muted})
		info = "req/s and target"
	}
	c := &m.load.rps
	c.Fill = false
	return m.box("Throughput", info, m.drawChart(c, w-2, h-2, units.Count, series...), w, h)
}

func (m *Model) errorsPanel(lt *metrics.LoadTest, w, h int) string {
	c := &m.load.errs
	c.Fill, c.Floor = true, 1
	return m.box("Errors", fmt.Sprintf("%.2f%% now", lt.Window.ErrorPercent),
		m.drawChart(c, w-2, h-2, percentLabel, chart.Series{Values: m.host.series(metrics.KeyLoadErrorPct), Style: m.st.P.Crit}), w, h)
}

// histogramPanel: the whole run's latency distribution as bars.
func (m *Model) histogramPanel(lt *metrics.LoadTest, w, h int) string {
	iw, ih := w-2, h-2
	bs := lt.Histogram
	if len(bs) == 0 || ih < 1 {
		return m.box("Histogram", "", m.st.Muted.Render("no answers yet"), w, h)
	}
	// Merge neighbouring buckets until they fit the panel's height.
	per := (len(bs) + ih - 1) / ih
	var rows []metrics.Bucket
	for i := 0; i < len(bs); i += per {
		b := metrics.Bucket{}
		for j := i; j < min(i+per, len(bs)); j++ {
			b.Count += bs[j].Count
			b.UpperSeconds = bs[j].UpperSeconds
		}
		rows = append(rows, b)
	}
	var most int64
	for _, b := range rows {
		most = max(most, b.Count)
	}
	var lines []string
	for _, b := range rows {
		label := cells.PadLeft("≤"+units.Seconds(b.UpperSeconds), 8)
		count := units.Count(float64(b.Count))
		barW := max(iw-9-len(count)-1, 1)
		pct := 0.0
		if most > 0 {
			pct = float64(b.Count) / float64(most) * 100
		}
		lines = append(lines, m.st.Muted.Render(label)+" "+gauge.Bar(barW, pct, m.st.P.Line(0), m.st.P.GaugeEmpty)+" "+count)
	}
	return m.box("Histogram", "whole run", strings.Join(lines, "\n"), w, h)
}

// statusPanel: status codes and failures by kind, most frequent first.
func (m *Model) statusPanel(lt *metrics.LoadTest, w, h int) string {
	type row struct {
		name  string
		n     int64
		error bool
	}
	var rows []row
	for code, n := range lt.StatusCodes {
		rows = append(rows, row{strconv.Itoa(code), n, code >= 400})
	}
	for kind, n := range lt.ErrorsByKind {
		if kind != "status_4xx" && kind != "status_5xx" {
			rows = append(rows, row{kind, n, true})
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].n > rows[j].n || rows[i].n == rows[j].n && rows[i].name < rows[j].name
	})
	var lines []string
	for _, r := range rows {
		pct := 0.0
		if lt.Requests > 0 {
			pct = float64(r.n) / float64(lt.Requests) * 100
		}
		style := m.st.Text
		if r.error {
			style = m.st.Crit
		}
		lines = append(lines, style.Render(fmt.Sprintf("%-18s %10d %6.2f%%", cells.Fit(r.name, 18), r.n, pct)))
	}
	if len(lines) == 0 {
		lines = append(lines, m.st.Muted.Render("no answers yet"))
	}
	return m.box("Responses", fmt.Sprintf("%d", lt.Requests), strings.Join(lines, "\n"), w, h)
}

// hostMiniPanel: the host's gauges beside the test, to see the generator
// and the target compete for the same machine.
func (m *Model) hostMiniPanel(w, h int) string {
	host := m.snap.Host
	iw := w - 2
	gs := m.gaugeStyles()
	lines := []string{
		gauge.Row(iw, 4, 6, "cpu", host.CPU.TotalPercent, units.Percent(host.CPU.TotalPercent), gauge.CPULevels, gs),
		gauge.Row(iw, 4, 6, "mem", host.Memory.UsedPercent, units.Percent(host.Memory.UsedPercent), gauge.MemoryLevels, gs),
		m.st.Muted.Render("net ") + "↓" + units.BytesRate(last(m.host.series(metrics.KeyNetRx))) + " ↑" + units.BytesRate(last(m.host.series(metrics.KeyNetTx))),
		m.st.Muted.Render("load ") + fmt.Sprintf("%.2f %.2f %.2f", host.Load.Load1, host.Load.Load5, host.Load.Load15),
	}
	return m.box("Host", host.Hostname, strings.Join(lines, "\n"), w, h)
}
