package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/session"
	"github.com/perftop/perftop/internal/sources/promql"
	"github.com/perftop/perftop/internal/sources/system"
	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/yamlfile"
)

// config is perftop's configuration after every layer has been applied:
// defaults, then the config file, then the environment, then flags.
type config struct {
	Interval time.Duration `yaml:"interval"`
	Theme    string        `yaml:"theme"`
	NoColor  bool          `yaml:"no_color"`
	// Prometheus: targets to scrape, a server and its panels.
	Prom       []promTarget   `yaml:"prom"`
	PromServer promServer     `yaml:"prom_server"`
	Queries    []promql.Panel `yaml:"queries"`
	// SLO is the default --slo of perftop run.
	SLO string `yaml:"slo"`

	cpuProfile string
	fps        int
	procfs     string // --procfs: where the host's proc filesystem is mounted
	prom       *promSetup
	ssh        *session.SSH // nil without --serve-ssh

	dir    string     // the config directory, for user themes
	themes themes.Set // built-ins plus the user's theme files
}

func defaults() config {
	return config{Interval: time.Second, Theme: themes.Dark}
}

// configDir is os.UserConfigDir()/perftop, or "" when there is no home.
func configDir(getenv func(string) string) string {
	if d := getenv("PERFTOP_CONFIG_DIR"); d != "" {
		return d
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "perftop")
}

// configFlags are the flags every command that draws or samples shares.
type configFlags struct {
	file       string
	interval   time.Duration
	theme      string
	noColor    bool
	cpuProfile string // hidden: perftop profiling itself
	fps        int    // hidden: the renderer's frame cap, for benchmarks
	procfs     string
	prom       promFlags
	ssh        sshFlags
}

func (f *configFlags) register(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.DurationVar(&f.interval, "interval", time.Second, "refresh `interval`, at least 100ms (env PERFTOP_INTERVAL)")
	fl.StringVar(&f.theme, "theme", themes.Dark, "colour `theme`: see 'perftop themes' (env PERFTOP_THEME)")
	fl.BoolVar(&f.noColor, "no-color", false, "draw without colour (also when NO_COLOR is set or TERM=dumb)")
	fl.StringVar(&f.file, "config", "", "config `file` (YAML; default <config dir>/perftop/config.yaml)")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of perftop itself to `file`")
	fl.IntVar(&f.fps, "fps", defaultFrameRate, "most frames per second drawn")
	fl.StringVar(&f.procfs, "procfs", "", "read the host from the proc filesystem mounted at `dir` (Linux; e.g. /host/proc in a container)")
	_ = fl.MarkHidden("cpuprofile")
	_ = fl.MarkHidden("fps")
	f.prom.register(cmd)
	f.ssh.register(cmd, "serve-ssh")
}

// load builds the config: defaults, file, environment, flags, then checks it.
func (f *configFlags) load(cmd *cobra.Command, getenv func(string) string) (config, error) {
	cfg := defaults()
	cfg.dir = configDir(getenv)

	path, explicit := f.file, f.file != ""
	if !explicit && cfg.dir != "" {
		path = filepath.Join(cfg.dir, "config.yaml")
	}
	if path != "" {
		if err := cfg.readFile(path, explicit); err != nil {
			return cfg, err
		}
	}

	if v := getenv("PERFTOP_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return cfg, usagef("invalid PERFTOP_INTERVAL %q: want a duration such as 500ms or 2s", v)
		}
		cfg.Interval = d
	}
	if v := getenv("PERFTOP_THEME"); v != "" {
		cfg.Theme = v
	}
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		cfg.NoColor = true
	}

	fl := cmd.Flags()
	if fl.Changed("interval") {
		cfg.Interval = f.interval
	}
	if fl.Changed("theme") {
		cfg.Theme = f.theme
	}
	if fl.Changed("no-color") {
		cfg.NoColor = f.noColor
	}
	cfg.cpuProfile, cfg.fps, cfg.procfs = f.cpuProfile, f.fps, f.procfs
	if err := cfg.validate(); err != nil {
		return cfg, err
	}
	ps, err := f.prom.setup(cfg, cfg.Interval)
	cfg.prom = ps
	if err != nil {
		return cfg, err
	}
	cfg.ssh, err = f.ssh.setup(cfg)
	return cfg, err
}

// readFile applies a YAML config file. A missing default file is fine; a
// missing file named with --config is not.
func (c *config) readFile(path string, explicit bool) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return nil
	}
	if err != nil {
		return usagef("config file: %w", err)
	}
	if err := yamlfile.Decode(path, data, c); err != nil {
		return usageError{err}
	}
	return nil
}

// validate checks the merged config and loads the user's themes.
func (c *config) validate() error {
	if c.Interval < metrics.MinInterval {
		return usagef("invalid interval %s: must be at least %s", c.Interval, metrics.MinInterval)
	}
	if c.procfs != "" {
		if !system.ProcFSSupported {
			return usagef("--procfs: there is no proc filesystem to read on %s", runtime.GOOS)
		}
		if st, err := os.Stat(c.procfs); err != nil || !st.IsDir() {
			return usagef("--procfs %s: not a directory", c.procfs)
		}
	}
	set := themes.DefaultSet()
	if c.dir != "" {
		user, err := themes.LoadDir(filepath.Join(c.dir, "themes"), set)
		if err != nil {
			return usageError{err}
		}
		set = set.With(user)
	}
	c.themes = set
	if _, ok := set.Find(c.Theme); !ok {
		return usagef("unknown theme %q: have %v (see 'perftop themes')", c.Theme, set.Names())
	}
	return nil
}
