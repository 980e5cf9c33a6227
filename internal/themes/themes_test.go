package themes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

func TestBuiltins(t *testing.T) {
	set := DefaultSet()
	for _, name := range []string{Dark, Light, HighContrast, Monochrome} {
		th, ok := set.Find(name)
		if !ok {
			t.Fatalf("built-in %q missing", name)
		}
		if !th.Mono && (th.Text == nil || th.Accent == nil || len(th.Series) == 0) {
			t.Errorf("%s: incomplete palette", name)
		}
	}
	if set[0].Name != Dark {
		t.Errorf("default theme is %q, want %q", set[0].Name, Dark)
	}
	if got := set.Next(Monochrome).Name; got != Dark {
		t.Errorf("Next wraps to %q, want %q", got, Dark)
	}
}

func TestParseColor(t *testing.T) {
	tests := []struct {
		in      string
		wantErr bool
	}{
		{"#ff8800", false}, {"#f80", false}, {"196", false}, {"0", false},
		{"#ff88", true}, {"#gg0000", true}, {"256", true}, {"-1", true}, {"red", true}, {"", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseColor(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseColor(%q) err = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string // substring; empty means success
		check   func(t *testing.T, th Theme)
	}{
		{
			name: "overrides on dark",
			yaml: "name: ocean\naccent: \"#0087ff\"\nseries: [\"#ff0000\", 33]\n",
			check: func(t *testing.T, th Theme) {
				if th.Name != "ocean" || len(th.Series) != 2 || th.Text == nil {
					t.Errorf("got %+v", th)
				}
				if got, want := th.Accent, lipgloss.Color("#0087ff"); got != want {
					t.Errorf("accent %v, want %v", got, want)
				}
			},
		},
		{name: "empty file keeps base", yaml: "", check: func(t *testing.T, th Theme) {
			if th.Name != "fallback" || th.Accent == nil {
				t.Errorf("got %+v", th)
			}
		}},
		{name: "based on light", yaml: "base: light\n", check: func(t *testing.T, th Theme) {
			light, _ := DefaultSet().Find(Light)
			if th.Text != light.Text {
				t.Errorf("text %v, want light's %v", th.Text, light.Text)
			}
		}},
		{name: "unknown key", yaml: "acent: \"#fff\"\n", wantErr: `unknown key "acent"`},
		{name: "bad colour names key", yaml: "crit: tomato\n", wantErr: `key "crit": invalid colour "tomato"`},
		{name: "bad series entry", yaml: "series: [\"#fff\", \"#12\"]\n", wantErr: `key "series[1]"`},
		{name: "unknown base", yaml: "base: neon\n", wantErr: `key "base": unknown theme "neon"`},
		{name: "not yaml", yaml: "::: [\n", wantErr: "line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th, err := Parse([]byte(tt.yaml), "fallback", DefaultSet())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error spans lines: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, th)
		})
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	if th, err := LoadDir(filepath.Join(dir, "missing"), DefaultSet()); err != nil || th != nil {
		t.Fatalf("missing dir: %v, %v", th, err)
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("b.yaml", "accent: \"#ff0000\"\n")
	write("a.yml", "name: dark\ntext: \"#ffffff\"\n")
	write("notes.txt", "ignored")
	user, err := LoadDir(dir, DefaultSet())
	if err != nil {
		t.Fatal(err)
	}
	set := DefaultSet().With(user)
	if got := strings.Join(set.Names(), ","); got != "dark,light,high-contrast,mono,b" {
		t.Errorf("names = %s", got)
	}
	if th, _ := set.Find(Dark); th.Text != lipgloss.Color("#ffffff") {
		t.Errorf("user dark did not replace the built-in")
	}

	write("c.yaml", "warn: 300\n")
	_, err = LoadDir(dir, DefaultSet())
	if err == nil || !strings.Contains(err.Error(), "c.yaml") || !strings.Contains(err.Error(), `key "warn"`) {
		t.Fatalf("err = %v, want the file and key named", err)
	}
}

func TestStyles(t *testing.T) {
	for _, th := range Builtins() {
		t.Run(th.Name, func(t *testing.T) {
			s := NewStyles(th)
			if len(s.Series) == 0 {
				t.Fatal("no series styles")
			}
			if s.Line(100).String() == "" && s.Level(95, 70, 90).Render("x") == "" {
				t.Fatal("styles render nothing")
			}
			if got := s.Level(95, 70, 90).Render("x"); got != s.Crit.Render("x") {
				t.Errorf("Level(95) is not Crit")
			}
			if got := s.Level(10, 70, 90).Render("x"); got != s.OK.Render("x") {
				t.Errorf("Level(10) is not OK")
			}
		})
	}
	mono := NewStyles(Theme{Mono: true})
	if out := mono.Crit.Render("x"); strings.Contains(out, "38;") {
		t.Errorf("mono style sets a colour: %q", out)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("name: x\naccent: \"#fff\"\n"))
	f.Add([]byte("series: [1, 2, 300]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		th, err := Parse(data, "fuzz", DefaultSet())
		if err == nil && th.Name == "" {
			t.Fatal("theme without a name")
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
	})
}
