package tui

import (
	"cmp"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/gauge"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/units"
)

// loadPage is the Load screen of a running test, and the test's controls:
// p, + and - pause and scale the test from every screen, and s stops it.
// Its mode is data: a remote viewer's q leaves the test running and its s
// stays to watch the end; a read-only viewer's controls are disabled in the
// key map and the key line says read-only.
type loadPage struct {
	loadView
	size
	tk       tableKeys // the per-request table's, when the test has one
	test     LoadControl
	remote   bool
	readOnly bool
	short    []key.Binding
}

var (
	_ Component  = (*loadPage)(nil)
	_ controller = (*loadPage)(nil)
	_ dataSetter = (*loadPage)(nil)
	_ filterer   = (*loadPage)(nil)
	_ noter      = (*loadPage)(nil)
)

func newLoadPage(sh *shared, test LoadControl, remote, readOnly bool) *loadPage {
	k := &sh.keys
	p := &loadPage{
		loadView: loadView{shared: sh, groups: newGroupView(sh)}, test: test, remote: remote, readOnly: readOnly,
		short: []key.Binding{shortHelp(k.Stop, "s", "stop"), shortHelp(k.Pause, "p", "pause load"), shortHelp(k.Slower, "+/-", "load ±10%")},
	}
	p.tk = newTableKeys(&p.groups.table, sh)
	return p
}

func (p *loadPage) View() string { return p.view(p.w, p.h) }

func (p *loadPage) control(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &p.keys
	switch {
	case key.Matches(msg, k.Quit) && !p.remote: // the local dashboard ends the test it runs
		p.test.Stop()
		return tea.Quit, true
	case key.Matches(msg, k.Stop):
		p.test.Stop()
		if p.remote {
			return nil, true // the controller stays to watch the end
		}
		return tea.Quit, true
	case key.Matches(msg, k.Pause):
		p.test.TogglePause()
	case key.Matches(msg, k.Slower):
		p.test.Scale(1.1)
	case key.Matches(msg, k.Faster):
		p.test.Scale(1 / 1.1)
	default:
		return nil, false
	}
	return nil, true
}

func (p *loadPage) controlHints(line []string) []string {
	if p.readOnly {
		return append(line, p.st.P.Warn.S("read-only"))
	}
	return p.hints(line, p.short)
}

// loadView draws a load test, running or replayed: the Load and Replay
// screens' common part.
type loadView struct {
	*shared
	latency, rps, errs chart.Model
	// groups, when set, draws the test's requests and splits, when it
	// has them; the Replay screen has none.
	groups *groupView
	// replay, when set, is a finished run's timeline, and cursor the entry
	// shown: a replay has no "now", the cursor's line says where it is.
	replay []metrics.TimelinePoint
	cursor int
}

// view: latency percentiles over time and the numbers of the moment
// on top; throughput and errors; then the latency histogram, status codes
// and error kinds, and the host beside the test.
func (v *loadView) view(w, h int) string {
	lt := v.snap.LoadTest
	if lt == nil {
		return v.box("Load test", "", v.st.Muted.Render("starting…"), w, h)
	}
	if v.groups != nil && len(lt.ByName) > 0 {
		return v.groupsView(lt, w, h)
	}
	leftW := w * 62 / 100
	if h < 20 { // a small terminal gets the percentiles and the numbers
		return panel.Row(v.latencyPanel(lt, leftW, h), v.nowPanel(lt, w-leftW, h))
	}
	topH := max(h*9/20, 8)
	midH := max((h-topH)/2, 5)
	botH := h - topH - midH
	top := panel.Row(v.latencyPanel(lt, leftW, topH), v.nowPanel(lt, w-leftW, topH))
	var mid string
	if v.groups != nil { // with --split-by, its panels beside them
		mid = v.midRow(lt, w, midH)
	} else {
		half := w / 2
		mid = panel.Row(v.rpsPanel(lt, half, midH), v.errorsPanel(lt, w-half, midH))
	}
	ws := panel.Split(w, 3)
	bottom := panel.Row(v.histogramPanel(lt, ws[0], botH), v.statusPanel(lt, ws[1], botH), v.hostMiniPanel(ws[2], botH))
	return top + "\n" + mid + "\n" + bottom
}

func (v *loadView) latencyPanel(lt *metrics.LoadTest, w, h int) string {
	info := "closed loop, corrected" // for coordinated omission, as wrk does
	if lt.Mode == metrics.OpenLoop {
		info = "from intended send"
	}
	if v.groups != nil && len(lt.ByName) > 0 {
		return v.groupLatencyPanel(lt, w, h, info)
	}
	c := &v.latency
	v.runChart(c, lt).Fill = false
	legend := v.st.Line(0).Render("p50") + " " + v.st.Line(1).Render("p90") + " " + v.st.Line(2).Render("p99") + " " + v.st.Line(3).Render("p99.9")
	body := v.drawChart(c, w-2, h-3, secondsLabel,
		v.line(metrics.KeyLoadP50, v.st.P.Line(0)), v.line(metrics.KeyLoadP90, v.st.P.Line(1)),
		v.line(metrics.KeyLoadP99, v.st.P.Line(2)), v.line(metrics.KeyLoadP999, v.st.P.Line(3)))
	return v.box("Latency", info, legend+"\n"+body, w, h)
}

// nowPanel: the state of the test and the numbers of the last interval.
func (v *loadView) nowPanel(lt *metrics.LoadTest, w, h int) string {
	iw := w - 2
	label := v.label
	lines := v.stateLines(lt, iw)
	progress := units.Duration(lt.Elapsed.Truncate(time.Second))
	if lt.Planned > 0 {
		pct := float64(lt.Elapsed) / float64(lt.Planned) * 100
		progress += " / " + units.Duration(lt.Planned)
		barW := iw - 10 - cells.Width(progress) - 2
		if barW >= 4 {
			progress = gauge.Bar(barW, pct, v.st.P.Accent, v.st.P.GaugeEmpty) + " " + progress
		}
	}
	lines = append(lines, label("progress")+progress)
	if lt.PlannedRequests > 0 {
		lines = append(lines, label("requests")+fmt.Sprintf("%d of %d", lt.Requests, lt.PlannedRequests))
	}
	if lt.Stages > 0 {
		lines = append(lines, label("stage")+fmt.Sprintf("%d of %d", lt.Stage+1, lt.Stages))
	}
	// A replay has no "now": the cursor's line says it; a finished test has
	// none either: its rate is the whole run's.
	live := v.replay == nil && lt.State != metrics.TestDone
	switch {
	case lt.State == metrics.TestDone && v.replay == nil:
		rate := 0.0
		if s := lt.Elapsed.Seconds(); s > 0 {
			rate = float64(lt.Requests) / s
		}
		lines = append(lines, v.fields(iw, "rate", v.st.Text.Render(units.Count(rate)+" req/s"), v.st.Muted.Render("whole run")))
	case !live:
	case lt.Mode == metrics.OpenLoop:
		lines = append(lines, v.fields(iw, "rate", v.st.Text.Render(units.Count(lt.Window.RPS)+" req/s"), v.st.Muted.Render("target "+units.Count(lt.Target))))
	default:
		lines = append(lines, v.fields(iw, "rate", v.st.Text.Render(units.Count(lt.Window.RPS)+" req/s"), v.st.Muted.Render(fmt.Sprintf("%d workers", lt.Workers))))
	}
	errPct := lt.Window.ErrorPercent
	if !live && lt.Requests > 0 {
		errPct = float64(lt.Errors) / float64(lt.Requests) * 100
	}
	errStyle := v.st.Level(errPct, 1, 5)
	lines = append(lines, v.fields(iw, "errors", errStyle.Render(fmt.Sprintf("%.2f%%", errPct)), v.st.Muted.Render(fmt.Sprintf("%d of %d", lt.Errors, lt.Requests))))
	q := lt.Window.Latency
	// No latency at all is no answer, not a 0 s one: a target that is down
	// or silent shows that, never "p50 0".
	switch {
	case live && q == metrics.Quantiles{}:
		lines = append(lines, v.fields(iw, "now", v.st.Warn.Render("no answers")))
	case live:
		p50, p90, p99, mx := "p50 "+units.Seconds(q.P50), "p90 "+units.Seconds(q.P90), "p99 "+units.Seconds(q.P99), "max "+units.Seconds(q.Max)
		if cells.Width(v.label("now")+strings.Join([]string{p50, p90, p99, mx}, "  ")) <= iw {
			lines = append(lines, v.fields(iw, "now", p50, p90, p99, mx))
		} else { // p99 before p90 when not all fit
			lines = append(lines, v.fields(iw, "now", p50, p99, p90, mx))
		}
	}
	if r := lt.Latency; r == (metrics.Quantiles{}) {
		lines = append(lines, v.fields(iw, "whole run", v.st.Warn.Render("no answers")))
	} else {
		lines = append(lines, v.fields(iw, "whole run", "p50 "+units.Seconds(r.P50), "p99 "+units.Seconds(r.P99), "p99.9 "+units.Seconds(r.P999)))
	}
	if m := lt.Service; m.Max > 0 { // as measured, from each actual send
		parts := []string{"p50 " + units.Seconds(m.P50), "p99 " + units.Seconds(m.P99)}
		if live {
			parts = append(parts, v.st.Muted.Render("now p99 "+units.Seconds(lt.Window.Service.P99)))
		}
		lines = append(lines, v.fields(iw, "measured", parts...))
	}
	conc := []string{fmt.Sprintf("in flight %d", lt.InFlight), fmt.Sprintf("conns %d", lt.Conns)}
	if lt.Mode == metrics.OpenLoop {
		conc = append(conc, fmt.Sprintf("late %d", lt.LateSends))
	}
	if live {
		lines = append(lines, v.fields(iw, "load", conc...))
		own := []string{fmt.Sprintf("CPU %.0f%%", lt.GeneratorCPUPercent)}
		if d := lt.Window.SchedulingDelay; lt.Mode == metrics.OpenLoop && d.Max > 0 {
			// Its own delay behind the intended sends, part of latency.
			own = append(own, "sched p99 "+units.Seconds(d.P99))
		}
		lines = append(lines, v.fields(iw, "perftop", own...))
	}
	for i, o := range lt.Objectives {
		name := ""
		if i == 0 {
			name = "slo"
		}
		mark, style := "✓", v.st.OK
		if !o.Met {
			mark, style = "✗ breached", v.st.Crit
		}
		lines = append(lines, v.fields(iw, name, style.Render(fmt.Sprintf("%s %s", o.Text, mark)), v.st.Muted.Render(o.Value)))
	}
	if parts, ok := v.serverLine(q.P99); ok {
		lines = append(lines, v.fields(iw, "server", parts...))
	}
	if fl := v.snap.Fleet; fl != nil && fl.Error == "" && len(fl.Runners) > 0 {
		// The whole fleet this runner is a shard of, as Prometheus sums it.
		up := 0
		for _, r := range fl.Runners {
			if r.Up {
				up++
			}
		}
		parts := []string{units.Count(fl.Rate) + " req/s", fmt.Sprintf("%d/%d runners up", up, len(fl.Runners))}
		if fl.HasLatency {
			parts = append(parts[:1], append([]string{"p99 " + units.Seconds(fl.P99)}, parts[1:]...)...)
		}
		lines = append(lines, v.fields(iw, "fleet", parts...))
	}
	return v.box("Now", string(lt.Mode)+" loop", strings.Join(lines, "\n"), w, h)
}

// fields is a Now panel line of width w at most: the label, then as many
// of parts, in order, as fit whole, two spaces apart. A number is never
// cut: what does not fit is left out, the least important last in parts.
func (v *loadView) fields(w int, label string, parts ...string) string {
	line := v.label(label)
	used := cells.Width(line)
	for i, p := range parts {
		sep := ""
		if i > 0 {
			sep = "  "
		}
		pw := cells.Width(sep) + cells.Width(p)
		if used+pw > w {
			break
		}
		line += sep + p
		used += pw
	}
	return line
}

// whole joins parts with a space for a line of w cells at most, leaving
// out the parts that do not fit whole, the last first.
func whole(w int, parts ...string) string {
	line, used := "", 0
	for i, p := range parts {
		pw := cells.Width(p)
		if i > 0 {
			pw++
		}
		if used+pw > w {
			break
		}
		if i > 0 {
			line += " "
		}
		line += p
		used += pw
	}
	return line
}

// label is a line's name in the Now panel.
func (v *loadView) label(s string) string { return v.st.Muted.Render(fmt.Sprintf("%-10s", s)) }

// stateLines say what the test is doing, or where a replay is.
func (v *loadView) stateLines(lt *metrics.LoadTest, iw int) []string {
	state, hint := string(lt.State), ""
	stStyle := v.st.OK
	switch lt.State {
	case metrics.TestPaused, metrics.TestStopping:
		stStyle = v.st.Warn
	case metrics.TestDone:
		stStyle = v.st.Accent
		hint = "q prints the summary"
	}
	if r := v.replay; r != nil && v.cursor >= 0 && v.cursor < len(r) {
		p := r[v.cursor]
		state = fmt.Sprintf("replay: ← → move, %ds of %ds", int(p.Seconds), int(r[len(r)-1].Seconds))
		return []string{v.fields(iw, "state", v.st.Accent.Render(state)),
			v.fields(iw, "at", units.Count(p.RPS)+" req/s", "p50 "+units.Seconds(p.P50), "p99 "+units.Seconds(p.P99),
				fmt.Sprintf("errors %d", p.Errors), fmt.Sprintf("in flight %d", p.InFlight))}
	}
	return []string{v.fields(iw, "state", stStyle.Render(state), v.st.Muted.Render(hint))}
}

// serverLine is the target's own view, when it is scraped: client next to
// server.
func (v *loadView) serverLine(clientP99 float64) ([]string, bool) {
	if v.replay != nil {
		return v.recordedServerLine()
	}
	t := v.currentProm()
	if t == nil || !t.Up || !t.RED.HasRequests {
		return nil, false
	}
	r := t.RED
	parts := []string{fmt.Sprintf("%s req/s", units.Count(r.RequestRate))}
	if r.HasLatency {
		parts = append(parts, fmt.Sprintf("p99 %s (client %s)", units.Seconds(r.Latency.P99), units.Seconds(clientP99)))
	}
	if r.HasProcess {
		parts = append(parts, fmt.Sprintf("CPU %.0f%%", r.CPUPercent), "RSS "+units.Bytes(r.RSSBytes))
	}
	return parts, true
}

// recordedServerLine is the service's side a results file recorded, at a
// replay's cursor: nothing when it recorded none.
func (v *loadView) recordedServerLine() ([]string, bool) {
	rps, errs, p99 := v.series(metrics.KeyServerRPS), v.series(metrics.KeyServerErrorRatio), v.series(metrics.KeyServerP99)
	if len(rps) == 0 && len(p99) == 0 {
		return nil, false
	}
	var parts []string
	if len(rps) > 0 {
		parts = append(parts, units.Count(last(rps))+" req/s")
	}
	if len(p99) > 0 {
		parts = append(parts, "p99 "+units.Seconds(last(p99)))
	}
	if len(errs) > 0 {
		parts = append(parts, "errors "+units.Percent(last(errs)*100))
	}
	return parts, true
}

func (v *loadView) rpsPanel(lt *metrics.LoadTest, w, h int) string {
	series := []chart.Series{v.line(metrics.KeyLoadRPS, v.st.P.Line(1))}
	info := "req/s"
	if lt.Mode == metrics.OpenLoop {
		series = append(series, v.line(metrics.KeyLoadTarget, v.st.P.Muted))
		info = "req/s and target"
	}
	c := v.runChart(&v.rps, lt)
	c.Fill = false
	return v.box("Throughput", info, v.drawChart(c, w-2, h-2, perSecond, series...), w, h)
}

func (v *loadView) errorsPanel(lt *metrics.LoadTest, w, h int) string {
	c := v.runChart(&v.errs, lt)
	c.Fill, c.Floor = true, 1
	return v.box("Errors", fmt.Sprintf("%.2f%% now", lt.Window.ErrorPercent),
		v.drawChart(c, w-2, h-2, percentLabel, v.line(metrics.KeyLoadErrorPct, v.st.P.Crit)), w, h)
}

// runChart sets c up as a chart of the run: it spans the run from its first
// second (growing until the chart is full, then scrolling), with a time
// axis counted from the start.
func (v *loadView) runChart(c *chart.Model, lt *metrics.LoadTest) *chart.Model {
	c.Stretch, c.X, c.Origin = true, chart.Elapsed, 0
	if !lt.Started.IsZero() {
		c.Origin = unixSeconds(lt.Started)
	}
	return c
}

// histogramPanel: the whole run's latency distribution as bars.
func (v *loadView) histogramPanel(lt *metrics.LoadTest, w, h int) string {
	iw, ih := w-2, h-2
	bs := lt.Histogram
	if len(bs) == 0 || ih < 1 {
		return v.box("Histogram", "", v.st.Muted.Render("no answers yet"), w, h)
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
		lines = append(lines, v.st.Muted.Render(label)+" "+gauge.Bar(barW, pct, v.st.P.Line(0), v.st.P.GaugeEmpty)+" "+count)
	}
	return v.box("Histogram", "whole run", strings.Join(lines, "\n"), w, h)
}

// statusPanel: status codes and failures by kind, most frequent first.
func (v *loadView) statusPanel(lt *metrics.LoadTest, w, h int) string {
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
	byKind := map[string][]metrics.ErrorMessage{}
	for _, e := range lt.ErrorMessages {
		byKind[e.Kind] = append(byKind[e.Kind], e)
	}
	var lines []string
	for _, r := range rows {
		pct := 0.0
		if lt.Requests > 0 {
			pct = float64(r.n) / float64(lt.Requests) * 100
		}
		style := v.st.Text
		if r.error {
			style = v.st.Crit
		}
		// The count and share whole; the name takes what is left, the
		// share goes first when even a short name would not fit.
		count, share := strconv.FormatInt(r.n, 10), fmt.Sprintf("%6.2f%%", pct)
		nameW := w - 2 - len(count) - len(share) - 2
		if nameW < 6 {
			share, nameW = "", w-2-len(count)-1
		}
		countW := w - 2 - max(nameW, 1) - 1 // name, a space, the count right-aligned
		if share != "" {
			countW -= len(share) + 1
		}
		line := fmt.Sprintf("%-*s %*s", max(nameW, 1), cells.Fit(r.name, max(nameW, 1)), max(countW, len(count)), count)
		if share != "" {
			line += " " + share
		}
		lines = append(lines, style.Render(line))
		// Under a failure kind, what the errors said, like oha's error
		// distribution: the two most frequent messages.
		for i, e := range byKind[r.name] {
			if i == 2 {
				break
			}
			count := fmt.Sprintf(" %d", e.Count)
			msgW := max(w-4-cells.Width(count), 4)
			lines = append(lines, v.st.Muted.Render("  "+cells.Fit(e.Message, msgW)+count))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, v.st.Muted.Render("no answers yet"))
	}
	return v.box("Responses", fmt.Sprintf("%d", lt.Requests), strings.Join(lines, "\n"), w, h)
}

// replayHostPanel: the host's side a results file recorded, at the
// cursor; what it did not record is said, not drawn as zeros that read as
// an idle machine.
func (v *loadView) replayHostPanel(w, h int) string {
	iw, gs := w-2, v.gaugeStyles()
	cpu, mem := v.series(metrics.KeyCPUTotal), v.series(metrics.KeyMemUsed)
	rx, tx := v.series(metrics.KeyNetRx), v.series(metrics.KeyNetTx)
	if len(cpu) == 0 && len(mem) == 0 && len(rx) == 0 {
		return v.box("Host", "", v.st.Muted.Render("not recorded in the results file"), w, h)
	}
	notRecorded := func(name string) string { return v.st.Muted.Render(fmt.Sprintf("%-4s not recorded", name)) }
	lines := []string{notRecorded("cpu"), notRecorded("mem"), notRecorded("net")}
	if len(cpu) > 0 {
		lines[0] = gauge.Row(iw, 4, 6, "cpu", last(cpu), units.Percent(last(cpu)), gauge.CPULevels, gs)
	}
	if len(mem) > 0 {
		lines[1] = gauge.Row(iw, 4, 6, "mem", last(mem), units.Percent(last(mem)), gauge.MemoryLevels, gs)
	}
	if len(rx) > 0 && len(tx) > 0 {
		lines[2] = whole(iw, v.st.Muted.Render("net"), "↓"+units.BytesRate(last(rx)), "↑"+units.BytesRate(last(tx)))
	}
	return v.box("Host", "recorded", strings.Join(lines, "\n"), w, h)
}

// hostMiniPanel: the host's gauges beside the test, to see the generator
// and the target compete for the same machine; with --node, the service's
// host under it (the one the host screens show, else the first), so the
// client's latency sits beside the server's CPU.
func (v *loadView) hostMiniPanel(w, h int) string {
	host := v.snap.Host
	iw := w - 2
	if v.replay != nil && host.Time.IsZero() {
		return v.replayHostPanel(w, h)
	}
	lines := v.hostGauges(iw, &host, "")
	title := "Host"
	if name := cmp.Or(v.hostName(), first(v.nodes)); name != "" {
		if remote, ok := v.snap.Hosts[name]; ok && h-2 >= 2*len(lines)+1 {
			title = "Hosts"
			lines = append([]string{v.st.Muted.Render(cells.Fit("this host "+host.Hostname, iw))}, lines...)
			lines = append(lines, v.st.Warn.Render(cells.Fit("server host "+cmp.Or(remote.Hostname, name), iw)))
			lines = append(lines, v.hostGauges(iw, &remote, name)...)
			return v.box(title, "", strings.Join(lines, "\n"), w, h)
		}
	}
	return v.box(title, fitText(w, title, host.Hostname), strings.Join(lines, "\n"), w, h)
}

// hostGauges are a host's CPU, memory, network and load lines, iw wide;
// name is the remote host's ("" for this one), whose series they read.
func (v *loadView) hostGauges(iw int, host *metrics.Host, name string) []string {
	gs := v.gaugeStyles()
	rx, tx := v.series(metrics.HostKey(name, metrics.KeyNetRx)), v.series(metrics.HostKey(name, metrics.KeyNetTx))
	return []string{
		gauge.Row(iw, 4, 6, "cpu", host.CPU.TotalPercent, units.Percent(host.CPU.TotalPercent), gauge.CPULevels, gs),
		gauge.Row(iw, 4, 6, "mem", host.Memory.UsedPercent, units.Percent(host.Memory.UsedPercent), gauge.MemoryLevels, gs),
		whole(iw, v.st.Muted.Render("net"), "↓"+units.BytesRate(last(rx)), "↑"+units.BytesRate(last(tx))),
		whole(iw, v.st.Muted.Render("load"), fmt.Sprintf("%.2f", host.Load.Load1), fmt.Sprintf("%.2f", host.Load.Load5), fmt.Sprintf("%.2f", host.Load.Load15)),
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
