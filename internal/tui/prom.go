package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/help"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/tui/table"
	"github.com/perftop/perftop/internal/units"
)

// promPage is the Prometheus screen: a scraped target's health and RED
// signals, and the metric browser, whose enter charts a family beside it
// and space pins it to the overview. Its [ ] switch targets from every
// screen: the Load screen's server line shows the same target.
type promPage struct {
	*shared
	size
	tableKeys // the browser's
	pins      *pinBoard
	watchFn   func(url string, families []string) // Options.Watch; nil disables enter and space

	watched, watchURL  string // the family the browser charts, and where
	watch, rps, lat    chart.Model
	breakdown, browser table.Model
}

var (
	_ Component  = (*promPage)(nil)
	_ controller = (*promPage)(nil)
	_ dataSetter = (*promPage)(nil)
)

func newPromPage(sh *shared, pins *pinBoard, watch func(url string, families []string)) *promPage {
	v := &promPage{
		shared: sh, pins: pins, watchFn: watch,
		breakdown: table.New(
			table.Column{Title: "VALUE"},
			table.Column{Title: "REQ/s", Width: 9, Right: true},
			table.Column{Title: "ERR%", Width: 6, Right: true},
		),
		browser: table.New(
			table.Column{Title: "FAMILY"},
			table.Column{Title: "TYPE", Width: 9},
			table.Column{Title: "SERIES", Width: 6, Right: true},
			table.Column{Title: "HELP", HideBelow: 70},
		),
	}
	v.tableKeys = newTableKeys(&v.browser, sh)
	return v
}

func (v *promPage) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case v.editing: // the filter line takes every key
	case key.Matches(k, v.keys.Open):
		v.watchSelected()
		return nil
	case key.Matches(k, v.keys.Pin):
		v.togglePin()
		return nil
	case key.Matches(k, v.keys.Escape) && v.watched != "":
		v.unwatch() // and clear the filter, below
	}
	v.update(k)
	return nil
}

func (v *promPage) control(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if !key.Matches(msg, v.keys.Switch) {
		return nil, false
	}
	if msg.String() == "]" {
		v.target++
	} else if v.target > 0 {
		v.target--
	}
	v.setData()
	return nil, true
}

// controlHints: the target switch has none; the screen says "[ ] switch"
// when there is more than one target.
func (v *promPage) controlHints(line []string) []string { return line }

func (v *promPage) FullHelp() []help.Group {
	k := &v.keys
	tables := k.tableHelp()[0]
	tables.Bindings = append(tables.Bindings, k.Open, k.Pin)
	return []help.Group{{Title: "Screens", Bindings: []key.Binding{k.Switch}}, tables}
}

// setData refills the tables from the target shown.
func (v *promPage) setData() {
	t := v.currentProm()
	if t == nil {
		return
	}
	rows := make([][]string, 0, len(t.Breakdown))
	for _, r := range t.Breakdown {
		rows = append(rows, []string{r.Value, units.Count(r.Rate), fmt.Sprintf("%.1f", r.ErrorRatio*100)})
	}
	v.breakdown.SetRows(rows)
	rows = make([][]string, 0, len(t.Families))
	for _, f := range t.Families {
		rows = append(rows, []string{f.Name, f.Type, fmt.Sprint(f.Series), f.Help})
	}
	v.browser.SetRows(rows)
}

// View: a scraped target's health, RED signals and charts, the breakdown by
// handler, and the metric browser.
func (v *promPage) View() string {
	w, h := v.w, v.h
	t := v.currentProm()
	if t == nil {
		return v.box("Prometheus", "", v.st.Muted.Render("waiting for the first scrape…"), w, h)
	}
	urls := v.promTargets()
	title := "Target " + t.URL
	info := ""
	if len(urls) > 1 {
		n := fmt.Sprintf("%d of %d", v.target%len(urls)+1, len(urls))
		info = fitInfo(w*2/5, title, n+"  [ ] switch", n)
	}
	topH := max(h*2/5, 8)
	head := v.redPanel(t, title, info, w*2/5, topH)
	cw := w - w*2/5
	charts := panel.Row(v.promChart(t, "Requests", &v.rps, metrics.PromRPS, perSecond, cw/2, topH),
		v.promChart(t, "p99 latency", &v.lat, metrics.PromP99, secondsLabel, cw-cw/2, topH))
	botH := h - topH
	bw := w / 3
	bd := &v.breakdown
	bd.SetSize(bw-2, botH-2)
	label := "Breakdown"
	if len(t.Breakdown) > 0 {
		label = "By " + t.Breakdown[0].Label
	}
	br := &v.browser
	br.SetSize(w-bw-2, botH-2)
	shown, total := br.Len()
	binfo := fmt.Sprintf("%d families", total)
	if f := br.Filter(); f != "" {
		binfo = fmt.Sprintf("%d of %d match /%s", shown, total, f)
	}
	left := v.box(label, "", bd.View(v.tableStyles()), bw, botH)
	if v.watched != "" && v.watchURL == t.URL {
		left = v.watchPanel(t, bw, botH)
	} else if v.watchFn != nil {
		binfo += "  enter chart"
	}
	return panel.Row(head, charts) + "\n" + panel.Row(left, v.box("Metrics", binfo, br.View(v.tableStyles()), w-bw, botH))
}

// pin is a family charted on the overview.
type pin struct{ url, family string }

// pinBoard holds the families pinned from the metric browser: the
// Prometheus screen pins and unpins them, the overview draws them.
type pinBoard struct {
	pins   []pin
	charts []chart.Model
}

// watchSelected charts the family under the browser's cursor.
func (v *promPage) watchSelected() {
	t := v.currentProm()
	row, ok := v.browser.Selected()
	if t == nil || !ok || v.watchFn == nil {
		return
	}
	old := v.watchURL
	v.watched, v.watchURL = row[0], t.URL
	v.syncWatch(old)
	v.syncWatch(t.URL)
}

func (v *promPage) unwatch() {
	old := v.watchURL
	v.watched, v.watchURL = "", ""
	v.syncWatch(old)
}

// togglePin pins the family under the cursor to the overview, or unpins it.
func (v *promPage) togglePin() {
	t := v.currentProm()
	row, ok := v.browser.Selected()
	if t == nil || !ok || v.watchFn == nil {
		return
	}
	p := pin{t.URL, row[0]}
	for i, q := range v.pins.pins {
		if q == p {
			v.pins.pins = append(v.pins.pins[:i], v.pins.pins[i+1:]...)
			v.syncWatch(t.URL)
			return
		}
	}
	v.pins.pins = append(v.pins.pins, p)
	v.syncWatch(t.URL)
}

// syncWatch tells url's scraper every family the dashboard charts there.
func (v *promPage) syncWatch(url string) {
	if url == "" || v.watchFn == nil {
		return
	}
	var fams []string
	if v.watchURL == url {
		fams = append(fams, v.watched)
	}
	for _, p := range v.pins.pins {
		if p.url == url {
			fams = append(fams, p.family)
		}
	}
	v.watchFn(url, fams)
}
