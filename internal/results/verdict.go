package results

import (
	"fmt"
	"sort"
)

// unanswered are the failure kinds in which a request got no answer at
// all: the target could not be reached, or did not reply in time.
var unanswered = map[string]string{
	"connection_refused": "target unreachable: %.0f%% of attempts refused",
	"dns":                "target unreachable: %.0f%% of attempts failed to resolve its name",
	"tls":                "target unreachable: %.0f%% of attempts failed the TLS handshake",
	"timeout":            "target not answering: %.0f%% of requests timed out",
	"interrupted":        "target not answering: %.0f%% of requests unanswered when the run stopped",
	"connection_reset":   "target failing: %.0f%% of requests reset",
	"connection_closed":  "target failing: %.0f%% of requests cut off (connection closed)",
	"protocol":           "target failing: %.0f%% of answers not valid HTTP",
}

// Verdict is one line for the top of a summary when most of a run's
// requests got no answer, naming the commonest reason ("target
// unreachable: 98% of attempts refused"), or "" when most were answered.
// Such a run measured the network, not the service: perftop exits 1 for
// it unless an SLO or a regression gate already failed it.
func (r *Result) Verdict() string {
	if r == nil || r.Requests == 0 {
		return ""
	}
	var failed int64
	type kind struct {
		name string
		n    int64
	}
	var ks []kind
	for name, n := range r.ErrorsByKind {
		if _, ok := unanswered[name]; ok && n > 0 {
			failed += n
			ks = append(ks, kind{name, n})
		}
	}
	if failed*2 <= r.Requests {
		return ""
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].n > ks[j].n || ks[i].n == ks[j].n && ks[i].name < ks[j].name })
	top := ks[0]
	return fmt.Sprintf(unanswered[top.name], float64(top.n)/float64(r.Requests)*100)
}
