package session

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/perftop/perftop/internal/crash"
	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui"
)

// viewer says who a dashboard model is for.
type viewer struct {
	remote   bool // over SSH: quitting leaves; the interval is not theirs to change
	readOnly bool // over SSH without a control key: a test is watched, not steered
	// replay, when set, replays a finished run instead of showing live data.
	replay []metrics.TimelinePoint
	// ssh lists who watches, for the local status bar.
	ssh *sshServer
	// firstFrame, when set, is called once the dashboard has drawn its
	// first frame (tui.Options.OnFirstFrame).
	firstFrame func()
}

// model is the one place a dashboard model is built, for the local
// terminal, for every SSH viewer and for a replay.
func (s *Session) model(ctx context.Context, v viewer, load tui.LoadControl) *tui.Model {
	o := tui.Options{
		Store:       s.st,
		Themes:      s.cfg.Display.Themes,
		Theme:       s.cfg.Display.Theme,
		Interval:    s.Interval(),
		Context:     ctx,
		PromQL:      s.promql != nil,
		PromTargets: s.promURLs(),
		Nodes:       s.nodeNames(),
		Profile:     s.prof != nil,
		Fleet:       s.fleet != nil,
		Load:        load,
		Remote:      v.remote,
		ReadOnly:    v.readOnly,
		Replay:      v.replay,
	}
	if !v.remote {
		// The local user owns the interval and the scrapers' charts; a
		// viewer over SSH would change them under the local one.
		o.SetInterval = s.SetInterval
		o.Watch = s.watch
		if s.cfg.Display.Colorless {
			o.Theme, o.NoColor = themes.Monochrome, true
		}
		if v.ssh != nil {
			o.Viewers = v.ssh.viewers
		}
	}
	if v.replay != nil {
		o.SetInterval, o.Watch = nil, nil
	}
	o.OnFirstFrame = v.firstFrame
	return tui.New(o)
}

// runProgram runs a dashboard model on the terminal until the user quits or
// ctx ends, and turns its end into perftop's error: quitting and signals are
// not errors; a panic is, after Bubble Tea has restored the terminal.
// Tests pass extra options (input, output, window size).
func (s *Session) runProgram(ctx context.Context, m tea.Model, extra ...tea.ProgramOption) error {
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(s.cfg.Display.FPS)}
	if s.cfg.Display.Colorless {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	jc := newJobControl()
	p := tea.NewProgram(m, append(append(opts, tea.WithFilter(jc.filter)), extra...)...)
	jc.p = p
	// A panic on any of perftop's goroutines (crash.Recover) restores the
	// terminal before the process ends; Bubble Tea covers its own.
	defer crash.OnPanic(p.Kill)()
	sctx, stop := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer crash.Recover()
		defer close(watched)
		jc.run(sctx)
	}()
	_, err := p.Run()
	stop()
	<-watched
	switch {
	case err == nil, errors.Is(err, tea.ErrInterrupted), errors.Is(err, context.Canceled):
		return nil
	case errors.Is(err, tea.ErrProgramPanic):
		return fmt.Errorf("the dashboard crashed (terminal restored): %w; please report this with the stack above", err)
	default:
		return fmt.Errorf("dashboard: %w", err)
	}
}

// onlyHostProcs is GOMAXPROCS while the dashboard watches only the host
// (no scrapes, no PromQL, no SSH viewers). Each refresh hands work from the
// sampler to the waiting model to the event loop; with a second P idle,
// every handoff wakes another thread to run it, and on the project's VM a
// thread wake-up costs more than the frame it carries: one P measured a
// third less CPU at rest (bench/README.md). The work is sequential and
// well under a millisecond, so nothing waits for the P it gives up; the
// host readers' system calls are scheduler-aware, so a read blocked in the
// kernel hands the P on. Scrapes, PromQL and SSH viewers can be heavy and
// keep every P; so does an explicit GOMAXPROCS.
const onlyHostProcs = 1

// fewerProcs lowers GOMAXPROCS for a dashboard that watches only the host,
// and returns what restores it.
func (s *Session) fewerProcs() (restore func()) {
	if !s.onlyHost() || s.cfg.KeepGOMAXPROCS {
		return func() {}
	}
	prev := runtime.GOMAXPROCS(onlyHostProcs)
	return func() { runtime.GOMAXPROCS(prev) }
}
