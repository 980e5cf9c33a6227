package help

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

func TestView(t *testing.T) {
	quit := key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit"))
	hidden := key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "secret"))
	hidden.SetEnabled(false)
	groups := []Group{
		{Title: "General", Bindings: []key.Binding{quit, hidden}},
		{Title: "Tables", Bindings: []key.Binding{key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter"))}},
	}
	got := View(groups, Styles{}, 40, 6)
	for _, want := range []string{"General", "q  quit", "Tables", "/  filter"} {
		if !strings.Contains(got, want) {
			t.Errorf("help lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "secret") {
		t.Errorf("disabled binding shown:\n%s", got)
	}
	if n := strings.Count(got, "\n") + 1; n != 6 {
		t.Errorf("%d lines, want 6", n)
	}
	// Too short for both groups in one column: they flow side by side.
	narrow := View(groups, Styles{}, 60, 3)
	if first := strings.SplitN(narrow, "\n", 2)[0]; !strings.Contains(first, "General") || !strings.Contains(first, "Tables") {
		t.Errorf("groups did not flow into columns:\n%s", narrow)
	}
}
