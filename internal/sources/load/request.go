package load

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/perftop/perftop/internal/printable"
)

// Request is one request of the mix the test sends. Weight says how often
// it is picked relative to the others; Think is a pause a closed-loop worker
// takes after it, as a user would between clicks.
type Request struct {
	Name   string        `json:"name,omitempty"`
	Method string        `json:"method"`
	URL    *url.URL      `json:"-"`
	Header http.Header   `json:"-"`
	Body   []byte        `json:"-"`
	Weight int           `json:"weight"`
	Think  time.Duration `json:"think_seconds,omitempty"`
	// Group, when set, is the name the request's results are counted
	// under (GroupName): variants made from one request keep its group.
	Group string `json:"-"`
}

// ParseTarget reads a URL argument: "http://host/path", optionally with a
// weight as "URL@3". Only http, https and, with a Unix socket, any host are
// accepted; the error says what is wrong with the URL.
func ParseTarget(arg string) (*url.URL, int, error) {
	raw, weight := arg, 1
	if i := strings.LastIndexByte(arg, '@'); i > 0 {
		if w, err := strconv.Atoi(arg[i+1:]); err == nil {
			if w < 1 {
				return nil, 0, fmt.Errorf("URL %q: weight %d must be 1 or more", arg, w)
			}
			raw, weight = arg[:i], w
		}
	}
	u, err := ParseURL(raw)
	if err != nil {
		return nil, 0, err
	}
	return u, weight, nil
}

// ParseURL checks that raw is an absolute http or https URL with a host.
func ParseURL(raw string) (*url.URL, error) {
	shown := redactURL(raw)
	if !strings.Contains(raw, "://") {
		return nil, fmt.Errorf("invalid URL %q: no scheme: did you mean %q?", shown, "http://"+shown)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("invalid URL %q: %v", shown, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("invalid URL %q: scheme %q is not http or https", shown, u.Scheme)
	case u.Host == "":
		return nil, fmt.Errorf("invalid URL %q: no host", shown)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("invalid URL %q: port %q is not 1-65535", shown, p)
		}
	}
	return u, nil
}

// redactURL is raw with any password replaced by xxxxx, as url.Redacted
// does, for error messages; raw need not have a scheme or parse.
func redactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		scheme, rest = "", raw
	}
	authority := rest
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		authority = rest[:end]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return printable.Line(raw)
	}
	if user, _, hasPass := strings.Cut(rest[:at], ":"); hasPass {
		rest = user + ":xxxxx" + rest[at:]
	}
	if ok {
		rest = scheme + "://" + rest
	}
	return printable.Line(rest)
}

// ParseHeader reads a "Name: value" header argument.
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
		return "", "", fmt.Errorf("invalid header %q: want \"Name: value\"", s)
	}
	value = strings.TrimSpace(value)
	if strings.ContainsAny(value, "\r\n") {
		return "", "", fmt.Errorf("invalid header %q: value contains a line break", s)
	}
	return http.CanonicalHeaderKey(name), value, nil
}

// schedule spreads the requests by weight into one cycle, interleaved
// (smooth weighted round robin, as nginx does), so 3:1 sends A A B A rather
// than A A A B and every window of the test sees the mix.
func schedule(reqs []Request) []int {
	total := 0
	for _, r := range reqs {
		total += max(r.Weight, 1)
	}
	current := make([]int, len(reqs))
	out := make([]int, 0, total)
	for len(out) < total {
		best := 0
		for i, r := range reqs {
			current[i] += max(r.Weight, 1)
			if current[i] > current[best] {
				best = i
			}
		}
		current[best] -= total
		out = append(out, best)
	}
	return out
}
