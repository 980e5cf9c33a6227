package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/charmbracelet/colorprofile"

	"github.com/perftop/perftop/internal/session"
)

// defaultFrameRate is the frame rate unless the hidden --fps says
// otherwise: see session.DefaultFPS for why it is what it is.
const defaultFrameRate = session.DefaultFPS

// runDashboard runs the live dashboard until the user quits or a signal
// arrives; the terminal is restored in every case, panics included.
func runDashboard(ctx context.Context, cfg config, e *env) error {
	stopProfile, err := startProfile(cfg)
	if err != nil {
		return err
	}
	defer stopProfile()
	sess, err := newSession(cfg, e)
	if err != nil {
		return err
	}
	return sess.Dashboard(ctx)
}

// sessionConfig is the one translation of perftop's config into a
// session's.
func sessionConfig(cfg config, e *env) session.Config {
	sc := session.Config{
		Interval:       cfg.Interval,
		ProcFS:         cfg.procfs,
		SSH:            cfg.ssh,
		KeepGOMAXPROCS: e.getenv("GOMAXPROCS") != "",
		Log:            e.stderr,
		Display: session.Display{
			Themes: cfg.themes, Theme: cfg.Theme, FPS: cfg.fps,
			Colorless: colorless(cfg),
		},
	}
	if cfg.prom != nil {
		sc.Prom, sc.PromQL, sc.Nodes, sc.Fleet = cfg.prom.targets, cfg.prom.server, cfg.prom.nodes, cfg.prom.fleet
	}
	return sc
}

// newSession makes the session cfg describes.
func newSession(cfg config, e *env) (*session.Session, error) {
	sess, err := session.New(sessionConfig(cfg, e))
	if err != nil {
		return nil, usageError{err}
	}
	return sess, nil
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

// colorless decides whether to draw without colour. Bubble Tea honours
// NO_COLOR only when it parses as a boolean; perftop treats any non-empty
// NO_COLOR (and TERM=dumb, and --no-color) as no colour, and falls back to
// monochrome on terminals that report no colours. Bold and reverse video stay.
func colorless(cfg config) bool {
	if cfg.NoColor {
		return true
	}
	p := colorprofile.Detect(os.Stdout, os.Environ())
	return p <= colorprofile.Ascii && p != colorprofile.NoTTY
}
