package yamlfile

import (
	"strings"
	"testing"
	"time"
)

type red struct {
	RequestMetric string `yaml:"request_metric"`
	ErrorStatus   string `yaml:"error_status"`
}

type target struct {
	URL string `yaml:"url"`
	RED red    `yaml:"red"`
}

type inner struct {
	Shared int `yaml:"shared"`
}

type doc struct {
	Interval time.Duration     `yaml:"interval"`
	NoColor  bool              `yaml:"no_color"`
	Ratio    float64           `yaml:"ratio"`
	Prom     []target          `yaml:"prom"`
	Labels   map[string]string `yaml:"labels"`
	Skip     string            `yaml:"-"`
	Plain    string
	inner    `yaml:",inline"`
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"deep typo", "prom:\n  - url: http://a/\n    red:\n      request_metrc: x\n", "c.yaml:4: prom[0].red.request_metrc: unknown key (did you mean request_metric?)"},
		{"top typo", "intervall: 2s\n", "c.yaml:1: intervall: unknown key (did you mean interval?)"},
		{"far off", "zzzzzz: 1\n", "c.yaml:1: zzzzzz: unknown key (known: interval, labels, no_color, plain, prom, ratio, shared)"},
		{"skipped field", "skip: x\n", "c.yaml:1: skip: unknown key"},
		{"duration", "interval: fast\n", `c.yaml:1: interval: "fast" is not a duration (e.g. 500ms, 2s)`},
		{"bare number duration", "interval: 10\n", `c.yaml:1: interval: "10" is not a duration (e.g. 500ms, 2s)`},
		{"bool", "no_color: sometimes\n", `c.yaml:1: no_color: "sometimes" is not true or false`},
		{"float", "ratio: half\n", `c.yaml:1: ratio: "half" is not a number`},
		{"inline int", "shared: many\n", `c.yaml:1: shared: "many" is not a whole number`},
		{"list wanted", "prom: http://a/\n", `c.yaml:1: prom: want a list, got "http://a/"`},
		{"mapping wanted", "prom:\n  - just text\n", `c.yaml:2: prom[0]: want a mapping (key: value), got "just text"`},
		{"text wanted", "labels:\n  a: [1]\n", "c.yaml:2: labels.a: want text, got a list"},
		{"syntax", "a: [\n", "c.yaml:1: did not find expected node content"},
		{"hostile key", "\x1b]52;c;x\x07: 1\n", "control characters are not allowed"},
		{"hostile quoted key", "\"\\e]52;c;x\\a\": 1\n", "c.yaml:1: ]52;c;x: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d doc
			err := Decode("c.yaml", []byte(tt.in), &d)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want %q", err, tt.want)
			}
			if strings.ContainsAny(err.Error(), "\x1b\x07\n") {
				t.Errorf("control characters in %q", err)
			}
		})
	}
}

func TestDecodeGood(t *testing.T) {
	in := "interval: 2s\nno_color: yes\nratio: 0.5\nprom:\n  - url: http://a/\n    red: {request_metric: r}\nlabels: {a: b}\nplain: p\nshared: 3\n"
	var d doc
	if err := Decode("c.yaml", []byte(in), &d); err != nil {
		t.Fatal(err)
	}
	if d.Interval != 2*time.Second || !d.NoColor || d.Ratio != 0.5 || len(d.Prom) != 1 || d.Prom[0].RED.RequestMetric != "r" ||
		d.Labels["a"] != "b" || d.Plain != "p" || d.Shared != 3 {
		t.Fatalf("decoded %+v", d)
	}
	var empty doc
	if err := Decode("c.yaml", nil, &empty); err != nil || empty.Interval != 0 {
		t.Fatalf("empty file: %v %+v", err, empty)
	}
}

func TestNearest(t *testing.T) {
	for _, tt := range []struct{ s, want string }{
		{"intervl", "interval"}, {"tehme", "theme"}, {"slo", "slo"}, {"sol", "slo"}, {"prom_sever", "prom_server"}, {"xyz", ""}, {"durration", "duration"},
	} {
		if got := Nearest(tt.s, []string{"interval", "theme", "slo", "prom", "prom_server", "duration"}); got != tt.want {
			t.Errorf("Nearest(%q) = %q; want %q", tt.s, got, tt.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("prom:\n  - url: x\n    red: {request_metrc: 1}\ninterval: 2s\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d doc
		_ = Decode("f.yaml", data, &d)
	})
}
