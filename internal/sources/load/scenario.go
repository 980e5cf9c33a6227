package load

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/perftop/perftop/internal/yamlfile"
)

// ScenarioRequest is one entry of a --scenario file:
//
//	requests:
//	  - name: list items
//	    url: http://localhost:8080/items
//	    weight: 3
//	    headers: {Accept: application/json}
//	  - name: add item
//	    method: POST
//	    url: http://localhost:8080/items
//	    body: '{"name": "x"}'      # or body_file: item.json
//	    think: 100ms               # pause after it, closed loop only
type ScenarioRequest struct {
	Name     string            `yaml:"name"`
	Method   string            `yaml:"method"`
	URL      string            `yaml:"url"`
	Weight   int               `yaml:"weight"`
	Headers  map[string]string `yaml:"headers"`
	Body     string            `yaml:"body"`
	BodyFile string            `yaml:"body_file"`
	Think    string            `yaml:"think"`
}

// scenarioFile is a scenario as a mapping: its requests, and the response
// headers to split their answers by, as --split-by takes them:
//
//	split_by: [X-Cache, "X-Served-By=^(node-[0-9]+)"]
type scenarioFile struct {
	Requests []ScenarioRequest `yaml:"requests"`
	SplitBy  []string          `yaml:"split_by"`
}

// Scenario is a parsed scenario file.
type Scenario struct {
	Requests []Request
	SplitBy  []SplitBy
}

// ParseScenario reads a scenario: a YAML list of requests, or a mapping
// with a "requests" list. readFile loads body_file entries (relative paths
// are the caller's business). Errors name the request and the field.
func ParseScenario(name string, data []byte, readFile func(string) ([]byte, error)) ([]Request, error) {
	sc, err := ReadScenario(name, data, readFile)
	return sc.Requests, err
}

// ReadScenario is ParseScenario with the scenario's split_by.
func ReadScenario(name string, data []byte, readFile func(string) ([]byte, error)) (Scenario, error) {
	f, err := decodeScenario(name, data)
	if err != nil {
		return Scenario{}, err
	}
	sc := Scenario{Requests: make([]Request, 0, len(f.Requests))}
	for i, sr := range f.Requests {
		r, err := scenarioRequest(i, sr, readFile)
		if err != nil {
			return Scenario{}, fmt.Errorf("%s: %w", name, err)
		}
		sc.Requests = append(sc.Requests, r)
	}
	for _, s := range f.SplitBy {
		sp, err := ParseSplitBy(s)
		if err != nil {
			return Scenario{}, fmt.Errorf("%s: split_by: %w", name, err)
		}
		sc.SplitBy = append(sc.SplitBy, sp)
	}
	return sc, nil
}

// decodeScenario decodes a scenario, refusing one without requests: a
// list of requests, or a mapping holding one under "requests", with
// unknown keys refused, so that a typo is an error, not a default.
func decodeScenario(name string, data []byte) (scenarioFile, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil && len(root.Content) > 0 && root.Content[0].Kind == yaml.SequenceNode {
		var list []ScenarioRequest
		if err := yamlfile.Decode(name, data, &list); err != nil {
			return scenarioFile{}, err
		}
		if len(list) > 0 {
			return scenarioFile{Requests: list}, nil
		}
	} else {
		var f scenarioFile
		if err := yamlfile.Decode(name, data, &f); err != nil {
			return scenarioFile{}, err
		}
		if len(f.Requests) > 0 {
			return f, nil
		}
	}
	return scenarioFile{}, fmt.Errorf("%s: the scenario has no requests", name)
}

// scenarioRequest checks the scenario's request i and makes it a Request.
func scenarioRequest(i int, sr ScenarioRequest, readFile func(string) ([]byte, error)) (Request, error) {
	name := sr.Name
	if name == "" {
		name = "#" + strconv.Itoa(i+1)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("scenario request %s: %s", name, fmt.Sprintf(format, args...))
	}
	u, err := ParseURL(sr.URL)
	if err != nil {
		return Request{}, fail("%v", err)
	}
	r := Request{Name: sr.Name, Method: sr.Method, URL: u, Weight: sr.Weight, Header: http.Header{}}
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	if r.Weight == 0 {
		r.Weight = 1
	}
	if r.Weight < 0 {
		return Request{}, fail("weight %d must be 1 or more", r.Weight)
	}
	for k, v := range sr.Headers {
		name, value, err := ParseHeader(k + ": " + v)
		if err != nil {
			return Request{}, fail("%v", err)
		}
		r.Header.Add(name, value)
	}
	switch {
	case sr.Body != "" && sr.BodyFile != "":
		return Request{}, fail("has both body and body_file")
	case sr.BodyFile != "":
		b, err := readFile(sr.BodyFile)
		if err != nil {
			return Request{}, fail("body_file: %v", err)
		}
		r.Body = b
	default:
		r.Body = []byte(sr.Body)
	}
	if sr.Think != "" {
		d, err := time.ParseDuration(sr.Think)
		if err != nil || d < 0 {
			return Request{}, fail("think %q is not a duration like 100ms", sr.Think)
		}
		r.Think = d
	}
	return r, nil
}
