package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/system"
	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui"
)

// defaultFrameRate is Bubble Tea's frame rate: its renderer flushes on a
// ticker of this many frames a second, whether anything changed or not, so
// the rate prices CPU at rest against the time from a key press to the
// screen. Measured side by side with htop and btop (bench/dashboard.sh,
// bench/README.md): every tick costs a few wake-ups of the Go runtime,
// about 0.013% of a core per frame a second on the project's VM, while a
// key waits up to one frame. 20 is the lowest rate whose key-press p90
// stays under 60 ms (about 50 ms; 10 gives 94 ms at 0.07% less CPU).
const defaultFrameRate = 20

// onlyHostProcs is GOMAXPROCS while the dashboard watches only the host
// (no scrapes, no PromQL, no SSH viewers). Each refresh hands work from the
// sampler to the waiting model to the event loop; with a second P idle,
// every handoff wakes another thread to run it, and on the project's VM a
// thread wake-up costs more than the frame it carries: one P measured a
// third less CPU at rest (bench/dashboard.sh). The work is sequential and
// well under a millisecond, so nothing waits for the P it gives up. Scrapes,
// PromQL and SSH viewers can be heavy and keep every P; so does an
// explicit GOMAXPROCS.
const onlyHostProcs = 1

// source is what the dashboard runs in the background.
type source interface {
	Name() string
	Run(ctx context.Context, st *metrics.Store) error
}

// runDashboard runs the live dashboard until the user quits or a signal
// arrives; the terminal is restored in every case, panics included.
func runDashboard(ctx context.Context, cfg config, e *env) error {
	stopProfile, err := startProfile(cfg)
	if err != nil {
		return err
	}
	defer stopProfile()
	promSrcs, promQL, err := cfg.prom.sources()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	st := metrics.NewStore(metrics.DefaultRingCapacity)
	host := system.New(system.Options{Interval: cfg.Interval, ProcFS: cfg.procfs})
	wg := startSources(ctx, st, append([]source{host}, promSrcs...)...)
	defer func() {
		cancel()
		wg.Wait() // the sources have stopped before we return
	}()

	viewers, waitSSH, err := serveAlongside(ctx, cfg, st, nil, promQL != nil)
	if err != nil {
		return err
	}
	defer func() { cancel(); waitSSH() }() // the server stops with ctx
	if len(promSrcs) == 0 && promQL == nil && viewers == nil && e.getenv("GOMAXPROCS") == "" {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(onlyHostProcs))
	}
	themeName, opts := displayOptions(cfg)
	model := tui.New(tui.Options{
		Viewers:     viewers,
		Store:       st,
		Themes:      cfg.themes,
		Theme:       themeName,
		Interval:    cfg.Interval,
		SetInterval: host.SetInterval,
		Context:     ctx,
		PromQL:      promQL != nil,
		PromTargets: cfg.prom.urls(),
		Watch:       cfg.prom.watch,
	})
	return runProgram(ctx, model, opts...)
}

// displayOptions is the theme and the program options cfg asks for: the
// monochrome theme and profile when colour is off, and the frame cap.
func displayOptions(cfg config) (theme string, opts []tea.ProgramOption) {
	theme = cfg.Theme
	opts = []tea.ProgramOption{tea.WithFPS(cfg.fps)}
	if profile, colorless := colourProfile(cfg); colorless {
		theme = themes.Monochrome
		opts = append(opts, tea.WithColorProfile(profile))
	}
	return theme, opts
}

// runProgram runs the dashboard program and turns its end into perftop's
// error: quitting and signals are not errors; a panic is, after Bubble Tea
// has restored the terminal.
func runProgram(ctx context.Context, model tea.Model, opts ...tea.ProgramOption) error {
	opts = append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(defaultFrameRate)}, opts...)
	_, err := tea.NewProgram(model, opts...).Run()
	switch {
	case err == nil, errors.Is(err, tea.ErrInterrupted), errors.Is(err, context.Canceled):
		return nil
	case errors.Is(err, tea.ErrProgramPanic):
		return fmt.Errorf("the dashboard crashed (terminal restored): %w; please report this with the stack above", err)
	default:
		return fmt.Errorf("dashboard: %w", err)
	}
}

// startProfile starts the hidden --cpuprofile, perftop profiling itself.
func startProfile(cfg config) (stop func(), err error) {
	if cfg.cpuProfile == "" {
		return func() {}, nil
	}
	f, err := os.Create(cfg.cpuProfile)
	if err != nil {
		return nil, usagef("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// colourProfile decides whether to draw in colour. Bubble Tea honours
// NO_COLOR only when it parses as a boolean; perftop treats any non-empty
// NO_COLOR (and TERM=dumb, and --no-color) as no colour, and falls back to
// monochrome on terminals that report no colours. Bold and reverse video stay.
func colourProfile(cfg config) (colorprofile.Profile, bool) {
	if cfg.NoColor {
		return colorprofile.Ascii, true
	}
	if p := colorprofile.Detect(os.Stdout, os.Environ()); p <= colorprofile.Ascii && p != colorprofile.NoTTY {
		return colorprofile.Ascii, true
	}
	return colorprofile.TrueColor, false
}

// startSources runs each source in its own goroutine. A source that panics
// is reported as down in the store instead of taking the terminal with it.
func startSources(ctx context.Context, st *metrics.Store, srcs ...source) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, s := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					st.SetHealth(s.Name(), metrics.Health{LastError: fmt.Sprintf("crashed: %v", r)})
				}
			}()
			if err := s.Run(ctx, st); err != nil && !errors.Is(err, context.Canceled) {
				st.SetHealth(s.Name(), metrics.Health{LastError: err.Error()})
			}
		}()
	}
	return &wg
}
