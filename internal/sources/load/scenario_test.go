package load

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseScenario(t *testing.T) {
	files := map[string]string{"item.json": `{"name":"x"}`}
	read := func(p string) ([]byte, error) {
		if b, ok := files[p]; ok {
			return []byte(b), nil
		}
		return nil, errors.New("open " + p + ": no such file or directory")
	}
	good := `
requests:
  - name: list
    url: http://localhost:8080/items
    weight: 3
    headers: {Accept: application/json}
  - name: add
    method: POST
    url: http://localhost:8080/items
    body_file: item.json
    think: 100ms
`
	reqs, err := ParseScenario("s.yaml", []byte(good), read)
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 2 || reqs[0].Weight != 3 || reqs[0].Method != "GET" || reqs[0].Header.Get("Accept") != "application/json" {
		t.Fatalf("first request %+v", reqs[0])
	}
	if reqs[1].Method != "POST" || string(reqs[1].Body) != `{"name":"x"}` || reqs[1].Think != 100*time.Millisecond || reqs[1].Weight != 1 {
		t.Fatalf("second request %+v", reqs[1])
	}
	list, err := ParseScenario("s.yaml", []byte("- url: http://a/\n- url: http://b/\n"), read)
	if err != nil || len(list) != 2 {
		t.Fatalf("top-level list: %v %v", list, err)
	}

	tests := []struct{ name, yaml, want string }{
		{"empty", "", "scenario has no requests"},
		{"empty list", "requests: []\n", "scenario has no requests"},
		{"bad url", "- name: x\n  url: localhost\n", "s.yaml: scenario request x: invalid URL"},
		{"unknown field", "- url: http://a/\n  wieght: 2\n", "s.yaml:2: [0].wieght: unknown key (did you mean weight?)"},
		{"unknown field in a mapping", "requests:\n  - url: http://a/\n    mehtod: GET\n", "s.yaml:3: requests[0].mehtod: unknown key (did you mean method?)"},
		{"wrong type", "- url: http://a/\n  weight: heavy\n", `s.yaml:2: [0].weight: "heavy" is not a whole number`},
		{"both bodies", "- url: http://a/\n  body: a\n  body_file: item.json\n", "both body and body_file"},
		{"missing body file", "- url: http://a/\n  body_file: nope.json\n", "body_file: open nope.json"},
		{"bad think", "- url: http://a/\n  think: soon\n", `think "soon"`},
		{"negative weight", "- url: http://a/\n  weight: -1\n", "weight -1"},
		{"bad header", "- url: http://a/\n  headers: {\"bad name\": x}\n", "invalid header"},
		{"not yaml", "{{{", "s.yaml:1: did not find expected node content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScenario("s.yaml", []byte(tt.yaml), read)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
		})
	}
}

func FuzzParseScenario(f *testing.F) {
	f.Add([]byte("- url: http://a/\n  weight: 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reqs, err := ParseScenario("s.yaml", data, func(string) ([]byte, error) { return nil, errors.New("no files") })
		if err == nil && len(reqs) == 0 {
			t.Fatal("no error and no requests")
		}
	})
}
