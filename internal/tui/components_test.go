package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/themes"
)

// recLoad records the controls that reach a test.
type recLoad struct{ calls []string }

func (r *recLoad) TogglePause()    { r.calls = append(r.calls, "pause") }
func (r *recLoad) Scale(f float64) { r.calls = append(r.calls, fmt.Sprintf("scale %.2f", f)) }
func (r *recLoad) Stop()           { r.calls = append(r.calls, "stop") }

func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

// TestLoadControlsByMode: the load test's controls work from every screen,
// and what q and s do depends on the mode the Load screen was built with.
func TestLoadControlsByMode(t *testing.T) {
	tests := []struct {
		name             string
		remote, readOnly bool
		keys             string
		want             []string
		quit             bool
		keyLine          string
	}{
		{"local steers", false, false, "p+-", []string{"pause", "scale 1.10", "scale 0.91"}, false, "s stop  p pause load  +/- load ±10%"},
		{"local q stops", false, false, "q", []string{"stop"}, true, ""},
		{"local s stops", false, false, "s", []string{"stop"}, true, ""},
		{"remote q leaves", true, false, "q", nil, true, ""},
		{"remote s stays", true, false, "s", []string{"stop"}, false, ""},
		{"read-only", true, true, "p+-s", nil, false, "read-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &recLoad{}
			m := New(Options{Store: fakeStore(10), Interval: time.Second, Load: f, Remote: tt.remote, ReadOnly: tt.readOnly})
			m.SetSize(120, 40)
			send(m, "2") // the overview: the controls are not the Load screen's alone
			var cmd tea.Cmd
			for _, k := range tt.keys {
				cmd = send(m, string(k))
			}
			if got, want := strings.Join(f.calls, ","), strings.Join(tt.want, ","); got != want {
				t.Errorf("calls %q, want %q", got, want)
			}
			if quits(cmd) != tt.quit {
				t.Errorf("quit %v, want %v", quits(cmd), tt.quit)
			}
			frame := plainFrame(m)
			if strings.Contains(frame, "PAUSED") || m.Interval() != time.Second {
				t.Error("a control reached the display")
			}
			if !strings.Contains(frame, tt.keyLine) {
				t.Errorf("key line lacks %q:\n%s", tt.keyLine, frame[strings.LastIndex(frame, "\n")+1:])
			}
		})
	}
}

// TestHelpViewFromComponents: the help lists the root's keys and every
// screen's, each once, and only keys some screen of the mode handles.
func TestHelpViewFromComponents(t *testing.T) {
	url := "http://svc:9090/metrics"
	tests := []struct {
		name       string
		o          Options
		want, lack []string
	}{
		{"host", Options{SetInterval: func(time.Duration) {}}, []string{"↑/k", "/          filter the table", "+          longer"}, []string{"[ ]", "chart the metric family", "←/h", "stop the test"}},
		{"prometheus", Options{PromTargets: []string{url}}, []string{"[ ]        previous/next Prometheus target", "enter      chart", "space      pin"}, []string{"+          longer"}},
		{"load", Options{Load: &recLoad{}}, []string{"s          stop the test", "p          pause/resume the load", "+          raise"}, []string{"pause/resume the display"}},
		{"replay", Options{Replay: []metrics.TimelinePoint{{Seconds: 1}}}, []string{"←/h", "→/l", "home       start of the run"}, []string{"↑/k", "filter the table"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Store, tt.o.Interval = fakeStore(10), time.Second
			m := New(tt.o)
			m.SetSize(160, 48)
			send(m, "?")
			frame := plainFrame(m)
			for _, w := range tt.want {
				if strings.Count(frame, w) != 1 {
					t.Errorf("help shows %q %d times, want once", w, strings.Count(frame, w))
				}
			}
			for _, l := range tt.lack {
				if strings.Contains(frame, l) {
					t.Errorf("help shows %q", l)
				}
			}
			if strings.Count(frame, "esc        close help") != 1 {
				t.Error("esc not listed once")
			}
		})
	}
}

// TestPromTargetSwitchAnywhere: [ ] pick the target from any screen, and
// esc closes the family chart enter opened.
func TestPromTargetSwitchAnywhere(t *testing.T) {
	urls := []string{"http://a:9090/metrics", "http://b:9090/metrics"}
	st := fakeStore(10)
	st.Update(func(tx metrics.Tx) {
		for _, u := range urls {
			tx.SetPromTarget(&metrics.PromTarget{URL: u, Up: true, Families: []metrics.FamilyInfo{{Name: "up", Type: "gauge"}}})
		}
	})
	var watched []string
	m := New(Options{Store: st, Interval: time.Second, PromTargets: urls, Watch: func(_ string, f []string) { watched = f }})
	m.SetSize(120, 40)
	send(m, "1", "]", "7")
	if frame := plainFrame(m); !strings.Contains(frame, "Target "+urls[1]) || !strings.Contains(frame, "2 of 2") {
		t.Fatalf("] on the overview did not switch the target:\n%s", frame)
	}
	send(m, "enter")
	if len(watched) != 1 || watched[0] != "up" {
		t.Fatalf("watched %v after enter", watched)
	}
	send(m, "esc")
	if len(watched) != 0 {
		t.Fatalf("watched %v after esc", watched)
	}
}

// TestReplayKeysForward: right, l and end move forward; h back.
func TestReplayKeysForward(t *testing.T) {
	var tl []metrics.TimelinePoint
	for s := 1; s <= 10; s++ {
		tl = append(tl, metrics.TimelinePoint{Seconds: float64(s)})
	}
	st := metrics.NewStore(0)
	st.SetLoadTest(&metrics.LoadTest{Mode: "closed", State: "done"})
	m := New(Options{Store: st, Replay: tl})
	m.SetSize(120, 40)
	steps := []struct {
		key  tea.KeyPressMsg
		want string
	}{
		{keyMsg("home"), "1s of 10s"},
		{tea.KeyPressMsg{Code: tea.KeyRight}, "2s of 10s"},
		{keyMsg("l"), "3s of 10s"},
		{keyMsg("h"), "2s of 10s"},
		{tea.KeyPressMsg{Code: tea.KeyEnd}, "10s of 10s"},
	}
	for _, s := range steps {
		m.Update(s.key)
		if frame := plainFrame(m); !strings.Contains(frame, s.want) {
			t.Fatalf("after %s: no %q", s.key, s.want)
		}
	}
}

// TestThemeReachesEveryScreen: the styles are shared, so a theme change
// shows on a screen that was not shown when it happened.
func TestThemeReachesEveryScreen(t *testing.T) {
	m := newTestModel(fakeStore(10), themes.Dark)
	m.SetSize(120, 40)
	send(m, "3")
	before := m.Frame()
	send(m, "t", "t", "t") // dark, light, high-contrast, mono
	send(m, "2", "3")
	if m.Frame() == before {
		t.Fatal("the Memory screen kept the old theme")
	}
	mono := New(Options{Store: fakeStore(10), Theme: themes.Monochrome, Interval: time.Second, SetInterval: func(time.Duration) {}})
	mono.SetSize(120, 40)
	send(mono, "3")
	if m.Frame() != mono.Frame() {
		t.Fatal("the Memory screen after three theme changes differs from one drawn mono")
	}
}
