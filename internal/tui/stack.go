package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/units"
)

// stackPage is the Stack screen: each --prom target perftop recognised as
// a tier of the service (internal/sources/prom's recognisers), one panel
// each, in the order of the request path: load balancer, application,
// cache, database.
type stackPage struct {
	*shared
	size
	noKeys
}

var _ Component = (*stackPage)(nil)

// tierOrder is the request path's order of the tiers.
var tierOrder = map[string]int{metrics.TierLoadBalancer: 0, metrics.TierApplication: 1, metrics.TierCache: 2, metrics.TierDatabase: 3}

// stackTier is one recognised target.
type stackTier struct {
	url  string
	up   bool
	err  string
	tier *metrics.Tier
}

// tiers are the recognised targets, in the request path's order, then in
// the order they were given.
func (p *stackPage) tiers() []stackTier {
	var out []stackTier
	for _, u := range p.promURLs {
		t := p.snap.Prom[u]
		if t == nil || t.Tier == nil {
			continue
		}
		out = append(out, stackTier{url: u, up: t.Up, err: t.Error, tier: t.Tier})
	}
	slices.SortStableFunc(out, func(a, b stackTier) int { return cmp.Compare(tierOrder[a.tier.Kind], tierOrder[b.tier.Kind]) })
	return out
}

func (p *stackPage) View() string {
	w, h := p.w, p.h
	ts := p.tiers()
	if len(ts) == 0 {
		return p.box("Stack", "", p.st.Muted.Render(cells.Fit("no --prom target is a load balancer, cache or database exporter perftop knows (HAProxy, nginx, Redis, PostgreSQL)", w-2)), w, h)
	}
	bodies := make([][]string, len(ts))
	need := 0
	for i, t := range ts {
		bodies[i] = p.tierLines(t, w-2)
		need += len(bodies[i]) + 2
	}
	// Each panel as tall as its lines; when they do not all fit, each
	// gives up lines in proportion, keeping at least its first.
	var out []string
	left := h
	for i, t := range ts {
		ph := len(bodies[i]) + 2
		if need > h {
			ph = max(3, ph*h/need)
		}
		if i == len(ts)-1 {
			ph = left
		}
		ph = min(ph, left)
		if ph < 3 {
			break
		}
		left -= ph
		title := strings.ToUpper(t.tier.Kind[:1]) + t.tier.Kind[1:]
		if t.tier.Software != "" {
			title += " · " + t.tier.Software
		}
		if t.tier.Version != "" {
			title += " " + t.tier.Version
		}
		out = append(out, p.box(title, fitText(w, title, t.url), strings.Join(bodies[i], "\n"), w, ph))
	}
	if left > 0 { // the screen's rest, when the last panel was left out
		out = append(out, strings.TrimSuffix(strings.Repeat(strings.Repeat(" ", w)+"\n", left), "\n"))
	}
	return strings.Join(out, "\n")
}

// tierLines are a tier panel's lines, w wide: its values two to a line
// when there is room, then the backends' table or the slowest statements.
func (p *stackPage) tierLines(t stackTier, w int) []string {
	if !t.up {
		return []string{p.st.Crit.Render(cells.Fit("down: "+t.err, w))}
	}
	cols := 1
	if w >= 76 {
		cols = 2
	}
	cellW := w / cols
	var lines []string
	var b strings.Builder
	for i, v := range t.tier.Values {
		b.WriteString(cells.FitPad(p.tierValue(v, cellW-1), cellW))
		if (i+1)%cols == 0 || i == len(t.tier.Values)-1 {
			lines = append(lines, strings.TrimRight(b.String(), " "))
			b.Reset()
		}
	}
	if len(t.tier.Backends) > 0 || t.tier.BackendsNote != "" {
		lines = append(lines, p.backendLines(t.tier, w)...)
	}
	if len(t.tier.Statements) > 0 || t.tier.StatementsNote != "" {
		lines = append(lines, p.statementLines(t.tier, w)...)
	}
	return lines
}

// tierValue is "name  value", or the reason a value is missing.
func (p *stackPage) tierValue(v metrics.TierValue, w int) string {
	const nameW = 24
	name := p.st.Muted.Render(fmt.Sprintf("%-*s", nameW, cells.Fit(v.Name, nameW-1)))
	switch {
	case !v.Known:
		return name + p.st.Muted.Render(cells.Fit(cmp.Or(v.Note, "not exported"), w-nameW))
	case v.Value == 0 && v.Note != "": // "no limit (maxmemory 0)": the note says it
		return name + p.st.Muted.Render(cells.Fit(v.Note, w-nameW))
	}
	val := formatTier(v.Value, v.Unit)
	if v.Note != "" && cells.Width(val)+2+cells.Width(v.Note) <= w-nameW {
		val += "  " + p.st.Muted.Render(v.Note)
	}
	return name + val
}

// formatTier is a tier value in its unit, humanely.
func formatTier(v float64, unit string) string {
	switch unit {
	case metrics.UnitPerSecond:
		return units.Count(v) + "/s"
	case metrics.UnitRatio:
		return units.Percent(v * 100)
	case metrics.UnitBytes:
		return units.Bytes(v)
	case metrics.UnitSeconds:
		return units.Seconds(v)
	}
	return units.Count(v)
}

// backendLines: a load balancer's servers, with the share of its backend's
// requests each got, over the interval and since start.
func (p *stackPage) backendLines(t *metrics.Tier, w int) []string {
	lines := []string{p.st.P.Title.S(cells.Fit(fmt.Sprintf("%-28s %-6s %6s %9s %7s %7s", "BACKEND/SERVER", "STATE", "WEIGHT", "REQ/s", "SHARE", "TOTAL"), w))}
	if t.BackendsNote != "" {
		lines = append(lines, p.st.Muted.Render(cells.Fit(t.BackendsNote, w)))
	}
	for _, b := range t.Backends {
		rate, shareNow := "-", "-"
		if b.Known {
			rate, shareNow = units.Count(b.Rate), units.Percent(b.Share*100)
		}
		name := cells.Fit(b.Group+"/"+b.Name, 28)
		line := fmt.Sprintf("%-28s %-6s %6s %9s %7s %7s", name, cells.Fit(b.State, 6), units.Count(b.Weight), rate, shareNow, units.Percent(b.TotalShare*100))
		style := p.st.P.Text
		if !b.Up {
			style = p.st.P.Crit
		}
		lines = append(lines, style.S(cells.Fit(line, w)))
	}
	return lines
}

// statementLines: a database's slowest statements by mean time.
func (p *stackPage) statementLines(t *metrics.Tier, w int) []string {
	lines := []string{p.st.P.Title.S(cells.Fit(fmt.Sprintf("%9s %9s  %s", "MEAN", "CALLS", "SLOWEST STATEMENTS"), w))}
	if t.StatementsNote != "" {
		lines = append(lines, p.st.Muted.Render(cells.Fit(t.StatementsNote, w)))
	}
	for _, s := range t.Statements {
		lines = append(lines, cells.Fit(fmt.Sprintf("%9s %9s  %s", units.Seconds(s.MeanSeconds), units.Count(s.Calls), s.Query), w))
	}
	return lines
}
