package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs perftop in-process with its own config directory and
// environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["PERFTOP_CONFIG_DIR"]; !ok {
		env["PERFTOP_CONFIG_DIR"] = t.TempDir()
	}
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	badConfig := filepath.Join(dir, "bad.yaml")
	writeFile(t, badConfig, "intervall: 2s\n")
	deepTypo := filepath.Join(dir, "deep.yaml")
	writeFile(t, deepTypo, "prom:\n  - url: http://127.0.0.1:9/metrics\n    red:\n      request_metrc: x\n")
	badDuration := filepath.Join(dir, "fast.yaml")
	writeFile(t, badDuration, "theme: dark\ninterval: fast\n")
	themeDir := t.TempDir()
	writeFile(t, filepath.Join(themeDir, "themes", "neon.yaml"), "accent: nope\n")

	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // in the one-line error
	}{
		{"unknown flag", nil, []string{"--bogus"}, "unknown flag: --bogus"},
		{"bad interval", nil, []string{"--interval", "fast"}, `invalid argument "fast" for "--interval"`},
		{"interval too short", nil, []string{"--interval", "10ms"}, "invalid interval 10ms: must be at least 100ms"},
		{"unknown theme", nil, []string{"--theme", "neon"}, `unknown theme "neon"`},
		{"stray argument", nil, []string{"extra"}, `unknown command "extra"`},
		{"missing config file", nil, []string{"--config", filepath.Join(dir, "nope.yaml")}, "config file: open"},
		{"unknown config key", nil, []string{"--config", badConfig}, "bad.yaml:1: intervall: unknown key (did you mean interval?)"},
		{"unknown key deep in the config", nil, []string{"--config", deepTypo}, "deep.yaml:4: prom[0].red.request_metrc: unknown key (did you mean request_metric?)"},
		{"config duration", nil, []string{"--config", badDuration}, `fast.yaml:2: interval: "fast" is not a duration (e.g. 500ms, 2s)`},
		{"bad env interval", map[string]string{"PERFTOP_INTERVAL": "soon"}, nil, `invalid PERFTOP_INTERVAL "soon"`},
		{"bad theme file", map[string]string{"PERFTOP_CONFIG_DIR": themeDir}, nil, `neon.yaml: key "accent": invalid colour "nope"`},
		{"snapshot bad top", nil, []string{"snapshot", "--top", "-1"}, "invalid --top -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.env, tt.args...)
			if code != exitUsage {
				t.Errorf("exit code %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q lacks %q", stderr, tt.want)
			}
			if n := strings.Count(strings.TrimRight(stderr, "\n"), "\n"); n != 0 {
				t.Errorf("error is %d lines, want one: %q", n+1, stderr)
			}
			if !strings.HasPrefix(stderr, "perftop: ") {
				t.Errorf("error does not start with perftop: %q", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %q", stdout)
			}
		})
	}
}

func TestConfigLayering(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "config.yaml"), "interval: 2s\ntheme: light\n")
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		wantTheme string
	}{
		{"file over defaults", map[string]string{}, nil, "light"},
		{"env over file", map[string]string{"PERFTOP_THEME": "high-contrast"}, nil, "high-contrast"},
		{"flag over env", map[string]string{"PERFTOP_THEME": "high-contrast"}, []string{"--theme", "mono"}, "mono"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["PERFTOP_CONFIG_DIR"] = dir
			code, stdout, stderr := runCLI(t, tt.env, append([]string{"themes"}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, "* "+tt.wantTheme+" ") {
				t.Errorf("current theme is not %s:\n%s", tt.wantTheme, stdout)
			}
		})
	}
}

func TestThemesListsUserThemes(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "themes", "ocean.yaml"), "description: blue and calm\naccent: \"#0087ff\"\n")
	code, stdout, stderr := runCLI(t, map[string]string{"PERFTOP_CONFIG_DIR": dir}, "themes")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"* dark", "light", "high-contrast", "mono", "ocean", "blue and calm", filepath.Join(dir, "themes")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("themes output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestHelpTeaches(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"--interval", "--theme", "--no-color", "--config", "Examples:", "perftop snapshot --json", "snapshot", "themes", "version", "completion"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "version")
	if code != exitOK || !strings.Contains(stdout, "perftop dev") || !strings.Contains(stdout, "go1.") {
		t.Fatalf("exit %d, output %q", code, stdout)
	}
	code, flag, _ := runCLI(t, nil, "--version")
	if code != exitOK || flag != stdout {
		t.Fatalf("--version: exit %d, %q; want what version prints, %q", code, flag, stdout)
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, stdout, _ := runCLI(t, nil, "completion", shell)
		if code != exitOK || !strings.Contains(stdout, "perftop") {
			t.Errorf("%s completion: exit %d, %d bytes", shell, code, len(stdout))
		}
	}
}

// TestSnapshotJSON samples this machine for real and checks the documented
// field names and their sanity.
func TestSnapshotJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "snapshot", "--json", "--interval", "200ms", "--top", "3")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	for _, path := range []string{
		"cpu.total_percent", "cpu.per_core_percent", "memory.total_bytes", "memory.used_bytes",
		"memory.available_bytes", "swap.total_bytes", "swap.used_bytes", "load.1", "load.5", "load.15",
		"disks", "filesystems", "network", "processes.top",
	} {
		if _, ok := lookup(doc, path); !ok {
			t.Errorf("JSON lacks %s", path)
		}
	}
	if v, _ := lookup(doc, "memory.total_bytes"); v.(float64) <= 0 {
		t.Errorf("memory.total_bytes = %v", v)
	}
	if v, _ := lookup(doc, "cpu.total_percent"); v.(float64) < 0 || v.(float64) > 100 {
		t.Errorf("cpu.total_percent = %v", v)
	}
	if top, _ := lookup(doc, "processes.top"); len(top.([]any)) > 3 {
		t.Errorf("--top 3 printed %d processes", len(top.([]any)))
	}
	nets, _ := lookup(doc, "network")
	for _, n := range nets.([]any) {
		for _, k := range []string{"name", "rx_bytes_per_sec", "tx_bytes_per_sec"} {
			if _, ok := n.(map[string]any)[k]; !ok {
				t.Errorf("network entry lacks %s", k)
			}
		}
	}
	fss, _ := lookup(doc, "filesystems")
	for _, f := range fss.([]any) {
		for _, k := range []string{"mount", "total_bytes", "used_bytes"} {
			if _, ok := f.(map[string]any)[k]; !ok {
				t.Errorf("filesystem entry lacks %s", k)
			}
		}
	}
}

func TestSnapshotText(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "snapshot", "--interval", "200ms")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"cpu", "memory", "load", "swap", "DISK", "FILESYSTEM", "INTERFACE", "PID", "lo"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("snapshot text lacks %q:\n%s", want, stdout)
		}
	}
}

func lookup(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
