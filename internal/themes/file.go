package themes

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// File is the YAML shape of a user theme file. Every colour is optional: the
// theme starts from Base (default "dark") and overrides what it names.
//
//	name: solarized
//	base: dark
//	text: "#839496"
//	accent: "#268bd2"
//	series: ["#268bd2", "#859900", "#b58900"]
type File struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Base        string   `yaml:"base"`
	Text        string   `yaml:"text"`
	Muted       string   `yaml:"muted"`
	Accent      string   `yaml:"accent"`
	Border      string   `yaml:"border"`
	OK          string   `yaml:"ok"`
	Warn        string   `yaml:"warn"`
	Crit        string   `yaml:"crit"`
	GaugeEmpty  string   `yaml:"gauge_empty"`
	SelectedFg  string   `yaml:"selected_fg"`
	SelectedBg  string   `yaml:"selected_bg"`
	Series      []string `yaml:"series"`
	Background  string   `yaml:"background"`
}

// Parse reads one theme file's bytes. name is used when the file has no name
// key (the loader passes the file name without its extension). Errors name
// the offending key.
func Parse(data []byte, name string, base Set) (Theme, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty file is a theme that changes nothing: Decode reports io.EOF.
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Theme{}, cleanYAMLError(err)
	}
	if f.Name == "" {
		f.Name = name
	}
	if f.Base == "" {
		f.Base = Dark
	}
	t, ok := base.Find(f.Base)
	if !ok {
		return Theme{}, fmt.Errorf("key \"base\": unknown theme %q (have %s)", f.Base, strings.Join(base.Names(), ", "))
	}
	t.Name, t.Description = f.Name, f.Description
	if t.Description == "" {
		t.Description = "user theme based on " + f.Base
	}
	fields := []struct {
		key string
		val string
		dst *color.Color
	}{
		{"text", f.Text, &t.Text}, {"muted", f.Muted, &t.Muted}, {"accent", f.Accent, &t.Accent},
		{"border", f.Border, &t.Border}, {"ok", f.OK, &t.OK}, {"warn", f.Warn, &t.Warn},
		{"crit", f.Crit, &t.Crit}, {"gauge_empty", f.GaugeEmpty, &t.GaugeFill},
		{"selected_fg", f.SelectedFg, &t.SelectFg}, {"selected_bg", f.SelectedBg, &t.SelectBg},
		{"background", f.Background, &t.Background},
	}
	for _, fl := range fields {
		if fl.val == "" {
			continue
		}
		c, err := ParseColor(fl.val)
		if err != nil {
			return Theme{}, fmt.Errorf("key %q: %w", fl.key, err)
		}
		*fl.dst = c
		t.Mono = false
	}
	if len(f.Series) > 0 {
		t.Series = make([]color.Color, len(f.Series))
		for i, s := range f.Series {
			c, err := ParseColor(s)
			if err != nil {
				return Theme{}, fmt.Errorf("key \"series[%d]\": %w", i, err)
			}
			t.Series[i] = c
		}
		t.Mono = false
	}
	return t, nil
}

// cleanYAMLError turns yaml.v3's multi-line type errors into one line that
// names the key, e.g. `line 3: field colour not found in type themes.File`
// becomes `line 3: unknown key "colour"`.
func cleanYAMLError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	msg = strings.ReplaceAll(msg, "\n", " ") // quoted values may span lines too
	if i := strings.Index(msg, "field "); i >= 0 && strings.Contains(msg, " not found in type") {
		key := msg[i+len("field "):]
		key = key[:strings.Index(key, " not found")]
		msg = msg[:i] + fmt.Sprintf("unknown key %q", key)
	}
	return errors.New(msg)
}

// LoadDir reads every *.yaml and *.yml file in dir as a user theme. A missing
// directory is not an error: most users have no theme files.
func LoadDir(dir string, base Set) ([]Theme, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read theme directory: %w", err)
	}
	var out []Theme
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		t, err := LoadFile(path, base)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// LoadFile reads one theme file; errors start with the file's path.
func LoadFile(path string, base Set) (Theme, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Theme{}, fmt.Errorf("theme file: %w", err)
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	t, err := Parse(data, name, base)
	if err != nil {
		return Theme{}, fmt.Errorf("theme file %s: %w", path, err)
	}
	return t, nil
}
