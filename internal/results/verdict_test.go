package results

import "testing"

func TestVerdict(t *testing.T) {
	tests := []struct {
		name string
		r    Result
		want string
	}{
		{"answered", Result{Requests: 100, Errors: 2, ErrorsByKind: map[string]int64{"timeout": 2}}, ""},
		{"errors are answers", Result{Requests: 100, Errors: 100, ErrorsByKind: map[string]int64{"status_5xx": 100}}, ""},
		{"dead port", Result{Requests: 100, Errors: 98, ErrorsByKind: map[string]int64{"connection_refused": 98}}, "target unreachable: 98% of attempts refused"},
		{"silent server", Result{Requests: 500, Errors: 500, ErrorsByKind: map[string]int64{"interrupted": 20, "timeout": 480}}, "target not answering: 96% of requests timed out"},
		{"half and half", Result{Requests: 100, Errors: 50, ErrorsByKind: map[string]int64{"connection_reset": 50}}, ""},
		{"mixed, most unanswered", Result{Requests: 10, Errors: 6, ErrorsByKind: map[string]int64{"tls": 3, "dns": 3}}, "target unreachable: 30% of attempts failed to resolve its name"},
		{"nothing sent", Result{}, ""},
	}
	for _, tt := range tests {
		if got := tt.r.Verdict(); got != tt.want {
			t.Errorf("%s: Verdict() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
